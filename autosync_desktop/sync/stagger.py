"""Staggering: schedules set to the same time start spread over a few minutes, deterministically per schedule.

When two or more schedules share a clock-aligned trigger (hourly, daily, weekly or cron with the same time, days
and zone), each of them starts 0 to STAGGER_MINUTES - 1 whole minutes late, the offset taken from a stable hash of
its id, so twenty "daily at 06:00" accounts do not all hit their platforms in the same second. A schedule alone
at its time keeps it exactly; interval schedules are anchored at their creation and need no spreading. The offset
is part of the trigger (sync/triggers.py `TriggerSpec.offset_minutes`), so the planned time shown everywhere (the
next runs, `next_run_at`) is the one it really starts at.
May touch: store models (read), APScheduler's BaseTrigger, stdlib.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from autosync_desktop.store.models import Schedule

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

STAGGER_MINUTES = 5  # offsets 0..4 minutes
CLOCK_ALIGNED = ("hourly", "daily", "weekly", "cron")


def minutes_for(schedule_id: int) -> int:
    """The schedule's offset when it shares its time: 0..STAGGER_MINUTES - 1, the same in every process."""
    digest = hashlib.blake2b(f"schedule:{schedule_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % STAGGER_MINUTES


def offset_minutes(schedule: Schedule) -> int:
    """How many minutes after its set time `schedule` starts (0 unless another schedule shares that time)."""
    if schedule.frequency not in CLOCK_ALIGNED or schedule.id is None:
        return 0
    shared = Schedule.select(Schedule.id).where(
        (Schedule.id != schedule.id) & (Schedule.frequency == schedule.frequency)
        & (Schedule.timezone == schedule.timezone) & _same(Schedule.at_time, schedule.at_time)
        & _same(Schedule.days, schedule.days) & _same(Schedule.cron, schedule.cron)).exists()
    return minutes_for(schedule.id) if shared else 0


def _same(column: Any, value: str | None) -> Any:
    return column.is_null() if value is None else column == value


def offset_trigger(base: BaseTrigger, minutes: int) -> BaseTrigger:
    """`base` shifted `minutes` later (in real time: a DST change in between does not move it twice)."""
    from apscheduler.triggers.base import BaseTrigger as _Base

    offset = timedelta(minutes=minutes)

    class OffsetTrigger(_Base):
        def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
            previous = None if previous_fire_time is None else _shift(previous_fire_time, -offset)
            fire = base.get_next_fire_time(previous, _shift(now, -offset))
            return None if fire is None else _shift(fire, offset)

        def __str__(self) -> str:
            return f"{base} + {minutes} min"

    return OffsetTrigger()


def _shift(moment: datetime, by: timedelta) -> datetime:
    """`moment` moved by `by` in real time, in its own zone."""
    return (moment.astimezone(UTC) + by).astimezone(moment.tzinfo)
