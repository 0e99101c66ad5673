"""Server-Sent Events for `/sync/events`: the bus's run events (what the window's feed shows) numbered in a ring
of the last 1,000, so a client that reconnects with `Last-Event-ID` gets what it missed.

The ring lives as long as the process serves (it survives the API being switched off and on); bus handlers run in
the publisher's thread, so waking the streams goes through each stream's event loop (`call_soon_threadsafe`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from autosync_desktop import events as ev
from autosync_desktop import redaction
from autosync_desktop.api.models import event_payload

RING_SIZE = 1000
KEEPALIVE_S = 15.0
STREAMED = (ev.RunQueued, ev.RunStarted, ev.RunProgress, ev.RunLog, ev.RunFinished, ev.ScheduleChanged)
NAMES = {ev.RunQueued: "run_queued", ev.RunStarted: "run_started", ev.RunProgress: "run_progress",
         ev.RunLog: "run_log", ev.RunFinished: "run_finished", ev.ScheduleChanged: "schedule_changed"}


@dataclass(frozen=True, slots=True)
class Numbered:
    id: int
    name: str
    data: str  # JSON

    def frame(self) -> bytes:
        return f"id: {self.id}\nevent: {self.name}\ndata: {self.data}\n\n".encode()


def _text(event: ev.Event) -> str:
    values = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    for key in ("error", "message"):  # the engine's texts are redacted already; the API is a door too
        if isinstance(values.get(key), str):
            values[key] = redaction.clean(values[key])
    return json.dumps(event_payload(values))


class EventRing:
    """The last RING_SIZE streamed events, numbered from 1, and the streams waiting for more."""

    def __init__(self, size: int = RING_SIZE) -> None:
        self._lock = threading.Lock()
        self._events: deque[Numbered] = deque(maxlen=size)
        self._next = 1
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.closed = False

    def attach(self, bus: ev.EventBus) -> Callable[[], None]:
        """Number every streamed event published on `bus` from now on; returns the unsubscribe."""
        return bus.subscribe(self.publish)

    def publish(self, event: ev.Event) -> None:
        name = NAMES.get(type(event))
        if name is None:
            return
        data = _text(event)
        with self._lock:
            self._events.append(Numbered(self._next, name, data))
            self._next += 1
            waiters = list(self._waiters)
        self._wake(waiters)

    def close(self) -> None:
        """End every open stream (the server is stopping)."""
        with self._lock:
            self.closed = True
            waiters = list(self._waiters)
        self._wake(waiters)

    def reopen(self) -> None:
        with self._lock:
            self.closed = False

    @staticmethod
    def _wake(waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]) -> None:
        for loop, flag in waiters:
            with contextlib.suppress(RuntimeError):  # its loop has closed
                loop.call_soon_threadsafe(flag.set)

    def after(self, last_id: int | None) -> list[Numbered]:
        """The ring's events after `last_id` (all of them for None, or an id from an earlier life)."""
        with self._lock:
            if last_id is None or last_id >= self._next:
                return list(self._events) if last_id is None else []
            return [e for e in self._events if e.id > last_id]

    def latest_id(self) -> int:
        with self._lock:
            return self._next - 1

    async def stream(self, last_id: int | None, disconnected: Callable[[], bool] | None = None,
                     keepalive_s: float = KEEPALIVE_S) -> AsyncIterator[bytes]:
        """SSE frames: what followed `last_id` (with no Last-Event-ID: only what happens from now on), then each
        new event as it is published; a comment every `keepalive_s` keeps proxies and clients from timing out."""
        flag = asyncio.Event()
        waiter = (asyncio.get_running_loop(), flag)
        with self._lock:
            self._waiters.add(waiter)
            cursor = last_id if last_id is not None and last_id < self._next else self._next - 1
        try:
            yield b"retry: 2000\n\n"
            while not self.closed:
                flag.clear()
                for item in self.after(cursor):
                    cursor = item.id
                    yield item.frame()
                if disconnected is not None and disconnected():
                    return
                try:
                    await asyncio.wait_for(flag.wait(), keepalive_s)
                except TimeoutError:
                    yield b": keep-alive\n\n"
        finally:
            with self._lock:
                self._waiters.discard(waiter)
