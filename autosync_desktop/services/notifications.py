"""`services.notifications`: the notifier's wiring to the store and keyring (started with the scheduler),
channel status (`NotificationsStatus`), test messages and channel secrets."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, cast

from autosync_desktop import clock, logs, notify, redaction, secrets
from autosync_desktop import events as ev
from autosync_desktop.connectors import oauth
from autosync_desktop.domain import ChannelInfo, ChannelSecret, ChannelStatus, Delivery, NotificationsStatus
from autosync_desktop.export_spec import EXPORT_PLATFORM
from autosync_desktop.services import keyring_use
from autosync_desktop.services.api_versions import api_of
from autosync_desktop.services.area import Area
from autosync_desktop.services.core import NOTIFY_STATE, UserError, log, sign_in_hint
from autosync_desktop.services.schedules import next_run_of
from autosync_desktop.store import queries, runs, settings
from autosync_desktop.store.models import ACTIVE_STATUSES, Account, Schedule, SyncRun


def _delivery(stored: Any) -> Delivery | None:
    """A channel's last result as stored (DeliveryResult.to_dict()), or None."""
    if not stored:
        return None
    result = notify.DeliveryResult.from_dict(stored)
    return Delivery(channel=result.channel, ok=result.ok, message=result.message, at=result.at, kind=result.kind,
                    title=result.title)


class NotificationsService(Area):
    """The notifier (started with the scheduler) and the notification settings' actions. Its state (the
    running notifier, the window's desktop sink) lives on the façade: `core.notifier`, `core._desktop_sink`."""

    # The process that runs the scheduler (headless service or window) also runs the notifier; it reaches the
    # store only through the callables below. `notify list`/`notify test` work from any process.

    @staticmethod
    def catalog() -> tuple[ChannelInfo, ...]:
        """The channels of this build with their toggles and keyring secrets (no I/O: fine on the GUI thread)."""
        return tuple(ChannelInfo(name=name, toggles=notify.config.TOGGLES, secrets=tuple(
            ChannelSecret(which=which, label=notify.registry.SECRET_LABELS[(name, which)])
            for which in notify.registry.SECRETS[name])) for name in notify.config.CHANNEL_NAMES)

    def start(self) -> None:
        """Start the notifier (the scheduler's process does, before its first run)."""
        core = self.core
        try:
            core.notifier = notify.Dispatcher(core.bus, self._notify_backend(), desktop_sink=core._desktop_sink)
            core.notifier.start()
        except Exception:  # notifications must never stop syncing
            log.exception("notifications could not start; syncs continue without them")
            core.notifier = None

    def _notify_backend(self) -> notify.Backend:
        def save_result(result: notify.DeliveryResult) -> None:
            settings.set_state(f"notify.result.{result.channel}", result.to_dict())

        return notify.Backend(
            settings=settings.all_values, run_facts=self._notify_run_facts, accounts=self._notify_accounts,
            totals=_notify_totals, load_state=lambda: settings.get(NOTIFY_STATE),
            save_state=lambda data: settings.set_state(NOTIFY_STATE, data), save_result=save_result,
            secret_values=self._secret_values, channel_secret=_stored_channel_secret,
            thread_done=self._close_thread_connection)

    def _close_thread_connection(self) -> None:
        """A notifier thread is done with the store: close its connection (peewee keeps one per thread)."""
        if not self.core.db.is_closed():
            self.core.db.close()

    def set_desktop_sink(self, sink: Callable[[notify.Notification], None] | None) -> None:
        """The window's way to show a desktop notification; called on a notifier thread, so it must only
        hand over (emit a Qt signal) and return."""
        self.core._desktop_sink = sink
        if self.core.notifier is not None:
            self.core.notifier.desktop_sink = sink

    def channels(self) -> NotificationsStatus:
        """Each channel's switch, toggles, target, readiness and last result, plus the shared rules and who
        sends (only a process running the scheduler does). Reads the keyring: may block."""
        config = notify.NotifyConfig.from_values(settings.all_values())
        other = runs.live_scheduler()
        sender = ("this process" if self.core.notifier is not None
                  else (f"{other.kind} pid {other.pid}" if other else None))
        sink = self.core._desktop_sink
        if sink is None and other is not None and other.kind == "gui":
            sink = lambda n: None  # noqa: E731 - the window running the scheduler shows desktop notifications
        keyring_problem: list[str] = []
        stored = keyring_use.entries()
        readable: list[bool] = []  # looked up once, and only when a channel has a secret stored

        def secret(channel: str, key: str) -> str | None:
            if secrets.channel_entry(channel, key) not in stored:
                return None  # nothing stored: the keyring is not opened
            if not readable:
                readable.append(secrets.unlocked())  # never prompts
            if not readable[0]:
                keyring_problem[:] = [secrets.peek().message]
                return None
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
            channels.append(ChannelStatus(
                name=name, enabled=rules.enabled, ready=problem is None, problem=problem, target=target,
                sends=tuple(t for t in notify.config.TOGGLES if t in rules.toggles),
                last_result=_delivery(settings.get(f"notify.result.{name}"))))
        state = notify.PolicyState.from_dict(settings.get(NOTIFY_STATE))
        return NotificationsStatus(
            sender=sender, channels=tuple(channels), stale_hours=config.stale_hours,
            min_interval_minutes=int(config.min_interval.total_seconds() // 60),
            quiet_hours=config.quiet.describe() if config.quiet else None,
            email_digest_at=f"{config.email.digest_at:%H:%M}" if config.email.digest else None,
            failing=tuple(sorted(p["label"] for p in state.problems.values())), held=state.held_count())

    def test(self, channel: str) -> str:
        """Send a labelled test message on `channel` now (even when it is switched off) and record the result.
        Returns what happened ("Sent to ..."); raises UserError with the reason in plain words."""
        notify.registry.check_name(channel)  # UnknownChannel is a UserError
        config = notify.NotifyConfig.from_values(settings.all_values())
        ctx = notify.registry.ChannelContext(config, _stored_channel_secret, desktop_sink=self.core._desktop_sink)
        message = notify.messages.channel_test(channel, clock.now())
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

    def set_secret(self, channel: str, value: str | None, which: str | None = None) -> str:
        """Store (or, with value None, remove) a channel's keyring secret: email password, Slack webhook URL,
        webhook signing secret (`which="url"`: a webhook URL with a token), Twilio auth token."""
        names = notify.registry.SECRETS[notify.registry.check_name(channel)]  # UnknownChannel is a UserError
        which = which or (names[0] if names else "")
        if which not in names:
            raise UserError(f"{channel} has no keyring secret{' named ' + which if which else ''}")
        label = notify.registry.SECRET_LABELS[(channel, which)]
        if value is None:  # no keyring: SecretsUnavailable, told as it is (exit 2)
            secrets.delete_channel_secret(channel, which)
            return f"Removed the {label} from the keyring"
        value = value.strip()
        if not value:
            raise UserError(f"The {label} is empty; paste it on stdin")
        if which == "url" and not value.startswith(("https://", "http://")):
            raise UserError(f"The {label} must start with https://")
        secrets.save_channel_secret(channel, which, value)
        return f"Stored the {label} in the keyring"

    def _secret_values(self) -> list[str]:
        """Every secret of ours in the keyring that a message or log line must never show (for redaction).

        Read only from a keyring that is already unlocked, and only the entries the store says exist: with nothing
        stored the keyring is not opened at all, and this never makes the desktop prompt. Otherwise nothing is
        read (the values read earlier in this process stay masked, and so do token-shaped strings)."""
        stored = keyring_use.entries()
        if not stored or not secrets.unlocked():
            return list(redaction.known().values)  # what this process read before (none at all while nothing is stored)
        values: list[str] = []
        try:
            for account in Account.select(Account.name, Account.platform):
                if secrets.account_entry(account.name) in stored:
                    values += notify.redact.secret_strings(secrets.load_credentials(account.name))
            for platform in oauth.PROVIDERS:
                if secrets.client_entry(platform) in stored:
                    client = secrets.load_oauth_client(platform) or {}
                    values += notify.redact.secret_strings(client.get("client_secret"))
            for channel, names in notify.registry.SECRETS.items():
                values += [v for v in (secrets.load_channel_secret(channel, n) for n in names
                                       if secrets.channel_entry(channel, n) in stored) if v]
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
            next_run = next_run_of(schedule)
        return notify.RunFacts(
            run_id=event.run_id, schedule=event.schedule, account=event.account, status=event.status,
            trigger=event.trigger, at=event.at, error_class=event.error_class, error=event.error,
            retry_at=event.retry_at, next_run_at=_aware(next_run), rows=event.rows,
            writes_file=event.platform == EXPORT_PLATFORM,
            sign_in_hint=self._sign_in_hint(Account.get_or_none(Account.name == event.account)))

    def _notify_accounts(self) -> list[notify.AccountFreshness]:
        accounts = {a.id: a for a in Account.select()}
        paused_all = settings.get("scheduler.paused_all")
        schedules: dict[int, list[tuple[str, bool, str]]] = {}  # account id -> (name, paused, frequency)
        rows = cast(Iterable[tuple[int, str, bool, str]], Schedule.select(
            Schedule.account, Schedule.name, Schedule.paused, Schedule.frequency).tuples())
        for account_id, name, paused, frequency in rows:
            schedules.setdefault(account_id, []).append((name, bool(paused), frequency))
        active = cast(Iterable[tuple[int]], SyncRun.select(SyncRun.account).where(
            SyncRun.status.in_(ACTIVE_STATUSES)).tuples())
        running = {account_id for (account_id,) in active}
        out = []
        for h in queries.account_health():
            account, own = accounts[h.account_id], schedules.get(h.account_id, [])
            out.append(notify.AccountFreshness(
                account=h.name, last_success_at=_aware(h.last_success_at),
                created_at=_aware(account.created_at) or clock.now(),  # always stored; never None in practice
                expected=not paused_all and any(not paused and frequency != "manual" for _, paused, frequency in own),
                schedules=tuple(name for name, _, _ in own), running=h.account_id in running,
                needs_sign_in=h.auth_state == "needs_sign_in", sign_in_detail=account.auth_message or "",
                sign_in_hint=self._sign_in_hint(account), api=api_of(h.platform)))
        return out


def _stored_channel_secret(channel: str, name: str) -> str | None:
    """A channel's secret for sending; a secret the store says was never stored is not looked up (no keyring)."""
    if not keyring_use.has(secrets.channel_entry(channel, name)):
        return None
    return secrets.load_channel_secret(channel, name)


def _aware(moment: datetime | None) -> datetime | None:
    """Store timestamps are naive UTC; the notifier works with aware ones."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _notify_totals(since: datetime, until: datetime) -> notify.DigestTotals:
    m = queries.period_metrics(since, until)
    return notify.DigestTotals(runs=m.total_runs, succeeded=m.succeeded, failed=m.failed, rows=m.rows_processed)

