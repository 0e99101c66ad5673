"""The schedule service modules' shared helpers: a schedule's row by name, a free name, its next run, a run as a
`ScheduleRun`, and the checks of a schedule's choices and trigger (raising UserError naming the flag). For the
service modules only (services/schedules.py, runs.py, metrics.py, notifications.py, schedule_links.py), never their
callers. Reads the store; writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from autosync_desktop import names
from autosync_desktop.connectors import registry
from autosync_desktop.domain import RunStatus, ScheduleRun
from autosync_desktop.services.core import UserError, _int_in_range
from autosync_desktop.store.models import (
    FREQUENCIES,
    MISSED_POLICIES,
    SCHEDULE_TYPES,
    Account,
    Schedule,
    SyncRun,
    utcnow,
)
from autosync_desktop.sync import triggers
from autosync_desktop.sync.scheduler import spec_of


def schedule_row(name: str) -> Schedule:
    """The schedule's row (the exact name, else the one name equal to it case-insensitively), or UserError with the
    closest known names (for the service modules, not their callers)."""
    schedule = Schedule.get_or_none(Schedule.name == name)
    if schedule is not None:
        return schedule
    known = [s.name for s in Schedule.select(Schedule.name).order_by(Schedule.name)]
    same = [other for other in known if names.key(other) == names.key(name)]
    if len(same) == 1:
        return Schedule.get(Schedule.name == same[0])
    raise names.unknown("schedule", name, known, "see 'schedules list'")


def free_name(name: str, field: str, current: int | None = None) -> str:
    """`name` cleaned (names.clean), or UserError when another schedule has it (ignoring case)."""
    name = names.clean(name, field, "Daily Google Ads")
    others = (s.name for s in Schedule.select(Schedule.id, Schedule.name) if s.id != current)
    other = names.clash(name, others)
    if other is not None:
        same = "" if other == name else " (names are compared ignoring case)"
        raise UserError(f"{field}: a schedule named {other!r} already exists{same}; pick another name")
    return name


def next_run_of(schedule: Schedule) -> datetime | None:
    """The next run the scheduler wrote back, or the trigger's own answer when none is stored yet."""
    if schedule.next_run_at is not None and schedule.next_run_at > utcnow():
        return schedule.next_run_at
    upcoming = triggers.next_runs(spec_of(schedule), 1) if schedule.frequency != "manual" else []
    return upcoming[0] if upcoming else None


def aware(moment: datetime | None) -> datetime | None:
    """Store timestamps are naive UTC; read models carry aware ones."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def schedule_run(run: SyncRun) -> ScheduleRun:
    return ScheduleRun(id=run.id, status=RunStatus(run.status), rows=run.rows,
                       duration_s=None if run.duration_s is None else round(run.duration_s, 3),
                       queued_at=aware(run.queued_at), finished_at=aware(run.finished_at),
                       error=run.error_message, reason=run.reason)


def check_choices(sync_type: str, missed: str, lookback_days: int | None) -> None:
    if sync_type not in SCHEDULE_TYPES:
        raise UserError(f"--type: must be one of {', '.join(SCHEDULE_TYPES)}")
    if missed not in MISSED_POLICIES:
        raise UserError(f"--missed: must be one of {', '.join(MISSED_POLICIES)}")
    if lookback_days is not None:
        _int_in_range("--lookback-days", lookback_days, 0, 365)


def min_interval(platform: str | None) -> int:
    spec = registry.PLATFORMS.get(platform) if platform else None
    return spec.min_interval_minutes if spec else 1


def validated_spec(account: Account | None, frequency: str, *, every_minutes: int | None, at: str | None,
                    days: str | None, cron: str | None, timezone: str | None) -> triggers.TriggerSpec:
    if frequency not in FREQUENCIES:
        raise UserError(f"--frequency: must be one of {', '.join(FREQUENCIES)}")
    spec = triggers.TriggerSpec(frequency=frequency, timezone=timezone or triggers.system_timezone(),
                                every_minutes=every_minutes, at_time=at, days=days, cron=cron)
    # a bad field raises ScheduleSpecError, a UserError naming the flag
    return triggers.validate(spec, min_interval_minutes=min_interval(account.platform if account else None))
