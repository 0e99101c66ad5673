"""The notifier: bus events in, messages out, on its own threads, never in the way of a sync.

The bus handler only puts the event on a queue (the engine thread that publishes never waits). One notifier
thread turns events and a periodic tick (stale data, held messages, the digest) into deliveries through the
policy and persists the policy's state. Each channel has its own delivery thread, so a hanging mail server
delays only email. Every delivery is bounded by the channel's timeout, retried a couple of times when the
failure looks temporary, redacted, logged, and its outcome recorded (the last result per channel).

The store is reached only through `Backend`, a set of callables that services/ wires up.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta, tzinfo
from typing import Any

from autosync_desktop import events as ev
from autosync_desktop import redaction
from autosync_desktop.notify import registry
from autosync_desktop.notify.base import DEFAULT_TIMEOUT_S, DeliveryError, DeliveryResult
from autosync_desktop.notify.config import NotifyConfig
from autosync_desktop.notify.desktop import DesktopSink
from autosync_desktop.notify.messages import Notification, RunFacts
from autosync_desktop.notify.policy import (
    STARTUP_GRACE,
    AccountFreshness,
    Clock,
    Delivery,
    Policy,
    PolicyState,
    Totals,
    utc_now,
)
from autosync_desktop.notify.redact import Redactor, guard_logs

log = logging.getLogger(__name__)

TICK_S = 60.0
RETRY_DELAYS_S = (30.0, 120.0)
REDACTOR_MAX_AGE_S = 600.0
_TICK = object()
_STOP = object()


@dataclass(frozen=True, slots=True)
class Backend:
    """What the notifier needs from the rest of the app (services/ builds it over the store and keyring)."""

    settings: Callable[[], Mapping[str, Any]]  # the notify.* setting values
    run_facts: Callable[[ev.RunFinished], RunFacts]  # a finished run plus its schedule's next run etc.
    accounts: Callable[[], Sequence[AccountFreshness]]
    totals: Totals  # run totals between two moments, for the digest
    load_state: Callable[[], Mapping[str, Any] | None]
    save_state: Callable[[dict[str, Any]], None]
    save_result: Callable[[DeliveryResult], None]
    secret_values: Callable[[], Sequence[str]]  # every secret in the keyring, to mask in texts
    channel_secret: registry.SecretLookup
    thread_done: Callable[[], None] = lambda: None  # release per-thread resources (the thread's DB connection)


def deliver_once(name: str, n: Notification, ctx: registry.ChannelContext, redactor: Redactor,
                 clock: Clock = utc_now) -> tuple[DeliveryResult, bool]:
    """Send one message on one channel now (blocking, bounded by the timeout); never raises.
    Returns the redacted result and whether a failure is worth retrying."""
    looked_up: list[str] = []

    def secret(channel: str, key: str) -> str | None:
        value = ctx.secret(channel, key)
        if value:
            looked_up.append(value)
        return value

    retryable = False
    try:
        text, ok = registry.build(name, replace(ctx, secret=secret)).send(n), True
    except DeliveryError as exc:
        text, ok, retryable = exc.message, False, exc.retryable
    except Exception as exc:  # a bug or an unexpected library error: recorded, never raised into a sync
        text, ok = f"Unexpected error ({type(exc).__name__}: {exc})", False
    # redact first, then cut (never half a secret): this channel's secrets, then everything the process has read
    clean = shorten(redaction.clean(Redactor([*redactor.values, *looked_up])(text)))
    return DeliveryResult(name, ok, clean, clock(), n.kind, n.title), retryable


RESULT_CHARS = 300  # longest delivery result kept and shown


def shorten(text: str, limit: int = RESULT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _ChannelWorker:
    """One daemon thread delivering one channel's messages in order."""

    def __init__(self, name: str, deliver: Callable[[str, Notification, NotifyConfig], None],
                 done: Callable[[], None]) -> None:
        self.name = name
        self._deliver = deliver
        self._done = done
        self.queue: queue.Queue[Any] = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name=f"autosync-notify-{name}", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            item = self.queue.get()
            if item is _STOP:
                break
            if isinstance(item, threading.Event):
                item.set()
                continue
            notification, config = item
            try:
                self._deliver(self.name, notification, config)
            except Exception:
                log.exception("notification delivery via %s failed unexpectedly", self.name)
        try:
            self._done()
        except Exception:
            log.exception("notifier thread cleanup failed")


class Dispatcher:
    def __init__(self, bus: ev.EventBus, backend: Backend, *, clock: Clock = utc_now, tz: tzinfo | None = None,
                 tick_s: float = TICK_S, timeout_s: float = DEFAULT_TIMEOUT_S,
                 retry_delays: Sequence[float] | None = None, startup_grace: timedelta = STARTUP_GRACE,
                 desktop_sink: DesktopSink | None = None) -> None:
        self.bus = bus
        self.backend = backend
        self.clock = clock
        self.tz = tz
        self.tick_s = tick_s
        self.timeout_s = timeout_s
        self.retry_delays = tuple(RETRY_DELAYS_S if retry_delays is None else retry_delays)
        self.desktop_sink = desktop_sink
        self.policy = Policy(clock, tz, startup_grace=startup_grace)
        self._queue: queue.Queue[Any] = queue.Queue()
        self._workers: dict[str, _ChannelWorker] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._unsubscribe: list[Callable[[], None]] = []
        self._thread: threading.Thread | None = None
        self._saved_state = ""
        self._redactor = Redactor()
        self._redactor_at = float("-inf")

    # --- lifecycle --------------------------------------------------------------------------------------

    def start(self) -> Dispatcher:
        try:
            self.policy.state = PolicyState.from_dict(self.backend.load_state())
        except Exception:
            log.exception("could not load the notification state; starting fresh")
        self._saved_state = json.dumps(self.policy.state.to_dict(), sort_keys=True)
        self._unsubscribe = [self.bus.subscribe(self._enqueue, kind)
                             for kind in (ev.RunFinished, ev.AccountChanged, ev.SchedulerStateChanged, ev.WaitEnded)]
        self._unsubscribe.append(guard_logs(lambda: self._redactor))
        self._thread = threading.Thread(target=self._loop, name="autosync-notify", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop taking events, finish what is queued (bounded by `timeout_s`), abandon pending retries."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        deadline = time.monotonic() + timeout_s
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout_s)
        self._stopping.set()
        with self._lock:
            workers = list(self._workers.values())
        for worker in workers:
            worker.queue.put(_STOP)
        for worker in workers:
            worker.thread.join(max(0.0, deadline - time.monotonic()))

    def _enqueue(self, event: ev.Event) -> None:
        """The bus handler, on the publisher's thread: hand over and return at once."""
        self._queue.put(event)

    def tick_now(self) -> None:
        self._queue.put(_TICK)

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything queued so far is handled and delivered (for tests and shutdown)."""
        deadline = time.monotonic() + timeout_s
        marker = threading.Event()
        self._queue.put(marker)
        if not marker.wait(timeout_s):
            return False
        with self._lock:
            workers = list(self._workers.values())
        for worker in workers:
            marker = threading.Event()
            worker.queue.put(marker)
            if not marker.wait(max(0.0, deadline - time.monotonic())):
                return False
        return True

    # --- the notifier thread ----------------------------------------------------------------------------

    def _loop(self) -> None:
        next_tick = time.monotonic() + self.tick_s
        while True:
            try:
                item = self._queue.get(timeout=max(0.0, next_tick - time.monotonic()))
            except queue.Empty:
                item = _TICK
            if item is _STOP:
                break
            if isinstance(item, threading.Event):
                item.set()
                continue
            self._safely(item)
            if item is not _TICK and time.monotonic() >= next_tick:
                self._safely(_TICK)
            if item is _TICK or time.monotonic() >= next_tick:
                next_tick = time.monotonic() + self.tick_s
        try:
            self.backend.thread_done()
        except Exception:
            log.exception("notifier thread cleanup failed")

    def _safely(self, item: Any) -> None:
        try:
            self._handle(item)
        except Exception:
            log.exception("notifier failed on %s", type(item).__name__ if item is not _TICK else "tick")

    def _handle(self, item: Any) -> None:
        config = NotifyConfig.from_values(self.backend.settings())
        self._refresh_redactor(force=isinstance(item, ev.AccountChanged) and item.change in ("created",
                                                                                              "auth_state"))
        deliveries: list[Delivery] = []
        if item is _TICK:
            deliveries = self.policy.tick(config, self.backend.accounts(), self.backend.totals)
        elif isinstance(item, ev.RunFinished):
            if item.status in ("succeeded", "failed", "interrupted"):
                facts = self.backend.run_facts(item)
                deliveries = self.policy.run_finished(replace(facts, error=self._redactor(facts.error) or None),
                                                      config)
        elif isinstance(item, ev.AccountChanged):
            deliveries = self._account_changed(item, config)
        elif isinstance(item, ev.WaitEnded):
            deliveries = self.policy.inputs_missing(item.schedule, item.missing, item.ran, item.waited, config)
        elif isinstance(item, ev.SchedulerStateChanged) and item.detail.startswith("woke"):
            self.policy.started_at = self.clock()  # after sleep, catch-up runs first, stale alerts later
        self._save_state()
        for delivery in deliveries:
            if delivery.channel == "desktop" and self.desktop_sink is None:
                log.debug("no window in this process: desktop notification %r not shown", delivery.notification.title)
                continue  # a headless service: `notify list` says the desktop channel is not ready
            self._worker(delivery.channel).queue.put((delivery.notification, config))

    def _account_changed(self, event: ev.AccountChanged, config: NotifyConfig) -> list[Delivery]:
        if event.change == "removed":
            self.policy.forget_account(event.account)
        elif event.change == "auth_state" and event.detail == "ok":
            self.policy.signed_in(event.account)
        elif event.change in ("auth_state", "health"):
            account = next((a for a in self.backend.accounts() if a.account == event.account), None)
            if account is not None and account.needs_sign_in:
                return self.policy.sign_in_needed(account.account, self._redactor(account.sign_in_detail),
                                                  account.sign_in_hint, config)
        return []

    def _save_state(self) -> None:
        data = self.policy.state.to_dict()
        text = json.dumps(data, sort_keys=True)
        if text != self._saved_state:
            self.backend.save_state(data)
            self._saved_state = text

    def _refresh_redactor(self, force: bool = False) -> None:
        if force or time.monotonic() - self._redactor_at > REDACTOR_MAX_AGE_S:
            try:
                self._redactor = Redactor(self.backend.secret_values())
            except Exception as exc:  # a locked keyring: keep the last known values and the patterns
                log.warning("notifier: could not read the keyring to refresh redaction (%s)", type(exc).__name__)
            self._redactor_at = time.monotonic()

    # --- delivery threads -------------------------------------------------------------------------------

    def _worker(self, channel: str) -> _ChannelWorker:
        with self._lock:
            worker = self._workers.get(channel)
            if worker is None:
                worker = self._workers[channel] = _ChannelWorker(channel, self._deliver, self.backend.thread_done)
            return worker

    def context(self, config: NotifyConfig) -> registry.ChannelContext:
        return registry.ChannelContext(config, self.backend.channel_secret, self.timeout_s, self.desktop_sink)

    def _deliver(self, channel: str, n: Notification, config: NotifyConfig) -> None:
        redactor = self._redactor
        n = n.map_text(redactor)
        result: DeliveryResult | None = None
        for attempt, delay in enumerate((0.0, *self.retry_delays), 1):
            if delay and self._stopping.wait(delay):
                break
            result, retryable = deliver_once(channel, n, self.context(config), redactor, self.clock)
            if result.ok or not retryable or attempt > len(self.retry_delays):
                break
            log.info("notification %r via %s failed (%s); trying again in %.0f s", n.title, channel, result.message,
                     self.retry_delays[attempt - 1])
        if result is None:
            return
        record(result, self.backend.save_result)


def record(result: DeliveryResult, save: Callable[[DeliveryResult], None], failure_level: int = logging.WARNING
           ) -> None:
    """Log a delivery outcome and keep it as the channel's last result."""
    if result.ok:
        log.info("notification %r via %s: %s", result.title, result.channel, result.message)
    else:
        log.log(failure_level, "notification %r via %s failed: %s", result.title, result.channel, result.message)
    try:
        save(result)
    except Exception:
        log.exception("could not record the result of a notification via %s", result.channel)
