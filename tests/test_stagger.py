"""Staggering: schedules at the same time start spread over a few minutes, the same way every time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from autosync_desktop.store.models import Account, Schedule
from autosync_desktop.sync import stagger, triggers
from autosync_desktop.sync.scheduler import spec_of

AFTER = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)  # the day before Europe's spring-forward change


def _schedule(name: str, account: Account, **kw) -> Schedule:
    fields = {"frequency": "daily", "at_time": "06:00", "timezone": "Europe/Berlin"} | kw
    return Schedule.create(name=name, account=account, **fields)


def test_a_schedule_alone_at_its_time_keeps_it(store) -> None:
    account = Account.create(name="a", platform="demo")
    alone = _schedule("alone", account)
    _schedule("other time", account, at_time="07:00")
    _schedule("other zone", account, timezone="UTC")
    spec = spec_of(alone)
    assert spec.offset_minutes == 0
    assert triggers.next_runs(spec, 1, AFTER)[0] == datetime(2027, 3, 28, 6, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert triggers.describe(spec) == "Daily at 06:00 (Europe/Berlin)"


def test_schedules_at_the_same_time_are_spread_deterministically_and_shown_so(store) -> None:
    account = Account.create(name="a", platform="demo")
    many = [_schedule(f"s{i}", account) for i in range(20)]
    offsets = [spec_of(s).offset_minutes for s in many]
    assert offsets == [stagger.minutes_for(s.id) for s in many] == [spec_of(s).offset_minutes for s in many]
    assert set(offsets) == set(range(stagger.STAGGER_MINUTES))  # 20 schedules use the whole 0..4 min spread
    for schedule, offset in zip(many, offsets, strict=True):
        runs = triggers.next_runs(spec_of(schedule), 2, AFTER)
        # across the DST change (Mar 28) it stays 06:0X local, one day apart
        assert [(r.day, r.hour, r.minute) for r in runs] == [(28, 6, offset), (29, 6, offset)]
    shifted = next(s for s, o in zip(many, offsets, strict=True) if o == 3)
    assert triggers.describe(spec_of(shifted)) == (
        "Daily at 06:00 (Europe/Berlin), starting 3 min later (spread from others at that time)")


def test_hourly_and_weekly_spread_too_but_interval_schedules_never(store) -> None:
    account = Account.create(name="a", platform="demo")
    hourly = [_schedule(f"h{i}", account, frequency="hourly", at_time=":00", timezone="UTC") for i in range(8)]
    interval = [_schedule(f"i{i}", account, frequency="interval", at_time=None, every_minutes=60) for i in range(3)]
    spread = {spec_of(s).offset_minutes for s in hourly}
    assert len(spread) > 1
    first = hourly[[spec_of(s).offset_minutes for s in hourly].index(max(spread))]
    assert triggers.next_runs(spec_of(first), 1, AFTER)[0] == datetime(2027, 3, 27, 12, max(spread), tzinfo=UTC)
    assert {spec_of(s).offset_minutes for s in interval} == {0}
