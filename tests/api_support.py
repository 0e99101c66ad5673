"""A live local REST API for tests: Services on a temp data dir with Demo accounts, the scheduler started, the
API switched on through its settings on a free port of 127.0.0.1, and a `requests` session with the token."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import requests

from autosync_desktop.api.server import ApiService
from autosync_desktop.services import Services
from autosync_desktop.services.core import SCHEDULER_COMPANIONS
from tests.memory_keyring import MemoryKeyring

FAST = {"latency_ms": "0", "campaigns": "2", "history_days": "3"}
SLOW = {"latency_ms": "400", "campaigns": "2", "history_days": "30", "page_size": "1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout_s: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class LiveApi:
    services: Services
    api: ApiService
    port: int
    token: str
    session: requests.Session
    data_dir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.url + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(self.url + path, timeout=30, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.put(self.url + path, timeout=30, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.delete(self.url + path, timeout=30, **kwargs)

    def wait_job(self, job_id: int, timeout_s: float = 30.0) -> dict[str, Any]:
        def ended() -> dict[str, Any] | None:
            job = self.get(f"/sync/jobs/{job_id}").json()
            return job if job["status"] not in ("queued", "running") else None
        return wait_for(ended, timeout_s, f"job {job_id} to end")  # type: ignore[no-any-return]


@contextmanager
def live_api(data_dir: Path) -> Iterator[LiveApi]:
    previous = keyring.get_keyring()
    MemoryKeyring.store = {}
    keyring.set_keyring(MemoryKeyring())
    services = Services.open(data_dir, kind="service")
    holder: list[ApiService] = []

    def companion(svc: Services) -> Callable[[], None]:
        service = ApiService(svc)
        service.start()
        holder.append(service)
        return service.stop

    try:
        services.accounts.add("demo", "Demo fast", options=FAST)
        services.accounts.add("demo", "Demo slow", options=SLOW)
        services.schedules.add("Fast sync", "Demo fast", "both", "manual")
        services.schedules.add("Slow sync", "Demo slow", "both", "manual")
        port = free_port()
        services.settings.set("api.port", port)
        services.settings.set("api.enabled", True)
        registered = list(SCHEDULER_COMPANIONS)  # e.g. cli.main's own: this test's server is the only one
        SCHEDULER_COMPANIONS[:] = [companion]
        try:
            services.start_scheduler()
        finally:
            SCHEDULER_COMPANIONS[:] = registered
        token = services.api_access.token()
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        live = LiveApi(services, holder[0], port, token, session, data_dir)
        wait_for(lambda: holder[0].server is not None and holder[0].server.server.started, what="the API to serve")
        yield live
        session.close()
    finally:
        services.close()
        keyring.set_keyring(previous)
