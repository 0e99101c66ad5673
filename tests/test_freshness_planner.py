"""The freshness planner's day choice by age, its adaptation (settled days, late restaters) and its words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from autosync_desktop.store.day_fetches import DayHistory
from autosync_desktop.sync import freshness as fr
from autosync_desktop.sync.windows import Window

TODAY = date(2026, 12, 9)  # a Wednesday
ZONE = "Europe/Berlin"
NOW = datetime(2026, 12, 9, 10, 0, tzinfo=ZoneInfo(ZONE))


def _fetched(days_ago: int, age_then: int, streak: int = 0, hour: int = 3) -> DayHistory:
    """A day last fetched `days_ago` days before TODAY at `hour` o'clock Berlin time, when it was `age_then` old."""
    local = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), tzinfo=ZoneInfo(ZONE))
    moment = (local + timedelta(hours=hour)).astimezone(UTC).replace(tzinfo=None)
    return DayHistory(fetches=3, last_fetched_at=moment, last_age_days=age_then, unchanged_streak=streak,
                      streak_age_days=age_then)


def _plan(history: dict[int, DayHistory], lookback: int = 30, platform: str = "google_ads",
          latest_change_age: int | None = None, zone: str = ZONE, now: datetime = NOW) -> dict[int, fr.DayChoice]:
    """The plan keyed by age, for history keyed by age."""
    today = now.astimezone(ZoneInfo(zone)).date()
    plan = fr.plan_days(platform=platform, lookback=lookback, today=today, zone=zone,
                        days=Window(today - timedelta(days=lookback), today),
                        history={today - timedelta(days=age): h for age, h in history.items()},
                        latest_change_age=latest_change_age)
    return {(today - c.day).days: c for c in plan.days}


def _steady(lookback: int = 30) -> dict[int, DayHistory]:
    """Every day fetched yesterday (the daily tier) or 3 days ago (the weekly tier), none settled."""
    return {age: _fetched(1, age - 1) if age <= 8 else _fetched(3, age - 3) for age in range(lookback + 1)}


def test_today_and_yesterday_every_run_days_2_to_7_once_a_day() -> None:
    history = _steady()
    history[3] = _fetched(0, 3, hour=1)  # already fetched today at 01:00 Berlin
    plan = _plan(history)
    assert plan[0] == fr.DayChoice(TODAY, True, fr.EVERY_RUN) and plan[1].reason == fr.EVERY_RUN
    assert [plan[age].fetch for age in range(2, 8)] == [True, False, True, True, True, True]
    assert plan[2].reason == fr.DAILY
    assert plan[3] == fr.DayChoice(TODAY - timedelta(days=3), False, fr.FETCHED_TODAY, TODAY + timedelta(days=1))


def test_days_8_to_the_lookback_weekly_and_together() -> None:
    history = _steady()
    plan = _plan(history)
    assert not any(plan[age].fetch for age in range(8, 30))  # all checked 3 days ago
    assert plan[12].reason == fr.CHECKED_THIS_WEEK and plan[12].next_check == TODAY + timedelta(days=4)
    history[20] = _fetched(7, 13)  # fetched 7 days ago (on last Wednesday): due today
    plan = _plan(history)
    assert all(plan[age].fetch and plan[age].reason == fr.WEEKLY for age in range(8, 30))  # the others come along
    history[20] = _fetched(6, 14)  # 6 days ago: not due yet
    assert not _plan(history)[20].fetch


def test_the_day_reaching_the_lookback_gets_a_last_look_and_older_days_only_on_request() -> None:
    history = _steady()
    assert _plan(history)[30] == fr.DayChoice(TODAY - timedelta(days=30), True, fr.LAST_LOOK)
    history[30] = _fetched(0, 30, hour=1)  # looked at already, at that age
    assert _plan(history)[30].fetch is False
    plan = fr.plan_days(platform="google_ads", lookback=30, today=TODAY, zone=ZONE,
                        days=Window(TODAY - timedelta(days=40), TODAY),
                        history={TODAY - timedelta(days=age): h for age, h in history.items()}
                        | {TODAY - timedelta(days=35): _fetched(6, 29)})
    old = {(TODAY - c.day).days: c for c in plan.days}
    assert old[35] == fr.DayChoice(TODAY - timedelta(days=35), False, fr.FINAL)
    assert old[36].fetch and old[36].reason == fr.NEW  # never fetched (catching up after a gap): fetched


def test_a_day_unchanged_over_three_refetches_is_settled_until_the_weekly_check() -> None:
    history = _steady()
    history[5] = _fetched(1, 4, streak=3)
    plan = _plan(history)
    assert plan[5] == fr.DayChoice(TODAY - timedelta(days=5), False, fr.SETTLED, TODAY + timedelta(days=6))
    assert plan[4].fetch and plan[6].fetch  # neighbours still daily
    history[5] = _fetched(1, 4, streak=2)
    assert _plan(history)[5].fetch
    history[5] = _fetched(7, 4, streak=3)  # settled, but last fetched a week ago: the weekly check
    plan = _plan(history)
    assert plan[5].fetch and plan[5].reason == fr.WEEKLY
    assert all(plan[age].fetch for age in range(8, 30))  # and the weekly tier joins it


def test_a_late_restater_keeps_days_daily_as_late_as_its_recorded_changes() -> None:
    history = _steady(28)
    plan = _plan(history, lookback=28, platform="meta_ads", latest_change_age=20)
    assert all(plan[age].fetch for age in range(0, 21))
    assert plan[15].reason == fr.LATE and plan[5].reason == fr.DAILY
    assert not any(plan[age].fetch for age in range(21, 28))
    # capped by the platform's window and the lookback; a platform restating within 7 days never extends
    assert sum(c.fetch for c in _plan(history, lookback=28, platform="meta_ads", latest_change_age=40).values()) == 29
    linkedin = _plan(_steady(30), lookback=30, platform="linkedin_ads", latest_change_age=20)
    assert not linkedin[12].fetch
    assert not _plan(history, lookback=28, platform="meta_ads", latest_change_age=None)[15].fetch


def test_fetched_today_means_since_midnight_in_the_accounts_zone() -> None:
    # 08:00 in Tokyo on Dec 9 is 23:00 UTC on Dec 8: a fetch at 16:00 UTC Dec 8 (01:00 Dec 9 Tokyo) is today's
    today = datetime(2026, 12, 8, 23, 0, tzinfo=UTC).astimezone(ZoneInfo("Asia/Tokyo")).date()
    assert today == TODAY
    day = date(2026, 12, 6)
    history = {day: DayHistory(2, datetime(2026, 12, 8, 16, 0), 3, 0, 3)}
    plan = fr.plan_days(platform="google_ads", lookback=5, today=today, zone="Asia/Tokyo",
                        days=Window(day, day), history=history)
    assert plan.days[0].reason == fr.FETCHED_TODAY
    history = {day: DayHistory(2, datetime(2026, 12, 8, 14, 0), 3, 0, 3)}  # 23:00 Dec 8 in Tokyo: yesterday
    plan = fr.plan_days(platform="google_ads", lookback=5, today=today, zone="Asia/Tokyo",
                        days=Window(day, day), history=history)
    assert plan.days[0].reason == fr.DAILY


def test_windows_are_contiguous_in_date_order_and_the_log_line_says_why() -> None:
    history = _steady()
    history[3] = _fetched(0, 3, hour=1)
    plan = fr.plan_days(platform="google_ads", lookback=30, today=TODAY, zone=ZONE,
                        days=Window(TODAY - timedelta(days=30), TODAY),
                        history={TODAY - timedelta(days=age): h for age, h in history.items()})
    assert [str(w) for w in plan.windows(30)] == ["2026-11-09..2026-11-09", "2026-12-02..2026-12-05",
                                                  "2026-12-07..2026-12-09"]
    assert [str(w) for w in plan.windows(2)][-2:] == ["2026-12-07..2026-12-08", "2026-12-09..2026-12-09"]
    assert plan.describe() == (
        "Fetched Dec 8–9 (every run), Dec 7 and Dec 2–5 (daily, first run today), "
        "Nov 9 (last look before it leaves the lookback); skipped Dec 6 (fetched earlier today), "
        "Nov 10–Dec 1 (checked in the last 7 days), next weekly check on Dec 13")


def test_without_history_everything_is_fetched_and_off_means_the_whole_range() -> None:
    plan = _plan({})
    assert all(c.fetch for c in plan.values()) and plan[10].reason == fr.NEW
    whole = fr.whole(Window(TODAY - timedelta(days=3), TODAY))
    assert whole.fetched == [TODAY - timedelta(days=d) for d in (3, 2, 1, 0)]
    assert whole.describe() == "Fetched Dec 6–9 (planner off: the whole lookback every run)"
