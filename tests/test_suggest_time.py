"""The suggested time for a new daily schedule (sync/suggest_time.py): settle hour from recorded restatements,
hours with many failures passed over, and a default said as a default when there is too little history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from autosync_desktop.sync.suggest_time import DayEvidence, HourFailures, suggest

D0 = date(2026, 11, 1)


def day(n: int, *, runs: list[str], changes: list[tuple[str, int, int]], cost: int = 100_000_000,
        clicks: int = 1000) -> DayEvidence:
    """Day D0+n; run and change times are "HH:MM" on the next day (the account's zone)."""
    d = D0 + timedelta(days=n)

    def at(text: str) -> datetime:
        return datetime.combine(d + timedelta(days=1), time.fromisoformat(text))

    return DayEvidence(day=d, final_cost_micros=cost, final_clicks=clicks, run_times=tuple(at(r) for r in runs),
                       changes=tuple((at(t), dc, dk) for t, dc, dk in changes))


HOURLY = [f"{h:02d}:10" for h in range(24)]


def test_final_by_is_the_first_run_that_saw_99_percent_of_cost_and_clicks() -> None:
    # cost still moved by 5 % at 03:10 and by 0.5 % at 05:10; clicks by 2 % at 04:10
    d = day(0, runs=HOURLY, changes=[("03:10", 5_000_000, 0), ("04:10", 0, 20), ("05:10", 500_000, 0)])
    assert d.final_by() == datetime(2026, 11, 2, 4, 10)  # after 04:10 only 0.5 % of cost and no clicks remain
    unknown = day(1, runs=[], changes=[])
    assert unknown.final_by() is None


def test_settled_hour_needs_90_percent_of_days_and_the_time_is_half_past() -> None:
    days = [day(n, runs=HOURLY, changes=[("05:10", 3_000_000, 30)]) for n in range(9)]
    days.append(day(9, runs=HOURLY, changes=[("09:10", 3_000_000, 30)]))  # one late day of ten: 90 % by 06:00
    s = suggest(days, [], platform_label="Meta Ads", zone_label="Berlin", period_days=30)
    assert s.measured and s.settled_hour == 6 and s.at == time(6, 30) and s.days == 10
    assert s.reason == ("06:30 Berlin: Meta Ads numbers for yesterday were 99 % final by 06:00 on 90 % of the "
                        "last 10 days (of 30)")
    days.append(day(10, runs=HOURLY, changes=[("09:10", 3_000_000, 30)]))  # two late of eleven: 81 % by 06:00
    assert suggest(days, [], platform_label="Meta Ads", zone_label="Berlin", period_days=30).at == time(10, 30)


def test_hours_with_many_failures_are_passed_over_and_said() -> None:
    days = [day(n, runs=HOURLY, changes=[("05:10", 3_000_000, 30)]) for n in range(8)]
    failures = [HourFailures(hour=6, runs=10, failed=4), HourFailures(hour=7, runs=10, failed=3),
                HourFailures(hour=8, runs=30, failed=3)]  # 08: 10 % failed, not avoided
    s = suggest(days, failures, platform_label="Google Ads", zone_label="New York", period_days=30)
    assert s.at == time(8, 30) and s.skipped_hours == (6, 7)
    assert s.reason.endswith("; not 06:00, 07:00: many past runs failed in that hour")
    few = [HourFailures(hour=6, runs=2, failed=2)]  # two failures are not a pattern
    assert suggest(days, few, platform_label="Google Ads", zone_label="New York", period_days=30).at == time(6, 30)


def test_too_little_history_gives_the_default_said_as_a_default() -> None:
    days = [day(n, runs=HOURLY, changes=[]) for n in range(3)]
    s = suggest(days, [], platform_label="TikTok Ads", zone_label="Tokyo", period_days=30)
    assert not s.measured and s.at == time(7, 0) and s.settled_hour is None
    assert "only 3 days of history for TikTok Ads" in s.reason and "%" not in s.reason
    s = suggest([], [HourFailures(hour=7, runs=5, failed=5)], platform_label="X Ads", zone_label="UTC",
                period_days=30)
    assert s.at == time(8, 0) and s.reason.startswith("08:00: no history for X Ads yet")


def test_days_never_final_the_next_day_give_the_default_with_why() -> None:
    days = [day(n, runs=["06:10"], changes=[("23:50", 30_000_000, 300)]) for n in range(8)]
    s = suggest(days, [], platform_label="Meta Ads", zone_label="Berlin", period_days=30)
    assert not s.measured and s.at == time(7, 0) and "rarely 99 % final on the next day" in s.reason


def test_unknown_or_zero_final_counts_only_when_nothing_moved() -> None:
    still = day(0, runs=["01:10"], changes=[], cost=0, clicks=0)
    assert still.final_by() == datetime(2026, 11, 2, 1, 10)
    moved = day(0, runs=["01:10"], changes=[("02:10", 5, 0)], cost=0, clicks=0)
    assert moved.final_by() is None
