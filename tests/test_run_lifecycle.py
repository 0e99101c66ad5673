"""Orphaned runs become `interrupted`; overlap is refused; cancel of a waiting run is immediate."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from autosync_desktop.store import runs
from autosync_desktop.store.models import Account, ProcessLease, Schedule, SyncRun, utcnow


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _account() -> Account:
    return Account.create(name="a", platform="demo", external_id="a")


def test_run_of_a_dead_process_becomes_interrupted(store) -> None:
    account = _account()
    run = SyncRun.create(account=account, account_name="a", platform="demo", status="running",
                         owner_pid=_dead_pid(), owner_host=runs.HOST, heartbeat_at=utcnow(),
                         started_at=utcnow())
    assert runs.reap_orphans(store) == [run.id]
    reaped = SyncRun.get_by_id(run.id)
    assert reaped.status == "interrupted" and "stopped unexpectedly" in reaped.reason
    assert reaped.finished_at is not None and reaped.duration_s is not None


def test_run_with_a_stale_heartbeat_becomes_interrupted_even_if_the_pid_lives(store) -> None:
    account = _account()
    stale = SyncRun.create(account=account, account_name="a", platform="demo", status="running",
                           owner_pid=1, owner_host="other-host", started_at=utcnow(),
                           heartbeat_at=utcnow() - timedelta(seconds=45))
    fresh = SyncRun.create(account=account, account_name="a", platform="demo", status="running",
                           owner_pid=1, owner_host="other-host", started_at=utcnow(), heartbeat_at=utcnow())
    assert runs.reap_orphans(store) == [stale.id]
    assert SyncRun.get_by_id(fresh.id).status == "running"


def test_own_runs_and_fresh_unclaimed_runs_are_left_alone(store) -> None:
    account = _account()
    ProcessLease.create(pid=os.getppid(), host=runs.HOST, kind="service", runs_scheduler=True)  # a live scheduler
    mine = SyncRun.create(account=account, account_name="a", platform="demo", status="running",
                          owner_pid=os.getpid(), owner_host=runs.HOST, heartbeat_at=utcnow() - timedelta(hours=1))
    waiting = SyncRun.create(account=account, account_name="a", platform="demo", status="queued")
    old = SyncRun.create(account=account, account_name="a", platform="demo", status="queued",
                         queued_at=utcnow() - timedelta(hours=2))
    assert runs.reap_orphans(store) == [old.id]
    assert {SyncRun.get_by_id(mine.id).status, SyncRun.get_by_id(waiting.id).status} == {"running", "queued"}


def test_second_start_of_a_schedule_is_recorded_as_skipped(store) -> None:
    account = _account()
    schedule = Schedule.create(name="s", account=account, timezone="UTC")
    first = runs.create_run(store, account=account, schedule=schedule, trigger="scheduled", sync_type="both")
    second = runs.create_run(store, account=account, schedule=schedule, trigger="manual", sync_type="both")
    assert first.status == "queued" and second.status == "skipped"
    assert f"run #{first.id}" in second.reason
    runs.finish_run(first.id, "succeeded")
    third = runs.create_run(store, account=account, schedule=schedule, trigger="manual", sync_type="both")
    assert third.status == "queued"


def test_cancel_of_an_unclaimed_run_is_immediate_and_of_a_running_one_is_a_request(store) -> None:
    account = _account()
    waiting = runs.create_run(store, account=account, schedule=None, trigger="manual", sync_type="both",
                              claim=False)
    assert runs.request_cancel(store, waiting.id) == "cancelled"
    assert SyncRun.get_by_id(waiting.id).status == "cancelled"
    other = Account.create(name="b", platform="demo", external_id="b")
    running = SyncRun.create(account=other, account_name="b", platform="demo", status="running", owner_pid=1,
                             owner_host="elsewhere", heartbeat_at=utcnow())
    assert runs.request_cancel(store, running.id) == "cancelling"
    assert SyncRun.get_by_id(running.id).cancel_requested
    assert runs.request_cancel(store, waiting.id) == "cancelled"  # already ended: reports the state


def test_finish_does_not_overwrite_a_run_already_ended_elsewhere(store) -> None:
    account = _account()
    run = runs.create_run(store, account=account, schedule=None, trigger="manual", sync_type="both")
    SyncRun.update(status="interrupted").where(SyncRun.id == run.id).execute()
    assert runs.finish_run(run.id, "succeeded") is None
    assert SyncRun.get_by_id(run.id).status == "interrupted"


def test_live_scheduler_ignores_dead_and_stale_processes(store) -> None:
    ProcessLease.create(pid=_dead_pid(), host=runs.HOST, kind="service", runs_scheduler=True)
    ProcessLease.create(pid=1, host="elsewhere", kind="gui", runs_scheduler=True,
                        heartbeat_at=utcnow() - timedelta(minutes=5))
    assert runs.live_scheduler() is None
    ProcessLease.create(pid=os.getppid(), host=runs.HOST, kind="service", runs_scheduler=True)
    lease = runs.live_scheduler()
    assert lease is not None and lease.pid == os.getppid()


def test_an_unclaimed_run_whose_scheduler_is_gone_is_reaped_at_once(store) -> None:
    account = _account()
    schedule = Schedule.create(name="s", account=account, timezone="UTC")
    ProcessLease.create(pid=_dead_pid(), host=runs.HOST, kind="service", runs_scheduler=True)  # killed service
    orphan = runs.create_run(store, account=account, schedule=schedule, trigger="manual", sync_type="both",
                             claim=False)
    assert runs.reap_orphans(store) == [orphan.id]
    reaped = SyncRun.get_by_id(orphan.id)
    assert reaped.status == "interrupted" and "stopped before starting it" in reaped.reason
    # the schedule is free again: the next start is queued, not skipped behind the dead run
    assert runs.create_run(store, account=account, schedule=schedule, trigger="manual",
                           sync_type="both").status == "queued"


def test_a_scheduler_process_keeps_unclaimed_runs_to_claim_them(store) -> None:
    account = _account()
    runs.register_process("service", runs_scheduler=True)
    waiting = SyncRun.create(account=account, account_name="a", platform="demo", status="queued")
    assert runs.reap_orphans(store) == []
    assert SyncRun.get_by_id(waiting.id).status == "queued"
