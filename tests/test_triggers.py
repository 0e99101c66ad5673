"""Schedule specs become APScheduler triggers, validate clearly, and preview run times DST-correctly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from autosync_desktop.sync import triggers
from autosync_desktop.sync.triggers import (
    ScheduleSpecError,
    TriggerSpec,
    build_trigger,
    describe,
    next_runs,
    system_timezone,
    validate,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def cron_fields(trigger: CronTrigger) -> dict[str, str]:
    return {field.name: str(field) for field in trigger.fields}


# --- DST --------------------------------------------------------------------------------------------------


def test_berlin_daily_0600_stays_0600_local_across_spring_forward() -> None:
    # Europe/Berlin moves from UTC+1 to UTC+2 at 01:00 UTC on 2026-03-29.
    spec = TriggerSpec("daily", "Europe/Berlin", at_time="06:00")
    runs = next_runs(spec, 4, after=utc(2026, 3, 27, 12))

    assert [(r.day, r.hour, r.minute) for r in runs] == [(28, 6, 0), (29, 6, 0), (30, 6, 0), (31, 6, 0)]
    assert [r.utcoffset() for r in runs] == [timedelta(hours=1)] + [timedelta(hours=2)] * 3
    assert [r.astimezone(UTC).hour for r in runs] == [5, 4, 4, 4]
    assert all(r.tzinfo == BERLIN for r in runs)


def test_berlin_daily_0230_on_spring_forward_day_fires_once_at_0330_local() -> None:
    # 02:00-03:00 does not exist in Berlin on 2026-03-29. APScheduler 3 still fires that day, exactly once,
    # at 01:30 UTC, which is 03:30 CEST: the skipped wall time is pushed forward by the size of the gap.
    # next_runs shows that instant as the real local time (03:30+02:00), not the impossible 02:30.
    spec = TriggerSpec("daily", "Europe/Berlin", at_time="02:30")
    runs = next_runs(spec, 3, after=utc(2026, 3, 27, 12))

    assert [r.astimezone(UTC) for r in runs] == [
        utc(2026, 3, 28, 1, 30),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 3, 30, 0, 30),
    ]
    assert [(r.day, r.hour, r.minute) for r in runs] == [(28, 2, 30), (29, 3, 30), (30, 2, 30)]
    assert runs[1].utcoffset() == timedelta(hours=2)


def test_new_york_daily_0600_stays_0600_local_across_fall_back() -> None:
    # America/New_York moves from UTC-4 to UTC-5 at 06:00 UTC on 2026-11-01.
    spec = TriggerSpec("daily", "America/New_York", at_time="06:00")
    runs = next_runs(spec, 3, after=utc(2026, 10, 31, 12))

    assert [(r.day, r.hour, r.minute) for r in runs] == [(1, 6, 0), (2, 6, 0), (3, 6, 0)]
    assert [r.astimezone(UTC).hour for r in runs] == [11, 11, 11]
    assert runs[0].utcoffset() == timedelta(hours=-5)
    assert next_runs(spec, 1, after=utc(2026, 10, 30, 12))[0].astimezone(UTC) == utc(2026, 10, 31, 10)


def test_new_york_daily_0130_on_fall_back_day_fires_twice() -> None:
    # 01:00-02:00 happens twice in New York on 2026-11-01. APScheduler 3 fires a daily 01:30 job at both
    # occurrences: 01:30 EDT (05:30 UTC) and an hour later at 01:30 EST (06:30 UTC, fold=1).
    spec = TriggerSpec("daily", "America/New_York", at_time="01:30")
    runs = next_runs(spec, 4, after=utc(2026, 10, 31, 12))

    assert [r.astimezone(UTC) for r in runs] == [
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 1, 6, 30),
        utc(2026, 11, 2, 6, 30),
        utc(2026, 11, 3, 6, 30),
    ]
    assert [(r.hour, r.minute, r.fold) for r in runs[:2]] == [(1, 30, 0), (1, 30, 1)]
    assert [r.utcoffset() for r in runs[:2]] == [timedelta(hours=-4), timedelta(hours=-5)]


def test_hourly_across_fall_back_is_one_run_per_real_hour() -> None:
    spec = TriggerSpec("hourly", "America/New_York", at_time=":30")
    runs = next_runs(spec, 5, after=datetime(2026, 11, 1, 0, 0, tzinfo=NEW_YORK))

    assert [r.astimezone(UTC) for r in runs] == [utc(2026, 11, 1, h, 30) for h in range(4, 9)]
    assert [r.hour for r in runs] == [0, 1, 1, 2, 3]


def test_interval_ticks_in_absolute_time_across_spring_forward() -> None:
    spec = TriggerSpec("interval", "Europe/Berlin", every_minutes=60, anchor=datetime(2026, 3, 28, 23, 0))
    runs = next_runs(spec, 3, after=utc(2026, 3, 28, 23, 30))

    assert [r.astimezone(UTC) for r in runs] == [
        utc(2026, 3, 29, 0),
        utc(2026, 3, 29, 1),
        utc(2026, 3, 29, 2),
    ]
    assert [r.hour for r in runs] == [1, 3, 4]  # the local 02:00 hour does not exist that night


# --- interval anchoring -----------------------------------------------------------------------------------


def test_interval_ticks_are_anchored_regardless_of_after() -> None:
    anchor = datetime(2026, 1, 1, 0, 7)  # naive = UTC
    spec = TriggerSpec("interval", "UTC", every_minutes=15, anchor=anchor)

    early = next_runs(spec, 6, after=utc(2026, 2, 3, 10, 0))
    late = next_runs(spec, 6, after=utc(2026, 2, 3, 10, 6, 59, 999999))
    shifted = next_runs(spec, 6, after=utc(2026, 2, 3, 10, 30))  # a restart half an hour later

    assert early[0] == utc(2026, 2, 3, 10, 7)
    assert early == late
    assert shifted[:4] == early[2:]
    assert [b - a for a, b in pairwise(early)] == [timedelta(minutes=15)] * 5
    assert all((r - anchor.replace(tzinfo=UTC)) % timedelta(minutes=15) == timedelta(0) for r in early)


def test_interval_naive_and_aware_anchor_agree() -> None:
    naive = TriggerSpec("interval", "Europe/Berlin", every_minutes=45, anchor=datetime(2026, 5, 1, 8, 20))
    aware = TriggerSpec(
        "interval", "Europe/Berlin", every_minutes=45, anchor=datetime(2026, 5, 1, 10, 20, tzinfo=BERLIN)
    )
    after = utc(2026, 5, 7, 13, 1)

    assert next_runs(naive, 5, after=after) == next_runs(aware, 5, after=after)
    assert next_runs(naive, 1, after=after)[0].tzinfo == BERLIN


def test_interval_run_exactly_at_after_is_excluded() -> None:
    spec = TriggerSpec("interval", "UTC", every_minutes=10, anchor=utc(2026, 1, 1))
    assert next_runs(spec, 2, after=utc(2026, 1, 1, 1, 0)) == [utc(2026, 1, 1, 1, 10), utc(2026, 1, 1, 1, 20)]


def test_interval_anchor_in_future_fires_first_at_anchor() -> None:
    spec = TriggerSpec("interval", "UTC", every_minutes=30, anchor=utc(2026, 1, 1, 12))
    assert next_runs(spec, 2, after=utc(2026, 1, 1, 9)) == [utc(2026, 1, 1, 12), utc(2026, 1, 1, 12, 30)]


def test_interval_without_anchor_previews_from_after() -> None:
    spec = TriggerSpec("interval", "UTC", every_minutes=20)
    assert next_runs(spec, 3, after=utc(2026, 1, 1, 9, 5)) == [
        utc(2026, 1, 1, 9, 25),
        utc(2026, 1, 1, 9, 45),
        utc(2026, 1, 1, 10, 5),
    ]


# --- next_runs --------------------------------------------------------------------------------------------


def test_next_runs_are_strictly_after_and_count_is_respected() -> None:
    spec = TriggerSpec("daily", "Europe/Berlin", at_time="06:00")
    exactly = datetime(2026, 6, 1, 6, 0, tzinfo=BERLIN)

    runs = next_runs(spec, 2, after=exactly)
    assert [r.day for r in runs] == [2, 3]
    assert next_runs(spec, 0, after=exactly) == []
    with pytest.raises(ValueError):
        next_runs(spec, -1, after=exactly)


def test_next_runs_naive_after_means_utc() -> None:
    spec = TriggerSpec("hourly", "Asia/Kolkata", at_time=":00")  # UTC+05:30: local :00 is UTC :30
    assert next_runs(spec, 1, after=datetime(2026, 1, 1, 0, 0)) == [utc(2026, 1, 1, 0, 30)]


def test_next_runs_default_after_is_now() -> None:
    before = datetime.now(UTC)
    runs = next_runs(TriggerSpec("interval", "UTC", every_minutes=5), 2)
    assert before + timedelta(minutes=5) <= runs[0] <= datetime.now(UTC) + timedelta(minutes=5)
    assert runs[1] - runs[0] == timedelta(minutes=5)


def test_weekly_next_runs() -> None:
    spec = TriggerSpec("weekly", "America/New_York", at_time="06:00", days="fri,mon,wed")
    runs = next_runs(spec, 4, after=utc(2026, 6, 1))  # Monday 2026-06-01, 20:00 on Sunday in New York

    assert [(r.strftime("%a"), r.day, r.hour) for r in runs] == [
        ("Mon", 1, 6),
        ("Wed", 3, 6),
        ("Fri", 5, 6),
        ("Mon", 8, 6),
    ]


def test_cron_weekday_numbers_follow_crontab_not_apscheduler() -> None:
    # Plain APScheduler 3 reads "1-5" as Tue-Sat (Monday = 0); crontab, and this module, read it as Mon-Fri.
    after = utc(2026, 6, 6)  # Saturday
    weekdays = next_runs(TriggerSpec("cron", "UTC", cron="0 6 * * 1-5"), 5, after=after)
    assert [r.strftime("%a") for r in weekdays] == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    assert all((r.hour, r.minute) == (6, 0) for r in weekdays)

    for sunday in ("0", "7", "sun", "SUN"):
        runs = next_runs(TriggerSpec("cron", "UTC", cron=f"30 8 * * {sunday}"), 2, after=after)
        assert [r.strftime("%a %d") for r in runs] == ["Sun 07", "Sun 14"], sunday

    every_other = next_runs(TriggerSpec("cron", "UTC", cron="0 0 * * */2"), 4, after=after)
    assert [r.strftime("%a") for r in every_other] == ["Sun", "Tue", "Thu", "Sat"]


def test_cron_in_zone() -> None:
    runs = next_runs(TriggerSpec("cron", "America/New_York", cron="15 */6 * * *"), 3, after=utc(2026, 1, 1))
    assert [(r.hour, r.minute) for r in runs] == [(0, 15), (6, 15), (12, 15)]
    assert runs[0].astimezone(UTC) == utc(2026, 1, 1, 5, 15)


def test_manual_has_no_trigger_and_no_runs() -> None:
    spec = TriggerSpec("manual", "UTC", every_minutes=5, at_time="06:00")
    assert build_trigger(spec) is None
    assert next_runs(spec, 5, after=utc(2026, 1, 1)) == []


# --- build_trigger ----------------------------------------------------------------------------------------


def test_build_trigger_interval() -> None:
    anchor = datetime(2026, 1, 1, 0, 7)
    trigger = build_trigger(TriggerSpec("interval", "Europe/Berlin", every_minutes=15, anchor=anchor))

    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval == timedelta(minutes=15)
    assert trigger.start_date == anchor.replace(tzinfo=UTC)
    assert trigger.timezone == BERLIN


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (TriggerSpec("hourly", "Europe/Berlin", at_time="5"), {"hour": "*", "minute": "5", "second": "0"}),
        (TriggerSpec("daily", "Europe/Berlin", at_time="6:05"), {"hour": "6", "minute": "5", "second": "0"}),
        (
            TriggerSpec("weekly", "Europe/Berlin", at_time="18:30", days="Fri,mon"),
            {"day_of_week": "mon,fri", "hour": "18", "minute": "30"},
        ),
        (
            TriggerSpec("cron", "Europe/Berlin", cron="*/10 6-18 * * mon-fri"),
            {"day_of_week": "mon,tue,wed,thu,fri", "hour": "6-18", "minute": "*/10", "day": "*"},
        ),
    ],
)
def test_build_trigger_cron_based(spec: TriggerSpec, expected: dict[str, str]) -> None:
    trigger = build_trigger(spec)
    assert isinstance(trigger, CronTrigger)
    assert trigger.timezone == BERLIN
    fields = cron_fields(trigger)
    assert {name: fields[name] for name in expected} == expected


def test_build_trigger_rejects_invalid_spec() -> None:
    with pytest.raises(ScheduleSpecError) as info:
        build_trigger(TriggerSpec("daily", "UTC"))
    assert info.value.field == "--at"


# --- validation -------------------------------------------------------------------------------------------


def test_error_str_and_attributes() -> None:
    exc = ScheduleSpecError("--timezone", "'X' is not known; use UTC")
    assert isinstance(exc, ValueError)
    assert (exc.field, exc.message, str(exc)) == (
        "--timezone",
        "'X' is not known; use UTC",
        "--timezone: 'X' is not known; use UTC",
    )


def test_unknown_timezone_message() -> None:
    with pytest.raises(ScheduleSpecError) as info:
        validate(TriggerSpec("daily", "Europe/Berln", at_time="06:00"))
    assert str(info.value) == (
        "--timezone: 'Europe/Berln' is not a known IANA time zone; use a name like Europe/Berlin or UTC"
    )


def test_min_interval_message() -> None:
    with pytest.raises(ScheduleSpecError) as info:
        validate(TriggerSpec("interval", "UTC", every_minutes=2), min_interval_minutes=5)
    assert info.value.field == "--every-minutes"
    assert "must be at least 5 for this platform" in info.value.message
    assert "--every-minutes 5" in info.value.message
    assert (
        validate(TriggerSpec("interval", "UTC", every_minutes=5), min_interval_minutes=5).every_minutes == 5
    )


BAD_SPECS = [
    (TriggerSpec("fortnightly", "UTC"), "--frequency", "'fortnightly'"),
    (TriggerSpec("", "UTC"), "--frequency", "manual, interval, hourly, daily, weekly, cron"),
    (TriggerSpec("daily", "Mars/Olympus", at_time="06:00"), "--timezone", "'Mars/Olympus'"),
    (TriggerSpec("daily", "../etc/passwd", at_time="06:00"), "--timezone", "IANA"),
    (TriggerSpec("daily", "", at_time="06:00"), "--timezone", "no time zone"),
    (TriggerSpec("manual", "Nowhere/Special"), "--timezone", "'Nowhere/Special'"),
    (TriggerSpec("interval", "UTC"), "--every-minutes", "need a number"),
    (TriggerSpec("interval", "UTC", every_minutes=0), "--every-minutes", "at least 1"),
    (TriggerSpec("interval", "UTC", every_minutes=-5), "--every-minutes", "at least 1"),
    (TriggerSpec("interval", "UTC", every_minutes=True), "--every-minutes", "whole number"),
    (TriggerSpec("interval", "UTC", every_minutes="15"), "--every-minutes", "whole number"),  # type: ignore[arg-type]
    (TriggerSpec("hourly", "UTC", at_time="60"), "--at", ":MM"),
    (TriggerSpec("hourly", "UTC", at_time="06:05"), "--at", "'06:05'"),
    (TriggerSpec("daily", "UTC"), "--at", "need a time of day"),
    (TriggerSpec("daily", "UTC", at_time="  "), "--at", "need a time of day"),
    (TriggerSpec("daily", "UTC", at_time="24:00"), "--at", "HH:MM"),
    (TriggerSpec("daily", "UTC", at_time="06:60"), "--at", "HH:MM"),
    (TriggerSpec("daily", "UTC", at_time="6pm"), "--at", "'6pm'"),
    (TriggerSpec("weekly", "UTC", days="mon"), "--at", "weekly schedules need a time"),
    (TriggerSpec("weekly", "UTC", at_time="06:00"), "--days", "at least one day"),
    (TriggerSpec("weekly", "UTC", at_time="06:00", days=" , "), "--days", "at least one day"),
    (TriggerSpec("weekly", "UTC", at_time="06:00", days="mon,mnday"), "--days", "'mnday'"),
    (TriggerSpec("weekly", "UTC", at_time="06:00", days="1,2"), "--days", "mon,wed,fri"),
    (TriggerSpec("cron", "UTC"), "--cron", "need an expression"),
    (TriggerSpec("cron", "UTC", cron="0 6 * *"), "--cron", "has 4 fields but exactly 5"),
    (TriggerSpec("cron", "UTC", cron="0 0 6 * * 1-5"), "--cron", "has 6 fields but exactly 5"),
    (TriggerSpec("cron", "UTC", cron="61 * * * *"), "--cron", "higher than the maximum"),
    (TriggerSpec("cron", "UTC", cron="x * * * *"), "--cron", "'x * * * *' is invalid"),
    (TriggerSpec("cron", "UTC", cron="0 6 * * 8"), "--cron", "day-of-week '8'"),
    (TriggerSpec("cron", "UTC", cron="0 6 * * 5-1"), "--cron", "day-of-week '5-1'"),
    (TriggerSpec("cron", "UTC", cron="0 6 * * funday"), "--cron", "'funday'"),
    (TriggerSpec("cron", "UTC", cron="0 6 1 * 1"), "--cron", "both day-of-month and day-of-week"),
    (TriggerSpec("cron", "UTC", cron="0 0 31 2 *"), "--cron", "never matches"),
    (TriggerSpec("cron", "Europe/Berln", cron="0 6 * * *"), "--timezone", "'Europe/Berln'"),
]


@pytest.mark.parametrize(("spec", "field", "fragment"), BAD_SPECS)
def test_every_validation_error_names_the_field_and_the_fix(
    spec: TriggerSpec, field: str, fragment: str
) -> None:
    with pytest.raises(ScheduleSpecError) as info:
        validate(spec)
    exc = info.value
    assert exc.field == field
    assert str(exc) == f"{field}: {exc.message}"
    assert fragment in exc.message
    assert "; " in exc.message and any(word in exc.message for word in ("use", "add", "check", "restrict"))


def test_validate_normalises() -> None:
    anchor = datetime(2026, 1, 1, 0, 7)
    cases = [
        (
            TriggerSpec(" Daily ", " Europe/Berlin ", at_time=" 6:5 "),
            {"frequency": "daily", "timezone": "Europe/Berlin", "at_time": "06:05"},
        ),
        (TriggerSpec("hourly", "UTC", at_time="5"), {"at_time": ":05"}),
        (TriggerSpec("hourly", "UTC", at_time=":7"), {"at_time": ":07"}),
        (TriggerSpec("hourly", "UTC"), {"at_time": ":00"}),
        (TriggerSpec("weekly", "UTC", at_time="6:00", days="Fri, MON,wed,mon"), {"days": "mon,wed,fri"}),
        (TriggerSpec("weekly", "UTC", at_time="6:00", days="Monday,tue-thu"), {"days": "mon,tue,wed,thu"}),
        (TriggerSpec("weekly", "UTC", at_time="6:00", days="sat-mon"), {"days": "mon,sat,sun"}),
        (TriggerSpec("cron", "UTC", cron="  0   6 * *  1-5 "), {"cron": "0 6 * * 1-5"}),
        (
            TriggerSpec("interval", "UTC", every_minutes=15, anchor=anchor),
            {"anchor": anchor.replace(tzinfo=UTC)},
        ),
    ]
    for spec, expected in cases:
        normalised = validate(spec)
        assert {name: getattr(normalised, name) for name in expected} == expected, spec
        assert validate(normalised) == normalised  # idempotent


def test_validate_drops_fields_that_do_not_apply() -> None:
    spec = TriggerSpec("daily", "UTC", every_minutes=5, at_time="06:00", days="mon", cron="* * * * *")
    assert validate(spec) == TriggerSpec("daily", "UTC", at_time="06:00")
    assert validate(TriggerSpec("manual", "UTC", at_time="06:00")) == TriggerSpec("manual", "UTC")


# --- describe ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (TriggerSpec("manual", "UTC"), "Manual only"),
        (TriggerSpec("interval", "Europe/Berlin", every_minutes=15), "Every 15 minutes"),
        (TriggerSpec("interval", "UTC", every_minutes=1), "Every 1 minute"),
        (TriggerSpec("hourly", "Europe/Berlin", at_time="5"), "Hourly at :05 (Europe/Berlin)"),
        (TriggerSpec("daily", "Europe/Berlin", at_time="6:00"), "Daily at 06:00 (Europe/Berlin)"),
        (
            TriggerSpec("weekly", "America/New_York", at_time="06:00", days="fri,mon,wed"),
            "Weekly on Mon, Wed, Fri at 06:00 (America/New_York)",
        ),
        (TriggerSpec("cron", "UTC", cron="0 6 * * 1-5"), "Cron 0 6 * * 1-5 (UTC)"),
    ],
)
def test_describe(spec: TriggerSpec, text: str) -> None:
    assert describe(spec) == text


def test_describe_rejects_invalid_spec() -> None:
    with pytest.raises(ScheduleSpecError):
        describe(TriggerSpec("weekly", "UTC", at_time="06:00"))


# --- system_timezone --------------------------------------------------------------------------------------


def test_system_timezone_uses_tzlocal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(triggers.tzlocal, "get_localzone_name", lambda: "Europe/Berlin")
    assert system_timezone() == "Europe/Berlin"


@pytest.mark.parametrize("result", [None, "", "Not/AZone"])
def test_system_timezone_falls_back_to_utc(monkeypatch: pytest.MonkeyPatch, result: str | None) -> None:
    monkeypatch.setattr(triggers.tzlocal, "get_localzone_name", lambda: result)
    assert system_timezone() == "UTC"


def test_system_timezone_falls_back_to_utc_when_tzlocal_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> str:
        raise LookupError("no zone configured")

    monkeypatch.setattr(triggers.tzlocal, "get_localzone_name", broken)
    assert system_timezone() == "UTC"


def test_system_timezone_is_loadable() -> None:
    assert ZoneInfo(system_timezone())
