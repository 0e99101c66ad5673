"""Retention prunes old history, never a running run nor a schedule's last success, and records what it did."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from autosync_desktop.clock import ShiftedClock
from autosync_desktop.store import retention, settings
from autosync_desktop.store.models import Account, DailyStat, RunEvent, Schedule, SyncRun, utcnow


def _run(account, schedule, status: str, days_ago: int) -> SyncRun:
    at = utcnow() - timedelta(days=days_ago)
    run = SyncRun.create(account=account, schedule=schedule, account_name=account.name,
                         schedule_name=schedule.name if schedule else None, platform="demo", status=status,
                         queued_at=at, started_at=at, finished_at=at)
    RunEvent.create(run=run, message="x", at=at)
    return run


def test_prune_keeps_recent_running_and_last_success(store) -> None:
    account = Account.create(name="a", platform="demo", external_id="a")
    schedule = Schedule.create(name="s", account=account, timezone="UTC")
    keep_success = _run(account, schedule, "succeeded", 400)  # the schedule's last success: kept forever
    old_failed = _run(account, schedule, "failed", 300)
    old_success = _run(account, schedule, "succeeded", 500)
    stuck = _run(account, schedule, "running", 365)
    recent = _run(account, None, "failed", 10)
    result = retention.prune(store)
    left = {r.id for r in SyncRun.select()}
    assert left == {keep_success.id, stuck.id, recent.id}
    assert old_failed.id not in left and old_success.id not in left
    assert result.runs_deleted == 2 and result.stats_deleted == 0
    assert RunEvent.select().count() == 3  # log lines went with their runs
    assert settings.get("retention.last_prune")["runs_deleted"] == 2


def test_prune_of_stats_only_when_configured(store) -> None:
    account = Account.create(name="a", platform="demo", external_id="a")
    clock = ShiftedClock(datetime(2027, 2, 28, 23, 59, tzinfo=UTC), tick=False)  # a month end: months_before()
    today = clock.today()
    for days in (10, 200, 800):
        DailyStat.create(account=account, campaign_id="c", date=today - timedelta(days=days), impressions=1,
                         clicks=1, cost_micros=1, conversions=0)
    assert retention.prune(store, clock).stats_deleted == 0
    settings.set_value("retention.stats_months", 12)
    result = retention.prune(store, clock)
    assert (result.stats_deleted, result.stats_before, result.at) == (1, "2026-02-28", "2027-02-28 23:59:00")
    assert sorted((today - r.date).days for r in DailyStat.select()) == [10, 200]


def test_prune_deletes_in_batches(store, monkeypatch) -> None:
    monkeypatch.setattr(retention, "BATCH", 7)
    account = Account.create(name="a", platform="demo", external_id="a")
    runs = [_run(account, None, "succeeded", 400 - i) for i in range(30)]
    assert retention.prune(store).runs_deleted == 29
    assert [r.id for r in SyncRun.select()] == [runs[-1].id]  # the account's last success stays


def test_months_before_clamps_the_day() -> None:
    assert retention.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert retention.months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert retention.months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)

