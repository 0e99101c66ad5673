"""Date windows for a run: where to start (sync state, lookback, first-sync history), chunked into <= N days.

start = min(last_complete + 1, today - lookback), end = today, both in the account's time zone. Days inside
the lookback are still "settling" (platforms restate them for attribution) and are fetched again: every run with
the freshness planner off, by age with it on (sync/freshness.py picks the days of this range, sync/day_plan.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from autosync_desktop import clock
from autosync_desktop.errors import UserError


class WindowError(UserError):
    pass


@dataclass(frozen=True, slots=True)
class Window:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def today_in(timezone: str | None, now: datetime | None = None) -> date:
    """The date in `timezone` (None: UTC) at `now` (an aware moment; default: the clock's now)."""
    return (now or clock.now()).astimezone(ZoneInfo(timezone or "UTC")).date()


def sync_range(today: date, last_complete: date | None, lookback_days: int, initial_days: int) -> Window:
    """The date range an incremental run covers."""
    if last_complete is None:
        return Window(today - timedelta(days=initial_days), today)
    start = min(last_complete + timedelta(days=1), today - timedelta(days=lookback_days))
    return Window(min(start, today), today)


def chunk(window: Window, max_days: int = 30) -> list[Window]:
    if max_days < 1:
        raise WindowError("max_days must be at least 1")
    out: list[Window] = []
    start = window.start
    while start <= window.end:
        end = min(start + timedelta(days=max_days - 1), window.end)
        out.append(Window(start, end))
        start = end + timedelta(days=1)
    return out


def backfill_range(date_from: date, date_to: date) -> Window:
    if date_from > date_to:
        raise WindowError(f"--from {date_from.isoformat()} is after --to {date_to.isoformat()}; "
                          "swap them or pick an earlier --from")
    return Window(date_from, date_to)


def window_count(window: Window, max_days: int = 30) -> int:
    """How many windows of at most `max_days` days `chunk` makes of `window` (without making them)."""
    return -(-window.days // max(1, max_days))


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day when that month is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    if year < 1:
        return date.min
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, candidate))
        except ValueError:
            continue
    return date(year, month + 1, 28)


def settling_since(today: date, lookback_days: int) -> date:
    """The first day that is not final yet: the platform may still restate it."""
    return today - timedelta(days=lookback_days)
