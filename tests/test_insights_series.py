"""`services.insights.series`: the Insights charts' per-hour (24h) and per-day (7d, 30d) series, each slot checked
against hand-written SQL over the slot's own bounds on tests/test_insights.py's seeded store, plus a day whose runs
were all stored before rate-limit waits were measured (unknown, not 0) and slots that add up to the period.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from autosync_desktop.domain import InsightSeries
from autosync_desktop.services import Services, UserError
from autosync_desktop.store.models import Account
from tests.test_insights import NOW, TIMED, _one, _run, _seed

H = timedelta(hours=1)
FAILED = "('failed', 'interrupted')"


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "data")
    _seed()
    yield services
    services.close()


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _hand_slot(svc: Services, since: datetime, until: datetime) -> tuple:
    """(runs, succeeded, failed, p95, api calls, wait, unrecorded) of the runs queued in [since, until), by SQL."""
    span = "queued_at >= ? AND queued_at < ?"
    a, b = _text(since), _text(until)
    runs_, ok, bad, calls, wait, unrecorded = _one(
        svc, f"SELECT COUNT(*), COALESCE(SUM(status = 'succeeded'), 0), COALESCE(SUM(status IN {FAILED}), 0),"
        " COALESCE(SUM(api_calls), 0), SUM(rate_limit_wait_s), COALESCE(SUM(rate_limit_wait_s IS NULL), 0)"
        f" FROM sync_run WHERE {span}", a, b)
    (timed,) = _one(svc, f"SELECT COUNT(*) FROM sync_run WHERE {span} AND status IN {TIMED}"
                         " AND duration_s IS NOT NULL", a, b)
    p95 = None
    if timed:
        p95 = _one(svc, f"SELECT duration_s FROM sync_run WHERE {span} AND status IN {TIMED}"
                        " AND duration_s IS NOT NULL ORDER BY duration_s LIMIT 1 OFFSET ?",
                   a, b, math.ceil(0.95 * timed) - 1)[0]
    return runs_, ok, bad, p95, calls, wait, unrecorded


def _slot_tuple(series: InsightSeries) -> list[tuple]:
    return [(s.runs, s.succeeded, s.failed, s.p95_duration_s, s.api_calls, s.rate_limit_wait_s,
             s.wait_unrecorded_runs) for s in series.slots]


def _check_against_sql(svc: Services, series: InsightSeries) -> None:
    assert _slot_tuple(series) == [_hand_slot(svc, s.since, s.until) for s in series.slots]
    # the slots tile the period: no gap, no overlap, so they add up to the period's figures
    assert series.slots[0].since == series.since and series.slots[-1].until == series.until
    assert all(a.until == b.since for a, b in zip(series.slots, series.slots[1:], strict=False))
    total = svc.insights.period(series.period.value, now=NOW).total
    assert sum(s.runs for s in series.slots) == total.runs
    assert sum(s.api_calls for s in series.slots) == total.api_calls
    assert sum(s.wait_unrecorded_runs for s in series.slots) == total.wait_unrecorded_runs


def test_24_hours_per_hour_in_utc_and_berlin(svc: Services) -> None:
    series = svc.insights.series("24h", 0, now=NOW)
    assert series.step == "hour" and len(series.slots) == 24
    assert series.slots[0].start == datetime(2026, 11, 20, 8) and series.slots[-1].start == datetime(2026, 11, 21, 7)
    _check_against_sql(svc, series)
    # by hand: 20 h ago acme's succeeded run (6 calls, waited 2.5 s); 12 h ago shop's run stored before waits
    twenty = series.slots[4]
    assert (twenty.start.hour, twenty.runs, twenty.succeeded, twenty.api_calls, twenty.rate_limit_wait_s) == (
        12, 1, 1, 6, 2.5)
    unknown = series.slots[12]
    assert (unknown.runs, unknown.rate_limit_wait_s, unknown.wait_unrecorded_runs) == (1, None, 1)
    assert series.slots[5].runs == 0 and series.slots[5].p95_duration_s is None
    berlin = svc.insights.series("24h", 60, now=NOW)
    assert [s.start.hour for s in berlin.slots[:2]] == [9, 10]
    assert _slot_tuple(berlin) == _slot_tuple(series)  # whole-hour offset: the same hours, named an hour later
    _check_against_sql(svc, berlin)


def test_a_half_hour_offset_splits_the_first_and_last_hour(svc: Services) -> None:
    series = svc.insights.series("24h", 330, now=NOW)  # India: 13:30 when NOW is 08:00 UTC
    assert len(series.slots) == 25
    assert series.slots[0].since == NOW.replace(tzinfo=UTC) - 24 * H
    assert series.slots[0].until == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    _check_against_sql(svc, series)


def test_7_and_30_days_per_day_with_a_day_of_unmeasured_waits(svc: Services) -> None:
    acme = Account.get(Account.name == "acme")
    for hours, status in ((74, "succeeded"), (73, "failed"), (72, "succeeded")):  # Nov 18, before waits existed
        _run(acme, "acme", "demo", None, None, status, hours * H, duration=hours - 60, calls=2, wait=None)
    week = svc.insights.series("7d", 0, now=NOW)
    assert week.step == "day" and [s.start.day for s in week.slots] == list(range(14, 22))
    _check_against_sql(svc, week)
    nov18 = week.slots[4]
    assert (nov18.start, nov18.runs, nov18.succeeded, nov18.failed, nov18.api_calls) == (
        datetime(2026, 11, 18), 3, 2, 1, 6)
    assert (nov18.rate_limit_wait_s, nov18.wait_unrecorded_runs, nov18.p95_duration_s) == (None, 3, 14.0)
    nov20 = week.slots[6]
    # 07:00 (99 s), 08:00 (0 s), 12:00 (2.5 s), 20:00 (shop's, never measured), 22:00 (0 s): the measured ones
    assert (nov20.runs, nov20.rate_limit_wait_s, nov20.wait_unrecorded_runs) == (5, 99.0 + 2.5, 1)
    month = svc.insights.series("30d", -300, now=NOW)  # New York
    assert len(month.slots) == 31 and month.slots[-1].start == datetime(2026, 11, 21)
    _check_against_sql(svc, month)


def test_an_empty_store_has_every_slot_and_nothing_in_them(tmp_path: Path) -> None:
    services = Services.open(tmp_path / "empty")
    try:
        series = services.insights.series("7d", 0, now=NOW)
        assert len(series.slots) == 8 and not any(s.runs or s.api_calls for s in series.slots)
        assert all(s.p95_duration_s is None and s.rate_limit_wait_s is None for s in series.slots)
        with pytest.raises(UserError, match="period"):
            services.insights.series("2w")
    finally:
        services.close()
