"""Blocking work (database, keyring, files) runs here, off the GUI thread; results come back on the GUI thread.

`Workers` is a QObject created in the GUI thread. `run(fn, ...)` submits `fn` to one of a few small thread
pools ("lanes"), so that e.g. a slow integrity check or an export never delays a page of history:

    read     2 threads  queries for views (SQLite WAL allows concurrent readers)
    write    1 thread   changes (pause, add schedule, settings...), applied in the order the user made them
    keyring  1 thread   OS keyring access (may block on D-Bus or an unlock prompt)
    slow     1 thread   integrity check and other long reads
    export   1 thread   file exports

The worker thread emits `_finished` on this GUI-thread object; per PySide6's rules the connected slot then runs
in the GUI thread (queued), where the task's callbacks are called. A callback whose `owner` widget has been
deleted meanwhile is dropped. Plain Python threads are used (not QThreadPool) so each keeps one peewee
connection for its lifetime.

Errors: a task's exception first goes through `translate` (the services' `expected_error`, which turns the
store's SQLite failures into the error root). An `AutoSyncError` is an expected condition: its `on_error`, or
else its one line on the `error` signal (the status bar); never the crash dialog. Any other exception is a bug:
it is logged with its traceback, its `on_error` (if any) still lets the view put itself right, and `crashed`
hands it to the crash dialog.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from autosync_desktop.errors import AutoSyncError, one_line
from autosync_desktop.logs import FILE_ONLY

log = logging.getLogger(__name__)

LANES = {"read": 2, "write": 1, "keyring": 1, "slow": 1, "export": 1}


class TaskCancelled(Exception):
    """Raised inside a task's `report` when its task was cancelled (e.g. an export the user stopped).
    Control flow, not an error: deliberately outside the error root, so nothing ever shows it."""


class Task:
    """One submitted call. `cancel()` drops its result; a long task also stops at its next `report()`."""

    _ids = itertools.count(1)

    def __init__(self, workers: Workers, lane: str, fn: Callable[..., Any], args: tuple[Any, ...],
                 kwargs: dict[str, Any], on_done: Callable[[Any], None] | None,
                 on_error: Callable[[Exception], None] | None, on_progress: Callable[[Any], None] | None,
                 owner: QObject | None, on_cancel: Callable[[], None] | None = None) -> None:
        self.id = next(self._ids)
        self.lane = lane
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.on_done, self.on_error, self.on_progress = on_done, on_error, on_progress
        self.owner = owner
        self.on_cancel = on_cancel  # called (any thread) on cancel(), e.g. to stop waiting for a browser
        self.result: Any = None
        self.error: Exception | None = None
        self._cancelled = threading.Event()
        self._workers = workers

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        if self._cancelled.is_set():
            return
        self._cancelled.set()
        if self.on_cancel is not None:
            self.on_cancel()

    def report(self, value: Any) -> None:
        """Called by the work itself (any thread): forward progress to the GUI thread; stop if cancelled."""
        if self._cancelled.is_set():
            raise TaskCancelled("cancelled")
        self._workers._progressed.emit(self, value)


class Workers(QObject):
    idle = Signal()
    busy_changed = Signal(bool)
    error = Signal(str)  # an expected error (AutoSyncError) no callback handled: its one line, for the status bar
    crashed = Signal(object)  # a bug (any other exception) in a task: the exception, for the crash dialog

    _finished = Signal(object)
    _progressed = Signal(object, object)

    def __init__(self, parent: QObject | None = None,
                 translate: Callable[[BaseException], BaseException] | None = None) -> None:
        super().__init__(parent)
        self._translate = translate or (lambda exc: exc)
        self._pools = {lane: ThreadPoolExecutor(n, thread_name_prefix=f"gui-{lane}") for lane, n in LANES.items()}
        self._pending = 0
        self._active: set[Task] = set()
        self._closed = False
        self._finished.connect(self._deliver)
        self._progressed.connect(self._deliver_progress)

    @property
    def pending(self) -> int:
        """Tasks submitted whose result has not been delivered yet."""
        return self._pending

    def run(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[Exception], None] | None = None, on_progress: Callable[[Any], None] | None = None,
            owner: QObject | None = None, lane: str = "read", with_task: bool = False,
            on_cancel: Callable[[], None] | None = None, **kwargs: Any) -> Task:
        """Run `fn(*args, **kwargs)` on `lane`; call `on_done(result)` or `on_error(exc)` in the GUI thread.

        With `with_task=True`, `fn` also gets `task=` (for `task.report(progress)`). `on_cancel` is called when
        the task is cancelled (by its owner, or because the window closes) to make a blocking call return."""
        task = Task(self, lane, fn, args, kwargs, on_done, on_error, on_progress, owner, on_cancel)
        if self._closed:
            task.cancel()
            return task
        if with_task:
            task.kwargs = {**kwargs, "task": task}
        self._pending += 1
        self._active.add(task)
        if self._pending == 1:
            self.busy_changed.emit(True)
        self._pools[lane].submit(self._call, task)
        return task

    def _call(self, task: Task) -> None:  # worker thread
        if not task.cancelled:
            try:
                task.result = task.fn(*task.args, **task.kwargs)
            except Exception as exc:
                translated = self._translate(exc)
                task.error = translated if isinstance(translated, Exception) else exc
        if not self._closed:
            self._finished.emit(task)

    def _alive(self, task: Task) -> bool:
        return not self._closed and not task.cancelled and (task.owner is None or shiboken6.isValid(task.owner))

    def _deliver(self, task: Task) -> None:  # GUI thread
        self._pending = max(0, self._pending - 1)
        self._active.discard(task)
        try:
            if self._alive(task):
                if task.error is None:
                    if task.on_done is not None:
                        task.on_done(task.result)
                elif not isinstance(task.error, TaskCancelled):
                    self._failed(task, task.error)
        finally:
            if self._pending == 0 and not self._closed:
                self.busy_changed.emit(False)
                self.idle.emit()

    def _failed(self, task: Task, error: Exception) -> None:  # GUI thread
        name = getattr(task.fn, "__qualname__", task.fn)
        if isinstance(error, AutoSyncError):  # expected: one line; the traceback only in the log file
            log.info("background task %s: %s", name, one_line(error), exc_info=error, extra=FILE_ONLY)
            if task.on_error is not None:
                task.on_error(error)
            else:
                self.error.emit(one_line(error))
            return
        log.error("background task %s failed unexpectedly", name, exc_info=error)
        try:
            if task.on_error is not None:
                task.on_error(error)  # the view stops waiting; the bug itself goes to the crash dialog
            else:
                self.error.emit(f"Unexpected error: {one_line(error)}")
        finally:
            self.crashed.emit(error)

    def _deliver_progress(self, task: Task, value: Any) -> None:  # GUI thread
        if task.on_progress is not None and self._alive(task):
            task.on_progress(value)

    def close(self, wait: bool = True) -> None:
        """Drop pending results, cancel every task (exports stop at their next report, sign-ins stop waiting),
        and (by default) wait for the running calls to return."""
        self._closed = True
        for task in list(self._active):
            task.cancel()
        for pool in self._pools.values():
            pool.shutdown(wait=wait, cancel_futures=True)
