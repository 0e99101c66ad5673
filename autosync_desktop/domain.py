"""The shared vocabulary of AutoSync: enums and frozen read models (stdlib only).

Everything the window, the CLI and the local API show about accounts, schedules, runs, metrics and settings
is one of the frozen dataclasses here; the service layer (`autosync_desktop/services/`) returns only these,
never peewee rows or dicts. The enums are `StrEnum`s whose values are exactly the strings stored in the
database and written in the CLI's JSON, so `RunStatus.SUCCEEDED == "succeeded"`.

Layout: enums first, then read models grouped by area (accounts, schedules, runs, metrics/dashboard,
data, settings, notifications). The error root lives in `autosync_desktop/errors.py`.
"""

from __future__ import annotations

from enum import StrEnum

# --- enums ----------------------------------------------------------------------------------------------------


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    SKIPPED = "skipped"

    @property
    def is_active(self) -> bool:
        return self in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def is_final(self) -> bool:
        return not self.is_active


class Trigger(StrEnum):
    SCHEDULED = "scheduled"
    MANUAL = "manual"
    CATCH_UP = "catch-up"
    BACKFILL = "backfill"
    RETRY = "retry"


class Frequency(StrEnum):
    MANUAL = "manual"
    INTERVAL = "interval"
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    CRON = "cron"


class SyncType(StrEnum):
    CAMPAIGNS = "campaigns"
    PERFORMANCE = "performance"
    BOTH = "both"


class MissedPolicy(StrEnum):
    SKIP = "skip"
    RUN_ONCE = "run_once"


class Health(StrEnum):
    """An account's health, worst first (the order the Dashboard sorts by)."""

    NEEDS_SIGN_IN = "needs_sign_in"
    PAUSED = "paused"
    NEVER_SYNCED = "never_synced"
    FAILING = "failing"
    DEGRADED = "degraded"
    HEALTHY = "healthy"


class AuthState(StrEnum):
    OK = "ok"
    NEEDS_SIGN_IN = "needs_sign_in"
    UNKNOWN = "unknown"


class KeyringStatus(StrEnum):
    AVAILABLE = "available"
    MISSING = "missing"
    LOCKED = "locked"
    ERROR = "error"


class ErrorClass(StrEnum):
    """How a failed call or run is classified; decides retries (see connectors/base.py)."""

    RATE_LIMITED = "RateLimited"
    TRANSIENT = "Transient"
    AUTH_EXPIRED = "AuthExpired"
    REAUTH_REQUIRED = "ReauthRequired"
    PERMANENT = "Permanent"
    CANCELLED = "Cancelled"
    TIMEOUT = "Timeout"
    INTERRUPTED = "Interrupted"
    INTERNAL = "Internal"


# --- read models ----------------------------------------------------------------------------------------------
# Each area adds its frozen dataclasses (`@dataclass(frozen=True, slots=True)`) under its own heading below.
