"""The event bus, seen from the GUI thread: every bus event re-emitted as a Qt signal of a GUI-thread QObject.

Bus subscribers run in the publisher's thread (a run's worker, APScheduler's pool). `Bridge` is created in the
GUI thread; its bus handler only emits `_relay`, and because `_relay` belongs to a GUI-thread object the
connected slot (`_dispatch`) runs in the GUI thread, which emits the public signals below. Widgets connect to
those and never see another thread.

RunProgress is coalesced on the publisher's side: at most one per run every PROGRESS_INTERVAL_S reaches the
GUI thread (a run publishes one per page; each delivery costs the GUI thread a GIL hand-off while the run's
thread is busy). The newest progress held back is delivered before that run's next other event, so the
order of events is kept and nothing after the last delivered progress is lost.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal

from autosync_desktop import events as ev

PROGRESS_INTERVAL_S = 0.1


class Bridge(QObject):
    any_event = Signal(object)  # every event (not `event`: that would hide QObject.event(), Qt's event handler)
    run_queued = Signal(object)
    run_started = Signal(object)
    run_progress = Signal(object)
    run_log = Signal(object)
    run_finished = Signal(object)
    schedule_changed = Signal(object)
    account_changed = Signal(object)
    scheduler_state = Signal(object)
    retention_pruned = Signal(object)
    setting_changed = Signal(object)

    _relay = Signal(object)

    def __init__(self, bus: ev.EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._typed = {
            ev.RunQueued: self.run_queued, ev.RunStarted: self.run_started, ev.RunProgress: self.run_progress,
            ev.RunLog: self.run_log, ev.RunFinished: self.run_finished, ev.ScheduleChanged: self.schedule_changed,
            ev.AccountChanged: self.account_changed, ev.SchedulerStateChanged: self.scheduler_state,
            ev.RetentionPruned: self.retention_pruned, ev.SettingChanged: self.setting_changed,
        }
        self._closed = False
        self._lock = threading.Lock()
        self._last_progress: dict[int, float] = {}  # run id -> monotonic time of the last delivered progress
        self._held: dict[int, ev.RunProgress] = {}  # run id -> newest progress not delivered yet
        self._relay.connect(self._dispatch)
        self._unsubscribe = bus.subscribe(self._on_bus_event, ev.Event)

    def _on_bus_event(self, event: ev.Event) -> None:  # any thread: emit only
        if self._closed:
            return
        run_id = getattr(event, "run_id", None)
        held = None
        with self._lock:
            if isinstance(event, ev.RunProgress):
                now = time.monotonic()
                if now - self._last_progress.get(event.run_id, 0.0) < PROGRESS_INTERVAL_S:
                    self._held[event.run_id] = event
                    return
                self._last_progress[event.run_id] = now
                self._held.pop(event.run_id, None)
            elif run_id is not None:
                held = self._held.pop(run_id, None)
                if isinstance(event, ev.RunFinished):
                    self._last_progress.pop(run_id, None)
        if held is not None:
            self._relay.emit(held)
        self._relay.emit(event)

    def _dispatch(self, event: ev.Event) -> None:  # GUI thread
        if self._closed:
            return
        self.any_event.emit(event)
        signal = self._typed.get(type(event))
        if signal is not None:
            signal.emit(event)

    def close(self) -> None:
        self._closed = True
        self._unsubscribe()
