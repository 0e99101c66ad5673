"""Restatement deltas and day fetch history (schema v11): written with the window, NULL when unknown, by age."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from autosync_desktop.clock import ShiftedClock
from autosync_desktop.connectors.base import DailyStatRecord
from autosync_desktop.store import day_fetches, runs, settings
from autosync_desktop.store.models import Account, DailyStat, DayFetch, Restatement, RunEvent, SyncRun
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.writer import StatBuffer, Writer

D = date(2026, 11, 20)
ZONE = "America/New_York"


def _at(day: date, hour: int) -> ShiftedClock:
    """A fixed clock at `hour` o'clock on `day` in New York."""
    from zoneinfo import ZoneInfo
    return ShiftedClock(datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(ZONE)), tick=False)


def _rec(campaign: str, day: date, clicks: int | None, cost: int | None, conversions: float | None) -> DailyStatRecord:
    return DailyStatRecord(campaign, day, 100, clicks, cost, conversions, None, "USD")


def _write(store, account: Account, clock: ShiftedClock, records: list[DailyStatRecord], run_id: int = 7,
           start: date = D, end: date = D) -> Writer:
    writer = Writer(store, account.id, run_id, zone=ZONE, clock=clock)
    buffer = StatBuffer()
    buffer.add(records)
    writer.replace_window(start, end, buffer)
    return writer


def _restatements() -> list[tuple]:
    return [(r.date, r.age_days, r.prev_age_days, r.run_id, r.before_cost_micros, r.before_clicks,
             r.before_conversions, r.d_cost_micros, r.d_clicks, r.d_conversions)
            for r in Restatement.select().order_by(Restatement.id)]


def test_a_refetch_records_the_change_summed_over_campaigns_with_the_age(store) -> None:
    account = Account.create(name="a", platform="meta_ads", external_id="1")
    _write(store, account, _at(D + timedelta(days=1), 8),
           [_rec("c1", D, 10, 1_000_000, 2.0), _rec("c2", D, 5, 500_000, 1.0)], run_id=1)
    writer = _write(store, account, _at(D + timedelta(days=7), 8),
                    [_rec("c1", D, 12, 1_100_000, 2.5), _rec("c2", D, 5, 500_000, 1.0)], run_id=2)
    assert writer.restated == 1
    # hand-computed: before 15 clicks, 1.5 M micros, 3 conversions; after 17, 1.6 M, 3.5; at age 7, stored at age 1
    assert _restatements() == [(D, 7, 1, 2, 1_500_000, 15, 3.0, 100_000, 2, 0.5)]
    fetch = DayFetch.get((DayFetch.account == account.id) & (DayFetch.date == D))
    assert (fetch.fetches, fetch.last_age_days, fetch.unchanged_streak, fetch.last_changed) == (2, 7, 0, True)
    assert fetch.last_fetched_at == datetime(2026, 11, 27, 13, 0)  # 08:00 in New York, stored as naive UTC


def test_unknown_before_or_after_gives_an_unknown_delta_not_zero(store) -> None:
    account = Account.create(name="a", platform="ga4", external_id="1")
    _write(store, account, _at(D + timedelta(days=1), 8), [_rec("c1", D, 10, None, 2.0), _rec("c2", D, 1, 5, 1.0)])
    _write(store, account, _at(D + timedelta(days=2), 8), [_rec("c1", D, 11, 7, None), _rec("c2", D, 1, 5, 1.0)])
    # cost: unknown before (c1 NULL) -> NULL delta; conversions: unknown after -> NULL; clicks known: +1
    assert _restatements() == [(D, 2, 1, 7, None, 11, 3.0, None, 1, None)]


def test_unchanged_refetches_count_once_per_day_of_age_and_write_no_row(store) -> None:
    account = Account.create(name="a", platform="google_ads", external_id="1")
    rows = [_rec("c1", D, 10, 1_000, 1.0)]
    for day, hour in ((1, 8), (1, 9), (1, 10), (2, 8), (2, 9), (3, 8), (4, 8)):
        _write(store, account, _at(D + timedelta(days=day), hour), rows)
    fetch = DayFetch.get((DayFetch.account == account.id) & (DayFetch.date == D))
    assert (fetch.fetches, fetch.unchanged_streak, fetch.streak_age_days, fetch.last_changed) == (7, 3, 4, False)
    assert _restatements() == []
    _write(store, account, _at(D + timedelta(days=5), 8), [_rec("c1", D, 9, 1_000, 1.0)])  # a change resets it
    fetch = DayFetch.get((DayFetch.account == account.id) & (DayFetch.date == D))
    assert (fetch.unchanged_streak, fetch.last_changed) == (0, True)
    assert _restatements() == [(D, 5, 4, 7, 1_000, 10, 1.0, 0, -1, 0.0)]


def test_changes_while_the_day_runs_are_not_restatements_and_an_empty_day_sums_to_zero(store) -> None:
    account = Account.create(name="a", platform="meta_ads", external_id="1")
    _write(store, account, _at(D, 10), [])  # today, nothing yet
    _write(store, account, _at(D, 15), [_rec("c1", D, 4, 40, 0.0)])  # still today: accrual, no row
    assert _restatements() == []
    _write(store, account, _at(D + timedelta(days=1), 3), [_rec("c1", D, 6, 60, 1.0)])  # stored at age 0: no row
    assert _restatements() == []
    _write(store, account, _at(D + timedelta(days=3), 3), [])  # the platform dropped the day: back to nothing
    assert _restatements() == [(D, 3, 1, 7, 60, 6, 1.0, -60, -6, -1.0)]


def test_the_history_and_deltas_roll_back_with_the_window(store, monkeypatch: pytest.MonkeyPatch) -> None:
    account = Account.create(name="a", platform="meta_ads", external_id="1")
    _write(store, account, _at(D + timedelta(days=1), 8), [_rec("c1", D, 10, 1_000, 1.0)])
    real = day_fetches.record

    def record_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(day_fetches, "record", record_then_fail)
    with pytest.raises(RuntimeError):
        _write(store, account, _at(D + timedelta(days=2), 8), [_rec("c1", D, 99, 9_000, 9.0)])
    assert DailyStat.get().clicks == 10  # the data, the history and the deltas: all as before
    assert DayFetch.get().fetches == 1 and _restatements() == []


def test_the_engine_records_deltas_with_its_run_and_clock(store, bus, scripted) -> None:
    clock = ShiftedClock(datetime(2026, 12, 31, 12, 0, tzinfo=UTC), tick=False)
    account = Account.create(name="s", platform="scripted", external_id="s")
    first = _run(store, bus, account, clock)
    scripted.clicks = 5  # the platform restates: every day now has 5 clicks instead of 3
    second = _run(store, bus, account, clock)
    assert first.status == second.status == "succeeded"
    # the planner fetched today and yesterday; yesterday was stored at age 1, so its change is a restatement
    assert _restatements() == [(date(2026, 12, 30), 1, 1, second.id, 2_500_000, 3, 1.0, 0, 2, 0.0)]
    log = [e.message for e in RunEvent.select().where(RunEvent.run == second.id)]
    assert any("Fetched Dec 30–31 (every run)" in m and "skipped Dec 29 (fetched earlier today)" in m for m in log)
    assert any("changed 1 day(s)" in m for m in log)
    assert DayFetch.select().count() == 11 and settings.get("sync.freshness_planner") is True


def _run(store, bus, account: Account, clock: ShiftedClock) -> SyncRun:
    run = runs.create_run(store, account=account, schedule=None, trigger="manual", sync_type="performance")
    runner = Runner(store, bus, max_workers=1, clock=clock)
    try:
        runner.submit(run.id).result(timeout=60)
    finally:
        runner.shutdown()
    return SyncRun.get_by_id(run.id)


def test_retention_prunes_old_restatements_with_the_runs_and_day_history_with_the_stats(store) -> None:
    from autosync_desktop.store import retention

    account = Account.create(name="a", platform="meta_ads", external_id="1")
    _write(store, account, _at(D + timedelta(days=1), 8), [_rec("c1", D, 10, 1_000, 1.0)])
    _write(store, account, _at(D + timedelta(days=3), 8), [_rec("c1", D, 11, 1_000, 1.0)])
    settings.set_value("retention.runs_days", 30)
    settings.set_value("retention.stats_months", 1)
    retention.prune(store, ShiftedClock(datetime(2026, 12, 20, tzinfo=UTC), tick=False))
    assert Restatement.select().count() == 1 and DayFetch.select().count() == 1  # 26 days old; the month ago
    retention.prune(store, ShiftedClock(datetime(2027, 1, 10, tzinfo=UTC), tick=False))
    assert Restatement.select().count() == 0 and DayFetch.select().count() == 0


def test_a_day_restated_later_is_replaced_by_the_next_days_first_run(store, bus, scripted) -> None:
    account = Account.create(name="s", platform="scripted", external_id="s")
    _run(store, bus, account, ShiftedClock(datetime(2026, 12, 30, 12, 0, tzinfo=UTC), tick=False))
    scripted.clicks = 5  # the platform restates every day
    run = _run(store, bus, account, ShiftedClock(datetime(2026, 12, 31, 0, 30, tzinfo=UTC), tick=False))
    log = " ".join(e.message for e in RunEvent.select().where(RunEvent.run == run.id))
    assert "Dec 29 (last look before it leaves the lookback)" in log  # 2 days old: the scripted lookback
    assert {(r.date, r.clicks) for r in DailyStat.select().where(DailyStat.date >= date(2026, 12, 29))} == {
        (date(2026, 12, 29), 5), (date(2026, 12, 30), 5), (date(2026, 12, 31), 5)}
    assert {(r.date, r.age_days, r.d_clicks) for r in Restatement.select()} == {
        (date(2026, 12, 29), 2, 2)}  # Dec 30 was stored while it ran (age 0): not a restatement


def test_a_write_committed_by_another_connection_mid_window_does_not_fail_the_window(store, monkeypatch) -> None:
    """The window's transaction reads the fetch history before it writes. Taken as a plain (deferred) transaction,
    another connection committing in between made SQLite refuse the write at once (SQLITE_BUSY, no busy wait): a
    scheduled run failed with 'Another process holds the database' while only the scheduler's own thread wrote.
    The window takes the write lock first, so the other writer waits for it instead."""
    import sqlite3
    import threading

    from autosync_desktop.store.db import bound_path

    account = Account.create(name="a", platform="meta_ads", external_id="1")
    _write(store, account, _at(D + timedelta(days=1), 8), [_rec("c1", D, 10, 1_000_000, 2.0)], run_id=1)
    other_done: list[str] = []

    def other_writer() -> None:  # e.g. the scheduler's poll or a run's heartbeat, on its own connection
        con = sqlite3.connect(str(bound_path()), timeout=10)
        try:
            con.execute("INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?)",
                        ("probe.other", "1", "2026-01-01 00:00:00"))
            con.commit()
            other_done.append("committed")
        finally:
            con.close()

    real_read = day_fetches.read_history

    def read_then_let_another_write(con, *args):
        found = real_read(con, *args)
        thread = threading.Thread(target=other_writer)
        thread.start()
        thread.join(timeout=1.0)  # committed at once when the window holds no write lock yet
        threads.append(thread)
        return found

    threads: list[threading.Thread] = []
    monkeypatch.setattr(day_fetches, "read_history", read_then_let_another_write)
    writer = _write(store, account, _at(D + timedelta(days=7), 8), [_rec("c1", D, 12, 1_100_000, 2.5)], run_id=2)
    threads[0].join(timeout=10)
    assert writer.restated == 1 and other_done == ["committed"]
