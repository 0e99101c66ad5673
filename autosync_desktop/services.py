"""The one API that the GUI and the CLI use: accounts, schedules, syncs, history, status, export, settings.

`Services.open(data_dir)` opens (creating or migrating) the store, turns runs orphaned by a dead process
into `interrupted`, and registers this process. Methods validate input and raise `UserError` with a message
that names the field and the fix; nothing is written when validation fails. Methods may block on the
database or the keyring: GUI code calls them from workers, never on the GUI thread.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import platformdirs

from autosync_desktop import autostart, logs, notify, secrets
from autosync_desktop import events as ev
from autosync_desktop.connectors import oauth, registry
from autosync_desktop.connectors.base import ConnectorContext, ConnectorError
from autosync_desktop.store import queries, retention, runs, settings, timed_pause
from autosync_desktop.store.db import open_store
from autosync_desktop.store.models import (
    ACTIVE_STATUSES,
    FREQUENCIES,
    MISSED_POLICIES,
    RUN_STATUSES,
    SCHEDULE_TYPES,
    Account,
    Campaign,
    RunEvent,
    Schedule,
    SyncRun,
    utcnow,
)
from autosync_desktop.sync import probe, triggers
from autosync_desktop.sync.engine import Outcome
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.scheduler import SchedulerService, spec_of
from autosync_desktop.sync.windows import WindowError, backfill_range

APP_NAME = "AutoSync Desktop"
DB_NAME = "autosync.db"
PERIODS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
NOTIFY_STATE = "notify.state"  # the notifier's dedupe/held/digest state (JSON in the settings table)
START_AT_LOGIN = "general.start_at_login"

log = logging.getLogger(__name__)


class UserError(ValueError):
    """Bad input or an impossible request, in words the user can act on."""


def sign_in_hint(platform: str, account: str) -> str:
    """What the user runs to (re)connect an account: browser sign-in where the platform has one."""
    name = shlex.quote(account)
    if platform in oauth.PROVIDERS:
        return f"sign in with: autosync accounts connect {name}"
    return f"store a new token with: autosync accounts set-credentials {name} --credentials-stdin"


def default_data_dir() -> Path:
    override = os.environ.get("AUTOSYNC_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("autosync-desktop", appauthor=False))


def iso(moment: datetime | date | None) -> str | None:
    """Store timestamps (naive UTC) as ISO 8601 with Z; dates as YYYY-MM-DD."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return moment.isoformat()


@dataclass(frozen=True, slots=True)
class SyncRequest:
    run_id: int
    status: str  # queued | skipped
    handled_by: str  # "this process" | "service pid N"


class Services:
    def __init__(self, data_dir: Path, bus: ev.EventBus, kind: str) -> None:
        self.data_dir = data_dir
        self.db_path = data_dir / DB_NAME
        self.bus = bus
        self.kind = kind
        self.db = open_store(self.db_path)
        self.reaped = runs.reap_orphans(self.db)  # runs a crashed process left behind, now `interrupted`
        runs.register_process(kind, runs_scheduler=False)
        self.scheduler: SchedulerService | None = None
        self.notifier: notify.Dispatcher | None = None  # runs where the scheduler runs (service or window)
        self._desktop_sink: Callable[[notify.Notification], None] | None = None
        self._runner: Runner | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, data_dir: Path | None = None, bus: ev.EventBus | None = None, kind: str = "cli") -> Services:
        return cls(data_dir or default_data_dir(), bus or ev.EventBus(), kind)

    def close(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        elif self._runner is not None:
            self._runner.shutdown(cancel=True, wait=True)
        if self.notifier is not None:
            self.notifier.stop()
            self.notifier = None
        runs.unregister_process()
        self.db.close()

    # --- runner / scheduler -------------------------------------------------------------------------------

    @property
    def runner(self) -> Runner:
        with self._lock:
            if self._runner is None:
                self._runner = Runner(self.db, self.bus, settings.get("scheduler.max_concurrent_runs"),
                                      credentials_for=self._credentials_for,
                                      save_credentials=lambda account, creds: secrets.save_credentials(
                                          account.name, creds))
            return self._runner

    def start_scheduler(self) -> SchedulerService:
        other = runs.live_scheduler()
        if other is not None:
            raise UserError(f"Another AutoSync process ({other.kind}, pid {other.pid}) is already running the "
                            f"scheduler for {self.data_dir}; stop it first or use another --data-dir")
        self.scheduler = SchedulerService(self.db, self.bus, self.runner)
        self._start_notifier()  # first, so runs a crash left behind are announced too
        self.scheduler.start(self.kind)
        for run_id in self.reaped:
            self.scheduler.announce(SyncRun.get_by_id(run_id))
        return self.scheduler

    def _credentials_for(self, account: Account) -> dict[str, str] | None:
        if registry.platform(account.platform).is_sandbox:
            return None
        return secrets.load_credentials(account.name)

    # --- accounts -----------------------------------------------------------------------------------------

    def account(self, name: str) -> Account:
        account = Account.get_or_none(Account.name == name)
        if account is None:
            known = ", ".join(a.name for a in Account.select(Account.name).order_by(Account.name)) or "none yet"
            raise UserError(f"Unknown account {name!r} (accounts: {known}); add it with 'accounts add'")
        return account

    def add_account(self, platform: str, name: str, account_id: str | None = None,
                    options: dict[str, str] | None = None, credentials: dict[str, str] | None = None) -> Account:
        name = (name or "").strip()
        if not name:
            raise UserError("--name: an account needs a name, e.g. --name 'Acme Google Ads'")
        try:
            spec = registry.platform(platform)
        except registry.UnknownPlatform as exc:
            raise UserError(str(exc)) from None
        if Account.get_or_none(Account.name == name) is not None:
            raise UserError(f"--name: an account named {name!r} already exists; pick another name")
        options = dict(options or {})
        unknown = sorted(set(options) - set(spec.option_names) - {"lookback_days", "api_base_url", "token_url"})
        if unknown:
            allowed = ", ".join((*spec.option_names, "lookback_days")) or "lookback_days"
            raise UserError(f"--option: {', '.join(unknown)} not known for {spec.label}; allowed: {allowed}")
        if "lookback_days" in options:
            _int_in_range("--option lookback_days", options["lookback_days"], 0, 365)
        external_id = (account_id or "").strip() or (name if spec.is_sandbox else "")
        if not external_id:
            raise UserError(f"--account-id: {spec.label} needs the platform's account id")
        try:
            external_id = spec.canonical_id(external_id)
        except ConnectorError as exc:
            raise UserError(f"--account-id: {exc.message}") from None
        # Without a token yet (e.g. only a Google developer token), the browser sign-in completes the credentials.
        needs_sign_in = not spec.is_sandbox and (not credentials or (
            platform in oauth.PROVIDERS and not {"refresh_token", "access_token"} & credentials.keys()))
        if spec.factory is not None and not needs_sign_in:  # validate options and credentials now, not at 06:00
            try:
                spec.build(external_id, options, credentials, ConnectorContext()).close()
            except ConnectorError as exc:
                raise UserError(exc.message) from None
        if credentials:
            try:
                secrets.save_credentials(name, credentials)
            except secrets.SecretsUnavailable as exc:
                raise UserError(str(exc)) from None
        account = Account.create(
            name=name, platform=platform, external_id=external_id, options=json.dumps(options),
            auth_state="needs_sign_in" if needs_sign_in else "ok",
            auth_message=f"No credentials yet: {sign_in_hint(platform, name)}" if needs_sign_in else None)
        self.bus.publish(ev.AccountChanged(account=name, change="created"))
        return account

    def set_credentials(self, name: str, credentials: dict[str, str]) -> str:
        """Replace an account's credentials (e.g. a new Meta token) after checking them with one real call;
        the account's data and history stay. On failure the old credentials are kept."""
        account = self.account(name)
        spec = registry.platform(account.platform)
        if spec.is_sandbox:
            raise UserError(f"{spec.label} needs no credentials")
        if not credentials:
            raise UserError("--credentials-stdin: expected one JSON object with the credentials")
        try:
            previous = secrets.load_credentials(name)
            secrets.save_credentials(name, credentials)
            result = probe.probe(account, self._credentials_for, self.bus)
            if not result.ok:
                if previous is not None:
                    secrets.save_credentials(name, previous)
                else:
                    secrets.delete_credentials(name)
                raise UserError(f"The new credentials did not work ({result.message}); the old ones are kept")
        except secrets.SecretsUnavailable as exc:
            raise UserError(str(exc)) from None
        Account.update(auth_state="ok", auth_message=None).where(Account.id == account.id).execute()
        self.bus.publish(ev.AccountChanged(account=name, change="auth_state", detail="ok"))
        return f"Credentials of {name!r} replaced and checked: {result.message}"

    def list_accounts(self) -> list[dict[str, Any]]:
        health = {h.account_id: h for h in queries.account_health()}
        out = []
        for account in Account.select().order_by(Account.name):
            h = health.get(account.id)
            out.append({
                "name": account.name, "platform": account.platform, "account_id": account.external_id,
                "auth_state": account.auth_state, "health": h.health if h else "never_synced",
                "currency": account.currency, "timezone": account.timezone,
                "last_success_at": iso(h.last_success_at) if h else None,
                "options": json.loads(account.options or "{}"),
            })
        return out

    def remove_account(self, name: str) -> None:
        account = self.account(name)
        if runs.active_run_of_account(account.id) is not None or SyncRun.select().where(
                (SyncRun.account == account.id) & SyncRun.status.in_(ACTIVE_STATUSES)).exists():
            raise UserError(f"Account {name!r} has a sync in progress; cancel it first ('runs cancel ID')")
        if not registry.platform(account.platform).is_sandbox:
            try:
                secrets.delete_credentials(name)
            except secrets.SecretsUnavailable as exc:
                raise UserError(f"Could not remove the credentials of {name!r}: {exc}") from None
        schedules = [s.name for s in account.schedules]
        account.delete_instance()  # cascades to schedules, campaigns, stats, state; runs keep the names
        for schedule in schedules:
            self.bus.publish(ev.ScheduleChanged(schedule=schedule, change="removed"))
        self.bus.publish(ev.AccountChanged(account=name, change="removed"))

    def test_account(self, name: str) -> str:
        """One cheap real call; recorded as a connectivity probe (it feeds the account's health)."""
        account = self.account(name)
        result = probe.probe(account, self._credentials_for, self.bus)
        if not result.ok:
            raise UserError(result.message)
        return result.message

    def connect_account(self, name: str, *, on_url: Callable[[str], None], client_id: str | None = None,
                        client_secret: str | None = None, timeout_s: float = 300.0,
                        cancel: threading.Event | None = None) -> str:
        """Sign in with the platform in the system browser (RFC 8252 loopback + PKCE) and keep the refresh
        token in the keyring. Blocks until the browser comes back: call it from a worker, never the GUI."""
        account = self.account(name)
        provider = oauth.PROVIDERS.get(account.platform)
        if provider is None:
            raise UserError(f"{registry.platform(account.platform).label} has no browser sign-in; add the "
                            "account with --credentials-stdin (e.g. a system-user or long-lived token)")
        try:
            if client_id:
                secrets.save_oauth_client(account.platform, client_id, client_secret)
            client = secrets.load_oauth_client(account.platform)
            if not client:
                raise UserError(f"--client-id: no OAuth client for {provider.platform} yet. "
                                f"{provider.setup_help} Then pass --client-id (and --client-secret-stdin).")
            options = json.loads(account.options or "{}")
            with oauth.LoopbackSignIn(provider, client["client_id"], client.get("client_secret") or None,
                                      token_url=options.get("token_url")) as flow:
                on_url(flow.authorization_url)
                code = flow.wait_for_code(timeout_s, cancel)
                tokens = flow.exchange(code)
            if not tokens.get("refresh_token"):
                raise UserError("The platform returned no refresh token; remove AutoSync's access in your "
                                "account's security settings and sign in again")
            credentials = dict(secrets.load_credentials(name) or {})
            credentials.update({"client_id": client["client_id"], "client_secret": client.get("client_secret", ""),
                                "refresh_token": tokens["refresh_token"]})
            secrets.save_credentials(name, credentials)
        except secrets.SecretsUnavailable as exc:
            raise UserError(str(exc)) from None
        except ConnectorError as exc:
            raise UserError(exc.message) from None
        Account.update(auth_state="ok", auth_message=None).where(Account.id == account.id).execute()
        self.bus.publish(ev.AccountChanged(account=name, change="auth_state", detail="ok"))
        return f"Signed in: {name} ({provider.platform}) can sync now"

    # --- schedules ----------------------------------------------------------------------------------------

    def schedule(self, name: str) -> Schedule:
        schedule = Schedule.get_or_none(Schedule.name == name)
        if schedule is None:
            known = ", ".join(s.name for s in Schedule.select(Schedule.name).order_by(Schedule.name)) or "none"
            raise UserError(f"Unknown schedule {name!r} (schedules: {known})")
        return schedule

    def _validated_spec(self, account: Account, frequency: str, *, every_minutes: int | None, at: str | None,
                        days: str | None, cron: str | None, timezone: str | None) -> triggers.TriggerSpec:
        if frequency not in FREQUENCIES:
            raise UserError(f"--frequency: must be one of {', '.join(FREQUENCIES)}")
        spec = triggers.TriggerSpec(frequency=frequency, timezone=timezone or triggers.system_timezone(),
                                    every_minutes=every_minutes, at_time=at, days=days, cron=cron)
        try:
            return triggers.validate(spec, min_interval_minutes=registry.platform(account.platform)
                                     .min_interval_minutes)
        except triggers.ScheduleSpecError as exc:
            raise UserError(str(exc)) from None

    def add_schedule(self, name: str, account: str, sync_type: str = "both", frequency: str = "daily", *,
                     every_minutes: int | None = None, at: str | None = None, days: str | None = None,
                     cron: str | None = None, timezone: str | None = None, lookback_days: int | None = None,
                     missed: str = "run_once", paused: bool = False) -> Schedule:
        name = (name or "").strip()
        if not name:
            raise UserError("--name: a schedule needs a name, e.g. --name 'Daily Google Ads'")
        if Schedule.get_or_none(Schedule.name == name) is not None:
            raise UserError(f"--name: a schedule named {name!r} already exists; pick another name")
        owner = self.account(account)
        self._check_choices(sync_type, missed, lookback_days)
        spec = self._validated_spec(owner, frequency, every_minutes=every_minutes, at=at, days=days, cron=cron,
                                    timezone=timezone)
        schedule = Schedule.create(
            name=name, account=owner, sync_type=sync_type, frequency=spec.frequency,
            every_minutes=spec.every_minutes, at_time=spec.at_time, days=spec.days, cron=spec.cron,
            timezone=spec.timezone, lookback_days=lookback_days, missed_policy=missed, paused=paused)
        self._schedules_changed(schedule, "created")
        return schedule

    def update_schedule(self, name: str, **changes: Any) -> Schedule:
        """Change some fields of a schedule; the same validation as add_schedule applies to the result."""
        schedule = self.schedule(name)
        new_name = (changes.pop("new_name", None) or name).strip()
        if new_name != name and Schedule.get_or_none(Schedule.name == new_name) is not None:
            raise UserError(f"--name: a schedule named {new_name!r} already exists; pick another name")
        owner = self.account(changes["account"]) if "account" in changes else schedule.account
        merged = {
            "sync_type": changes.get("sync_type", schedule.sync_type),
            "frequency": changes.get("frequency", schedule.frequency),
            "every_minutes": changes.get("every_minutes", schedule.every_minutes),
            "at": changes.get("at", schedule.at_time), "days": changes.get("days", schedule.days),
            "cron": changes.get("cron", schedule.cron), "timezone": changes.get("timezone", schedule.timezone),
            "lookback_days": changes.get("lookback_days", schedule.lookback_days),
            "missed": changes.get("missed", schedule.missed_policy),
            "paused": changes.get("paused", schedule.paused),
        }
        self._check_choices(merged["sync_type"], merged["missed"], merged["lookback_days"])
        spec = self._validated_spec(owner, merged["frequency"], every_minutes=merged["every_minutes"],
                                    at=merged["at"], days=merged["days"], cron=merged["cron"],
                                    timezone=merged["timezone"])
        Schedule.update(name=new_name, account=owner, sync_type=merged["sync_type"], frequency=spec.frequency,
                        every_minutes=spec.every_minutes, at_time=spec.at_time, days=spec.days, cron=spec.cron,
                        timezone=spec.timezone, lookback_days=merged["lookback_days"],
                        missed_policy=merged["missed"], paused=bool(merged["paused"]), updated_at=utcnow(),
                        ).where(Schedule.id == schedule.id).execute()
        updated = Schedule.get_by_id(schedule.id)
        self._schedules_changed(updated, "updated")
        return updated

    @staticmethod
    def _check_choices(sync_type: str, missed: str, lookback_days: int | None) -> None:
        if sync_type not in SCHEDULE_TYPES:
            raise UserError(f"--type: must be one of {', '.join(SCHEDULE_TYPES)}")
        if missed not in MISSED_POLICIES:
            raise UserError(f"--missed: must be one of {', '.join(MISSED_POLICIES)}")
        if lookback_days is not None:
            _int_in_range("--lookback-days", lookback_days, 0, 365)

    def _schedules_changed(self, schedule: Schedule, change: str) -> None:
        if self.scheduler is not None:
            self.scheduler.sync_jobs()
        self.bus.publish(ev.ScheduleChanged(schedule=schedule.name, change=change))

    def set_paused(self, name: str, paused: bool) -> Schedule:
        schedule = self.schedule(name)
        Schedule.update(paused=paused, updated_at=utcnow()).where(Schedule.id == schedule.id).execute()
        schedule = Schedule.get_by_id(schedule.id)
        self._schedules_changed(schedule, "paused" if paused else "resumed")
        return schedule

    def set_paused_all(self, paused: bool) -> None:
        settings.set_value("scheduler.paused_all", paused)  # also ends a timed pause
        if self.scheduler is not None:
            self.scheduler.sync_jobs()
        self.bus.publish(ev.SchedulerStateChanged(running=self.scheduler is not None, paused_all=paused))

    def pause_all(self, hours: float | None = None, now: datetime | None = None) -> datetime | None:
        """Pause every schedule until resumed, or for `hours`: the end is stored, so whichever process runs the
        scheduler resumes on time even across a restart (store/timed_pause.py)."""
        self.set_paused_all(True)
        if not hours:
            return None
        until = (now or datetime.now(UTC)) + timedelta(hours=hours)
        settings.set_value("scheduler.paused_until", timed_pause.fmt(until))
        return until

    def resume_if_due(self, now: datetime | None = None) -> bool:
        """End a timed pause whose end has passed; the scheduler also checks this every few seconds."""
        if not timed_pause.due(now):
            return False
        self.set_paused_all(False)
        return True

    def remove_schedule(self, name: str) -> None:
        schedule = self.schedule(name)
        schedule.delete_instance()  # runs keep their schedule_name; history stays
        self._schedules_changed(schedule, "removed")

    def next_runs(self, name: str, count: int = 5) -> list[datetime]:
        if count < 1 or count > 100:
            raise UserError("--count: must be between 1 and 100")
        schedule = self.schedule(name)
        if schedule.paused or settings.get("scheduler.paused_all"):
            return []
        return triggers.next_runs(spec_of(schedule), count)

    def list_schedules(self) -> list[dict[str, Any]]:
        last = queries.last_runs_by_schedule()
        paused_all = settings.get("scheduler.paused_all")
        out = []
        for schedule in Schedule.select(Schedule, Account).join(Account).order_by(Schedule.name):
            run = last.get(schedule.id)
            out.append({
                "name": schedule.name, "account": schedule.account.name, "platform": schedule.account.platform,
                "type": schedule.sync_type, "frequency": schedule.frequency,
                "description": triggers.describe(spec_of(schedule)), "every_minutes": schedule.every_minutes,
                "at": schedule.at_time, "days": schedule.days, "cron": schedule.cron,
                "timezone": schedule.timezone, "lookback_days": schedule.lookback_days,
                "missed": schedule.missed_policy, "paused": bool(schedule.paused or paused_all),
                "next_run_at": None if schedule.paused or paused_all else iso(self._next_run(schedule)),
                "last_status": run.status if run else None,
                "last_run_at": iso(run.queued_at) if run else None,
            })
        return out

    @staticmethod
    def _next_run(schedule: Schedule) -> datetime | None:
        """The next run the scheduler wrote back, or the trigger's own answer when none is stored yet."""
        if schedule.next_run_at is not None and schedule.next_run_at > utcnow():
            return schedule.next_run_at
        upcoming = triggers.next_runs(spec_of(schedule), 1) if schedule.frequency != "manual" else []
        return upcoming[0] if upcoming else None

    # --- syncing ------------------------------------------------------------------------------------------

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

    # --- history and status -------------------------------------------------------------------------------

    def runs(self, status: str | None = None, schedule: str | None = None, account: str | None = None,
             limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        if status is not None and status not in RUN_STATUSES:
            raise UserError(f"--status: must be one of {', '.join(RUN_STATUSES)}")
        if limit < 1 or limit > 100_000:
            raise UserError("--limit: must be between 1 and 100000")
        flt = queries.HistoryFilter(
            statuses=(status,) if status else (),
            schedule_id=self.schedule(schedule).id if schedule else None,
            account_id=self.account(account).id if account else None)
        return [run_dict(run) for run in queries.history_page(flt, limit=limit, offset=offset)]

    def run_detail(self, run_id: int) -> dict[str, Any]:
        run = SyncRun.get_or_none(SyncRun.id == run_id)
        if run is None:
            raise UserError(f"No run with id {run_id}; see 'runs' for the list")
        detail = run_dict(run)
        detail["events"] = [{"at": iso(e.at), "level": e.level, "message": e.message}
                            for e in RunEvent.select().where(RunEvent.run == run_id).order_by(RunEvent.id)]
        return detail

    def status(self, period: str = "24h") -> dict[str, Any]:
        if period not in PERIODS:
            raise UserError(f"--period: must be one of {', '.join(PERIODS)}")
        now = utcnow()
        metrics = queries.period_metrics(now - PERIODS[period], now)
        accounts = [{
            "name": h.name, "platform": h.platform, "health": h.health, "auth_state": h.auth_state,
            "last_success_at": iso(h.last_success_at), "last_run_status": h.last_run_status,
            "errors_24h": h.errors_24h, "avg_latency_ms": None if h.avg_latency_ms is None else round(
                h.avg_latency_ms, 1),
            "uptime_24h": None if h.uptime_24h is None else round(h.uptime_24h, 4),
            "last_probe_ok": h.last_probe_ok, "last_probe_at": iso(h.last_probe_at),
        } for h in queries.account_health(now)]
        active = SyncRun.select().where(SyncRun.status.in_(ACTIVE_STATUSES)).count()
        upcoming = [s["next_run_at"] for s in self.list_schedules() if s["next_run_at"]]
        other = runs.live_scheduler()
        return {
            "period": period,
            "success_rate": metrics.success_rate,
            "total_runs": metrics.total_runs, "succeeded": metrics.succeeded, "failed": metrics.failed,
            "cancelled": metrics.cancelled, "skipped": metrics.skipped,
            "avg_duration_s": None if metrics.avg_duration_s is None else round(metrics.avg_duration_s, 3),
            "rows_processed": metrics.rows_processed,
            "accounts": accounts,
            "scheduler": {
                "running": self.scheduler is not None or other is not None,
                "owner": "this process" if self.scheduler is not None else (
                    f"{other.kind} pid {other.pid}" if other else None),
                "paused_all": settings.get("scheduler.paused_all"),
                "active_runs": active,
                "next_run_at": min(upcoming) if upcoming else None,
            },
            "database": {"path": str(self.db_path), "size_bytes": _file_size(self.db_path),
                         "last_prune": settings.get("retention.last_prune")},
        }

    def prune(self) -> retention.PruneResult:
        result = retention.prune(self.db)
        self.bus.publish(ev.RetentionPruned(runs_deleted=result.runs_deleted, stats_deleted=result.stats_deleted))
        return result

    # --- settings -----------------------------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        return settings.all_values()

    def get_setting(self, key: str) -> Any:
        try:
            return settings.get(key)
        except settings.SettingError as exc:
            raise UserError(str(exc)) from None

    def set_setting(self, key: str, value: Any) -> Any:
        try:
            if key == START_AT_LOGIN:  # the OS entry first, so the setting never claims what the OS refused
                self._apply_start_at_login(settings.spec_for(key).parse(value))
            stored = settings.set_value(key, value)
        except settings.SettingError as exc:
            raise UserError(str(exc)) from None
        if key == "scheduler.paused_all" and self.scheduler is not None:
            self.scheduler.sync_jobs(force=True)
        self.bus.publish(ev.SettingChanged(key=key, value=stored))
        return stored

    # --- start at login -----------------------------------------------------------------------------------
    # The OS entry (autostart.py) is the truth; the `general.start_at_login` setting mirrors what was last asked.

    def start_at_login(self) -> bool:
        """Whether the OS starts AutoSync when the user logs in (reads the entry itself)."""
        try:
            return autostart.is_enabled()
        except autostart.AutostartError as exc:
            raise UserError(str(exc)) from None

    def set_start_at_login(self, enabled: bool) -> str:
        """Write or remove the OS login entry and the setting; returns what happened in plain words."""
        self.set_setting(START_AT_LOGIN, enabled)
        if enabled:
            return f"AutoSync starts minimized when you log in ({autostart.location()})"
        return "AutoSync no longer starts when you log in"

    @staticmethod
    def _apply_start_at_login(enabled: bool) -> None:
        try:
            if enabled:
                autostart.enable()
            else:
                autostart.disable()
        except autostart.AutostartError as exc:
            raise UserError(f"Start at login: {exc}") from None

    # --- notifications ---
    # The process that runs the scheduler (headless service or window) also runs the notifier; it reaches the
    # store only through the callables below. `notify list`/`notify test` work from any process.

    def _start_notifier(self) -> None:
        try:
            self.notifier = notify.Dispatcher(self.bus, self._notify_backend(), desktop_sink=self._desktop_sink)
            self.notifier.start()
        except Exception:  # notifications must never stop syncing
            log.exception("notifications could not start; syncs continue without them")
            self.notifier = None

    def _notify_backend(self) -> notify.Backend:
        def save_result(result: notify.DeliveryResult) -> None:
            settings.set_state(f"notify.result.{result.channel}", result.to_dict())

        return notify.Backend(
            settings=settings.all_values, run_facts=self._notify_run_facts, accounts=self._notify_accounts,
            totals=_notify_totals, load_state=lambda: settings.get(NOTIFY_STATE),
            save_state=lambda data: settings.set_state(NOTIFY_STATE, data), save_result=save_result,
            secret_values=self._secret_values, channel_secret=secrets.load_channel_secret,
            thread_done=lambda: None if self.db.is_closed() else self.db.close())

    def set_desktop_sink(self, sink: Callable[[notify.Notification], None] | None) -> None:
        """The window's way to show a desktop notification; called on a notifier thread, so it must only
        hand over (emit a Qt signal) and return."""
        self._desktop_sink = sink
        if self.notifier is not None:
            self.notifier.desktop_sink = sink

    def notify_channels(self) -> dict[str, Any]:
        """Each channel's switch, toggles, target, readiness and last result, plus the shared rules and who
        sends (only a process running the scheduler does). Reads the keyring: may block."""
        config = notify.NotifyConfig.from_values(settings.all_values())
        other = runs.live_scheduler()
        sender = "this process" if self.notifier is not None else (f"{other.kind} pid {other.pid}" if other else None)
        sink = self._desktop_sink
        if sink is None and other is not None and other.kind == "gui":
            sink = lambda n: None  # noqa: E731 - the window running the scheduler shows desktop notifications
        keyring_problem: list[str] = []

        def secret(channel: str, key: str) -> str | None:
            try:
                return secrets.load_channel_secret(channel, key)
            except secrets.SecretsUnavailable as exc:
                keyring_problem[:] = [str(exc)]
                return None

        ctx = notify.registry.ChannelContext(config, secret, desktop_sink=sink)
        channels = []
        for name, rules in config.channels.items():
            keyring_problem.clear()
            channel = notify.registry.build(name, ctx)
            target, problem = channel.target(), channel.missing()
            if problem and keyring_problem:
                problem = f"{problem}. {keyring_problem[0]}"
            last = settings.get(f"notify.result.{name}")
            channels.append({"name": name, "enabled": rules.enabled, "ready": problem is None, "problem": problem,
                             "target": target, "sends": [t for t in notify.config.TOGGLES if t in rules.toggles],
                             "last_result": last})
        state = notify.PolicyState.from_dict(settings.get(NOTIFY_STATE))
        return {"sender": sender, "channels": channels, "stale_hours": config.stale_hours,
                "min_interval_minutes": int(config.min_interval.total_seconds() // 60),
                "quiet_hours": config.quiet.describe() if config.quiet else None,
                "email_digest_at": f"{config.email.digest_at:%H:%M}" if config.email.digest else None,
                "failing": sorted(p["label"] for p in state.problems.values()), "held": state.held_count()}

    def notify_test(self, channel: str) -> str:
        """Send a labelled test message on `channel` now (even when it is switched off) and record the result.
        Returns what happened ("Sent to ..."); raises UserError with the reason in plain words."""
        try:
            notify.registry.check_name(channel)
        except notify.registry.UnknownChannel as exc:
            raise UserError(str(exc)) from None
        config = notify.NotifyConfig.from_values(settings.all_values())
        ctx = notify.registry.ChannelContext(config, secrets.load_channel_secret, desktop_sink=self._desktop_sink)
        message = notify.messages.channel_test(channel, datetime.now(UTC))
        redactor = notify.redact.Redactor(self._secret_values())
        unguard = notify.redact.guard_logs(lambda: redactor)
        try:
            result, _ = notify.deliver_once(channel, message, ctx, redactor)
        finally:
            unguard()
        notify.dispatcher.record(result, lambda r: settings.set_state(f"notify.result.{channel}", r.to_dict()),
                                 failure_level=logging.INFO)  # the caller shows the error itself
        if not result.ok:
            raise UserError(f"{channel}: {result.message}")
        if not config.channels[channel].enabled:
            return (f"{result.message}. Note: {channel} notifications are off; turn them on with "
                    f"'autosync settings set notify.{channel}.enabled on'")
        return result.message

    def set_notify_secret(self, channel: str, value: str | None, which: str | None = None) -> str:
        """Store (or, with value None, remove) a channel's keyring secret: email password, Slack webhook URL,
        webhook signing secret (`which="url"`: a webhook URL with a token), Twilio auth token."""
        try:
            names = notify.registry.SECRETS[notify.registry.check_name(channel)]
        except notify.registry.UnknownChannel as exc:
            raise UserError(str(exc)) from None
        which = which or (names[0] if names else "")
        if which not in names:
            raise UserError(f"{channel} has no keyring secret{' named ' + which if which else ''}")
        label = notify.registry.SECRET_LABELS[(channel, which)]
        try:
            if value is None:
                secrets.delete_channel_secret(channel, which)
                return f"Removed the {label} from the keyring"
            value = value.strip()
            if not value:
                raise UserError(f"The {label} is empty; paste it on stdin")
            if which == "url" and not value.startswith(("https://", "http://")):
                raise UserError(f"The {label} must start with https://")
            secrets.save_channel_secret(channel, which, value)
        except secrets.SecretsUnavailable as exc:
            raise UserError(str(exc)) from None
        return f"Stored the {label} in the keyring"

    def _secret_values(self) -> list[str]:
        """Every secret in the keyring that a message or log line must never show (for redaction)."""
        values: list[str] = []
        try:
            for account in Account.select(Account.name, Account.platform):
                if account.platform not in registry.PLATFORMS or not registry.platform(account.platform).is_sandbox:
                    values += notify.redact.secret_strings(secrets.load_credentials(account.name))
            for platform in oauth.PROVIDERS:
                values += notify.redact.secret_strings((secrets.load_oauth_client(platform) or {}).get("client_secret"))
            for channel, names in notify.registry.SECRETS.items():
                values += [v for v in (secrets.load_channel_secret(channel, n) for n in names) if v]
        except secrets.SecretsUnavailable:
            pass  # nothing can be stored without a keyring; the token patterns still apply
        logs.register_secrets(values)  # the log file masks them too
        return values

    @staticmethod
    def _sign_in_hint(account: Account | None) -> str:
        return sign_in_hint(account.platform, account.name) if account is not None else ""

    def _notify_run_facts(self, event: ev.RunFinished) -> notify.RunFacts:
        schedule = Schedule.get_or_none(Schedule.name == event.schedule) if event.schedule else None
        next_run = None
        if schedule is not None and not schedule.paused and schedule.frequency != "manual" and not settings.get(
                "scheduler.paused_all"):
            next_run = self._next_run(schedule)
        return notify.RunFacts(
            run_id=event.run_id, schedule=event.schedule, account=event.account, status=event.status,
            trigger=event.trigger, at=event.at, error_class=event.error_class, error=event.error,
            retry_at=event.retry_at, next_run_at=_aware(next_run), rows=event.rows,
            sign_in_hint=self._sign_in_hint(Account.get_or_none(Account.name == event.account)))

    def _notify_accounts(self) -> list[notify.AccountFreshness]:
        accounts = {a.id: a for a in Account.select()}
        paused_all = settings.get("scheduler.paused_all")
        schedules: dict[int, list[Schedule]] = {}
        for schedule in Schedule.select(Schedule.account, Schedule.name, Schedule.paused, Schedule.frequency):
            schedules.setdefault(schedule.account_id, []).append(schedule)
        running = {r.account_id for r in SyncRun.select(SyncRun.account).where(SyncRun.status.in_(ACTIVE_STATUSES))}
        out = []
        for h in queries.account_health():
            account, own = accounts[h.account_id], schedules.get(h.account_id, [])
            out.append(notify.AccountFreshness(
                account=h.name, last_success_at=_aware(h.last_success_at), created_at=_aware(account.created_at),
                expected=not paused_all and any(not s.paused and s.frequency != "manual" for s in own),
                schedules=tuple(s.name for s in own), running=h.account_id in running,
                needs_sign_in=h.auth_state == "needs_sign_in", sign_in_detail=account.auth_message or "",
                sign_in_hint=self._sign_in_hint(account)))
        return out

    # --- export -------------------------------------------------------------------------------------------

    def export_rows(self, kind: str) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
        """Column names and a lazy row iterator (streamed from SQL, constant memory)."""
        if kind == "stats":
            return STATS_COLUMNS, _stats_rows(self.db)
        if kind == "campaigns":
            return CAMPAIGN_COLUMNS, _campaign_rows()
        if kind == "runs":
            return RUN_COLUMNS, (tuple(run_dict(r)[c] for c in RUN_COLUMNS)
                                 for r in SyncRun.select().order_by(SyncRun.id).iterator())
        raise UserError("export: choose runs, stats or campaigns")

    def export(self, kind: str, fmt: str, out: IO[str]) -> int:
        from autosync_desktop import export as exporter

        columns, rows = self.export_rows(kind)
        if fmt == "csv":
            return exporter.write_csv(out, columns, rows)
        if fmt == "json":
            return exporter.write_json(out, columns, rows)
        raise UserError("--format: choose csv or json")

    # --- for the window ---
    # Read-only queries for the desktop window (autosync_desktop/gui). Like every method here they may block on
    # the database or the keyring: the window calls them from its workers, never on the GUI thread.

    @staticmethod
    def _metrics_dict(m: queries.PeriodMetrics) -> dict[str, Any]:
        return {"total_runs": m.total_runs, "succeeded": m.succeeded, "failed": m.failed, "cancelled": m.cancelled,
                "skipped": m.skipped, "success_rate": m.success_rate, "avg_duration_s": m.avg_duration_s,
                "rows_processed": m.rows_processed}

    def period_comparison(self, period: str = "24h", now: datetime | None = None) -> dict[str, Any]:
        """Run metrics of the last `period` and of the period just before it (for "change vs previous")."""
        if period not in PERIODS:
            raise UserError(f"period: must be one of {', '.join(PERIODS)}")
        now = now or utcnow()
        span = PERIODS[period]
        return {"period": period, "since": iso(now - span), "until": iso(now),
                "current": self._metrics_dict(queries.period_metrics(now - span, now)),
                "previous": self._metrics_dict(queries.period_metrics(now - 2 * span, now - span))}

    def account_cards(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Health of every account plus data freshness: the last complete day of daily stats and which recent
        days are still settling (re-fetched by every run because of the lookback)."""
        from autosync_desktop.sync import windows

        now = now or utcnow()
        fresh = queries.data_freshness()
        accounts = {a.id: a for a in Account.select()}
        cards = []
        for h in queries.account_health(now):
            account = accounts[h.account_id]
            options = json.loads(account.options or "{}")
            spec = registry.PLATFORMS.get(h.platform)
            lookback = int(options.get("lookback_days") or (spec.default_lookback_days if spec else 0))
            through, synced_at = fresh.get(h.account_id, (None, None))
            settling_from = settling_days = None
            if through is not None:
                zone = account.timezone or options.get("timezone") or "UTC"
                settling_from = windows.settling_since(windows.today_in(zone, now.replace(tzinfo=UTC)), lookback)
                settling_days = max(0, (through - settling_from).days + 1)
            cards.append({
                "name": h.name, "platform": h.platform,
                "platform_label": spec.label if spec else h.platform, "sandbox": bool(spec and spec.is_sandbox),
                "health": h.health, "auth_state": h.auth_state, "auth_message": account.auth_message,
                "last_success_at": iso(h.last_success_at), "last_run_status": h.last_run_status,
                "errors_24h": h.errors_24h, "runs_24h": h.runs_24h,
                "avg_latency_ms": None if h.avg_latency_ms is None else round(h.avg_latency_ms, 1),
                "data_through": iso(through), "data_synced_at": iso(synced_at), "lookback_days": lookback,
                "settling_from": iso(settling_from), "settling_days": settling_days,
            })
        return cards

    def scheduler_info(self) -> dict[str, Any]:
        """Who runs the scheduler, whether everything is paused, active runs and the next run."""
        other = runs.live_scheduler()
        paused_all = settings.get("scheduler.paused_all")
        upcoming = []
        if not paused_all:
            for schedule in Schedule.select().where(~Schedule.paused & (Schedule.frequency != "manual")):
                moment = self._next_run(schedule)
                if moment is not None:
                    upcoming.append((moment if moment.tzinfo else moment.replace(tzinfo=UTC), schedule.name))
        nxt = min(upcoming) if upcoming else None
        return {
            "running": self.scheduler is not None or other is not None,
            "owner": "this process" if self.scheduler is not None else (
                f"{other.kind} pid {other.pid}" if other else None),
            "paused_all": paused_all,
            "active_runs": SyncRun.select().where(SyncRun.status.in_(ACTIVE_STATUSES)).count(),
            "next_run_at": iso(nxt[0]) if nxt else None, "next_schedule": nxt[1] if nxt else None,
            "schedules": Schedule.select().count(),
        }

    def database_info(self) -> dict[str, Any]:
        from autosync_desktop.store.db import current_version

        return {"path": str(self.db_path), "size_bytes": _file_size(self.db_path),
                "last_prune": settings.get("retention.last_prune"), "schema_version": current_version(self.db)}

    def integrity_check(self) -> str:
        """SQLite's PRAGMA quick_check: "ok", or the first problems it reports. Slow on big stores."""
        problems = [row[0] for row in self.db.execute_sql("PRAGMA quick_check(5)").fetchall()]
        return "ok" if problems == ["ok"] else "; ".join(problems)

    def recent_activity(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest run log lines with their run's names and status, newest first."""
        return [{"event_id": a.event_id, "run_id": a.run_id, "at": iso(a.at), "level": a.level,
                 "message": a.message, "run_status": a.run_status, "schedule": a.schedule_name,
                 "account": a.account_name, "trigger": a.trigger, "run_rows": a.run_rows,
                 "run_duration_s": a.run_duration_s, "run_finished_at": iso(a.run_finished_at),
                 "run_error": a.run_error} for a in queries.recent_run_events(limit)]

    def chart_series(self, days: int = 30, utc_offset_minutes: int = 0,
                     now: datetime | None = None) -> dict[str, Any]:
        """Per local day: runs by status, rows written, average duration (every day present, oldest first)."""
        by_status: dict[str, dict[str, int]] = {}
        for day, status, count in queries.runs_per_day(days, utc_offset_minutes, now):
            by_status.setdefault(day, {})[status] = count
        series = queries.daily_series(days, utc_offset_minutes, now)
        return {"days": [d for d, *_ in series], "runs_by_status": [by_status.get(d, {}) for d, *_ in series],
                "runs": [n for _, n, _, _ in series], "rows": [r for _, _, r, _ in series],
                "avg_duration_s": [a for *_, a in series]}

    def dashboard(self, period: str = "24h", utc_offset_minutes: int = 0, chart_days: int = 30) -> dict[str, Any]:
        """Everything the dashboard shows (except the slow integrity check), read in one transaction."""
        now = utcnow()
        with self.db.atomic():
            return {"at": iso(now), "metrics": self.period_comparison(period, now),
                    "accounts": self.account_cards(now), "scheduler": self.scheduler_info(),
                    "database": self.database_info(),
                    "charts": self.chart_series(chart_days, utc_offset_minutes, now)}

    def _history_filter(self, filters: dict[str, Any] | None) -> queries.HistoryFilter:
        f = filters or {}
        bad = [s for s in f.get("statuses", ()) if s not in RUN_STATUSES]
        if bad:
            raise UserError(f"status: {', '.join(bad)} unknown; use {', '.join(RUN_STATUSES)}")
        return queries.HistoryFilter(
            statuses=tuple(f.get("statuses", ())), triggers=tuple(f.get("triggers", ())),
            schedule_id=self.schedule(f["schedule"]).id if f.get("schedule") else None,
            account_id=self.account(f["account"]).id if f.get("account") else None,
            since=f.get("since"), until=f.get("until"), text=(f.get("text") or "").strip() or None)

    def history(self, filters: dict[str, Any] | None = None, after: tuple[str, int] | None = None,
                limit: int = 200, order: str = "newest") -> dict[str, Any]:
        """One page of runs (run_dict) matching `filters`, continuing after `cursor` of the previous page.

        filters: statuses, triggers (lists), account, schedule (names), since, until (datetimes), text.
        Returns {"rows": [...], "cursor": (queued_at text, id) of the last row or None, "done": bool}.
        """
        if not 1 <= limit <= 10_000:
            raise UserError("limit: must be between 1 and 10000")
        key = (datetime.fromisoformat(after[0]), after[1]) if after else None
        page = queries.history_after(self._history_filter(filters), key, limit, order)
        cursor = (page[-1].queued_at.isoformat(sep=" "), page[-1].id) if page else after
        return {"rows": [run_dict(r) for r in page], "cursor": cursor, "done": len(page) < limit}

    def history_total(self, filters: dict[str, Any] | None = None) -> int:
        return queries.history_count(self._history_filter(filters))

    def active_runs(self) -> list[dict[str, Any]]:
        """Queued and running runs (with their counters so far), oldest first."""
        return [run_dict(r) for r in SyncRun.select().where(SyncRun.status.in_(ACTIVE_STATUSES)).order_by(SyncRun.id)]

    def schedule_cards(self) -> list[dict[str, Any]]:
        """list_schedules plus, per schedule: its own paused flag, the last finished run and the active run."""
        items = self.list_schedules()
        rows = {s.name: s for s in Schedule.select(Schedule.id, Schedule.name, Schedule.paused, Schedule.created_at)}
        last = queries.last_runs_by_schedule()
        active: dict[int, SyncRun] = {}
        for run in SyncRun.select().where(SyncRun.status.in_(ACTIVE_STATUSES) & SyncRun.schedule.is_null(False)):
            active.setdefault(run.schedule_id, run)
        paused_all = settings.get("scheduler.paused_all")
        for item in items:
            row = rows[item["name"]]
            run = last.get(row.id)
            if run is not None and run.status in ACTIVE_STATUSES:
                run = (SyncRun.select().where((SyncRun.schedule == row.id) & SyncRun.status.not_in(
                    (*ACTIVE_STATUSES, "skipped"))).order_by(SyncRun.queued_at.desc(), SyncRun.id.desc()).first())
            spec = registry.PLATFORMS.get(item["platform"])
            item.update(own_paused=bool(row.paused), paused_all=paused_all, created_at=iso(row.created_at),
                        platform_label=spec.label if spec else item["platform"],
                        last_run=run_dict(run) if run else None,
                        active_run=run_dict(active[row.id]) if row.id in active else None)
        return items

    def keyring_state(self) -> dict[str, str]:
        """The OS keyring's state (available / missing / locked / error) and what to do about it. May block."""
        state = secrets.state()
        return {"state": state.state, "backend": state.backend, "message": state.message}

    @staticmethod
    def platforms() -> list[dict[str, Any]]:
        """The platforms of this build (no I/O): name, label, options, sandbox, minimum interval, lookback, and
        whether it has a browser sign-in (connect_account)."""
        browser = set(oauth.PROVIDERS)
        return [{"name": p.name, "label": p.label, "option_names": list(p.option_names), "sandbox": p.is_sandbox,
                 "available": p.factory is not None, "min_interval_minutes": p.min_interval_minutes,
                 "default_lookback_days": p.default_lookback_days, "browser_sign_in": p.name in browser}
                for p in registry.PLATFORMS.values()]

    def export_history(self, filters: dict[str, Any] | None, fmt: str, out: IO[str],
                       progress: Any = None, order: str = "newest") -> int:
        """Write the runs matching `filters` (as the History table shows them, in its order) as CSV or JSON.
        `progress(count)` is called every 1000 rows; it may raise to abort."""
        from autosync_desktop import export as exporter

        flt = self._history_filter(filters)
        rows = (tuple(run_dict(r)[c] for c in RUN_COLUMNS) for r in queries.history_iter(flt, order))
        return self._write_export(exporter, fmt, out, RUN_COLUMNS, self._counting(rows, progress))

    def _stats_filter(self, filters: dict[str, Any] | None) -> queries.StatsFilter:
        f = filters or {}
        return queries.StatsFilter(account_id=self.account(f["account"]).id if f.get("account") else None,
                                   campaign_id=f.get("campaign_id") or None, since=f.get("since"),
                                   until=f.get("until"))

    def stats_view(self, filters: dict[str, Any] | None = None, limit: int = 200, offset: int = 0) -> list[dict]:
        """A page of daily stats (newest day first) with exact decimal money text."""
        from autosync_desktop.connectors.base import micros_to_text

        out = []
        for row in queries.stats_page(self._stats_filter(filters), limit, offset):
            item = dict(zip(queries.STATS_PAGE_COLUMNS, row, strict=True))
            item["cost"] = micros_to_text(item["cost_micros"]) if item["cost_micros"] is not None else None
            value = item["conversion_value_micros"]
            item["conversion_value"] = micros_to_text(value) if value is not None else None
            out.append(item)
        return out

    def stats_summary(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Row count and totals per currency (money of different currencies is never summed together)."""
        from autosync_desktop.connectors.base import micros_to_text

        totals = []
        for currency, count, impressions, clicks, cost, conversions, value in queries.stats_totals_by_currency(
                self._stats_filter(filters)):
            totals.append({"currency": currency, "rows": count, "impressions": impressions, "clicks": clicks,
                           "cost": micros_to_text(cost), "cost_micros": cost, "conversions": round(conversions, 2),
                           "conversion_value": micros_to_text(value)})
        return {"rows": sum(t["rows"] for t in totals), "totals": totals}

    def campaigns_view(self, account: str | None = None) -> list[dict[str, Any]]:
        keys = ("account", "platform", "campaign_id", "name", "status", "currency", "synced_at")
        rows = queries.campaign_rows(self.account(account).id if account else None)
        return [dict(zip(keys, row, strict=True))
                | {"synced_at": iso(datetime.fromisoformat(row[6])) if row[6] else None} for row in rows]

    def export_stats(self, filters: dict[str, Any] | None, fmt: str, out: IO[str], progress: Any = None) -> int:
        """The daily stats matching `filters` (as the Data view shows them) in the CLI's stats export columns."""
        from autosync_desktop import export as exporter
        from autosync_desktop.connectors.base import micros_to_text

        def rows() -> Iterator[tuple[Any, ...]]:
            for (platform, account_id, campaign_id, name, day, impressions, clicks, cost, currency, conversions,
                 value) in queries.stats_export_iter(self._stats_filter(filters)):
                yield (platform, account_id, campaign_id, name, day, impressions, clicks,
                       micros_to_text(cost) if cost is not None else None, cost, currency, conversions,
                       micros_to_text(value) if value is not None else None)

        return self._write_export(exporter, fmt, out, STATS_COLUMNS, self._counting(rows(), progress))

    @staticmethod
    def _counting(rows: Iterator[tuple[Any, ...]], progress: Any) -> Iterator[tuple[Any, ...]]:
        for count, row in enumerate(rows, 1):
            yield row
            if progress is not None and count % 1000 == 0:
                progress(count)

    @staticmethod
    def _write_export(exporter: Any, fmt: str, out: IO[str], columns: list[str],
                      rows: Iterator[tuple[Any, ...]]) -> int:
        if fmt == "csv":
            return exporter.write_csv(out, columns, rows)
        if fmt == "json":
            return exporter.write_json(out, columns, rows)
        raise UserError("format: choose csv or json")


RUN_COLUMNS = ["id", "schedule", "account", "platform", "trigger", "status", "queued_at", "started_at",
               "finished_at", "duration_s", "rows", "campaigns", "pages", "api_calls", "attempt", "error_class",
               "error", "reason", "window_from", "window_to"]
STATS_COLUMNS = ["platform", "account_id", "campaign_id", "campaign_name", "date", "impressions", "clicks", "cost",
                 "cost_micros", "currency", "conversions", "conversion_value"]
CAMPAIGN_COLUMNS = ["platform", "account_id", "campaign_id", "name", "status", "status_raw", "currency",
                    "updated_at", "synced_at"]


def run_dict(run: SyncRun) -> dict[str, Any]:
    return {
        "id": run.id, "schedule": run.schedule_name, "account": run.account_name, "platform": run.platform,
        "trigger": run.trigger, "status": run.status, "queued_at": iso(run.queued_at),
        "started_at": iso(run.started_at), "finished_at": iso(run.finished_at),
        "duration_s": None if run.duration_s is None else round(run.duration_s, 3), "rows": run.rows,
        "campaigns": run.campaigns, "pages": run.pages, "api_calls": run.api_calls, "attempt": run.attempt,
        "error_class": run.error_class, "error": run.error_message, "reason": run.reason,
        "window_from": iso(run.window_from), "window_to": iso(run.window_to),
    }


def _stats_rows(db: Any) -> Iterator[tuple[Any, ...]]:
    from autosync_desktop.connectors.base import micros_to_text

    cursor = db.execute_sql(
        "SELECT a.platform, a.external_id, s.campaign_id, c.name, s.date, s.impressions, s.clicks, s.cost_micros,"
        " COALESCE(s.currency, a.currency), s.conversions, s.conversion_value_micros FROM daily_stat s"
        " JOIN account a ON a.id = s.account_id LEFT JOIN campaign c ON c.account_id = s.account_id"
        " AND c.campaign_id = s.campaign_id ORDER BY a.name, s.date, s.campaign_id")
    for (platform, account_id, campaign_id, name, day, impressions, clicks, cost, currency, conversions,
         value) in cursor:
        yield (platform, account_id, campaign_id, name, day, impressions, clicks,
               micros_to_text(cost) if cost is not None else None, cost, currency, conversions,
               micros_to_text(value) if value is not None else None)


def _campaign_rows() -> Iterator[tuple[Any, ...]]:
    query = (Campaign.select(Campaign, Account).join(Account).order_by(Account.name, Campaign.campaign_id))
    for c in query.iterator():
        yield (c.account.platform, c.account.external_id, c.campaign_id, c.name, c.status, c.status_raw,
               c.currency, c.updated_at, iso(c.synced_at))


def _aware(moment: datetime | None) -> datetime | None:
    """Store timestamps are naive UTC; the notifier works with aware ones."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _notify_totals(since: datetime, until: datetime) -> notify.DigestTotals:
    m = queries.period_metrics(since, until)
    return notify.DigestTotals(runs=m.total_runs, succeeded=m.succeeded, failed=m.failed, rows=m.rows_processed)


def _file_size(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal", "-shm"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            total += candidate.stat().st_size
    return total


def _int_in_range(field: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise UserError(f"{field}: expected a whole number, got {value!r}") from None
    if not low <= number <= high:
        raise UserError(f"{field}: must be between {low} and {high} (got {number})")
    return number
