"""How big a backfill of one schedule is before it starts: `BackfillLimits` (what sizes it) and `backfill_estimate`
(pure: days, request windows, the fewest API calls). Used by `services.schedules.backfill_limits`, `runs.request` and
the window's backfill dialog. No store access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from autosync_desktop.sync import windows as win


@dataclass(frozen=True, slots=True)
class BackfillLimits:
    """`SchedulesService.backfill_limits`: what a backfill of one schedule is sized by."""

    max_window_days: int
    platform_label: str
    reads_campaigns: bool
    reads_stats: bool = True


@dataclass(frozen=True, slots=True)
class BackfillEstimate:
    """A backfill's size before it starts: days, request windows, and the fewest API calls it makes (more when
    the platform pages its answers)."""

    days: int
    windows: int
    window_days: int
    calls: int


def backfill_estimate(date_from: date, date_to: date, limits: BackfillLimits) -> BackfillEstimate:
    """Pure: how many days and windows (of up to `max_window_days`) a range makes, and about how many calls
    (one per window of stats, one for the campaigns) - the count `runs.request` uses to ask for a confirmation."""
    days = max(0, (date_to - date_from).days + 1)
    windows = win.window_count(win.Window(date_from, date_to), limits.max_window_days) if days else 0
    calls = (windows if limits.reads_stats else 0) + (1 if limits.reads_campaigns else 0)
    return BackfillEstimate(days=days, windows=windows, window_days=limits.max_window_days, calls=calls)
