"""The in-process event bus: typed dataclass events, published from any thread, delivered synchronously.

Subscribers run in the publisher's thread, so they must be quick and must not block (the GUI bridge re-emits
on Qt signals; notifications hand work to their own executor). A failing subscriber is logged, never raised
into the publisher. Imports only the standard library.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, overload

from autosync_desktop import clock

log = logging.getLogger(__name__)


def _now() -> datetime:
    return clock.now()


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    at: datetime = field(default_factory=_now)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunQueued(Event):
    run_id: int
    schedule: str | None
    account: str
    trigger: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunStarted(Event):
    run_id: int
    schedule: str | None
    account: str
    platform: str
    trigger: str
    windows: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RunProgress(Event):
    run_id: int
    rows: int
    campaigns: int
    pages: int
    windows_done: int
    windows_total: int
    message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunLog(Event):
    run_id: int
    level: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFinished(Event):
    run_id: int
    schedule: str | None
    account: str
    trigger: str
    status: str  # succeeded | failed | cancelled | interrupted | skipped
    rows: int = 0
    duration_s: float | None = None
    error_class: str | None = None
    error: str | None = None
    retry_at: datetime | None = None
    platform: str = ""
    shared_limit: bool = False  # retry_at is the reset of a limit the platform's accounts share (sync/platform_holds)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleChanged(Event):
    schedule: str
    change: str  # created | updated | paused | resumed | removed | next_run | waiting
    next_run_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitEnded(Event):
    """A schedule's wait for its upstreams ended with some of them missing: it ran without them or was skipped."""

    schedule: str
    missing: tuple[str, ...]
    ran: bool
    run_id: int | None
    waited_minutes: int
    waited: str = ""  # the same in words: "2 h", "1 h 30 min"


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountChanged(Event):
    account: str
    change: str  # created | removed | auth_state | health
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SchedulerStateChanged(Event):
    running: bool
    paused_all: bool = False
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionPruned(Event):
    runs_deleted: int
    stats_deleted: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SettingChanged(Event):
    key: str
    value: Any


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]


class EventBus:
    """Thread-safe publish/subscribe keyed by event type (a subscription to `Event` receives everything)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handlers: list[tuple[type[Event], Handler]] = []

    @overload
    def subscribe(self, handler: Callable[[Event], None]) -> Callable[[], None]: ...

    @overload
    def subscribe(self, handler: Callable[[E], None], event_type: type[E]) -> Callable[[], None]: ...

    def subscribe(self, handler: Handler, event_type: type[Event] = Event) -> Callable[[], None]:
        with self._lock:
            self._handlers.append((event_type, handler))

        def unsubscribe() -> None:
            with self._lock:
                self._handlers = [(t, h) for t, h in self._handlers if h is not handler]

        return unsubscribe

    def publish(self, event: Event) -> None:
        with self._lock:
            handlers = [h for t, h in self._handlers if isinstance(event, t)]
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                log.exception("event handler %r failed on %s", handler, type(event).__name__)
