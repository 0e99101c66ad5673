"""One run, start to end: windows -> connector -> writer, with the lifecycle, retries, cancel and timeout.

The run row already exists (store/runs.py created it, claimed by this process). `Engine.execute` marks it
running, syncs campaigns and then each date window, commits every window together with its sync state,
and records how it ended. Cancel is cooperative: checked between pages and during every wait; the window
in flight is discarded, never half-written. Retries follow the error class (connectors/base.py).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any, TypeVar

from peewee import SqliteDatabase

from autosync_desktop import events as ev
from autosync_desktop import redaction
from autosync_desktop.clock import SYSTEM_CLOCK, Clock
from autosync_desktop.connectors import registry
from autosync_desktop.connectors.base import (
    AuthExpired,
    CampaignRecord,
    Cancelled,
    Connector,
    ConnectorContext,
    ConnectorError,
    DailyStatRecord,
    Permanent,
    PrefetchesWindows,
    RateLimited,
    ReauthRequired,
    RetryPolicy,
    Transient,
)
from autosync_desktop.domain import RunStatus
from autosync_desktop.errors import AutoSyncError, one_line
from autosync_desktop.store import runs, settings
from autosync_desktop.store.db import translate_error
from autosync_desktop.store.models import Account, Schedule, SyncRun, SyncState
from autosync_desktop.sync import day_plan
from autosync_desktop.sync import windows as win
from autosync_desktop.sync.engine_types import (  # re-exported: the engine's callers import them from here
    CredentialsFor,
    Deferred,
    Outcome,
    RunTimeout,
    SaveCredentials,
    http_limits,
    retry_policy,
)
from autosync_desktop.sync.writer import StatBuffer, Writer

__all__ = ["CredentialsFor", "Deferred", "Engine", "Outcome", "RunTimeout", "SaveCredentials", "http_limits",
           "retry_policy"]

log = logging.getLogger(__name__)

T = TypeVar("T")
class _Run:
    """Mutable state of one executing run (counters, the connector, the context)."""

    def __init__(self, row: SyncRun, account: Account, connector: Connector, ctx: ConnectorContext) -> None:
        self.row = row
        self.account = account
        self.connector = connector
        self.ctx = ctx
        self.rows = 0
        self.campaigns = 0
        self.pages = 0
        self.retries = 0
        self.refreshed = False
        self.windows_done = 0
        self.windows_total = 0


class Engine:
    def __init__(self, db: SqliteDatabase, bus: ev.EventBus, credentials_for: CredentialsFor | None = None,
                 rng: random.Random | None = None, save_credentials: SaveCredentials | None = None,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        self.db = db
        self.clock = clock  # "today" of every run, and the Demo connector's (through its context)
        self.bus = bus
        self.credentials_for = credentials_for or (lambda account: None)
        self.save_credentials = save_credentials
        self.rng = rng or random.Random()
        self.export_locked_delays_s: tuple[float, ...] = (60.0, 120.0, 240.0)  # a file held open: tries again

    # --- entry point --------------------------------------------------------------------------------------

    def execute(self, run_id: int, cancel_event: threading.Event) -> Outcome | None:
        """Run `run_id` to its end; None when there is no such run (removed before it started): nothing ran."""
        found = SyncRun.get_or_none(SyncRun.id == run_id)
        if found is None:
            return None
        if found.sync_type == "export":  # the morning file: written from the store, not synced
            from autosync_desktop.sync.export_run import execute_export

            return execute_export(self, run_id, cancel_event)
        if not runs.mark_running(run_id):  # cancelled (or reaped) before it could start
            return Outcome(RunStatus(SyncRun.get_by_id(run_id).status))
        row = SyncRun.get_by_id(run_id)
        started = time.monotonic()
        timeout_s = settings.get("sync.run_timeout_minutes") * 60
        ctx = ConnectorContext(cancel_event, deadline=started + timeout_s,
                               log=lambda level, message: self._log(run_id, level, message),
                               retry=retry_policy(), limits=http_limits(row.platform), clock=self.clock)
        state: _Run | None = None
        try:
            account = Account.get_by_id(row.account_id) if row.account_id else None
            if account is None:
                raise Permanent("The account of this run was removed")
            spec = registry.platform(account.platform)
            options = json.loads(account.options or "{}")
            if self.save_credentials is not None:
                ctx.credentials_sink = lambda creds, a=account: self.save_credentials(a, creds)
            credentials = self.credentials_for(account)
            redaction.remember_credentials(credentials)  # a platform that echoes one in an error: masked everywhere
            connector = spec.build(account.external_id, options, credentials, ctx)
            state = _Run(row, account, connector, ctx)
            try:
                outcome = self._sync(state, spec, options)
            finally:
                connector.close()
        except Cancelled:
            outcome = Outcome(RunStatus.CANCELLED, error="Cancelled by request; data from finished windows is kept")
        except RunTimeout as exc:
            outcome = Outcome(RunStatus.FAILED, error_class="Timeout", error=str(exc))
        except Deferred as exc:
            outcome = Outcome(RunStatus.FAILED, error_class="RateLimited", error=str(exc), retry_at=exc.retry_at,
                              shared_limit=exc.shared)
        except ReauthRequired as exc:
            self._needs_sign_in(row.account_id, exc)
            outcome = Outcome(RunStatus.FAILED, error_class=exc.error_class, error=_error_text(exc))
        except ConnectorError as exc:
            outcome = Outcome(RunStatus.FAILED, error_class=exc.error_class, error=_error_text(exc))
        except Exception as exc:  # record it, never leave the run "running"
            failure = translate_error(exc)  # the store's SQLite failures (damaged, locked, full) as the error root
            if isinstance(failure, AutoSyncError):  # expected (no keyring, a store failure): one line, no traceback
                log.warning("run %s failed: %s", run_id, one_line(failure))
            else:
                log.exception("run %s failed unexpectedly", run_id)  # a bug
            outcome = Outcome(RunStatus.FAILED, error_class=type(failure).__name__,
                              error=str(failure) or repr(failure))
        if state is not None:
            outcome.rows, outcome.campaigns = state.rows, state.campaigns
        return self._finish(run_id, row, state, outcome)

    # --- the sync itself ----------------------------------------------------------------------------------

    def _sync(self, run: _Run, spec: registry.PlatformSpec, options: dict[str, Any]) -> Outcome:
        info = self._retrying(run, "account", run.connector.account_info)
        self._update_account(run.account, info.currency, info.timezone)
        tz = run.account.timezone or options.get("timezone") or "UTC"
        plan = self._plan(run, spec, options, tz)
        run.windows_total = len(plan)
        self.bus.publish(ev.RunStarted(run_id=run.row.id, schedule=run.row.schedule_name,
                                       account=run.account.name, platform=run.account.platform,
                                       trigger=run.row.trigger, windows=len(plan)))
        if plan:
            self._log(run.row.id, "info", f"{len(plan)} window(s): {plan[0].start} to {plan[-1].end} ({tz})")
        writer = Writer(self.db, run.account.id, run.row.id, zone=tz, clock=self.clock)
        if run.row.sync_type in ("campaigns", "both"):
            campaigns = self._retrying(run, "campaigns", lambda: self._collect_campaigns(run))
            run.campaigns = writer.write_campaigns(campaigns)
            self._save_counters(run)
            self._log(run.row.id, "info", f"Campaigns: {run.campaigns} written")
            self._progress(run, f"{run.campaigns} campaigns")
        if run.row.sync_type in ("performance", "both"):
            known = writer.known_campaigns()
            ahead = self._prefetch(run, plan)  # None: one window at a time
            for window in plan:
                buffer = self._retrying(run, f"window {window}", self._window_fetch(run, window, known, ahead))
                run.ctx.check()
                self._check_deadline(run)
                written = writer.replace_window(window.start, window.end, buffer)
                if writer.merged:
                    self._log(run.row.id, "warning", f"Window {window}: the platform repeated {writer.merged} "
                                                     "(campaign, day) row(s); merged (an exact repeat counts once, "
                                                     "differing rows are added up)")
                known |= buffer.names.keys()
                run.rows += written
                run.windows_done += 1
                self._save_counters(run)
                del buffer  # free this window before the next one is fetched: the peak holds one window
                self._log(run.row.id, "info", f"Window {window}: {written} rows" + (
                    f"; the platform changed {writer.restated} day(s) since their last fetch" * bool(writer.restated)))
                self._progress(run, f"window {window} done")
        return Outcome(RunStatus.SUCCEEDED)

    def _plan(self, run: _Run, spec: registry.PlatformSpec, options: dict[str, Any], tz: str) -> list[win.Window]:
        if run.row.sync_type == "campaigns":
            return []
        if run.row.window_from is not None and run.row.window_to is not None:
            whole = win.backfill_range(_as_date(run.row.window_from), _as_date(run.row.window_to))
        else:
            schedule = Schedule.get_or_none(Schedule.id == run.row.schedule_id) if run.row.schedule_id else None
            lookback = _first_int(schedule.lookback_days if schedule else None, options.get("lookback_days"),
                                  spec.default_lookback_days)
            initial = min(settings.get("sync.initial_history_days"),
                          _first_int(options.get("history_days"), spec.default_history_days))
            state = SyncState.get_or_none((SyncState.account == run.account.id)
                                          & (SyncState.stream == "daily_stats"))
            last = _as_date(state.last_complete_date) if state and state.last_complete_date else None
            now = self.clock.now()
            planned = day_plan.plan_incremental(run.account.id, run.account.platform, lookback, win.sync_range(
                win.today_in(tz, now), last, lookback, initial), tz, now, spec.max_window_days)
            self._log(run.row.id, "info", planned.description)
            return planned.windows
        return win.chunk(whole, spec.max_window_days)

    def _collect_campaigns(self, run: _Run) -> list[CampaignRecord]:
        out: list[CampaignRecord] = []
        for page in self._pages(run, run.connector.fetch_campaigns()):
            out.extend(page)
        return out

    @staticmethod
    def _prefetch(run: _Run, plan: list[win.Window]) -> Iterator[Iterator[list[DailyStatRecord]]] | None:
        """The connector's windows fetched ahead, when it can (base.PrefetchesWindows) and there are several."""
        if len(plan) < 2 or not isinstance(run.connector, PrefetchesWindows):
            return None
        return run.connector.prefetch_daily_stats([(window.start, window.end) for window in plan])

    def _window_fetch(self, run: _Run, window: win.Window, known: set[str],
                      ahead: Iterator[Iterator[list[DailyStatRecord]]] | None) -> Callable[[], StatBuffer]:
        """`_retrying`'s fetch of one window: its prefetched pages first (they may raise the window's error); a
        retry fetches the window alone, the ordinary way."""
        prefetched = [next(ahead)] if ahead is not None else []

        def fetch() -> StatBuffer:
            pages = prefetched.pop() if prefetched else run.connector.fetch_daily_stats(window.start, window.end)
            return self._collect_stats(run, window, known, pages)
        return fetch

    def _collect_stats(self, run: _Run, window: win.Window, known: set[str],
                       pages: Iterator[list[DailyStatRecord]]) -> StatBuffer:
        """Fetch a whole window into memory (bounded by window size), so it can be committed atomically."""
        buffer = StatBuffer(set(known))
        for page in self._pages(run, pages):
            buffer.add(page)
            self._progress(run, f"window {window}", pending=len(buffer))
        return buffer

    def _pages(self, run: _Run, pages: Iterator[list[T]]) -> Iterator[list[T]]:
        for page in pages:
            run.pages += 1
            yield page
            run.ctx.check()
            self._check_deadline(run)

    # --- retries ------------------------------------------------------------------------------------------

    def _retrying(self, run: _Run, what: str, fetch: Callable[[], T]) -> T:
        policy = run.ctx.retry
        attempt = 1
        while True:
            run.ctx.check()
            self._check_deadline(run)
            try:
                return fetch()
            except AuthExpired as exc:
                if run.refreshed:
                    raise ReauthRequired("The platform rejected the token again after a refresh; sign in again",
                                         platform_message=exc.platform_message) from exc
                run.refreshed = True
                self._log(run.row.id, "warning", f"{what}: access token expired, refreshing it once")
                run.connector.refresh_auth()
                continue
            except RateLimited as exc:
                if exc.exhausted and (exc.retry_after or 0) <= policy.max_rate_limit_wait_s:
                    raise
                wait = exc.retry_after if exc.retry_after is not None else policy.backoff(attempt, self.rng)
                if wait > policy.max_rate_limit_wait_s:
                    retry_at = self.clock.now() + timedelta(seconds=wait)
                    raise Deferred(f"Rate limited by the platform until {retry_at:%Y-%m-%d %H:%M} UTC "
                                   f"({_error_text(exc)}); deferred instead of retrying", retry_at,
                                   shared=exc.shared) from exc
                if attempt >= policy.max_attempts:
                    raise
                self._wait(run, what, exc, wait, attempt, policy)
            except Transient as exc:
                if exc.exhausted or attempt >= policy.max_attempts:
                    raise
                self._wait(run, what, exc, policy.backoff(attempt, self.rng), attempt, policy)
            attempt += 1
            run.retries += 1

    def _wait(self, run: _Run, what: str, exc: ConnectorError, seconds: float, attempt: int,
              policy: RetryPolicy) -> None:
        self._log(run.row.id, "warning", f"{what}: {exc.error_class} ({exc.message}); attempt {attempt} of "
                                         f"{policy.max_attempts}, retrying in {seconds:.1f} s")
        remaining = run.ctx.remaining()
        rate_limit = isinstance(exc, RateLimited)  # its time goes to the run's rate_limit_wait_s
        if remaining is not None and seconds > remaining:
            run.ctx.sleep(max(0.0, remaining), rate_limit=rate_limit)
            self._check_deadline(run)
        run.ctx.sleep(seconds, rate_limit=rate_limit)

    def _check_deadline(self, run: _Run) -> None:
        remaining = run.ctx.remaining()
        if remaining is not None and remaining <= 0:
            minutes = settings.get("sync.run_timeout_minutes")
            raise RunTimeout(f"The run exceeded its time limit of {minutes:g} minutes "
                             "(setting sync.run_timeout_minutes); finished windows are kept")

    # --- bookkeeping --------------------------------------------------------------------------------------

    def _progress(self, run: _Run, message: str, pending: int = 0) -> None:
        self.bus.publish(ev.RunProgress(run_id=run.row.id, rows=run.rows + pending, campaigns=run.campaigns,
                                        pages=run.pages, windows_done=run.windows_done,
                                        windows_total=run.windows_total, message=message))

    def _save_counters(self, run: _Run) -> None:
        stats = run.ctx.stats
        SyncRun.update(rows=run.rows, campaigns=run.campaigns, pages=run.pages, api_calls=stats.calls,
                       api_errors=stats.errors, api_latency_ms=stats.latency_ms_total,
                       rate_limit_wait_s=stats.rate_limit_wait_s, attempt=run.retries + 1).where(
            SyncRun.id == run.row.id).execute()

    def log(self, run_id: int, level: str, message: str) -> None:
        """A line in the run's log (store and bus), masked (for sync/export_run.py too)."""
        self._log(run_id, level, message)

    def finish(self, run_id: int, row: SyncRun, outcome: Outcome) -> Outcome:
        """Record the end of a run that is not a sync (an export) and announce it."""
        return self._finish(run_id, row, None, outcome)

    @staticmethod
    def log_exception(run_id: int, exc: BaseException) -> None:
        log.error("run %s failed unexpectedly", run_id, exc_info=exc)  # a bug

    def _log(self, run_id: int, level: str, message: str) -> None:
        message = redaction.clean(message)  # once, for the store and the bus (the window's feed, notifications)
        runs.add_event(run_id, level, message)
        self.bus.publish(ev.RunLog(run_id=run_id, level=level, message=message))

    def _update_account(self, account: Account, currency: str | None, timezone: str | None) -> None:
        changes: dict[str, str | None] = {}
        if currency and currency != account.currency:
            changes["currency"] = account.currency = currency
        if timezone and timezone != account.timezone:
            changes["timezone"] = account.timezone = timezone
        if account.auth_state != "ok":
            changes["auth_state"] = account.auth_state = "ok"
            changes["auth_message"] = None
        if changes:
            Account.update(**changes).where(Account.id == account.id).execute()

    def _needs_sign_in(self, account_id: int | None, exc: ConnectorError) -> None:
        if account_id is None:
            return
        Account.update(auth_state="needs_sign_in", auth_message=_error_text(exc)).where(
            Account.id == account_id).execute()
        account = Account.get_by_id(account_id)
        self.bus.publish(ev.AccountChanged(account=account.name, change="auth_state", detail="needs_sign_in"))

    def _finish(self, run_id: int, row: SyncRun, state: _Run | None, outcome: Outcome) -> Outcome:
        outcome.error = redaction.clean(outcome.error) or None  # the store, the bus and the caller get it masked
        if state is not None:
            self._save_counters(state)
        if outcome.error:
            self._log(run_id, "error" if outcome.status == "failed" else "warning", outcome.error)
        reason = outcome.error if outcome.status == "cancelled" else None
        finished = runs.finish_run(run_id, outcome.status, error_class=outcome.error_class,
                                   error_message=outcome.error if outcome.status == "failed" else None,
                                   reason=reason)
        if finished is None:  # something else ended it first (a reaper); report what the store says
            finished = SyncRun.get_by_id(run_id)
            outcome.status = RunStatus(finished.status)
        self.bus.publish(ev.RunFinished(run_id=run_id, schedule=row.schedule_name, account=row.account_name,
                                        trigger=row.trigger, status=outcome.status.value, rows=outcome.rows,
                                        duration_s=finished.duration_s, error_class=outcome.error_class,
                                        error=outcome.error, retry_at=outcome.retry_at, platform=row.platform,
                                        shared_limit=outcome.shared_limit))
        return outcome


def _error_text(exc: ConnectorError) -> str:
    if exc.platform_message and exc.platform_message not in exc.message:
        return f"{exc.message} (platform said: {exc.platform_message})"
    return exc.message


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _first_int(*values: Any) -> int:
    for value in values:
        if value is not None and value != "":
            return int(value)
    raise ValueError("no value")
