"""The scheduler service on a real BackgroundScheduler: firing, write-back, missed runs, pause, cross-process."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent

from autosync_desktop import events as ev
from autosync_desktop.store import runs, settings
from autosync_desktop.store.models import Account, Schedule, SyncRun, utcnow
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.scheduler import SchedulerService


@pytest.fixture
def service(store, bus):
    svc = SchedulerService(store, bus, Runner(store, bus, max_workers=2))
    yield svc
    svc.stop()


def _account() -> Account:
    return Account.create(name="demo", platform="demo", external_id="d", options='{"latency_ms": 0}')


def _wait_for(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_interval_schedule_fires_runs_and_writes_next_run_back(service, recorder) -> None:
    account = _account()
    # anchored so that the 1-minute interval ticks about a second from now
    schedule = Schedule.create(name="every", account=account, frequency="interval", every_minutes=1,
                               timezone="UTC", created_at=utcnow() - timedelta(seconds=59))
    service.start()
    first_next = Schedule.get_by_id(schedule.id).next_run_at
    assert first_next is not None and first_next - utcnow() < timedelta(seconds=2)
    _wait_for(lambda: SyncRun.select().where(SyncRun.status == "succeeded").count() == 1)
    # the run's row says succeeded a moment before RunFinished is published (written, then announced)
    _wait_for(lambda: any(isinstance(e, ev.RunFinished) for e in recorder.events))
    run = SyncRun.get()
    assert (run.trigger, run.schedule_name, run.account_name) == ("scheduled", "every", "demo")
    later = Schedule.get_by_id(schedule.id).next_run_at
    assert later is not None and later > first_next
    assert [type(e).__name__ for e in recorder.events if isinstance(e, ev.RunQueued | ev.RunFinished)] == [
        "RunQueued", "RunFinished"]


def test_paused_and_manual_schedules_have_no_job(service) -> None:
    account = _account()
    Schedule.create(name="p", account=account, frequency="daily", at_time="06:00", timezone="UTC", paused=True)
    Schedule.create(name="m", account=account, frequency="manual", timezone="UTC")
    Schedule.create(name="d", account=account, frequency="daily", at_time="06:00", timezone="Europe/Berlin")
    service.start()
    nexts = {s.name: s.next_run_at for s in Schedule.select()}
    assert nexts["p"] is None and nexts["m"] is None
    berlin = nexts["d"].replace(tzinfo=UTC).astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    assert (berlin.hour, berlin.minute) == (6, 0)
    settings.set_value("scheduler.paused_all", True)
    service.sync_jobs()
    assert Schedule.get(Schedule.name == "d").next_run_at is None


def test_missed_tick_while_closed_runs_once_as_catch_up(service) -> None:
    account = _account()
    Schedule.create(name="daily", account=account, frequency="daily", at_time="06:00", timezone="UTC",
                    next_run_at=utcnow() - timedelta(days=3))  # three days of ticks missed
    service.start()
    _wait_for(lambda: SyncRun.select().where(SyncRun.status == "succeeded").count() == 1)
    time.sleep(0.3)
    triggers = [r.trigger for r in SyncRun.select()]
    assert triggers == ["catch-up"]  # one run, not three


def test_missed_tick_with_skip_policy_is_recorded_not_run(service) -> None:
    account = _account()
    Schedule.create(name="daily", account=account, frequency="daily", at_time="06:00", timezone="UTC",
                    missed_policy="skip", next_run_at=utcnow() - timedelta(hours=5))
    service.start()
    run = SyncRun.get()
    assert run.status == "skipped" and "policy is skip" in run.reason and run.rows == 0
    assert SyncRun.select().count() == 1


def test_missed_tick_after_sleep_schedules_one_delayed_catch_up(service, store) -> None:
    settings.set_value("scheduler.wake_delay_s", 0.5)
    account = _account()
    schedule = Schedule.create(name="daily", account=account, frequency="daily", at_time="06:00", timezone="UTC")
    service.start()
    due = datetime.now(UTC) - timedelta(hours=2)
    missed = JobExecutionEvent(EVENT_JOB_MISSED, f"schedule:{schedule.id}", "default", due)
    service._on_missed(missed)
    service._on_missed(missed)  # a second report of the same miss replaces, never adds
    assert SyncRun.select().count() == 0  # waits for the network first
    _wait_for(lambda: SyncRun.select().where(SyncRun.status == "succeeded").count() == 1)
    time.sleep(0.7)
    assert [r.trigger for r in SyncRun.select()] == ["catch-up"]


def test_wake_is_detected_from_a_wall_clock_jump(service, recorder, monkeypatch) -> None:
    service.start()
    service._wall -= 600  # as if the wall clock moved 10 minutes while the monotonic clock slept
    service._check_wake()
    assert any("woke after" in e.detail for e in recorder.of(ev.SchedulerStateChanged))


def test_a_schedule_never_overlaps_itself(service, store) -> None:
    account = _account()
    schedule = Schedule.create(name="s", account=account, frequency="manual", timezone="UTC")
    blocker = runs.create_run(store, account=account, schedule=schedule, trigger="manual", sync_type="both")
    service.start()
    run_id = service.run_now(schedule.id)
    run = SyncRun.get_by_id(run_id)
    assert run.status == "skipped" and f"run #{blocker.id}" in run.reason


def test_runs_queued_by_another_process_are_claimed_and_executed(service, store) -> None:
    account = _account()
    queued = runs.create_run(store, account=account, schedule=None, trigger="manual", sync_type="both",
                             claim=False)
    assert queued.owner_pid is None
    service.start()
    _wait_for(lambda: SyncRun.get_by_id(queued.id).status == "succeeded")


def test_schedules_added_by_another_process_get_jobs(service) -> None:
    service.start()
    account = _account()
    Schedule.create(name="later", account=account, frequency="hourly", at_time=":15", timezone="UTC")
    _wait_for(lambda: Schedule.get(Schedule.name == "later").next_run_at is not None, timeout=6)
    assert Schedule.get(Schedule.name == "later").next_run_at.minute == 15


def test_stop_cancels_running_runs_and_records_them(service, store, scripted) -> None:
    import threading

    account = Account.create(name="s", platform="scripted", external_id="s")
    scripted.block = threading.Event()
    schedule = Schedule.create(name="s", account=account, frequency="manual", timezone="UTC")
    service.start()
    run_id = service.run_now(schedule.id)
    _wait_for(lambda: SyncRun.get_by_id(run_id).status == "running")
    service.stop()
    assert SyncRun.get_by_id(run_id).status == "cancelled"


def test_a_deferred_scheduled_run_gets_one_retry_at_the_reset_time(service, store, scripted) -> None:
    from autosync_desktop.connectors.base import RateLimited

    settings.set_value("retry.max_rate_limit_wait_s", 1)
    scripted.failures = [RateLimited("code 17", retry_after=1.5)]
    account = Account.create(name="s", platform="scripted", external_id="s")
    schedule = Schedule.create(name="s", account=account, frequency="manual", timezone="UTC")
    service.start()
    service.run_now(schedule.id)
    _wait_for(lambda: SyncRun.select().where(SyncRun.status == "succeeded").count() == 1, timeout=10)
    assert [(r.trigger, r.status) for r in SyncRun.select().order_by(SyncRun.id)] == [
        ("manual", "failed"), ("retry", "succeeded")]


def test_runs_a_crash_left_behind_are_announced_when_the_scheduler_starts(service, recorder) -> None:
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    account = _account()
    orphan = SyncRun.create(account=account, account_name="demo", platform="demo", status="running",
                            owner_pid=dead.pid, owner_host=runs.HOST, heartbeat_at=utcnow(), started_at=utcnow())
    service.start()
    finished = [e for e in recorder.of(ev.RunFinished) if e.run_id == orphan.id]
    assert len(finished) == 1 and finished[0].status == "interrupted" and "unexpectedly" in finished[0].error


def test_a_timed_pause_ends_by_itself_and_an_open_ended_one_does_not(service, store, bus, recorder) -> None:
    from autosync_desktop.store import timed_pause

    account = _account()
    Schedule.create(name="d", account=account, frequency="daily", at_time="06:00", timezone="UTC")
    settings.set_value("scheduler.paused_all", True)
    settings.set_value("scheduler.paused_until", timed_pause.fmt(datetime.now(UTC) - timedelta(seconds=1)))
    service.start()
    _wait_for(lambda: not settings.get("scheduler.paused_all"), timeout=10)
    assert settings.get("scheduler.paused_until") == ""  # cleared with the pause
    _wait_for(lambda: Schedule.get(Schedule.name == "d").next_run_at is not None, timeout=10)
    assert any(e.detail == "the timed pause ended" for e in recorder.of(ev.SchedulerStateChanged))
    settings.set_value("scheduler.paused_all", True)  # until resumed: no end stored
    time.sleep(2.5)
    assert settings.get("scheduler.paused_all") is True and not timed_pause.due()
