"""Executes claimed runs on a bounded thread pool, keeps their heartbeats, and relays cancel requests.

One Runner per process. Its heartbeat thread touches every active run of this process (and the process
lease) every few seconds, and turns a cancel requested from another process (a `cancel_requested` flag in
the store) into the run's cancel event.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from peewee import SqliteDatabase

from autosync_desktop import events as ev
from autosync_desktop.clock import SYSTEM_CLOCK, Clock
from autosync_desktop.store import runs
from autosync_desktop.sync.engine import CredentialsFor, Engine, Outcome, SaveCredentials

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_S = 5.0


class Runner:
    def __init__(self, db: SqliteDatabase, bus: ev.EventBus, max_workers: int,
                 credentials_for: CredentialsFor | None = None, engine: Engine | None = None,
                 save_credentials: SaveCredentials | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
        self.db = db
        self.bus = bus
        self.engine = engine or Engine(db, bus, credentials_for, save_credentials=save_credentials, clock=clock)
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="autosync-run")
        self._lock = threading.Lock()
        self._active: dict[int, threading.Event] = {}
        self._futures: dict[int, Future[Outcome | None]] = {}
        self._stop = threading.Event()
        self._heart = threading.Thread(target=self._heartbeat_loop, name="autosync-heartbeat", daemon=True)
        self._heart.start()

    def submit(self, run_id: int) -> Future[Outcome | None]:
        cancel = threading.Event()
        with self._lock:
            self._active[run_id] = cancel
            future = self._pool.submit(self._execute, run_id, cancel)
            self._futures[run_id] = future
        return future

    def _execute(self, run_id: int, cancel: threading.Event) -> Outcome | None:
        try:
            return self.engine.execute(run_id, cancel)
        finally:
            with self._lock:
                self._active.pop(run_id, None)
                self._futures.pop(run_id, None)

    def cancel(self, run_id: int) -> bool:
        with self._lock:
            event = self._active.get(run_id)
        if event is None:
            return False
        event.set()
        return True

    def active_ids(self) -> list[int]:
        with self._lock:
            return list(self._active)

    def cancel_all(self) -> None:
        with self._lock:
            for event in self._active.values():
                event.set()

    def _heartbeat_loop(self) -> None:
        while not self._stop.wait(HEARTBEAT_INTERVAL_S):
            self.beat()

    def beat(self) -> None:
        try:
            for run_id in runs.heartbeat(self.active_ids()):
                self.cancel(run_id)
            runs.touch_process()
        except Exception:
            log.exception("heartbeat failed")

    def shutdown(self, cancel: bool = True, wait: bool = True) -> None:
        """Stop: cancel active runs (they end at the next page boundary, recorded) and wait for them."""
        if cancel:
            self.cancel_all()
            with self._lock:
                waiting = [run_id for run_id, future in self._futures.items() if future.cancel()]
            for run_id in waiting:
                runs.finish_run(run_id, "cancelled", reason="AutoSync stopped before this run started")
        self._pool.shutdown(wait=wait, cancel_futures=True)
        self._stop.set()
        if wait:
            self._heart.join(timeout=HEARTBEAT_INTERVAL_S + 1)
