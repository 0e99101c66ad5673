"""Schedule frequency fields -> APScheduler 3 triggers, plus validation, run-time previews and descriptions.

Only stdlib, APScheduler, tzlocal and zoneinfo are used here, so the CLI, the GUI and the scheduler service
can all share it. APScheduler is imported when a trigger is first built or a cron expression checked.

Behaviour worth knowing (pinned by tests/test_triggers.py):

* Daily/weekly/hourly/cron schedules follow the wall clock of ``spec.timezone``; interval schedules tick in
  absolute time (every N real minutes, whatever the clocks do).
* A wall time skipped by a spring-forward change (e.g. 02:30 in Europe/Berlin on 2026-03-29) fires once,
  one hour later on the wall clock (03:30 CEST). A wall time repeated by a fall-back change (01:30 in
  America/New_York on 2026-11-01) fires twice, once per UTC offset. This is what APScheduler 3 does.
* ``--cron`` takes standard crontab syntax. APScheduler 3 numbers weekdays from Monday = 0, unlike crontab
  (Sunday = 0 or 7), so the day-of-week field is translated to weekday names before it reaches APScheduler:
  ``0 6 * * 1-5`` runs Monday to Friday, as in crontab.
* Crontab runs a job when *either* a restricted day-of-month or a restricted day-of-week matches, while
  APScheduler requires *both*; expressions restricting both are rejected rather than silently reinterpreted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal

from autosync_desktop import clock
from autosync_desktop.errors import UserError

if TYPE_CHECKING:  # APScheduler (~40 ms: importlib.metadata, asyncio) is imported when a trigger is first built
    from apscheduler.triggers.base import BaseTrigger

FREQUENCIES = ("manual", "interval", "hourly", "daily", "weekly", "cron")
MAX_INTERVAL_MINUTES = 366 * 24 * 60  # a year
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CRONTAB_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbering: 0 (and 7) = Sunday
_CRON_EXAMPLE = "'0 6 * * 1-5' (minute hour day-of-month month day-of-week)"


class ScheduleSpecError(UserError):
    """A schedule field is invalid. ``field`` is the CLI flag it came from; ``message`` says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class TriggerSpec:
    frequency: str
    timezone: str  # IANA name
    every_minutes: int | None = None
    at_time: str | None = None  # "HH:MM" for daily/weekly, ":MM" (or "MM") for hourly
    days: str | None = None  # "mon,wed,fri" for weekly
    cron: str | None = None  # 5-field crontab
    anchor: datetime | None = None  # aware or naive-UTC; interval ticks are anchored here
    offset_minutes: int = 0  # starts this many minutes after its time (sync/stagger.py); clock-aligned only


def system_timezone() -> str:
    """The machine's IANA time zone name, or "UTC" if it cannot be determined."""
    try:
        name = tzlocal.get_localzone_name()
        if name:
            ZoneInfo(name)
            return name
    except Exception:  # tzlocal raises various errors on misconfigured systems; UTC is a safe fallback.
        pass
    return "UTC"


def validate(spec: TriggerSpec, *, min_interval_minutes: int = 1) -> TriggerSpec:
    """Check ``spec`` and return a normalised copy; raise ScheduleSpecError naming the bad field.

    The copy has lower-case frequency, stripped time zone, zero-padded times ("6:5" -> "06:05", hourly
    "5" -> ":05"), days lower-cased and in week order, cron whitespace collapsed, a naive anchor marked as
    UTC, and the fields that do not apply to the frequency set to None. Hourly without --at means ":00".
    """
    frequency = (spec.frequency or "").strip().lower()
    if frequency not in FREQUENCIES:
        raise ScheduleSpecError(
            "--frequency", f"{spec.frequency!r} is not a known frequency; use one of {', '.join(FREQUENCIES)}"
        )
    tz_name = _validate_timezone(spec.timezone)
    anchor = spec.anchor
    if anchor is not None and anchor.tzinfo is None:
        anchor = anchor.replace(tzinfo=UTC)
    offset = spec.offset_minutes if frequency in ("hourly", "daily", "weekly", "cron") else 0
    out = TriggerSpec(frequency=frequency, timezone=tz_name, anchor=anchor, offset_minutes=offset)

    if frequency == "interval":
        return replace(out, every_minutes=_validate_minutes(spec.every_minutes, min_interval_minutes))
    if frequency == "hourly":
        return replace(out, at_time=_validate_minute_past(spec.at_time))
    if frequency in ("daily", "weekly"):
        out = replace(out, at_time=_validate_time_of_day(spec.at_time, frequency))
        return replace(out, days=_validate_days(spec.days)) if frequency == "weekly" else out
    if frequency == "cron":
        expr = _validate_cron(spec.cron, tz_name)
        return replace(out, cron=expr)
    return out  # manual


def build_trigger(spec: TriggerSpec) -> BaseTrigger | None:
    """The APScheduler trigger for ``spec`` (validated first, shifted by its stagger offset), or None for manual."""
    spec = validate(spec)
    base = _base_trigger(spec)
    if base is None or not spec.offset_minutes:
        return base
    from autosync_desktop.sync.stagger import offset_trigger

    return offset_trigger(base, spec.offset_minutes)


def _base_trigger(spec: TriggerSpec) -> BaseTrigger | None:
    tz = ZoneInfo(spec.timezone)
    if spec.frequency == "manual":
        return None
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if spec.frequency == "interval":
        return IntervalTrigger(minutes=spec.every_minutes, start_date=spec.anchor, timezone=tz)
    if spec.frequency == "cron":
        return CronTrigger.from_crontab(_to_apscheduler_crontab(spec.cron or ""), timezone=tz)
    hour, minute = _hour_minute(spec.at_time or "")
    if spec.frequency == "hourly":
        return CronTrigger(minute=minute, timezone=tz)
    if spec.frequency == "daily":
        return CronTrigger(hour=hour, minute=minute, timezone=tz)
    return CronTrigger(day_of_week=spec.days, hour=hour, minute=minute, timezone=tz)


def next_runs(spec: TriggerSpec, count: int = 5, after: datetime | None = None) -> list[datetime]:
    """The next ``count`` fire times strictly after ``after`` (default: now), in the schedule's zone.

    A naive ``after`` is read as UTC. An interval schedule without an anchor is previewed as if it had
    been started at ``after`` (first run at ``after`` + N minutes). Manual schedules return [].
    """
    if count < 0:
        raise ValueError(f"count must be 0 or more, got {count}")
    spec = validate(spec)
    after = clock.now() if after is None else after
    after = after.replace(tzinfo=UTC) if after.tzinfo is None else after
    if spec.frequency == "interval" and spec.anchor is None:
        spec = replace(spec, anchor=after)
    trigger = build_trigger(spec)
    if trigger is None:
        return []
    tz = ZoneInfo(spec.timezone)
    runs: list[datetime] = []
    fire = trigger.get_next_fire_time(None, after)
    while fire is not None and len(runs) < count:
        if fire > after:
            # Round-trip through UTC so a skipped wall time (02:30 on a spring-forward day) is shown as the
            # real local time it fires at (03:30), and a repeated one gets the right fold.
            runs.append(fire.astimezone(UTC).astimezone(tz))
        fire = trigger.get_next_fire_time(fire, fire)
    return runs


def describe(spec: TriggerSpec) -> str:
    """A one-line English description, e.g. "Weekly on Mon, Wed, Fri at 06:00 (America/New_York)"."""
    spec = validate(spec)
    zone = f"({spec.timezone})"
    if spec.frequency == "manual":
        return "Manual only"
    if spec.frequency == "interval":
        n = spec.every_minutes
        return f"Every {n} minute" if n == 1 else f"Every {n} minutes"
    if spec.frequency == "hourly":
        return _spread(f"Hourly at {spec.at_time} {zone}", spec)
    if spec.frequency == "daily":
        return _spread(f"Daily at {spec.at_time} {zone}", spec)
    if spec.frequency == "weekly":
        days = ", ".join(day.capitalize() for day in (spec.days or "").split(","))
        return _spread(f"Weekly on {days} at {spec.at_time} {zone}", spec)
    return _spread(f"Cron {spec.cron} {zone}", spec)


def _spread(text: str, spec: TriggerSpec) -> str:
    """A staggered schedule says so: "Daily at 06:00 (Europe/Berlin), starting 3 min later (spread from others at
    that time)"."""
    if not spec.offset_minutes:
        return text
    return f"{text}, starting {spec.offset_minutes} min later (spread from others at that time)"


# --- field validators ---------------------------------------------------------------------------------


def _validate_timezone(name: str | None) -> str:
    name = (name or "").strip()
    hint = "use a name like Europe/Berlin or UTC"
    if not name:
        raise ScheduleSpecError("--timezone", f"no time zone given; {hint}")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleSpecError("--timezone", f"{name!r} is not a known IANA time zone; {hint}") from None
    return name


def _validate_minutes(value: int | None, minimum: int) -> int:
    minimum = max(1, minimum)
    if value is None:
        raise ScheduleSpecError(
            "--every-minutes", "interval schedules need a number of minutes; add e.g. --every-minutes 15"
        )
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScheduleSpecError(
            "--every-minutes", f"{value!r} is not a whole number of minutes; use e.g. --every-minutes 15"
        )
    if value < minimum:
        raise ScheduleSpecError(
            "--every-minutes",
            f"must be at least {minimum} for this platform (got {value}); "
            f"use --every-minutes {minimum} or more",
        )
    if value > MAX_INTERVAL_MINUTES:  # beyond this, next-run dates leave the calendar (and SQLite's integers)
        raise ScheduleSpecError(
            "--every-minutes",
            f"must be at most {MAX_INTERVAL_MINUTES} (a year; got {value}); use a cron schedule for rare runs",
        )
    return value


def _validate_minute_past(value: str | None) -> str:
    text = (value or ":00").strip()
    match = re.fullmatch(r":?(\d{1,2})", text)
    if not match or int(match[1]) > 59:
        raise ScheduleSpecError(
            "--at", f"{text!r} is not a minute past the hour; for hourly schedules use :MM, e.g. --at :05"
        )
    return f":{int(match[1]):02d}"


def _validate_time_of_day(value: str | None, frequency: str) -> str:
    if value is None or not value.strip():
        raise ScheduleSpecError(
            "--at", f"{frequency} schedules need a time of day; add --at HH:MM, e.g. --at 06:00"
        )
    text = value.strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{1,2})", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ScheduleSpecError("--at", f"{text!r} is not a valid time; use 24-hour HH:MM, e.g. --at 06:00")
    return f"{int(match[1]):02d}:{int(match[2]):02d}"


def _validate_days(value: str | None) -> str:
    hint = "use a comma-separated list like mon,wed,fri (ranges like mon-fri are fine)"
    chosen: set[int] = set()
    for item in filter(None, (value or "").lower().replace(" ", "").split(",")):
        first, _, last = item.partition("-")
        start, end = _day_index(first, hint), _day_index(last or first, hint)
        chosen.update((start + offset) % 7 for offset in range((end - start) % 7 + 1))  # ranges may wrap
    if not chosen:
        raise ScheduleSpecError("--days", f"weekly schedules need at least one day; {hint}")
    return ",".join(WEEKDAYS[i] for i in sorted(chosen))


def _day_index(name: str, hint: str) -> int:
    if name in WEEKDAYS:
        return WEEKDAYS.index(name)
    if name in _DAY_NAMES:
        return _DAY_NAMES.index(name)
    raise ScheduleSpecError("--days", f"{name!r} is not a day of the week; {hint}")


def _validate_cron(value: str | None, tz_name: str) -> str:
    if value is None or not value.strip():
        raise ScheduleSpecError(
            "--cron", f"cron schedules need an expression; add e.g. --cron {_CRON_EXAMPLE}"
        )
    fields = value.split()
    expr = " ".join(fields)
    if len(fields) != 5:
        raise ScheduleSpecError(
            "--cron", f"{expr!r} has {len(fields)} fields but exactly 5 are needed; use e.g. {_CRON_EXAMPLE}"
        )
    if not fields[2].startswith("*") and not fields[4].startswith("*"):
        raise ScheduleSpecError(
            "--cron",
            f"{expr!r} restricts both day-of-month and day-of-week, which crontab and APScheduler read "
            "differently (either vs both must match); restrict only one of them and use * for the other",
        )
    translated = _to_apscheduler_crontab(expr)  # raises its own ScheduleSpecError for a bad day-of-week
    from apscheduler.triggers.cron import CronTrigger

    try:
        trigger = CronTrigger.from_crontab(translated, timezone=ZoneInfo(tz_name))
    except ValueError as exc:
        raise ScheduleSpecError("--cron", f"{expr!r} is invalid ({exc}); use e.g. {_CRON_EXAMPLE}") from None
    if trigger.get_next_fire_time(None, clock.now()) is None:
        raise ScheduleSpecError(
            "--cron", f"{expr!r} never matches a real date; check the day and month fields"
        )
    return expr


def _to_apscheduler_crontab(expr: str) -> str:
    """Rewrite a crontab's day-of-week field (Sunday = 0 or 7) as APScheduler weekday names."""
    fields = expr.split()
    if len(fields) == 5 and fields[4] != "*":
        fields[4] = _crontab_weekdays(fields[4])
    return " ".join(fields)


def _crontab_weekdays(field: str) -> str:
    hint = "use *, 0-7 (0 and 7 are Sunday) or mon-sun, with ranges and steps, e.g. 1-5 or mon-fri"
    chosen: set[int] = set()  # crontab numbering, 0 = Sunday
    for item in field.lower().split(","):
        match = re.fullmatch(r"(\*|\w+)(?:-(\w+))?(?:/(\d+))?", item)
        if not match or (match[1] == "*" and match[2]):
            raise ScheduleSpecError("--cron", f"day-of-week {item!r} is not valid; {hint}")
        first, last, step = match[1], match[2], int(match[3] or 1)
        if first == "*":
            start, end = 0, 6
        else:
            start = _crontab_day(first, hint)
            end = _crontab_day(last, hint) if last else (7 if match[3] else start)
        if start > end or step == 0:
            raise ScheduleSpecError("--cron", f"day-of-week {item!r} is not a valid range or step; {hint}")
        chosen.update(day % 7 for day in range(start, end + 1, step))
    # APScheduler names in Monday-first order: crontab day d is WEEKDAYS[(d - 1) % 7].
    return ",".join(WEEKDAYS[(day - 1) % 7] for day in sorted(chosen, key=lambda day: (day - 1) % 7))


def _crontab_day(token: str, hint: str) -> int:
    if token.isdigit() and int(token) <= 7:
        return int(token)
    if token in _CRONTAB_DAYS:
        return _CRONTAB_DAYS.index(token)
    raise ScheduleSpecError("--cron", f"day-of-week {token!r} is not valid; {hint}")


def _hour_minute(at_time: str) -> tuple[int, int]:
    hour, _, minute = at_time.rpartition(":")
    return int(hour or 0), int(minute)
