"""The engine through the runner: exact data, idempotent re-runs, retries by error class, cancel, timeout."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from autosync_desktop import events as ev
from autosync_desktop.clock import ShiftedClock
from autosync_desktop.connectors import demo
from autosync_desktop.connectors.base import (
    AuthExpired,
    ConnectorContext,
    Permanent,
    RateLimited,
    ReauthRequired,
    Transient,
)
from autosync_desktop.store import runs, settings
from autosync_desktop.store.models import Account, DailyStat, RunEvent, SyncRun, SyncState
from autosync_desktop.sync.runner import Runner

# The engine's clock in these tests: runs happen "on" this moment (the last second of a year, in UTC: the
# account zone of the demo and scripted connectors), whatever the machine's date.
CLOCK = ShiftedClock(datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), tick=False)
TODAY = CLOCK.today("UTC")


def _run(store, bus, account: Account, **kw) -> SyncRun:
    run = runs.create_run(store, account=account, schedule=None, trigger=kw.pop("trigger", "manual"),
                          sync_type=kw.pop("sync_type", "both"), **kw)
    runner = Runner(store, bus, max_workers=1, clock=CLOCK)
    try:
        runner.submit(run.id).result(timeout=60)
    finally:
        runner.shutdown()
    return SyncRun.get_by_id(run.id)


def _no_backoff() -> None:
    settings.set_value("retry.base_delay_s", 0)
    settings.set_value("retry.max_delay_s", 0)


def _demo_truth(account: Account, start: date, end: date) -> tuple[int, int, int]:
    conn = demo.DemoConnector(account_id=account.external_id, options={"latency_ms": 0}, credentials=None,
                              ctx=ConnectorContext(clock=CLOCK))
    rows = [r for page in conn.fetch_daily_stats(start, end) for r in page]
    return len(rows), sum(r.clicks for r in rows), sum(r.cost_micros for r in rows)


def _stored(account: Account) -> tuple[int, int, int]:
    q = DailyStat.select().where(DailyStat.account == account.id)
    return q.count(), sum(r.clicks for r in q), sum(r.cost_micros for r in q)


def test_backfill_writes_exactly_what_the_platform_returned_and_rerun_is_identical(store, bus, recorder) -> None:
    account = Account.create(name="demo", platform="demo", external_id="d1", options='{"latency_ms": 0}')
    start, end = TODAY - timedelta(days=40), TODAY - timedelta(days=1)
    first = _run(store, bus, account, window_from=start, window_to=end, trigger="backfill")
    assert first.status == "succeeded", first.error_message
    truth = _demo_truth(account, start, end)
    assert _stored(account) == truth
    assert first.rows == truth[0] and first.campaigns == 8 and first.pages >= 2 and first.api_calls >= first.pages
    again = _run(store, bus, account, window_from=start, window_to=end, trigger="backfill")
    assert again.status == "succeeded" and _stored(account) == truth
    started = recorder.of(ev.RunStarted)
    assert [e.windows for e in started] == [2, 2]  # 40 days -> 30 + 10
    finished = recorder.of(ev.RunFinished)
    assert [e.status for e in finished] == ["succeeded", "succeeded"] and finished[0].rows == truth[0]
    assert recorder.of(ev.RunProgress)[-1].rows == truth[0]


def test_incremental_run_uses_sync_state_and_lookback(store, bus, scripted) -> None:
    account = Account.create(name="s", platform="scripted", external_id="s")
    first = _run(store, bus, account)
    assert first.status == "succeeded"
    assert first.rows == 11  # first sync: 10 days of history + today
    state = SyncState.get((SyncState.account == account.id) & (SyncState.stream == "daily_stats"))
    assert state.last_complete_date == date(2026, 12, 31)
    second = _run(store, bus, account)
    assert second.rows == 2  # the freshness planner: today and yesterday; day 2 was fetched earlier today
    settings.set_value("sync.freshness_planner", "off")
    third = _run(store, bus, account)
    assert third.rows == 3  # planner off: lookback 2 days + today, every run
    assert DailyStat.select().count() == 11


def test_transient_errors_are_retried_then_succeed(store, bus, scripted) -> None:
    _no_backoff()
    scripted.failures = [Transient("503 from the platform"), Transient("connection reset")]
    account = Account.create(name="s", platform="scripted", external_id="s")
    run = _run(store, bus, account, sync_type="performance")
    assert run.status == "succeeded" and run.attempt == 3
    logs = [e.message for e in RunEvent.select().where(RunEvent.run == run.id)]
    assert any("Transient" in m and "attempt 1 of 4" in m for m in logs)


def test_transient_errors_beyond_the_budget_fail_with_the_message(store, bus, scripted) -> None:
    _no_backoff()
    settings.set_value("retry.max_attempts", 2)
    scripted.failures = [Transient("boom 1"), Transient("boom 2"), Transient("boom 3")]
    account = Account.create(name="s", platform="scripted", external_id="s")
    run = _run(store, bus, account, sync_type="performance")
    assert (run.status, run.error_class, run.error_message) == ("failed", "Transient", "boom 2")
    assert scripted.fetches == 2


def test_rate_limit_waits_for_the_server_hint(store, bus, scripted) -> None:
    settings.set_value("retry.base_delay_s", 60)  # a fixed backoff would take a minute; the hint says 0.3 s
    scripted.failures = [RateLimited("slow down", retry_after=0.3)]
    account = Account.create(name="s", platform="scripted", external_id="s")
    run = _run(store, bus, account, sync_type="performance")
    assert run.status == "succeeded"
    assert 0.3 <= run.duration_s < 10
    assert any("retrying in 0.3 s" in e.message for e in RunEvent.select().where(RunEvent.run == run.id))


def test_rate_limit_longer_than_allowed_defers_the_run_without_hammering(store, bus, recorder, scripted) -> None:
    scripted.failures = [RateLimited("user request limit reached", retry_after=3000)]
    settings.set_value("retry.max_rate_limit_wait_s", 600)
    account = Account.create(name="s", platform="scripted", external_id="s")
    run = _run(store, bus, account, sync_type="performance")
    assert run.status == "failed" and run.error_class == "RateLimited"
    assert "deferred" in run.error_message and scripted.fetches == 1
    retry_at = recorder.of(ev.RunFinished)[-1].retry_at
    assert retry_at == CLOCK.now() + timedelta(seconds=3000)  # the server's hint from the engine's "now"
    assert recorder.of(ev.RunFinished)[-1].shared_limit is False  # this account's own limit


def test_a_deferral_by_a_shared_limit_says_so_for_the_platforms_other_accounts(store, bus, recorder,
                                                                               scripted) -> None:
    scripted.failures = [RateLimited("app request limit reached", retry_after=3000, shared=True)]
    settings.set_value("retry.max_rate_limit_wait_s", 600)
    account = Account.create(name="s", platform="scripted", external_id="s")
    _run(store, bus, account, sync_type="performance")
    finished = recorder.of(ev.RunFinished)[-1]
    assert (finished.shared_limit, finished.platform) == (True, "scripted")
    assert finished.retry_at == CLOCK.now() + timedelta(seconds=3000)


def test_expired_token_is_refreshed_once(store, bus, scripted) -> None:
    scripted.failures = [AuthExpired("token expired")]
    account = Account.create(name="s", platform="scripted", external_id="s")
    run = _run(store, bus, account, sync_type="performance")
    assert run.status == "succeeded" and scripted.refreshes == 1


def test_token_rejected_after_refresh_means_sign_in_again(store, bus, recorder, scripted) -> None:
    scripted.failures = [AuthExpired("expired"), AuthExpired("still expired")]
    account = Account.create(name="s", platform="scripted", external_id="s")
    run = _run(store, bus, account, sync_type="performance")
    assert run.status == "failed" and run.error_class == "ReauthRequired"
    assert Account.get_by_id(account.id).auth_state == "needs_sign_in"
    assert [e.detail for e in recorder.of(ev.AccountChanged)] == ["needs_sign_in"]


@pytest.mark.parametrize("error, cls", [(ReauthRequired("invalid_grant"), "ReauthRequired"),
                                        (Permanent("403 PERMISSION_DENIED"), "Permanent")])
def test_terminal_errors_stop_at_once(store, bus, scripted, error, cls) -> None:
    scripted.failures = [error]
    account = Account.create(name="s", platform="scripted", external_id="s")
    run = _run(store, bus, account, sync_type="performance")
    assert (run.status, run.error_class, scripted.fetches) == ("failed", cls, 1)
    assert error.message in run.error_message


class _Gate:
    """Lets exactly as many pages through as were released (an Event set and cleared can let several pass)."""

    def __init__(self) -> None:
        self._passes = threading.Semaphore(0)

    def release(self) -> None:
        self._passes.release()

    def wait(self, timeout: float) -> bool:
        return self._passes.acquire(timeout=timeout)


def test_cancel_mid_window_keeps_finished_windows_and_discards_the_one_in_flight(store, bus, scripted) -> None:
    account = Account.create(name="s", platform="scripted", external_id="s")
    gate = _Gate()
    scripted.block = gate
    run = runs.create_run(store, account=account, schedule=None, trigger="manual", sync_type="performance")
    runner = Runner(store, bus, max_workers=1)
    future = runner.submit(run.id)
    # 11 days in windows of 5, one day per page: let exactly the first window's 5 days through (the 5th day's
    # page then ends the window, which is committed), then cancel while the second window waits at the gate
    for _ in range(5):
        gate.release()
    deadline = time.monotonic() + 30
    while SyncRun.get_by_id(run.id).rows < 5:
        assert time.monotonic() < deadline, "the first window was not committed"
        threading.Event().wait(0.01)
    runner.cancel(run.id)
    outcome = future.result(timeout=10)
    runner.shutdown()
    final = SyncRun.get_by_id(run.id)
    assert outcome.status == final.status == "cancelled"
    assert final.rows == 5 and DailyStat.select().count() == 5
    assert final.finished_at is not None


def test_cancel_requested_by_another_process_reaches_the_run(store, bus, scripted) -> None:
    account = Account.create(name="s", platform="scripted", external_id="s")
    scripted.block = threading.Event()
    run = runs.create_run(store, account=account, schedule=None, trigger="manual", sync_type="performance")
    runner = Runner(store, bus, max_workers=1)
    future = runner.submit(run.id)
    while SyncRun.get_by_id(run.id).status != "running":
        threading.Event().wait(0.01)
    # what `autosync runs cancel ID` does from another process: only the flag in the store
    SyncRun.update(cancel_requested=True).where(SyncRun.id == run.id).execute()
    runner.beat()
    assert future.result(timeout=10).status == "cancelled"
    runner.shutdown()


def test_run_timeout_fails_the_run_and_keeps_finished_windows(store, bus, scripted, monkeypatch) -> None:
    account = Account.create(name="s", platform="scripted", external_id="s")
    scripted.block = threading.Event()
    run = runs.create_run(store, account=account, schedule=None, trigger="manual", sync_type="performance")
    runner = Runner(store, bus, max_workers=1)
    future = runner.submit(run.id)
    while SyncRun.get_by_id(run.id).status != "running":
        threading.Event().wait(0.01)
    monkeypatch.setattr(ConnectorContext, "remaining", lambda self: -1.0)  # the deadline has passed
    scripted.block.set()
    outcome = future.result(timeout=10)
    runner.shutdown()
    assert outcome.status == "failed" and outcome.error_class == "Timeout"
    assert "sync.run_timeout_minutes" in SyncRun.get_by_id(run.id).error_message
