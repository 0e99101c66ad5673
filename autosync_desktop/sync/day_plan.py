"""The engine's use of the freshness planner: an incremental run's windows from the account's fetch history.

Reads the store (store/day_fetches.py) and the `sync.freshness_planner` setting, then lets sync/freshness.py
decide. Backfills (an explicit from/to) never come here: they fetch exactly what was asked.
May touch: store (settings, day_fetches), sync/freshness, sync/windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from autosync_desktop.store import day_fetches, settings
from autosync_desktop.sync import freshness
from autosync_desktop.sync.windows import Window


@dataclass(frozen=True, slots=True)
class RunPlan:
    windows: list[Window]
    description: str  # for the run log: which days and why


def plan_incremental(account_id: int, platform: str, lookback: int, days: Window, zone: str, now: datetime,
                     max_window_days: int) -> RunPlan:
    """The windows of an incremental run over `days` (start..today in `zone`) at `now` (aware)."""
    if not settings.get("sync.freshness_planner"):
        plan = freshness.whole(days)
    else:
        history = day_fetches.history(account_id, days.start, days.end)
        since = now.astimezone(UTC).replace(tzinfo=None) - timedelta(days=freshness.EVIDENCE_DAYS)
        plan = freshness.plan_days(platform=platform, lookback=lookback, today=days.end, zone=zone,
                                   days=days, history=history,
                                   latest_change_age=day_fetches.latest_change_age(account_id, since))
    return RunPlan(plan.windows(max_window_days), plan.describe())
