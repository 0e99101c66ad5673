"""store/queries.py on small hand-made stores: exact numbers for every aggregate, filter and health state."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from autosync_desktop.store import queries
from autosync_desktop.store.db import open_store
from autosync_desktop.store.models import FINAL_STATUSES, Account, DailyStat, Schedule, SyncRun
from autosync_desktop.store.queries import HistoryFilter

NOW = datetime(2026, 3, 10, 12, 0, 0)
H = timedelta(hours=1)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[SqliteDatabase]:
    database = open_store(tmp_path / "a.db")
    yield database
    database.close()


def account(name: str, *, auth_state: str = "ok", platform: str = "demo") -> Account:
    return Account.create(name=name, platform=platform, auth_state=auth_state, created_at=NOW - 400 * H)


def schedule(name: str, acct: Account, *, paused: bool = False) -> Schedule:
    return Schedule.create(name=name, account=acct, timezone="UTC", paused=paused, created_at=NOW - 400 * H,
                           updated_at=NOW - 400 * H)


def run(acct: Account, sched: Schedule | None, status: str, queued_at: datetime, *, duration: float | None = None,
        rows: int = 0, trigger: str = "scheduled", calls: int = 0, latency: float = 0.0,
        error: str | None = None, reason: str | None = None) -> SyncRun:
    finished = queued_at + timedelta(seconds=(duration or 0.0) + 1) if status in FINAL_STATUSES else None
    return SyncRun.create(
        schedule=sched, account=acct, schedule_name=sched.name if sched else None, account_name=acct.name,
        platform=acct.platform, trigger=trigger, status=status, queued_at=queued_at, finished_at=finished,
        duration_s=duration, rows=rows, api_calls=calls, api_latency_ms=latency, error_message=error,
        reason=reason,
    )


# --- period_metrics ------------------------------------------------------------------------------------------

@pytest.fixture
def period_runs(db: SqliteDatabase) -> None:
    a = account("acme")
    s = schedule("nightly", a)
    run(a, s, "succeeded", NOW - 24 * H, duration=8, rows=10)  # on the lower bound: inside
    run(a, s, "succeeded", NOW - 2 * H, duration=10, rows=100)
    run(a, s, "succeeded", NOW - 1 * H, duration=20, rows=50)
    run(a, s, "failed", NOW - 3 * H, duration=4, rows=5)
    run(a, s, "interrupted", NOW - 4 * H, duration=6)
    run(a, s, "cancelled", NOW - 5 * H, duration=32)
    run(a, s, "skipped", NOW - 6 * H, duration=0.0)  # counted, but not in the average duration
    run(a, s, "running", NOW - timedelta(minutes=10), rows=7)
    run(a, None, "queued", NOW - timedelta(minutes=1), trigger="manual")
    run(a, s, "succeeded", NOW - 24 * H - timedelta(microseconds=1), duration=1000, rows=1000)  # before
    run(a, s, "failed", NOW, duration=1000, rows=1000)  # on the upper bound: outside


def test_period_metrics_counts_a_half_open_window(period_runs: None) -> None:
    m = queries.period_metrics(NOW - 24 * H, NOW)
    assert m == queries.PeriodMetrics(total_runs=9, succeeded=3, failed=2, cancelled=1, skipped=1,
                                      success_rate=0.6, avg_duration_s=pytest.approx(80 / 6), rows_processed=172)


def test_period_metrics_without_until_is_open_ended(period_runs: None) -> None:
    m = queries.period_metrics(NOW - 24 * H)
    assert (m.total_runs, m.succeeded, m.failed, m.rows_processed) == (10, 3, 3, 1172)
    assert m.success_rate == 0.5
    assert m.avg_duration_s == pytest.approx(1080 / 7)


def test_period_metrics_accepts_aware_datetimes(period_runs: None) -> None:
    plus_two = timezone(timedelta(hours=2))
    aware = queries.period_metrics((NOW - 24 * H).replace(tzinfo=UTC).astimezone(plus_two),
                                   NOW.replace(tzinfo=UTC).astimezone(plus_two))
    assert aware == queries.period_metrics(NOW - 24 * H, NOW)


def test_period_metrics_of_an_empty_period(period_runs: None) -> None:
    assert queries.period_metrics(NOW + H, NOW + 2 * H) == queries.PeriodMetrics(0, 0, 0, 0, 0, None, None, 0)


def test_success_rate_is_none_without_decided_runs(db: SqliteDatabase) -> None:
    a = account("acme")
    run(a, None, "cancelled", NOW - H, duration=3)
    run(a, None, "skipped", NOW - H, duration=0.0)
    m = queries.period_metrics(NOW - 2 * H, NOW)
    assert (m.total_runs, m.success_rate, m.avg_duration_s) == (2, None, 3.0)


# --- history_page / history_count ----------------------------------------------------------------------------

@pytest.fixture
def history(db: SqliteDatabase) -> dict[str, int]:
    a, b = account("Acme Corp"), account("Beta Shop")
    sa, sb = schedule("acme nightly", a), schedule("beta hourly", b)
    ids = {
        "a1": run(a, sa, "succeeded", NOW - 10 * H).id,
        "a2": run(a, sa, "failed", NOW - 9 * H, error="HTTP 503 from the API").id,
        "a3": run(a, None, "succeeded", NOW - 8 * H, trigger="manual").id,
        "b1": run(b, sb, "failed", NOW - 7 * H, error="Quota exceeded 100%").id,
        "b2": run(b, sb, "skipped", NOW - 6 * H, reason="Skipped: run #4 is still running").id,
        "b3": run(b, sb, "interrupted", NOW - 5 * H, trigger="retry", reason="process stopped").id,
        "a4": run(a, sa, "succeeded", NOW - 5 * H, trigger="catch-up").id,  # same queued_at as b3
    }
    return ids


def page_ids(flt: HistoryFilter, limit: int = 50, offset: int = 0, order: str = "newest") -> list[int]:
    return [r.id for r in queries.history_page(flt, limit=limit, offset=offset, order=order)]


def ids_of(history: dict[str, int], *names: str) -> list[int]:
    return [history[n] for n in names]


def test_history_orders_newest_and_oldest_with_id_tiebreak(history: dict[str, int]) -> None:
    newest = ids_of(history, "a4", "b3", "b2", "b1", "a3", "a2", "a1")
    assert page_ids(HistoryFilter()) == newest
    assert page_ids(HistoryFilter(), order="oldest") == newest[::-1]
    assert page_ids(HistoryFilter(), limit=2, offset=1) == newest[1:3]
    assert queries.history_count(HistoryFilter()) == 7
    with pytest.raises(ValueError):
        queries.history_page(HistoryFilter(), order="sideways")


@pytest.mark.parametrize(("flt", "expected"), [
    (HistoryFilter(statuses=("failed",)), ["b1", "a2"]),
    (HistoryFilter(statuses=("failed", "interrupted")), ["b3", "b1", "a2"]),
    (HistoryFilter(account_id=1), ["a4", "a3", "a2", "a1"]),
    (HistoryFilter(schedule_id=1), ["a4", "a2", "a1"]),  # the manual run of account 1 has no schedule
    (HistoryFilter(account_id=1, statuses=("succeeded",)), ["a4", "a3", "a1"]),
    (HistoryFilter(triggers=("manual", "retry")), ["b3", "a3"]),
    (HistoryFilter(since=NOW - 8 * H), ["a4", "b3", "b2", "b1", "a3"]),  # since is inclusive
    (HistoryFilter(until=NOW - 8 * H), ["a2", "a1"]),  # until is exclusive
    (HistoryFilter(since=NOW - 9 * H, until=NOW - 5 * H, statuses=("failed", "succeeded")), ["b1", "a3", "a2"]),
    (HistoryFilter(text="beta HOURLY"), ["b3", "b2", "b1"]),  # schedule name, any case
    (HistoryFilter(text="acme corp", statuses=("failed",)), ["a2"]),  # account name
    (HistoryFilter(text="http 503"), ["a2"]),  # error message
    (HistoryFilter(text="still running"), ["b2"]),  # reason
    (HistoryFilter(text="100%"), ["b1"]),  # % is literal, not a wildcard
    (HistoryFilter(text="1_0"), []),  # so is _
    (HistoryFilter(text="stopped", account_id=1), []),
])
def test_history_filters(history: dict[str, int], flt: HistoryFilter, expected: list[str]) -> None:
    assert page_ids(flt) == ids_of(history, *expected)
    assert queries.history_count(flt) == len(expected)


# --- runs_per_day / daily_series -----------------------------------------------------------------------------

@pytest.fixture
def day_runs(db: SqliteDatabase) -> None:
    a = account("acme")
    run(a, None, "succeeded", datetime(2026, 3, 7, 21, 59, 59), duration=100, rows=1000)  # +2h: Mar 7 23:59
    run(a, None, "succeeded", datetime(2026, 3, 7, 22, 0, 0), duration=10, rows=5)  # +2h: Mar 8 00:00
    run(a, None, "failed", datetime(2026, 3, 8, 23, 30), duration=2)  # +2h: Mar 9
    run(a, None, "succeeded", datetime(2026, 3, 9, 10, 0), duration=4, rows=10)
    run(a, None, "succeeded", datetime(2026, 3, 9, 10, 5), duration=6, rows=20)
    run(a, None, "skipped", datetime(2026, 3, 10, 11, 0), duration=0.0)
    run(a, None, "succeeded", datetime(2026, 3, 10, 21, 59), duration=8, rows=1)  # +2h: Mar 10 23:59
    run(a, None, "succeeded", datetime(2026, 3, 10, 22, 0), duration=50, rows=500)  # +2h: Mar 11


def test_runs_per_day_buckets_by_local_day(day_runs: None) -> None:
    assert queries.runs_per_day(3, 120, now=NOW) == [
        ("2026-03-08", "succeeded", 1),
        ("2026-03-09", "failed", 1), ("2026-03-09", "succeeded", 2),
        ("2026-03-10", "skipped", 1), ("2026-03-10", "succeeded", 1),
    ]


def test_runs_per_day_in_utc(day_runs: None) -> None:
    assert queries.runs_per_day(3, now=NOW) == [
        ("2026-03-08", "failed", 1),
        ("2026-03-09", "succeeded", 2),
        ("2026-03-10", "skipped", 1), ("2026-03-10", "succeeded", 2),
    ]


def test_runs_per_day_with_a_negative_offset(day_runs: None) -> None:
    # UTC-5: it is 07:00 on Mar 10; the Mar 8 23:30 UTC failure is Mar 8 locally, outside two days.
    assert queries.runs_per_day(2, -300, now=NOW) == [
        ("2026-03-09", "succeeded", 2),
        ("2026-03-10", "skipped", 1), ("2026-03-10", "succeeded", 2),
    ]


def test_daily_series_has_every_day(day_runs: None) -> None:
    assert queries.daily_series(5, 120, now=NOW) == [
        ("2026-03-06", 0, 0, None),
        ("2026-03-07", 1, 1000, 100.0),
        ("2026-03-08", 1, 5, 10.0),
        ("2026-03-09", 3, 30, pytest.approx(4.0)),
        ("2026-03-10", 2, 1, 8.0),  # the skipped run counts as a run but not in the average
    ]


def test_the_offset_can_move_today(day_runs: None) -> None:
    late = datetime(2026, 3, 10, 23, 30)  # already Mar 11 at UTC+2
    assert queries.daily_series(1, 120, now=late) == [("2026-03-11", 1, 500, 50.0)]
    assert queries.daily_series(1, 0, now=late) == [("2026-03-10", 3, 501, 29.0)]
    assert queries.runs_per_day(1, 120, now=late) == [("2026-03-11", "succeeded", 1)]


def test_days_must_be_positive(db: SqliteDatabase) -> None:
    with pytest.raises(ValueError):
        queries.runs_per_day(0, now=NOW)


# --- last_runs_by_schedule -----------------------------------------------------------------------------------

def test_last_runs_by_schedule_prefers_non_skipped(db: SqliteDatabase) -> None:
    a = account("acme")
    s1, s2, s3 = schedule("s1", a), schedule("s2", a), schedule("s3", a)
    schedule("never ran", a)
    run(a, s1, "succeeded", NOW - 3 * H)
    failed = run(a, s1, "failed", NOW - 2 * H)
    run(a, s1, "skipped", NOW - H)
    run(a, s2, "skipped", NOW - 2 * H)
    latest_skip = run(a, s2, "skipped", NOW - H)
    run(a, s3, "succeeded", NOW - H)
    running = run(a, s3, "running", NOW - H)  # same queued_at: the higher id is later
    run(a, None, "succeeded", NOW)  # no schedule

    latest = queries.last_runs_by_schedule()

    assert {sid: r.id for sid, r in latest.items()} == {s1.id: failed.id, s2.id: latest_skip.id,
                                                        s3.id: running.id}
    assert latest[s1.id].status == "failed"


# --- account_health ------------------------------------------------------------------------------------------

def test_account_health_states(db: SqliteDatabase) -> None:
    healthy = account("a-healthy")
    sh = schedule("a", healthy)
    run(healthy, sh, "failed", NOW - 30 * H)  # older than 24 h: not an error now
    run(healthy, sh, "succeeded", NOW - 2 * H, calls=10, latency=1000.0)
    last_ok = run(healthy, sh, "succeeded", NOW - H, duration=5, calls=30, latency=5000.0)
    run(healthy, sh, "cancelled", NOW - timedelta(minutes=10))  # says nothing about health
    run(healthy, sh, "skipped", NOW - timedelta(minutes=5))

    sign_in = account("b-sign-in", auth_state="needs_sign_in")
    run(sign_in, schedule("b", sign_in), "failed", NOW - H)

    paused = account("c-paused")
    sp = schedule("c1", paused, paused=True)
    schedule("c2", paused, paused=True)
    run(paused, sp, "succeeded", NOW - 48 * H)

    half_paused = account("c-half-paused")
    shp = schedule("c3", half_paused, paused=True)
    schedule("c4", half_paused)
    run(half_paused, shp, "succeeded", NOW - 48 * H)

    never = account("d-never")
    sn = schedule("d", never)
    run(never, sn, "cancelled", NOW - 2 * H)
    run(never, sn, "skipped", NOW - H)

    failing = account("e-failing")
    sf = schedule("e", failing)
    failing_ok = run(failing, sf, "succeeded", NOW - 3 * H, calls=4, latency=100.0)
    run(failing, sf, "interrupted", NOW - H)

    degraded = account("f-degraded")
    sd = schedule("f", degraded)
    run(degraded, sd, "failed", NOW - 2 * H)
    run(degraded, sd, "succeeded", NOW - H)

    account("g-no-schedules")

    old_failure = account("h-old-failure")
    so = schedule("h", old_failure)
    run(old_failure, so, "succeeded", NOW - 72 * H)
    run(old_failure, so, "failed", NOW - 48 * H)

    result = {h.name: h for h in queries.account_health(NOW)}

    assert [h.name for h in queries.account_health(NOW)] == sorted(result)
    assert {name: h.health for name, h in result.items()} == {
        "a-healthy": "healthy", "b-sign-in": "needs_sign_in", "c-paused": "paused",
        "c-half-paused": "healthy", "d-never": "never_synced", "e-failing": "failing",
        "f-degraded": "degraded", "g-no-schedules": "never_synced", "h-old-failure": "failing",
    }
    assert result["a-healthy"] == queries.AccountHealth(
        account_id=healthy.id, name="a-healthy", platform="demo", auth_state="ok", health="healthy",
        last_success_at=last_ok.finished_at, last_run_status="succeeded", errors_24h=0, avg_latency_ms=150.0,
        runs_24h=4, uptime_24h=1.0)
    h = result["d-never"]
    assert (h.last_success_at, h.last_run_status, h.errors_24h, h.avg_latency_ms, h.runs_24h) == (
        None, None, 0, None, 2)
    h = result["e-failing"]
    assert (h.last_success_at, h.last_run_status, h.errors_24h, h.avg_latency_ms, h.runs_24h) == (
        failing_ok.finished_at, "interrupted", 1, 25.0, 2)
    h = result["f-degraded"]
    assert (h.last_run_status, h.errors_24h, h.runs_24h) == ("succeeded", 1, 2)
    h = result["h-old-failure"]
    assert (h.last_run_status, h.errors_24h, h.runs_24h, h.avg_latency_ms) == ("failed", 0, 0, None)
    assert result["b-sign-in"].auth_state == "needs_sign_in"
    # a day later everything above has left the 24 h window
    later = {h.name: h for h in queries.account_health(NOW + 25 * H)}
    assert later["f-degraded"].health == "healthy"
    assert later["a-healthy"].runs_24h == 0


def test_account_health_counts_connectivity_probes(db: SqliteDatabase) -> None:
    from autosync_desktop.store.models import HealthProbe

    acct = account("probed")
    sch = schedule("p", acct)
    ok = run(acct, sch, "succeeded", NOW - 3 * H, calls=8, latency=800.0)
    SyncRun.update(api_errors=2).where(SyncRun.id == ok.id).execute()
    HealthProbe.create(account=acct, at=NOW - 2 * H, ok=True, latency_ms=50.0)
    HealthProbe.create(account=acct, at=NOW - 30 * H, ok=False, latency_ms=5.0)  # older than a day
    h = queries.account_health(NOW)[0]
    assert h.health == "healthy" and h.last_probe_ok is True
    assert h.uptime_24h == 1 - 2 / 9 and h.avg_latency_ms == 850.0 / 9
    HealthProbe.create(account=acct, at=NOW - H, ok=False, latency_ms=None, error_class="Transient")
    h = queries.account_health(NOW)[0]
    assert h.health == "degraded" and h.last_probe_ok is False and h.uptime_24h == 1 - 3 / 10
    assert h.last_probe_at == NOW - H


# --- stats_totals --------------------------------------------------------------------------------------------

def test_stats_totals(db: SqliteDatabase) -> None:
    a, b = account("acme"), account("beta")
    for acct, day, impressions, clicks, cost, conversions in (
            (a, date(2026, 3, 1), 100, 10, 1_000_000, 1.5),
            (a, date(2026, 3, 2), 200, 20, 2_000_000, 2.0),
            (a, date(2026, 3, 3), None, None, 500_000, 0.0),  # a metric the platform does not measure
            (b, date(2026, 3, 2), 1000, 100, 10_000_000, 4.25)):
        DailyStat.create(account=acct, campaign_id="c1", date=day, impressions=impressions, clicks=clicks,
                         cost_micros=cost, conversions=conversions, synced_at=NOW)

    assert queries.stats_totals() == {"rows": 4, "impressions": 1300, "clicks": 130, "cost_micros": 13_500_000,
                                      "conversions": 7.75, "conversion_value_micros": 0}
    totals = queries.stats_totals(account_id=a.id, since=date(2026, 3, 2), until=date(2026, 3, 3))
    assert (totals["rows"], totals["impressions"], totals["clicks"], totals["cost_micros"],
            totals["conversions"]) == (2, 200, 20, 2_500_000, 2.0)
    assert queries.stats_totals(until=date(2026, 3, 2))["cost_micros"] == 13_000_000
    assert queries.stats_totals(account_id=b.id, since=date(2026, 3, 3))["rows"] == 0
    assert queries.stats_totals(account_id=b.id, since=date(2026, 3, 3))["impressions"] == 0


# --- plans: the big-store queries must not scan sync_run --------------------------------------------------------

def test_queries_search_indexes_instead_of_scanning(history: dict[str, int], db: SqliteDatabase) -> None:
    conn: sqlite3.Connection = db.connection()
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        queries.period_metrics(NOW - 24 * H, NOW)
        queries.history_page(HistoryFilter(statuses=("failed",), since=NOW - 24 * H, until=NOW))
        queries.history_count(HistoryFilter(statuses=("succeeded",), account_id=1, since=NOW - 24 * H))
        queries.runs_per_day(2, now=NOW)
        queries.daily_series(2, now=NOW)
        queries.account_health(NOW)
        queries.last_runs_by_schedule()
    finally:
        conn.set_trace_callback(None)
    selects = [s for s in statements if "sync_run" in s and s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) >= 7
    for sql in selects:
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
        # sync_run is aliased t1 by peewee and r in the hand-written SQL
        scans = [step for step in plan if step.split()[:2] in (["SCAN", "sync_run"], ["SCAN", "t1"], ["SCAN", "r"])]
        assert not scans, (sql, plan)
