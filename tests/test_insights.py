"""Sync analytics (`services.insights`): every figure per platform, account and schedule checked twice, against
numbers worked out by hand from the seeded runs and against hand-written SQL run on the same store; unknown
stays None. Also: the engine records the time a run waits on rate limits (and only on rate limits), and a
store from before schema v9 keeps its old runs' waits unknown.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from autosync_desktop import clock
from autosync_desktop.cli import main
from autosync_desktop.connectors.base import ConnectorContext, HttpLimits, RateLimited, Transient
from autosync_desktop.connectors.http import PlatformPacer
from autosync_desktop.domain import Period, RunFigures
from autosync_desktop.services import Services, UserError
from autosync_desktop.services.insights import NO_RUNS, complete_through, freshness_lag_s
from autosync_desktop.store import migrations, runs, settings
from autosync_desktop.store.db import open_store
from autosync_desktop.store.models import Account, Schedule, SyncRun, SyncState
from tests.api_support import live_api
from tests.test_engine import _run as engine_run
from tests.test_store_migrations import make_v1_database

NOW = datetime(2026, 11, 21, 8, 0, 0)  # naive UTC, as stored; 09:00 in Berlin, 03:00 in New York
H = timedelta(hours=1)
SINCE_24H = "2026-11-20 08:00:00"
UNTIL = "2026-11-21 08:00:00"
TIMED = "('succeeded', 'failed', 'cancelled', 'interrupted')"


def _run(account: Account | None, account_name: str, platform: str, schedule: Schedule | None,
         schedule_name: str | None, status: str, ago: timedelta, *, duration: float | None, rows: int = 0,
         calls: int = 0, errors: int = 0, wait: float | None = 0.0) -> None:
    # a running run belongs to this (live) process, so opening the store does not reap it as an orphan
    owner = {"owner_pid": os.getpid(), "owner_host": runs.HOST} if status == "running" else {}
    SyncRun.create(account=account, account_name=account_name, platform=platform, schedule=schedule,
                   schedule_name=schedule_name, status=status, queued_at=NOW - ago, duration_s=duration, rows=rows,
                   api_calls=calls, api_errors=errors, rate_limit_wait_s=wait, **owner)


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "data")
    _seed()
    yield services
    services.close()


def _seed() -> None:
    """Three accounts (one without runs), two schedules, one-off and removed-account runs, two sync states."""
    acme = Account.create(name="acme", platform="demo", external_id="a", timezone="Europe/Berlin",
                          options='{"lookback_days": 3}', created_at=NOW - 900 * H)
    shop = Account.create(name="shop", platform="meta_ads", external_id="123", timezone="America/New_York",
                          options='{"lookback_days": 7}', created_at=NOW - 900 * H)
    Account.create(name="never", platform="demo", external_id="n", created_at=NOW - 900 * H)
    nightly = Schedule.create(name="nightly", account=acme, timezone="UTC", frequency="manual")
    hourly = Schedule.create(name="hourly", account=shop, timezone="UTC", frequency="manual")
    a = (acme, "acme", "demo", nightly, "nightly")
    _run(*a, "succeeded", 24 * H, duration=10, rows=100, calls=4, wait=0.0)  # on the lower bound: inside
    _run(*a, "succeeded", 20 * H, duration=20, rows=200, calls=6, errors=1, wait=2.5)
    _run(*a, "succeeded", 10 * H, duration=30, rows=300, calls=8)
    _run(*a, "failed", 5 * H, duration=40, rows=50, calls=10, errors=3, wait=12.0)
    _run(*a, "interrupted", 4 * H, duration=100, calls=2)
    _run(*a, "cancelled", 3 * H, duration=5, calls=1, wait=0.5)
    _run(*a, "skipped", 2 * H, duration=0.0)  # skipped: counted, but its 0 s is no duration
    _run(*a, "running", 1 * H, duration=None, rows=10, calls=3, wait=1.0)
    _run(*a, "succeeded", 25 * H, duration=999, rows=9999, calls=99, errors=9, wait=99.0)  # before the 24 h
    _run(*a, "succeeded", 0 * H, duration=777, rows=7777, calls=77, wait=77.0)  # at `until`: outside
    _run(acme, "acme", "demo", None, None, "succeeded", 6 * H, duration=60, rows=40, calls=2)  # a one-off sync
    s = (shop, "shop", "meta_ads", hourly, "hourly")
    _run(*s, "succeeded", 12 * H, duration=8, rows=20, calls=3, wait=None)  # stored before waits were recorded
    _run(*s, "succeeded", 2 * H, duration=12, rows=30, calls=5, wait=4.0)
    _run(None, "old", "demo", None, "gone", "failed", 7 * H, duration=3, calls=1, errors=1)  # account removed
    SyncState.create(account=acme, stream="daily_stats", last_complete_date=date(2026, 11, 21),
                     last_synced_at=datetime(2026, 11, 21, 6, 30))  # 07:30 in Berlin: the 21st was not over
    SyncState.create(account=shop, stream="daily_stats", last_complete_date=date(2026, 11, 19),
                     last_synced_at=datetime(2026, 11, 20, 12, 0))  # 07:00 on the 20th in New York


def _one(svc: Services, sql: str, *params: object) -> tuple:
    return tuple(svc.db.execute_sql(sql, params).fetchone())


def _hand_figures(svc: Services, where: str, since: str = SINCE_24H, days: int = 1) -> RunFigures:
    """The figures of the runs matching `where` queued in [since, UNTIL), by hand-written SQL (percentiles by
    ORDER BY ... LIMIT 1 OFFSET rank - 1, the rank worked out in Python)."""
    span = f"{where} AND queued_at >= ? AND queued_at < ?"
    runs_, ok, bad, cancelled, skipped, rows, calls, errors = _one(
        svc, "SELECT COUNT(*), SUM(status = 'succeeded'), SUM(status = 'failed' OR status = 'interrupted'),"
        " SUM(status = 'cancelled'), SUM(status = 'skipped'), SUM(rows), SUM(api_calls), SUM(api_errors)"
        f" FROM sync_run WHERE {span}", since, UNTIL)
    wait, unrecorded = _one(svc, "SELECT SUM(rate_limit_wait_s), SUM(rate_limit_wait_s IS NULL) FROM sync_run"
                                 f" WHERE {span}", since, UNTIL)
    (timed,) = _one(svc, f"SELECT COUNT(*) FROM sync_run WHERE {span} AND status IN {TIMED}"
                         " AND duration_s IS NOT NULL", since, UNTIL)

    def pct(p: int) -> float | None:
        if not timed:
            return None
        rank = math.ceil(p / 100 * timed)
        return _one(svc, f"SELECT duration_s FROM sync_run WHERE {span} AND status IN {TIMED} AND duration_s IS NOT"
                         " NULL ORDER BY duration_s LIMIT 1 OFFSET ?", since, UNTIL, rank - 1)[0]

    return RunFigures(runs=runs_, succeeded=ok, failed=bad, cancelled=cancelled, skipped=skipped,
                      success_rate=ok / (ok + bad) if ok + bad else None, p50_duration_s=pct(50),
                      p95_duration_s=pct(95), rows_written=rows, api_calls=calls, api_calls_per_day=calls / days,
                      api_errors=errors, rate_limit_wait_s=wait, wait_unrecorded_runs=unrecorded)


def _figures(runs_: int, ok: int, bad: int, cancelled: int, skipped: int, p50: float | None, p95: float | None,
             rows: int, calls: int, errors: int, wait: float | None, unrecorded: int = 0,
             days: int = 1) -> RunFigures:
    return RunFigures(runs=runs_, succeeded=ok, failed=bad, cancelled=cancelled, skipped=skipped,
                      success_rate=ok / (ok + bad) if ok + bad else None, p50_duration_s=p50, p95_duration_s=p95,
                      rows_written=rows, api_calls=calls, api_calls_per_day=calls / days, api_errors=errors,
                      rate_limit_wait_s=wait, wait_unrecorded_runs=unrecorded)


def test_every_figure_of_the_last_24_hours_matches_hand_counts_and_hand_sql(svc: Services) -> None:
    got = svc.insights.period("24h", now=NOW.replace(tzinfo=UTC))

    assert (got.period, got.since, got.until, got.days) == (
        Period.DAY, datetime(2026, 11, 20, 8, tzinfo=UTC), datetime(2026, 11, 21, 8, tzinfo=UTC), 1.0)
    # by hand: durations of finished runs 3 5 8 10 12 20 30 40 60 100 -> p50 the 5th (12), p95 the 10th (100)
    expected_total = _figures(12, 6, 3, 1, 1, 12, 100, 750, 45, 5, 20.0, unrecorded=1)
    assert got.total == expected_total == _hand_figures(svc, "1")

    platforms = {p.platform: p for p in got.platforms}
    assert [p.platform for p in got.platforms] == ["demo", "meta_ads"]
    assert platforms["meta_ads"].platform_label == "Meta Ads"
    # demo: acme's 9 runs and the removed account's one; durations 3 5 10 20 30 40 60 100 -> 4th, 8th
    assert platforms["demo"].figures == _figures(10, 4, 3, 1, 1, 20, 100, 700, 37, 5, 16.0) == _hand_figures(
        svc, "platform = 'demo'")
    assert platforms["meta_ads"].figures == _figures(2, 2, 0, 0, 0, 8, 12, 50, 8, 0, 4.0, unrecorded=1) == (
        _hand_figures(svc, "platform = 'meta_ads'"))

    accounts = {(a.account, a.platform): a for a in got.accounts}
    assert [a.account for a in got.accounts] == ["acme", "never", "old", "shop"]
    # acme: durations 5 10 20 30 40 60 100 -> the 4th (30) and the 7th (100)
    assert accounts["acme", "demo"].figures == _figures(9, 4, 2, 1, 1, 30, 100, 700, 36, 4, 16.0) == (
        _hand_figures(svc, "account_name = 'acme'"))
    assert accounts["shop", "meta_ads"].figures == _hand_figures(svc, "account_name = 'shop'")
    assert accounts["old", "demo"].figures == _figures(1, 0, 1, 0, 0, 3, 3, 0, 1, 1, 0.0) == _hand_figures(
        svc, "account_name = 'old'")
    assert accounts["never", "demo"].figures == NO_RUNS

    schedules = [(s.schedule, s.account) for s in got.schedules]
    assert schedules == [("gone", "old"), ("hourly", "shop"), ("nightly", "acme"), (None, "acme")]
    by_schedule = {s.schedule: s.figures for s in got.schedules}
    # nightly: durations 5 10 20 30 40 100 -> the 3rd (20) and the 6th (100); 3 of 5 decided runs succeeded
    assert by_schedule["nightly"] == _figures(8, 3, 2, 1, 1, 20, 100, 660, 34, 4, 16.0) == _hand_figures(
        svc, "schedule_name = 'nightly'")
    assert by_schedule["nightly"].success_rate == 0.6
    assert by_schedule[None] == _figures(1, 1, 0, 0, 0, 60, 60, 40, 2, 0, 0.0) == _hand_figures(
        svc, "schedule_name IS NULL")
    assert by_schedule["hourly"] == _hand_figures(svc, "schedule_name = 'hourly'")


def test_a_week_divides_api_calls_by_seven_days(svc: Services) -> None:
    got = svc.insights.period("7d", now=NOW)
    nightly = {s.schedule: s.figures for s in got.schedules}["nightly"]
    since = "2026-11-14 08:00:00"
    # the run 25 h back is in; durations 5 10 20 30 40 100 999 -> 4th (30) and 7th (999)
    assert nightly == _figures(9, 4, 2, 1, 1, 30, 999, 10659, 133, 13, 115.0, days=7) == _hand_figures(
        svc, "schedule_name = 'nightly'", since=since, days=7)
    assert nightly.api_calls_per_day == 19.0
    assert got.total == _hand_figures(svc, "1", since=since, days=7)


def test_freshness_lag_and_settling_days_per_account_in_its_zone(svc: Services) -> None:
    accounts = {a.account: a for a in svc.insights.period("24h", now=NOW).accounts}
    acme, shop = accounts["acme"], accounts["shop"]
    # acme: written through the 21st at 07:30 Berlin time, so the 20th is the last complete day; it ended at
    # 2026-11-21 00:00 Berlin = 2026-11-20 23:00 UTC, 9 h before now
    assert (acme.zone, acme.data_through, acme.complete_through) == (
        "Europe/Berlin", date(2026, 11, 21), date(2026, 11, 20))
    assert acme.freshness_lag_s == 9 * 3600
    # shop: through the 19th, written on the 20th (New York): the 19th ended 2026-11-20 05:00 UTC, 27 h ago
    assert (shop.zone, shop.data_through, shop.complete_through) == (
        "America/New_York", date(2026, 11, 19), date(2026, 11, 19))
    assert shop.freshness_lag_s == 27 * 3600
    # settling: from today in the account's zone minus the lookback, through the last day written
    assert acme.settling_days == (date(2026, 11, 21) - date(2026, 11, 18)).days + 1 == 4
    assert shop.settling_days == (date(2026, 11, 19) - date(2026, 11, 14)).days + 1 == 6
    cards = {c.name: c for c in svc.accounts.cards(NOW)}
    assert (cards["acme"].settling_days, cards["shop"].settling_days) == (4, 6)  # the Dashboard says the same
    # the same lag by hand-written SQL: the end of the last complete day as SQLite's UTC text, then the difference
    (lag,) = _one(svc, "SELECT (julianday(?) - julianday(datetime(date(last_synced_at, '+1 hour'), '-1 hour')))"
                       " * 86400 FROM sync_state s JOIN account a ON a.id = s.account_id WHERE a.name = 'acme'",
                  NOW.isoformat(sep=" "))  # Berlin is UTC+1 in November
    assert round(lag) == acme.freshness_lag_s


def test_unknown_stays_none(svc: Services) -> None:
    got = svc.insights.period("24h", now=NOW)
    never = {a.account: a for a in got.accounts}["never"]
    assert (never.figures.success_rate, never.figures.p50_duration_s, never.figures.p95_duration_s,
            never.figures.rate_limit_wait_s) == (None, None, None, None)
    assert (never.data_through, never.complete_through, never.freshness_lag_s, never.settling_days) == (
        None, None, None, None)
    assert never.zone == "UTC"
    gone = {a.account: a for a in got.accounts}["old"]
    assert (gone.zone, gone.freshness_lag_s, gone.settling_days) == (None, None, None)
    # only cancelled and skipped runs: no success rate (nothing decided), yet a duration
    later = NOW + 48 * H
    acme = Account.get(Account.name == "acme")
    SyncRun.create(account=acme, account_name="acme", platform="demo", status="cancelled",
                   queued_at=later - H, duration_s=7.0, rate_limit_wait_s=None)
    SyncRun.create(account=acme, account_name="acme", platform="demo", status="skipped",
                   queued_at=later - H, duration_s=0.0)
    total = svc.insights.period("24h", now=later).total
    assert (total.runs, total.success_rate, total.p50_duration_s, total.rate_limit_wait_s) == (2, None, 7.0, 0.0)
    assert total.wait_unrecorded_runs == 1
    empty = svc.insights.period("24h", now=NOW + 400 * H)
    assert empty.total == NO_RUNS and empty.platforms == () and empty.schedules == ()


def test_a_bad_period_names_the_field(svc: Services) -> None:
    with pytest.raises(UserError, match=r"^period: must be one of 24h, 7d, 30d$"):
        svc.insights.period("1y", now=NOW)


def test_complete_day_rules() -> None:
    # written on the day it covers: that day is not over
    assert complete_through(date(2026, 3, 29), datetime(2026, 3, 29, 10, tzinfo=UTC), "Europe/Berlin") == date(
        2026, 3, 28)
    # written after the day it covers, and never written: the day itself
    assert complete_through(date(2026, 3, 28), datetime(2026, 3, 29, 10, tzinfo=UTC), "UTC") == date(2026, 3, 28)
    assert complete_through(date(2026, 3, 28), None, "UTC") == date(2026, 3, 28)
    # the day ends at local midnight, DST included: 2026-03-29 00:00 in Berlin is 2026-03-28 23:00 UTC
    assert freshness_lag_s(date(2026, 3, 28), "Europe/Berlin", datetime(2026, 3, 29, 1, tzinfo=UTC)) == 2 * 3600
    assert freshness_lag_s(date(2026, 3, 29), "Europe/Berlin", datetime(2026, 3, 29, 1, tzinfo=UTC)) == 0.0


# --- the engine records rate-limit waits ------------------------------------------------------------------------

def test_the_engine_records_the_time_waited_on_a_rate_limit(store, bus, scripted) -> None:
    settings.set_value("retry.base_delay_s", 60)
    scripted.failures = [RateLimited("slow down", retry_after=0.3)]
    account = Account.create(name="s", platform="scripted", external_id="s")
    run = engine_run(store, bus, account, sync_type="performance")
    assert run.status == "succeeded"
    assert 0.3 <= run.rate_limit_wait_s <= run.duration_s < 10


def test_a_transient_failures_backoff_is_not_a_rate_limit_wait(store, bus, scripted) -> None:
    settings.set_value("retry.base_delay_s", 0.2)
    settings.set_value("retry.max_delay_s", 0.2)
    scripted.failures = [Transient("boom")]
    account = Account.create(name="s", platform="scripted", external_id="s")
    run = engine_run(store, bus, account, sync_type="performance")
    assert run.status == "succeeded" and run.duration_s >= 0.1
    assert run.rate_limit_wait_s == 0.0


def test_context_sleep_counts_only_rate_limit_waits_and_the_pacer_counts_its_pauses() -> None:
    ctx = ConnectorContext()
    ctx.sleep(0.05)
    assert ctx.stats.rate_limit_wait_s == 0.0
    ctx.sleep(0.05, rate_limit=True)
    assert 0.05 <= ctx.stats.rate_limit_wait_s < 1
    paused = ConnectorContext()
    pacer = PlatformPacer()
    pacer.acquire(HttpLimits(), paused, paused_until=time.monotonic() + 0.1)
    pacer.release()
    assert 0.09 <= paused.stats.rate_limit_wait_s < 1
    cancelled = ConnectorContext(threading.Event())
    threading.Timer(0.05, cancelled.cancel_event.set).start()
    with pytest.raises(Exception, match="cancelled"):
        cancelled.sleep(5, rate_limit=True)
    assert 0.04 <= cancelled.stats.rate_limit_wait_s < 1  # a wait cut short by a cancel counts what it waited


def test_runs_stored_before_v9_keep_their_wait_unknown(tmp_path: Path) -> None:
    path = tmp_path / "autosync.db"
    make_v1_database(path)
    con = sqlite3.connect(path)
    con.execute("INSERT INTO sync_run (account_id, account_name, platform, sync_type, trigger, status, queued_at,"
                " rows, campaigns, pages, api_calls, api_errors, api_latency_ms, attempt, cancel_requested)"
                " VALUES (1, 'acme', 'demo', 'both', 'manual', 'succeeded', '2026-01-02 00:00:00', 5, 0, 1, 2, 0,"
                " 0, 1, 0)")
    con.commit()
    con.close()
    db = open_store(path)
    try:
        assert migrations.LATEST >= 9
        assert db.execute_sql("SELECT rate_limit_wait_s FROM sync_run").fetchall() == [(None,)]
        new = SyncRun.create(account_name="acme", platform="demo")
        assert SyncRun.get_by_id(new.id).rate_limit_wait_s == 0.0
    finally:
        db.close()


# --- autosync insights ----------------------------------------------------------------------------------------

def seeded_store(data_dir: Path) -> Iterator[Path]:
    """A store at `data_dir` holding `_seed()`'s runs, with the clock at NOW while the caller uses it."""
    services = Services.open(data_dir)
    _seed()
    services.close()
    with time_machine.travel(NOW.replace(tzinfo=UTC), tick=False):
        yield data_dir


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Path]:
    yield from seeded_store(tmp_path / "data")


def test_cli_insights_json_has_the_services_figures(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(seeded), "insights", "--period", "7d", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["period"], data["since"], data["until"], data["days"]) == (
        "7d", "2026-11-14T08:00:00Z", "2026-11-21T08:00:00Z", 7.0)
    nightly = next(s for s in data["schedules"] if s["schedule"] == "nightly")
    assert nightly == {"schedule": "nightly", "account": "acme", "platform": "demo", "runs": 9, "succeeded": 4,
                       "failed": 2, "cancelled": 1, "skipped": 1, "success_rate": 0.6667, "p50_duration_s": 30.0,
                       "p95_duration_s": 999.0, "rows_written": 10659, "api_calls": 133, "api_calls_per_day": 19.0,
                       "api_errors": 13, "rate_limit_wait_s": 115.0, "wait_unrecorded_runs": 0}
    accounts = {a["account"]: a for a in data["accounts"]}
    assert (accounts["acme"]["freshness_lag_s"], accounts["acme"]["complete_through"],
            accounts["acme"]["settling_days"]) == (32400, "2026-11-20", 4)
    assert accounts["never"]["success_rate"] is None and accounts["never"]["freshness_lag_s"] is None
    assert data["restatement_deltas"] == [] and accounts["acme"]["days_still_settling"] is None  # nothing recorded
    assert [p["label"] for p in data["platforms"]] == ["Demo (sandbox data)", "Meta Ads"]


def test_cli_insights_table_in_plain_units(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(seeded), "insights"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Last 24h (2026-11-20T08:00:00Z to 2026-11-21T08:00:00Z): 12 runs, 67% succeeded, "
                          "p95 1 min 40 s, 750 rows, 45 API calls/day")
    lines = out.splitlines()
    acme = next(line for line in lines if line.startswith("acme "))
    assert acme.split() == ["acme", "9", "67%", "30.0", "s", "1", "min", "40", "s", "700", "36", "4", "16.0", "s",
                            "9", "h", "0", "min", "behind", "4", "—"]
    never = next(line for line in lines if line.startswith("never "))
    assert never.split() == ["never", "0", "—", "—", "—", "0", "0", "0", "—", "—", "—", "—"]
    shop = next(line for line in lines if line.startswith("shop "))
    assert "4.0 s (+1 unmeasured)" in shop and "1 d 3 h behind" in shop
    assert "(no schedule)" in out and "STILL CHANGING: days in the platform's restatement window" in out


def test_cli_insights_bad_period_exits_2_naming_the_option(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(seeded), "insights", "--period", "1y"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--period" in err[0] and "1y" in err[0]


# --- GET /sync/metrics ---------------------------------------------------------------------------------------------

def test_api_metrics_carry_the_insights_and_keep_their_fields(tmp_path: Path) -> None:
    with live_api(tmp_path / "api") as api:
        schedule_id = {s["name"]: s["id"] for s in api.get("/sync/schedules").json()}["Fast sync"]
        api.wait_job(api.post(f"/sync/schedules/{schedule_id}/trigger").json()["job_id"])
        fast = Account.get(Account.name == "Demo fast")
        SyncRun.create(account=fast, account_name="Demo fast", platform="demo", schedule_name="Fast sync",
                       status="failed", queued_at=clock.utcnow_naive() - H, duration_s=42.0, api_calls=5,
                       api_errors=2, rate_limit_wait_s=3.5)
        time.sleep(1.1)  # past the API's one-second cache of the metrics
        metrics = api.get("/sync/metrics", params={"period": "7d"}).json()
    assert {"period", "since", "until", "success_rate", "total_syncs", "average_duration_s",
            "data_points_processed", "series"} < metrics.keys()
    insights = metrics["insights"]
    since, until = (datetime.fromisoformat(metrics[k].replace("Z", "+00:00")).replace(tzinfo=None).isoformat(sep=" ")
                    for k in ("since", "until"))
    con = sqlite3.connect(tmp_path / "api" / "autosync.db")
    try:
        runs_, ok, bad, calls, errors, wait = con.execute(
            "SELECT COUNT(*), SUM(status = 'succeeded'), SUM(status IN ('failed', 'interrupted')), SUM(api_calls),"
            " SUM(api_errors), SUM(rate_limit_wait_s) FROM sync_run WHERE account_name = 'Demo fast'"
            " AND queued_at >= ? AND queued_at < ?", (since, until)).fetchone()
    finally:
        con.close()
    assert (runs_, ok, bad, errors) == (2, 1, 1, 2) and wait >= 3.5
    account = next(a for a in insights["accounts"] if a["account"] == "Demo fast")
    assert (account["runs"], account["succeeded"], account["failed"], account["api_errors"]) == (runs_, ok, bad, errors)
    assert account["success_rate"] == 0.5 and account["api_calls"] == calls
    assert account["api_calls_per_day"] == pytest.approx(calls / 7)
    assert account["rate_limit_wait_s"] == pytest.approx(wait)
    assert account["p95_duration_s"] == 42.0 and account["zone"] == "UTC" and account["freshness_lag_s"] is not None
    slow = next(a for a in insights["accounts"] if a["account"] == "Demo slow")
    assert slow["runs"] == 0 and slow["success_rate"] is None and slow["freshness_lag_s"] is None
    assert insights["total"]["runs"] == metrics["total_syncs"]["value"]
    assert insights["restatement_deltas"] == []
