"""The sync engine's small types and per-run settings: `Outcome` (how a run ended), the engine's own errors
(`RunTimeout`, `Deferred` to a rate-limit reset), the credential callbacks' types, and the retry policy and HTTP
limits a run reads from the settings. Re-exported by sync/engine.py; reads settings, writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from autosync_desktop.connectors.base import HttpLimits, RetryPolicy
from autosync_desktop.domain import RunStatus
from autosync_desktop.errors import AutoSyncError
from autosync_desktop.store import settings
from autosync_desktop.store.models import Account

CredentialsFor = Callable[[Account], dict[str, str] | None]
SaveCredentials = Callable[[Account, dict[str, str]], None]


class RunTimeout(AutoSyncError):
    pass


class Deferred(AutoSyncError):
    """The platform's rate-limit reset lies beyond what one run may wait: try again at `retry_at`."""

    def __init__(self, message: str, retry_at: datetime, shared: bool = False) -> None:
        super().__init__(message)
        self.retry_at = retry_at
        self.shared = shared  # the limit is the app's: the platform's other accounts wait for it too


def retry_policy() -> RetryPolicy:
    return RetryPolicy(settings.get("retry.max_attempts"), settings.get("retry.base_delay_s"),
                       settings.get("retry.max_delay_s"), settings.get("retry.max_rate_limit_wait_s"))


def http_limits(platform: str) -> HttpLimits:
    return HttpLimits(requests_per_minute=settings.get_platform("http.requests_per_minute", platform),
                      max_concurrent=settings.get_platform("http.max_concurrent", platform),
                      timeout_s=settings.get("http.timeout_s"))


@dataclass(slots=True)
class Outcome:
    status: RunStatus  # a final status
    rows: int = 0
    campaigns: int = 0
    error_class: str | None = None
    error: str | None = None
    retry_at: datetime | None = None
    shared_limit: bool = False  # retry_at is the reset of a limit the platform's accounts share
