"""The local REST API's server: uvicorn on 127.0.0.1 on its own thread, in the process that runs the scheduler.

`ApiService.attach(services)` (registered by cli.py as a scheduler companion) starts a small watcher thread that
follows the settings `api.enabled` and `api.port` (at once when this process changes them, within a second when
another process does) and starts, moves or stops the server, so switching it takes effect without a restart. A
busy port is reported plainly (the log, `autosync api status`, Settings) and AutoSync keeps running without the
API. What is served is recorded through `services.api_access.record`.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable

import uvicorn

from autosync_desktop import clock
from autosync_desktop import events as ev
from autosync_desktop.api.app import ApiContext, DropEmptyQuery, create_app
from autosync_desktop.api.events import EventRing
from autosync_desktop.api.security import Guard, Throttle, TokenSource
from autosync_desktop.errors import AutoSyncError, one_line
from autosync_desktop.services import Services
from autosync_desktop.services.api_access import HOST, url_for

log = logging.getLogger(__name__)
WATCH_S = 1.0
RETRY_BUSY_S = 30.0
# A sync thread busy in Python holds the GIL for up to the switch interval (5 ms by default) each time a request's
# thread wants it back; a request needs it dozens of times. 1 ms (what the window uses too) keeps pages of jobs
# fast while a big sync runs.
SWITCH_INTERVAL_S = 0.001


class PortBusy(Exception):
    pass


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:`port`, or PortBusy in plain words."""
    # proto IPPROTO_TCP: asyncio sets TCP_NODELAY on the accepted connections only then (else Nagle's algorithm and
    # delayed ACKs add ~40 ms to every response sent in two writes, headers then body)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if sys.platform != "win32":  # on Windows SO_REUSEADDR would let two servers share the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES, getattr(errno, "WSAEADDRINUSE", -1)):
            raise PortBusy(f"Port {port} on {HOST} is in use by another program; the local API is off. Choose "
                           f"another with: autosync settings set api.port N") from None
        raise PortBusy(f"Cannot listen on {HOST}:{port} ({exc.strerror or exc}); the local API is off") from None
    sock.setblocking(False)
    return sock


class _Uvicorn(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the process (window, service) owns its signals
        pass


class ApiServer:
    """One uvicorn server on a bound socket, on its own thread."""

    def __init__(self, app: Guard, sock: socket.socket) -> None:
        config = uvicorn.Config(app, log_config=None, access_log=False, server_header=False, date_header=False,
                                timeout_graceful_shutdown=2, lifespan="off", proxy_headers=False)
        self.server = _Uvicorn(config)
        logging.getLogger("uvicorn.access").disabled = True  # no request lines at all, whoever adds a handler
        self.sock = sock
        self.port = int(sock.getsockname()[1])
        self.thread = threading.Thread(target=self._run, name=f"api-{self.port}", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self.server.serve(sockets=[self.sock]))
        except BaseException:
            log.exception("the local API server stopped unexpectedly")

    def start(self, timeout_s: float = 10.0) -> None:
        self.thread.start()
        deadline = threading.Event()
        for _ in range(int(timeout_s / 0.01)):
            if self.server.started or not self.thread.is_alive():
                return
            deadline.wait(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


class ApiService:
    """Serves the API while `api.enabled` is on; `stop()` ends the server and the watcher."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.ring = EventRing()
        self.throttle = Throttle()
        self.context = ApiContext(services=services, ring=self.ring, scheduler_since=clock.now())
        self.tokens = TokenSource(services.api_access.token, services.api_access.generation)
        self.server: ApiServer | None = None
        self.problem: str | None = None
        self._failed: tuple[int, float] | None = None  # a busy port and when it was tried
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._unsubscribe: list[Callable[[], None]] = []
        self._watcher = threading.Thread(target=self._watch, name="api-watch", daemon=True)

    @classmethod
    def attach(cls, services: Services) -> Callable[[], None]:
        """Start following the settings (a SCHEDULER_COMPANIONS entry); returns the stop."""
        service = cls(services)
        service.start()
        return service.stop

    def start(self) -> None:
        self._unsubscribe.append(self.ring.attach(self.services.bus))
        self._unsubscribe.append(self.services.bus.subscribe(self._on_setting, ev.SettingChanged))
        self._unsubscribe.append(self.services.bus.subscribe(self._on_scheduler, ev.SchedulerStateChanged))
        for changes in (ev.RunQueued, ev.RunStarted, ev.RunFinished, ev.ScheduleChanged):
            self._unsubscribe.append(self.services.bus.subscribe(self._on_change, changes))
        self.reconcile()
        self._watcher.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self._watcher.is_alive():
            self._watcher.join(10)
        with self._lock:
            self._stop_server()
            self._record(None)

    @property
    def port(self) -> int | None:
        server = self.server
        return None if server is None else server.port

    def _on_setting(self, event: ev.SettingChanged) -> None:
        if event.key.startswith("api."):
            self._failed = None
            self._wake.set()

    def _on_change(self, _: ev.Event) -> None:
        self.context.cache.changed()

    def _on_scheduler(self, event: ev.SchedulerStateChanged) -> None:
        if event.detail.startswith("woke after"):
            self.context.last_wake_up = event.at

    def _watch(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(WATCH_S)
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self.reconcile()
            except Exception:  # e.g. the store locked for a moment: try again next time
                log.warning("the local API could not read its settings", exc_info=True)

    def reconcile(self) -> None:
        """Start, move or stop the server to match the settings now."""
        api = self.services.settings
        enabled = bool(api.value("api.enabled"))
        port = int(api.value("api.port"))
        with self._lock:
            if self._stopping.is_set():
                return
            if self.server is not None and (not enabled or self.server.port != port):
                self._stop_server()
                log.info("local API stopped")
                self._record(None)
            if not enabled or self.server is not None:
                if not enabled and self.problem is not None:
                    self.problem = None
                    self._record(None)
                return
            if self._failed is not None and self._failed[0] == port and \
                    self._now() - self._failed[1] < RETRY_BUSY_S:
                return
            try:
                self.services.api_access.token()  # created now if needed, so Settings and clients can read it
            except AutoSyncError as exc:  # no keyring: no token, so nobody could use the API
                self._failed = (port, self._now())
                self.problem = f"The local API needs the system keyring for its token: {one_line(exc)}"
                log.info("%s", self.problem)  # told by 'api status', Settings › Advanced and 'service'
                self._record(None)
                return
            try:
                sock = bind(port)
            except PortBusy as exc:
                self._failed = (port, self._now())
                if self.problem != str(exc):
                    log.info("%s", exc)  # told by 'api status', Settings › Advanced and 'service'
                self.problem = str(exc)
                self._record(None)
                return
            self._failed = None
            self.problem = None
            self.ring.reopen()
            sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
            guard = Guard(DropEmptyQuery(create_app(self.context)), self.tokens, lambda: port, self.throttle)
            server = ApiServer(guard, sock)
            server.start()
            self.server = server
            log.info("local API serving on %s", url_for(port))
            self._record(url_for(port))

    def _stop_server(self) -> None:
        if self.server is not None:
            self.ring.close()
            self.server.stop()
            self.server = None

    def _record(self, url: str | None) -> None:
        try:
            self.services.api_access.record(url, self.problem)
        except Exception as exc:
            log.warning("could not record the local API's state: %s", one_line(exc))

    @staticmethod
    def _now() -> float:
        return time.monotonic()
