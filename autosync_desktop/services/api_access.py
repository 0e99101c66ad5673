"""`services.api_access`: the local REST API's switch, URL, serving state and bearer token (keyring only).

The server itself lives in `autosync_desktop/api/` (which uses this area); the process serving it records what it
serves in the internal setting `api.state` (pid, url, problem), which `status` checks against the live processes.
The token's rotation count (`api.token_generation`, not a secret) tells a serving process to re-read the keyring,
so a rotated token stops working at once, in every process.
"""

from __future__ import annotations

import os
import secrets as pysecrets
from collections.abc import Mapping

from autosync_desktop import secrets
from autosync_desktop.domain import ApiStatus
from autosync_desktop.services import keyring_use
from autosync_desktop.services.area import Area
from autosync_desktop.store import runs, settings

STATE_KEY = "api.state"
GENERATION_KEY = "api.token_generation"
HOST = "127.0.0.1"


def url_for(port: int) -> str:
    return f"http://{HOST}:{port}"


class ApiAccessService(Area):
    """The API's setting, its serving state, and its token."""

    def status(self) -> ApiStatus:
        enabled = bool(settings.get("api.enabled"))
        port = int(settings.get("api.port"))
        state = settings.get(STATE_KEY)
        served: int | None = None
        problem: str | None = None
        if isinstance(state, Mapping):
            pid = state.get("pid")
            if isinstance(pid, int) and self._alive_scheduler(pid):
                problem = state.get("problem") if isinstance(state.get("problem"), str) else None
                if state.get("url") == url_for(port) and problem is None:
                    served = pid
        if enabled and served is None and problem is None:
            problem = ("no AutoSync process runs the scheduler (start the window or 'autosync service')"
                       if not self._scheduler_running() else
                       "not served yet: the process running the scheduler picks the setting up within seconds")
        return ApiStatus(enabled=enabled, url=url_for(port), served_by_pid=served if enabled else None,
                         problem=problem if enabled else None)

    def _scheduler_running(self) -> bool:
        return self.core.scheduler is not None or runs.live_scheduler() is not None

    def _alive_scheduler(self, pid: int) -> bool:
        if pid == os.getpid():
            return self.core.scheduler is not None
        other = runs.live_scheduler()
        return other is not None and other.pid == pid

    def record(self, url: str | None, problem: str | None) -> None:
        """What this process serves now (url None: nothing), for `status` in any process."""
        settings.set_state(STATE_KEY, {"pid": os.getpid(), "url": url, "problem": problem})

    def generation(self) -> int:
        """How often the token was rotated (a cheap read: the serving process checks it on every request)."""
        value = settings.get(GENERATION_KEY)
        return value if isinstance(value, int) else 0

    def token(self) -> str:
        """The bearer token, created in the keyring on first use. May block on the keyring."""
        token = secrets.load_api_token()
        if token is None:
            token = self._new_token()
        return token

    def existing_token(self) -> str | None:
        """The bearer token if one was created (never creates one). May block on the keyring; while the store
        says none was stored, the keyring is not opened."""
        if not keyring_use.has(secrets.API_TOKEN_ENTRY):
            return None
        return secrets.load_api_token()

    def shown_token(self) -> str | None:
        """What Settings shows: the token, created when the API is on (it needs one), else only an existing one."""
        return self.token() if settings.get("api.enabled") else self.existing_token()

    def rotate_token(self) -> str:
        """A new token; the old one stops working at once (the serving process sees the new generation)."""
        return self._new_token()

    def _new_token(self) -> str:
        token = pysecrets.token_urlsafe(32)
        secrets.save_api_token(token)
        settings.set_state(GENERATION_KEY, self.generation() + 1)
        return token
