"""The run lifecycle in the database: claiming a run without overlap, heartbeats, finishing, orphan reaping.

Every state change is a short write transaction. `BEGIN IMMEDIATE` makes the overlap check and the insert
one step, so two processes (GUI, service, CLI) sharing a data dir can never both start the same schedule.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from peewee import SqliteDatabase

from autosync_desktop.export_spec import EXPORT_PLATFORM, ExportSpec
from autosync_desktop.store.models import (
    ACTIVE_STATUSES,
    Account,
    ProcessLease,
    RunEvent,
    Schedule,
    SyncRun,
    utcnow,
)

HEARTBEAT_STALE_S = 30.0
UNCLAIMED_STALE_S = 3600.0
HOST = socket.gethostname()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_gone(now: datetime, pid: int | None, host: str | None, heartbeat: datetime | None) -> bool:
    if pid is None:
        return False
    if host == HOST and pid != os.getpid() and not pid_alive(pid):
        return True
    if heartbeat is None:
        return False
    return (now - heartbeat).total_seconds() > HEARTBEAT_STALE_S


def reap_orphans(db: SqliteDatabase) -> list[int]:
    """Runs left queued/running by a dead process (or one whose heartbeat stopped) become `interrupted`."""
    now = utcnow()
    reaped: list[int] = []
    with db.atomic("IMMEDIATE"):
        claimer = _scheduler_alive()
        for run in SyncRun.select().where(SyncRun.status.in_(ACTIVE_STATUSES)):
            if run.owner_pid is None:
                if not claimer:  # queued for a scheduler that has gone: nobody will ever claim it
                    reason = ("The AutoSync process this sync was queued for stopped before starting it; "
                              "sync again to run it")
                elif (now - run.queued_at).total_seconds() <= UNCLAIMED_STALE_S:
                    continue  # waiting for a scheduler to claim it
                else:
                    reason = "No scheduler picked up this run within an hour"
            elif run.owner_pid == os.getpid() and run.owner_host == HOST:
                continue
            elif _owner_gone(now, run.owner_pid, run.owner_host, run.heartbeat_at):
                reason = ("The process running this sync stopped unexpectedly (crash, kill or power loss); "
                          "data from its last complete window is kept")
            else:
                continue
            _finish_row(run, "interrupted", now, reason=reason, error_class="Interrupted")
            RunEvent.create(run=run.id, level="error", message=reason)
            reaped.append(run.id)
        for lease in ProcessLease.select():
            if lease.pid == os.getpid() and lease.host == HOST:
                continue
            if _owner_gone(now, lease.pid, lease.host, lease.heartbeat_at):
                lease.delete_instance()
    return reaped


def active_run_of(schedule_id: int) -> SyncRun | None:
    run: SyncRun | None = (SyncRun.select()
                           .where((SyncRun.schedule == schedule_id) & SyncRun.status.in_(ACTIVE_STATUSES))
                           .order_by(SyncRun.id.desc()).first())
    return run


def active_run_of_account(account_id: int) -> SyncRun | None:
    run: SyncRun | None = (SyncRun.select()
                           .where((SyncRun.account == account_id) & SyncRun.status.in_(ACTIVE_STATUSES))
                           .order_by(SyncRun.id.desc()).first())
    return run


def run_account(schedule: Schedule) -> Account | None:
    """The account a run of `schedule` reads: None for an export schedule (it reads several, or all)."""
    return None if schedule.sync_type == "export" else schedule.owner()


def create_run(db: SqliteDatabase, *, account: Account | None, schedule: Schedule | None, trigger: str,
               sync_type: str, window_from: date | None = None, window_to: date | None = None,
               claim: bool = True, missing_inputs: Sequence[str] = ()) -> SyncRun:
    """Insert a run as `queued` (owned by this process when `claim`), or as `skipped` if one is active.

    Overlap is checked per schedule, and per account for runs without a schedule, in the same IMMEDIATE
    transaction as the insert, so concurrent processes serialise here. `account` None: a run of an export
    schedule, named after the accounts it writes ("All accounts") on the platform "export". `missing_inputs`: the
    upstream schedules that had not succeeded when this run's wait for them ended (stored as a JSON list).
    """
    now = utcnow()
    if account is None:
        if schedule is None:
            raise ValueError("a run without an account needs its export schedule")
        spec = ExportSpec.from_json(schedule.export_options)
        account_name, platform = spec.accounts_text, EXPORT_PLATFORM
    else:
        account_name, platform = account.name, account.platform
    with db.atomic("IMMEDIATE"):
        if schedule is not None:
            busy = active_run_of(schedule.id)
        else:
            assert account is not None
            busy = active_run_of_account(account.id)
        fields: dict[str, Any] = dict(
            schedule=schedule, account=account, schedule_name=schedule.name if schedule else None,
            account_name=account_name, platform=platform, sync_type=sync_type, trigger=trigger,
            window_from=window_from, window_to=window_to, queued_at=now,
            missing_inputs=json.dumps(list(missing_inputs)) if missing_inputs else None,
        )
        if busy is not None:
            what = f"schedule {schedule.name!r}" if schedule else f"account {account_name!r}"
            reason = f"Skipped: run #{busy.id} of {what} is still {busy.status}"
            run = SyncRun.create(**fields, status="skipped", reason=reason, finished_at=now, duration_s=0.0)
            RunEvent.create(run=run.id, level="warning", message=reason)
            return run
        owner = dict(owner_pid=os.getpid(), owner_host=HOST, heartbeat_at=now) if claim else {}
        run = SyncRun.create(**fields, status="queued", **owner)
        RunEvent.create(run=run.id, level="info", message=f"Queued ({trigger})")
        return run


def claim_unclaimed(db: SqliteDatabase, limit: int) -> list[SyncRun]:
    """Take runs that a CLI queued for whichever scheduler is alive (owner NULL), oldest first."""
    now = utcnow()
    with db.atomic("IMMEDIATE"):
        runs = list(SyncRun.select().where((SyncRun.status == "queued") & SyncRun.owner_pid.is_null())
                    .order_by(SyncRun.id).limit(limit))
        for run in runs:
            SyncRun.update(owner_pid=os.getpid(), owner_host=HOST, heartbeat_at=now).where(
                SyncRun.id == run.id).execute()
            run.owner_pid = os.getpid()
    return runs


def mark_running(run_id: int) -> bool:
    now = utcnow()
    updated: int = SyncRun.update(status="running", started_at=now, heartbeat_at=now).where(
        (SyncRun.id == run_id) & (SyncRun.status == "queued")).execute()
    return updated == 1


def heartbeat(run_ids: Iterable[int]) -> set[int]:
    """Touch the heartbeat of this process's active runs; return those whose cancel was requested."""
    ids = list(run_ids)
    if not ids:
        return set()
    SyncRun.update(heartbeat_at=utcnow()).where(
        SyncRun.id.in_(ids) & SyncRun.status.in_(ACTIVE_STATUSES)).execute()
    return {r.id for r in SyncRun.select(SyncRun.id).where(SyncRun.id.in_(ids) & SyncRun.cancel_requested)}


def request_cancel(db: SqliteDatabase, run_id: int) -> str:
    """Ask a run to stop. An unclaimed queued run is cancelled at once; a running one at its next page."""
    with db.atomic("IMMEDIATE"):
        run = SyncRun.get_or_none(SyncRun.id == run_id)
        if run is None:
            raise LookupError(f"No run with id {run_id}")
        if run.status not in ACTIVE_STATUSES:
            return run.status
        if run.owner_pid is None or (run.status == "queued" and run.owner_pid == os.getpid()):
            _finish_row(run, "cancelled", utcnow(), reason="Cancelled before it started")
            return "cancelled"
        SyncRun.update(cancel_requested=True).where(SyncRun.id == run_id).execute()
        return "cancelling"


def _finish_row(run: SyncRun, status: str, now: datetime, **fields: Any) -> None:
    start = run.started_at or run.queued_at
    duration = max(0.0, (now - start).total_seconds()) if run.started_at else 0.0
    SyncRun.update(status=status, finished_at=now, duration_s=duration, **fields).where(
        SyncRun.id == run.id).execute()


def finish_run(run_id: int, status: str, **fields: Any) -> SyncRun | None:
    """Record the end of a run, unless something else (a reaper, a cancel) already ended it."""
    run = SyncRun.get_or_none(SyncRun.id == run_id)
    if run is None or run.status not in ACTIVE_STATUSES:
        return None
    _finish_row(run, status, utcnow(), **fields)
    return SyncRun.get_by_id(run_id)


def add_event(run_id: int, level: str, message: str) -> None:
    RunEvent.create(run=run_id, level=level, message=message)


# --- process leases: who has the store open, and is a scheduler alive? --------------------------------------

def register_process(kind: str, runs_scheduler: bool) -> None:
    now = utcnow()
    (ProcessLease.insert(pid=os.getpid(), host=HOST, kind=kind, runs_scheduler=runs_scheduler, started_at=now,
                         heartbeat_at=now)
     .on_conflict(conflict_target=[ProcessLease.host, ProcessLease.pid],
                  update={ProcessLease.kind: kind, ProcessLease.runs_scheduler: runs_scheduler,
                          ProcessLease.heartbeat_at: now})
     .execute())


def touch_process() -> None:
    ProcessLease.update(heartbeat_at=utcnow()).where(
        (ProcessLease.pid == os.getpid()) & (ProcessLease.host == HOST)).execute()


def unregister_process() -> None:
    ProcessLease.delete().where((ProcessLease.pid == os.getpid()) & (ProcessLease.host == HOST)).execute()


def claim_scheduler(db: SqliteDatabase, kind: str) -> ProcessLease | None:
    """Register this process as the data dir's scheduler, unless another live one is: that one is returned.

    The check and the registration are one IMMEDIATE transaction, so of two processes starting at the same
    moment exactly one becomes the scheduler (the other sees its lease).
    """
    with db.atomic("IMMEDIATE"):
        other = live_scheduler()
        if other is None:
            register_process(kind, runs_scheduler=True)
        return other


def _scheduler_alive() -> bool:
    """Whether any live process (this one included) runs a scheduler that will claim unclaimed runs."""
    own = ProcessLease.get_or_none((ProcessLease.pid == os.getpid()) & (ProcessLease.host == HOST))
    return (own is not None and bool(own.runs_scheduler)) or live_scheduler() is not None


def live_scheduler() -> ProcessLease | None:
    """Another live process on this data dir that runs a scheduler, if any."""
    now = utcnow()
    for lease in ProcessLease.select().where(ProcessLease.runs_scheduler):
        if lease.pid == os.getpid() and lease.host == HOST:
            continue
        if lease.host == HOST and not pid_alive(lease.pid):
            continue
        if (now - lease.heartbeat_at) > timedelta(seconds=HEARTBEAT_STALE_S):
            continue
        return lease
    return None
