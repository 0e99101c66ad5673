"""Syncing: queue a run (here or for the process running the scheduler), wait for it, cancel it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from peewee import SqliteDatabase

from autosync_desktop import events as ev
from autosync_desktop.services.core import UserError
from autosync_desktop.store import runs
from autosync_desktop.store.models import ACTIVE_STATUSES, Account, Schedule, SyncRun
from autosync_desktop.sync.engine import Outcome
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.scheduler import SchedulerService
from autosync_desktop.sync.windows import WindowError, backfill_range


@dataclass(frozen=True, slots=True)
class SyncRequest:
    run_id: int
    status: str  # queued | skipped
    handled_by: str  # "this process" | "service pid N"


class SyncsMixin:
    """Requesting, waiting for and cancelling runs."""

    db: SqliteDatabase
    bus: ev.EventBus
    scheduler: SchedulerService | None
    _runner: Runner | None

    if TYPE_CHECKING:  # provided by ServicesCore (core.py)
        @property
        def runner(self) -> Runner: ...

    def request_sync(self, name: str, date_from: date | None = None, date_to: date | None = None,
                     trigger: str | None = None) -> SyncRequest:
        """Queue a run of a schedule (or an account's own run). A live scheduler in another process picks
        it up; otherwise this process executes it (see `wait`)."""
        schedule = Schedule.get_or_none(Schedule.name == name)
        account = schedule.account if schedule is not None else Account.get_or_none(Account.name == name)
        if account is None:
            raise UserError(f"Unknown schedule or account {name!r}; see 'schedules list' and 'accounts list'")
        if (date_from is None) != (date_to is None):
            raise UserError("--from and --to go together: give both dates (YYYY-MM-DD) or neither")
        if date_from is not None and date_to is not None:
            try:
                backfill_range(date_from, date_to)
            except WindowError as exc:
                raise UserError(str(exc)) from None
            if date_to > date.today() + timedelta(days=1):
                raise UserError(f"--to {date_to.isoformat()} is in the future; use today or an earlier date")
        trigger = trigger or ("backfill" if date_from else "manual")
        sync_type = schedule.sync_type if schedule is not None else "both"
        if self.scheduler is not None:
            run = runs.create_run(self.db, account=account, schedule=schedule, trigger=trigger,
                                  sync_type=sync_type, window_from=date_from, window_to=date_to)
            self.scheduler.submit(run)
            return SyncRequest(run.id, run.status, "this process")
        other = runs.live_scheduler()
        run = runs.create_run(self.db, account=account, schedule=schedule, trigger=trigger, sync_type=sync_type,
                              window_from=date_from, window_to=date_to, claim=other is None)
        if run.status == "queued" and other is None:
            self.runner.submit(run.id)
            self.bus.publish(ev.RunQueued(run_id=run.id, schedule=run.schedule_name, account=run.account_name,
                                          trigger=trigger))
        handled = "this process" if other is None else f"{other.kind} pid {other.pid}"
        return SyncRequest(run.id, run.status, handled)

    def wait_for_run(self, run_id: int, poll_s: float = 0.5, timeout_s: float | None = None) -> SyncRun:
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            run = SyncRun.get_by_id(run_id)
            if run.status not in ACTIVE_STATUSES:
                return run
            if deadline is not None and time.monotonic() > deadline:
                return run
            time.sleep(poll_s)

    def cancel_run(self, run_id: int) -> str:
        try:
            result = runs.request_cancel(self.db, run_id)
        except LookupError as exc:
            raise UserError(str(exc)) from None
        if self._runner is not None:
            self._runner.cancel(run_id)
        return result

    def outcome_of(self, run_id: int) -> Outcome:
        run = SyncRun.get_by_id(run_id)
        return Outcome(run.status, run.rows, run.campaigns, run.error_class, run.error_message)
