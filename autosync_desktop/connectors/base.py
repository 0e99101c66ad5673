"""The connector contract: record types every platform maps onto, the error classes, and the Connector protocol.

Imports only the standard library. A connector never touches the store or Qt: it turns a platform's API
into pages of records and raises one of the classified errors below.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, Protocol, runtime_checkable

from autosync_desktop.clock import SYSTEM_CLOCK, Clock
from autosync_desktop.connectors.urls import URL_OPTIONS, UrlRefused, checked_url
from autosync_desktop.errors import AutoSyncError

CAMPAIGN_STATUSES = ("ACTIVE", "PAUSED", "REMOVED", "OTHER")


# --- records ---------------------------------------------------------------------------------------------

@dataclass(slots=True)
class AccountInfo:
    """What the platform says about the account itself."""

    name: str | None = None
    currency: str | None = None
    timezone: str | None = None  # the zone the platform's days are in (LinkedIn: UTC; GA4: the property's)


@dataclass(slots=True)
class CampaignRecord:
    campaign_id: str
    name: str
    status: str = "OTHER"  # one of CAMPAIGN_STATUSES
    status_raw: str | None = None
    currency: str | None = None
    updated_at: str | None = None  # ISO 8601 as the platform gave it, if it did
    extra: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class ActionConversions:
    """One conversion action's share of a campaign's day: what the platform counted for it and its value.

    `action` is the platform's own name for it (Meta's action_type, Google's conversion action name, ...).
    `value_micros` None: the platform reports no value for this action.
    """

    action: str
    count: float
    value_micros: int | None = None


@dataclass(slots=True)
class DailyStatRecord:
    """One campaign's performance on one day (in the account's time zone).

    Money is integer micros of the account currency; None means the platform does not measure the metric,
    0 means it measured zero.
    """

    campaign_id: str
    date: date
    impressions: int | None
    clicks: int | None
    cost_micros: int | None
    conversions: float | None = 0.0  # None: the platform does not report conversions (unknown, not 0)
    conversion_value_micros: int | None = None
    currency: str | None = None
    campaign_name: str | None = None
    extra: dict[str, str] | None = None
    # The day's conversions per action (table daily_conversion; the window's rows are replaced with these);
    # None: the platform does not break this day down; (): it does, and no action counted anything.
    actions: tuple[ActionConversions, ...] | None = None


def money_to_micros(text: str | int | float | None) -> int:
    """An exact decimal money string ("37.12") to integer micros, rounding half to even. Never via float."""
    if text is None or text == "":
        return 0
    try:
        value = Decimal(str(text))
    except InvalidOperation as exc:
        raise Permanent(f"Not a money amount: {text!r}") from exc
    return int((value * 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def micros_to_text(micros: int | None) -> str:
    """Integer micros to an exact decimal string with at least two decimals: 37120000 -> "37.12"."""
    if micros is None:
        return ""
    sign = "-" if micros < 0 else ""
    whole, frac = divmod(abs(micros), 1_000_000)
    digits = f"{frac:06d}".rstrip("0").ljust(2, "0")
    return f"{sign}{whole}.{digits}"


# --- errors ----------------------------------------------------------------------------------------------

class ConnectorError(AutoSyncError):
    """Base of every classified connector error. `message` is for the user, in plain words."""

    error_class = "ConnectorError"

    def __init__(self, message: str, *, platform_message: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.platform_message = platform_message
        self.exhausted = False  # True when the HTTP layer already spent the retry budget on it


class RateLimited(ConnectorError):
    """The platform throttled us. `retry_after` (seconds) is the server's hint when it gave one.

    `guess_after` is a wait guessed from the message text (e.g. "daily limit" -> midnight): the HTTP layer uses
    it only when the response carries no hint of its own (Retry-After, a reset header): server hints win.
    `shared`: the limit belongs to the app (Google Ads' developer token, Meta's app, LinkedIn's application, a GA4
    project), not to this account, so the platform's other accounts would hit it too: when it defers a run, the
    scheduler holds their scheduled runs until the same reset (sync/platform_holds.py).
    """

    error_class = "RateLimited"

    def __init__(self, message: str, *, retry_after: float | None = None, guess_after: float | None = None,
                 platform_message: str | None = None, shared: bool = False) -> None:
        super().__init__(message, platform_message=platform_message)
        self.retry_after = retry_after
        self.guess_after = guess_after
        self.shared = shared


class Transient(ConnectorError):
    """5xx, connection errors, timeouts: worth retrying with backoff."""

    error_class = "Transient"


class AuthExpired(ConnectorError):
    """The access token expired: refresh once, retry once."""

    error_class = "AuthExpired"


class ReauthRequired(ConnectorError):
    """The grant is dead (revoked, expired refresh token): the user must sign in again."""

    error_class = "ReauthRequired"


class Permanent(ConnectorError):
    """Bad request, permission denied, unknown account: retrying will not help."""

    error_class = "Permanent"


def retired_api(platform: str, version: str, *, note: str = "", platform_message: str | None = None) -> Permanent:
    """The platform answered that the API version this build speaks is retired (sunset)."""
    return Permanent(f"This AutoSync uses {platform} API {version}, which {platform} has retired: update AutoSync"
                     f"{note}.", platform_message=platform_message)


class Cancelled(Exception):
    """Raised inside a run when the user (or shutdown) asked it to stop."""


# --- the context a connector runs in ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry; from the retry.* settings (the engine builds it per run)."""

    max_attempts: int = 4
    base_delay_s: float = 5.0
    max_delay_s: float = 300.0
    max_rate_limit_wait_s: float = 3600.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Exponential backoff with jitter for the wait after `attempt` failed (1-based)."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempt - 1))
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """Per-platform request pacing and timeouts; from the http.* settings."""

    requests_per_minute: float = 0.0  # 0: no limit of our own (the platform's limits still apply)
    max_concurrent: int = 4
    timeout_s: float = 60.0

@dataclass
class CallStats:
    """Instrumentation of one connector's API calls, read by the engine for the run and account health."""

    calls: int = 0
    errors: int = 0
    latency_ms_total: float = 0.0
    rate_limit_wait_s: float = 0.0  # time actually slept on rate limits (the platform's or our own pacing)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, latency_ms: float, ok: bool = True) -> None:
        with self._lock:
            self.calls += 1
            self.latency_ms_total += latency_ms
            if not ok:
                self.errors += 1

    def waited(self, seconds: float) -> None:
        with self._lock:
            self.rate_limit_wait_s += max(0.0, seconds)


class ConnectorContext:
    """Cancellation, deadlines and logging handed to a connector for one run.

    `sleep` is the only way a connector waits: it wakes early on cancel and raises Cancelled.
    """

    def __init__(self, cancel_event: threading.Event | None = None, deadline: float | None = None,
                 log: Callable[[str, str], None] | None = None, retry: RetryPolicy | None = None,
                 limits: HttpLimits | None = None,
                 save_credentials: Callable[[dict[str, str]], None] | None = None,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        self.cancel_event = cancel_event or threading.Event()
        self.clock = clock  # the run's clock: what "today" is for a connector
        self.deadline = deadline  # time.monotonic() value, or None
        self._log = log
        self.stats = CallStats()
        self.retry = retry or RetryPolicy()
        self.limits = limits or HttpLimits()
        self.platform_label: str | None = None  # "Google Ads": how messages name the platform
        self.credentials_sink = save_credentials

    def save_credentials(self, credentials: dict[str, str]) -> None:
        """Persist refreshed credentials (e.g. a new access token) to the keyring through the engine."""
        if self.credentials_sink is not None:
            self.credentials_sink(credentials)

    def check(self) -> None:
        if self.cancel_event.is_set():
            raise Cancelled("cancelled")

    def sleep(self, seconds: float, *, rate_limit: bool = False) -> None:
        """Wait `seconds` (Cancelled on a cancel). `rate_limit`: the wait is for a rate limit (the platform's, or
        our own pacing); the time actually waited, even when cut short by a cancel, goes to `stats`."""
        began = time.monotonic()
        try:
            if seconds > 0 and self.cancel_event.wait(seconds):
                raise Cancelled("cancelled")
        finally:
            if rate_limit:
                self.stats.waited(time.monotonic() - began)
        self.check()

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def log(self, level: str, message: str) -> None:
        if self._log is not None:
            self._log(level, message)


# --- the protocol ----------------------------------------------------------------------------------------

class OptionRule(Protocol):
    """One option's rule (connectors/options.py): its name and a parser that raises Permanent naming it."""

    @property
    def name(self) -> str: ...

    def parse(self, raw: object) -> Any: ...


class Connector(Protocol):
    """One platform account. Built per run by the registry; pages are lists of records."""

    platform: str

    def account_info(self) -> AccountInfo: ...

    def fetch_campaigns(self) -> Iterator[list[CampaignRecord]]: ...

    def fetch_daily_stats(self, start: date, end: date) -> Iterator[list[DailyStatRecord]]: ...

    def refresh_auth(self) -> None: ...

    def test_connection(self) -> str: ...

    def close(self) -> None: ...


@runtime_checkable
class PrefetchesWindows(Protocol):
    """A connector that fetches a run's windows ahead (Meta runs several report jobs at once, meta_jobs.py).

    The engine hands it every window of the run in date order and takes back one page iterator per window, in
    the same order, and writes each window when its iterator is read to the end. A window's ConnectorError is
    raised when its iterator is read, so the engine retries that window alone (through `fetch_daily_stats`).
    Connectors without this method are driven one window at a time.
    """

    def prefetch_daily_stats(self, windows: Sequence[tuple[date, date]]) -> Iterator[Iterator[list[DailyStatRecord]]]:
        ...


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    """Facts the engine and scheduler need about a platform, without building a connector."""

    name: str
    label: str
    default_lookback_days: int
    min_interval_minutes: int = 5
    max_window_days: int = 30
    default_history_days: int = 90
    # How far back the platform serves daily stats (None: no stated limit; the Demo uses its history_days option)
    retention_months: int | None = None
    factory: Callable[..., Connector] | None = None
    option_names: tuple[str, ...] = ()
    is_sandbox: bool = False
    normalise_id: Callable[[str], str] | None = None  # the platform's canonical account id ("act_1" -> "1")
    option_rules: tuple[OptionRule, ...] = ()  # connectors/options.py rules; checked at `accounts add`
    api_version: str | None = None  # the platform API version this build speaks ("26", "v26.0", "202607")
    api_sunset: date | None = None  # when the platform retires that version, where it has said so
    # Trades one-time credentials (TikTok's auth code) for lasting ones before they are stored:
    # (account_id, options, credentials) -> the credentials to keep; raises a ConnectorError
    exchange_credentials: Callable[[str, dict[str, Any], dict[str, str]], dict[str, str]] | None = None
    # Lists the accounts the credentials reach (connectors/discovery.py): (options, credentials, ctx) ->
    # [domain.DiscoveredAccount]; None: this platform cannot list them (add the account by its id)
    discover: Callable[[dict[str, Any], dict[str, str], ConnectorContext], list[Any]] | None = None

    def canonical_id(self, raw: str) -> str:
        """The account id as stored and exported; raises Permanent (naming the field) when it is malformed."""
        return self.normalise_id(raw) if self.normalise_id else raw.strip()

    def check_options(self, options: dict[str, Any]) -> None:
        """Raise Permanent naming the first option whose value its rule refuses (URLs, numbers, versions).

        `api_base_url` and `token_url` obey the one URL rule on every platform, also where no rule declares them.
        """
        for rule in self.option_rules:
            rule.parse(options.get(rule.name))
        declared = {rule.name for rule in self.option_rules}
        for name in URL_OPTIONS:
            if name not in declared and str(options.get(name) or "").strip():
                try:
                    checked_url(options[name], name, path_allowed=True, example="https://api.example.com")
                except UrlRefused as exc:
                    raise Permanent(str(exc)) from None

    def build(self, account_id: str, options: dict[str, Any], credentials: dict[str, str] | None,
              ctx: ConnectorContext) -> Connector:
        if self.factory is None:
            raise Permanent(f"The {self.label} connector is not available in this build.")
        ctx.platform_label = self.label
        return self.factory(account_id=account_id, options=options, credentials=credentials, ctx=ctx)
