"""`services.runs`: ask for a sync, wait for it, cancel it; list runs, one run's detail, the History page's
keyset-paged list and its total, the active runs and the activity feed's recent log lines.

`RunsService` returns the run read models of autosync_desktop/domain.py (`RunRow`, `RunDetail`, `RunPage`,
`SyncRequest`, `CancelResult`, `ActivityLine`), never peewee rows. `run_row` turns a stored run into a `RunRow`
(for the other service modules).
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, date, datetime, timedelta

from autosync_desktop import clock, names
from autosync_desktop import events as ev
from autosync_desktop.connectors import registry
from autosync_desktop.domain import (
    ActivityLine,
    CancelResult,
    RunCursor,
    RunDetail,
    RunFilter,
    RunLogLine,
    RunPage,
    RunRow,
    RunStatus,
    RunWindows,
    SyncRequest,
    Trigger,
)
from autosync_desktop.services.accounts import RemovedAccount, account_row
from autosync_desktop.services.area import Area
from autosync_desktop.services.core import UserError
from autosync_desktop.services.schedules import schedule_row
from autosync_desktop.store import queries, runs
from autosync_desktop.store.models import ACTIVE_STATUSES, Account, RunEvent, Schedule, SyncRun
from autosync_desktop.sync import windows as win
from autosync_desktop.sync.windows import backfill_range

_WINDOWS = re.compile(r"^(\d+) window\(s\): (\S+) to (\S+)")  # the engine's first log line of a run


def _aware(moment: datetime) -> datetime:
    """Store timestamps are naive UTC; read models carry aware ones."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _maybe_aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else _aware(moment)


def run_row(run: SyncRun) -> RunRow:
    """A stored run as the read model every caller sees."""
    return RunRow(
        id=run.id, schedule=run.schedule_name, account=run.account_name, platform=run.platform,
        trigger=Trigger(run.trigger), status=RunStatus(run.status), queued_at=_aware(run.queued_at),
        started_at=_maybe_aware(run.started_at), finished_at=_maybe_aware(run.finished_at),
        duration_s=None if run.duration_s is None else round(run.duration_s, 3), rows=run.rows,
        campaigns=run.campaigns, pages=run.pages, api_calls=run.api_calls, attempt=run.attempt,
        error_class=run.error_class, error=run.error_message, reason=run.reason,
        window_from=run.window_from, window_to=run.window_to, missing_inputs=missing_inputs(run.missing_inputs))


def missing_inputs(stored: str | None) -> tuple[str, ...]:
    """sync_run.missing_inputs (a JSON list of schedule names, or NULL) as names; anything else stored: none."""
    if not stored:
        return ()
    try:
        names = json.loads(stored)
    except ValueError:
        return ()
    return tuple(str(name) for name in names) if isinstance(names, list) else ()


def _windows(row: RunRow, events: tuple[RunLogLine, ...]) -> RunWindows | None:
    if row.window_from is not None and row.window_to is not None:
        return RunWindows(first=row.window_from, last=row.window_to, count=None, backfill=True)
    for event in events:
        match = _WINDOWS.match(event.message)
        if match:
            try:
                first, last = date.fromisoformat(match.group(2)), date.fromisoformat(match.group(3))
            except ValueError:
                continue
            return RunWindows(first=first, last=last, count=int(match.group(1)), backfill=False)
    return None


def _statuses(values: tuple[str, ...], field: str) -> tuple[RunStatus, ...]:
    known = tuple(RunStatus)
    bad = [v for v in values if v not in known]
    if bad:
        raise UserError(f"{field}: {', '.join(bad)} unknown; use {', '.join(known)}")
    return tuple(RunStatus(v) for v in values)


MAX_UNCONFIRMED_WINDOWS = 12  # a backfill longer than this (12 x 30 days) on a real platform needs --yes


def _earliest_day(account: Account, today: date) -> tuple[date, str] | None:
    """The first day the platform still serves daily stats for, and how long that is in words."""
    spec = registry.platform(account.platform)
    if spec.is_sandbox:
        options = json.loads(account.options or "{}")
        try:
            days = int(options.get("history_days") or spec.default_history_days)
        except ValueError:
            days = spec.default_history_days
        return today - timedelta(days=days), f"has {days} days of history (option history_days)"
    if spec.retention_months is None:
        return None
    months = spec.retention_months
    span = f"{months // 12} years" if months % 12 == 0 else f"{months} months"
    return win.months_before(today, months), f"keeps daily stats for {span}"


def _check_backfill_size(account: Account, date_from: date, date_to: date, confirmed: bool) -> None:
    """Refuse a backfill from before the platform's retention, and a large one on a real platform unless confirmed."""
    spec = registry.platform(account.platform)
    zone = account.day_zone()
    try:
        today = win.today_in(str(zone))
    except (ValueError, KeyError):
        today = win.today_in("UTC")
    earliest = _earliest_day(account, today)
    if earliest is not None and date_from < earliest[0]:
        raise UserError(f"--from {date_from.isoformat()}: {spec.label} {earliest[1]}; use --from "
                        f"{earliest[0].isoformat()} or later")
    windows = win.window_count(win.Window(date_from, date_to), spec.max_window_days)
    if not spec.is_sandbox and windows > MAX_UNCONFIRMED_WINDOWS and not confirmed:
        raise UserError(f"--from/--to: this backfill takes {windows:,} windows of up to {spec.max_window_days} days, "
                        f"at least {windows + 1:,} API calls to {spec.label}; add --yes to start it, or choose a "
                        "shorter range")


def _schedule_or_account(name: str) -> tuple[Schedule | None, Account | None]:
    """The schedule named `name` (and its account; None for an export schedule), else the account;
    case-insensitive when that is unambiguous."""
    schedule = Schedule.get_or_none(Schedule.name == name)
    if schedule is not None:
        return schedule, runs.run_account(schedule)
    account = Account.get_or_none((Account.name == name) & Account.removed_at.is_null())
    if account is not None:
        return None, account
    try:
        schedule = schedule_row(name)
        return schedule, runs.run_account(schedule)
    except UserError:
        pass
    try:
        return None, account_row(name)
    except RemovedAccount:
        raise
    except UserError:
        known = [*(s.name for s in Schedule.select(Schedule.name)),
                 *(a.name for a in Account.select(Account.name).where(Account.removed_at.is_null()))]
        raise names.unknown("schedule or account", name, known, "see 'schedules list' and 'accounts list'") from None


class RunsService(Area):
    """Runs: requesting, waiting, cancelling, and reading them back."""

    # --- syncing ---

    def request(self, name: str, date_from: date | None = None, date_to: date | None = None,
                trigger: Trigger | None = None, *, confirmed: bool = False) -> SyncRequest:
        """Queue a run of a schedule (or an account's own run). A live scheduler in another process picks
        it up; otherwise this process executes it (see `wait`).

        A backfill (`date_from`..`date_to`) must start within what the platform keeps, and one of more than
        `MAX_UNCONFIRMED_WINDOWS` windows on a real platform needs `confirmed` (the CLI's --yes): it costs quota."""
        core = self.core
        schedule, account = _schedule_or_account(name)
        if (date_from is None) != (date_to is None):
            raise UserError("--from and --to go together: give both dates (YYYY-MM-DD) or neither")
        if date_from is not None and account is None:
            raise UserError("--from/--to: an export schedule writes its own range (its --range); leave them out")
        if date_from is not None and date_to is not None and account is not None:
            backfill_range(date_from, date_to)  # a bad range raises WindowError, a UserError
            if date_to > clock.today() + timedelta(days=1):
                raise UserError(f"--to {date_to.isoformat()} is in the future; use today or an earlier date")
            _check_backfill_size(account, date_from, date_to, confirmed)
        kind = trigger or (Trigger.BACKFILL if date_from else Trigger.MANUAL)
        sync_type = schedule.sync_type if schedule is not None else "both"
        if core.scheduler is not None:
            run = runs.create_run(core.db, account=account, schedule=schedule, trigger=kind.value,
                                  sync_type=sync_type, window_from=date_from, window_to=date_to)
            core.scheduler.submit(run)
            return SyncRequest(run.id, RunStatus(run.status), "this process")
        other = runs.live_scheduler()
        run = runs.create_run(core.db, account=account, schedule=schedule, trigger=kind.value, sync_type=sync_type,
                              window_from=date_from, window_to=date_to, claim=other is None)
        if run.status == RunStatus.QUEUED and other is None:
            core.runner.submit(run.id)
            core.bus.publish(ev.RunQueued(run_id=run.id, schedule=run.schedule_name, account=run.account_name,
                                          trigger=kind.value))
        handled = "this process" if other is None else f"{other.kind} pid {other.pid}"
        return SyncRequest(run.id, RunStatus(run.status), handled)

    def wait(self, run_id: int, poll_s: float = 0.5, timeout_s: float | None = None) -> RunRow:
        """The run once it has ended, or as it is when `timeout_s` has passed (None: no limit)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            run = self.get(run_id)
            if run.status.is_final or (deadline is not None and time.monotonic() > deadline):
                return run
            time.sleep(poll_s)

    def cancel(self, run_id: int) -> CancelResult:
        """Cancel a run: a queued one nobody claimed ends at once, a running one at its next page."""
        try:
            result = runs.request_cancel(self.core.db, run_id)
        except LookupError as exc:
            raise UserError(str(exc)) from None
        if self.core._runner is not None:
            self.core._runner.cancel(run_id)
        if result == "cancelling":
            return CancelResult(run_id, requested=True, status=RunStatus.RUNNING)
        return CancelResult(run_id, requested=False, status=RunStatus(result))

    # --- reading ---

    def get(self, run_id: int) -> RunRow:
        run = SyncRun.get_or_none(SyncRun.id == run_id)
        if run is None:
            raise UserError(f"No run with id {run_id}; see 'runs' for the list")
        return run_row(run)

    def detail(self, run_id: int) -> RunDetail:
        row = self.get(run_id)
        events = tuple(RunLogLine(at=_aware(e.at), level=e.level, message=e.message)
                       for e in RunEvent.select().where(RunEvent.run == run_id).order_by(RunEvent.id))
        return RunDetail(run=row, events=events, windows=_windows(row, events), retries=max(0, row.attempt - 1))

    def list(self, status: str | None = None, schedule: str | None = None, account: str | None = None,
             limit: int = 50, offset: int = 0) -> tuple[RunRow, ...]:
        """Runs, newest first (what `autosync runs` shows)."""
        if status is not None and status not in tuple(RunStatus):
            raise UserError(f"--status: must be one of {', '.join(RunStatus)}")
        if limit < 1 or limit > 100_000:
            raise UserError("--limit: must be between 1 and 100000")
        flt = queries.HistoryFilter(
            statuses=(status,) if status else (),
            schedule_id=schedule_row(schedule).id if schedule else None,
            account_id=account_row(account, removed=True).id if account else None)  # a removed one's runs too
        return tuple(run_row(run) for run in queries.history_page(flt, limit=limit, offset=offset))

    def history_filter(self, filters: RunFilter | None) -> queries.HistoryFilter:
        """`filters` in the store's terms (for the exports area)."""
        f = filters or RunFilter()
        return queries.HistoryFilter(
            statuses=tuple(s.value for s in _statuses(tuple(f.statuses), "status")),
            triggers=tuple(Trigger(t).value for t in f.triggers),
            schedule_id=schedule_row(f.schedule).id if f.schedule else None,
            account_id=account_row(f.account, removed=True).id if f.account else None,
            since=f.since, until=f.until, text=(f.text or "").strip() or None)

    def page(self, filters: RunFilter | None = None, after: RunCursor | None = None, limit: int = 200,
             order: str = "newest") -> RunPage:
        """One page of the History list: runs matching `filters`, continuing after `after` (the previous page's
        cursor), newest or oldest first."""
        if not 1 <= limit <= 10_000:
            raise UserError("limit: must be between 1 and 10000")
        key = (after.queued_at, after.id) if after else None
        rows = queries.history_after(self.history_filter(filters), key, limit, order)
        cursor = RunCursor(queued_at=_aware(rows[-1].queued_at), id=rows[-1].id) if rows else after
        return RunPage(rows=tuple(run_row(r) for r in rows), cursor=cursor, done=len(rows) < limit)

    def total(self, filters: RunFilter | None = None) -> int:
        """How many runs match `filters`."""
        return queries.history_count(self.history_filter(filters))

    def active(self) -> tuple[RunRow, ...]:
        """Queued and running runs (with their counters so far), oldest first."""
        query = SyncRun.select().where(SyncRun.status.in_(ACTIVE_STATUSES)).order_by(SyncRun.id)
        return tuple(run_row(r) for r in query)

    def active_count(self) -> int:
        return int(SyncRun.select().where(SyncRun.status.in_(ACTIVE_STATUSES)).count())

    def recent_activity(self, limit: int = 50) -> tuple[ActivityLine, ...]:
        """The newest run log lines with their run's names and status, newest first."""
        return tuple(ActivityLine(
            event_id=a.event_id, run_id=a.run_id, at=_aware(a.at), level=a.level, message=a.message,
            run_status=RunStatus(a.run_status), schedule=a.schedule_name, account=a.account_name,
            trigger=Trigger(a.trigger), run_rows=a.run_rows, run_duration_s=a.run_duration_s,
            run_finished_at=_maybe_aware(a.run_finished_at), run_error=a.run_error)
            for a in queries.recent_run_events(limit))
