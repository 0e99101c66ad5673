"""The shared vocabulary of AutoSync: enums and frozen read models (stdlib only).

Everything the window, the CLI and the local API show about accounts, schedules, runs, metrics and settings
is one of the frozen dataclasses here; the service layer (`autosync_desktop/services/`) returns only these,
never peewee rows or dicts. The enums are `StrEnum`s whose values are exactly the strings stored in the
database and written in the CLI's JSON, so `RunStatus.SUCCEEDED == "succeeded"`.

Layout: enums first, then read models grouped by area (accounts, schedules, runs, metrics/dashboard,
data, settings, notifications). The error root lives in `autosync_desktop/errors.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autosync_desktop.export_spec import ExportSpec

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
    EXPORT = "export"  # writes the morning file instead of syncing (export_spec.py)


class MissedPolicy(StrEnum):
    SKIP = "skip"
    RUN_ONCE = "run_once"


class IfMissing(StrEnum):
    """What a schedule does when its wait for the schedules it runs after ends with some of them missing."""

    RUN = "run"
    SKIP = "skip"


class Health(StrEnum):
    """An account's health, worst first (the order the Dashboard sorts by)."""

    NEEDS_SIGN_IN = "needs_sign_in"
    PAUSED = "paused"
    NEVER_SYNCED = "never_synced"
    FAILING = "failing"
    NEEDS_UPDATE = "needs_update"  # the platform retires the API version this AutoSync speaks within 60 days
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
    NOT_NEEDED = "not_needed"  # nothing of ours is in the keyring yet, so it is not opened at all


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


# --- accounts -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlatformInfo:
    """A platform of this build (no I/O): its options, limits, and whether it signs in in the browser."""

    name: str  # "google_ads", "meta_ads", "demo", ...
    label: str  # "Google Ads"
    option_names: tuple[str, ...]
    sandbox: bool  # labelled sample data, no credentials
    available: bool  # its connector is in this build
    min_interval_minutes: int
    default_lookback_days: int
    browser_sign_in: bool  # `accounts connect` works for it


@dataclass(frozen=True, slots=True)
class KeyringState:
    """The OS keyring's state and what to do about it, in plain words."""

    status: KeyringStatus
    backend: str
    message: str
    will_ask: str = ""  # what storing a secret makes the desktop ask first: "create" a keyring, "unlock" it, or ""


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
UPDATE_NOTICE_DAYS = (60, 14)  # an account's health turns "needs update" (and a notice goes out) this many days before


@dataclass(frozen=True, slots=True)
class ApiVersion:
    """The platform API version an account's connector speaks and, where the platform has published it, the day
    the platform retires it (the connector's PlatformSpec `api_version` / `api_sunset`)."""

    api: str  # "Meta API"
    version: str  # "v27.0"
    sunset: date | None

    @property
    def words(self) -> str:
        """'Meta API v27.0'."""
        return f"{self.api} {self.version}"

    @property
    def until_words(self) -> str | None:
        """'until 23 Feb 2027', or None when no sunset is known."""
        day = self.sunset
        return None if day is None else f"until {day.day} {MONTHS[day.month - 1]} {day.year}"

    def days_left(self, today: date) -> int | None:
        return None if self.sunset is None else (self.sunset - today).days

    def notice_stage(self, today: date) -> int | None:
        """The smallest of UPDATE_NOTICE_DAYS that `today` is within of the sunset (60, then 14; also after it),
        else None (no sunset known, or further away)."""
        left = self.days_left(today)
        if left is None:
            return None
        reached = [days for days in UPDATE_NOTICE_DAYS if left <= days]
        return min(reached) if reached else None


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """One account as `accounts list` shows it."""

    name: str
    platform: str
    account_id: str  # the platform's own id
    auth_state: AuthState
    health: Health
    currency: str | None
    timezone: str | None
    last_success_at: datetime | None
    options: Mapping[str, str]
    api: ApiVersion | None = None  # the platform API version its connector speaks (None: not declared)


@dataclass(frozen=True, slots=True)
class AccountContents:
    """What removing an account would touch: its schedules and its synced data (runs stay in the history)."""

    schedules: int
    daily_rows: int
    campaigns: int

    @property
    def empty(self) -> bool:
        return not (self.schedules or self.daily_rows or self.campaigns)

    def describe(self) -> str:
        """'2 schedules and 2,825 daily rows (8 campaigns)'."""
        parts = [f"{self.schedules:,} schedule{'s' if self.schedules != 1 else ''}"] if self.schedules else []
        if self.daily_rows or not parts:
            parts.append(f"{self.daily_rows:,} daily row{'s' if self.daily_rows != 1 else ''}")
        text = " and ".join(parts)
        return text + (f" ({self.campaigns:,} campaign{'s' if self.campaigns != 1 else ''})" if self.campaigns else "")


class DataOnRemove(StrEnum):
    """What `accounts remove` does with the account's synced data."""

    REFUSE = "refuse"  # refuse when there are schedules or data (say what would go)
    DELETE = "delete"  # delete the schedules and the data with the account
    KEEP = "keep"  # delete the schedules; keep the data, readable under the removed account's (renamed) name


@dataclass(frozen=True, slots=True)
class AccountRemoval:
    """What `accounts remove` did."""

    name: str
    removed: AccountContents  # schedules and data deleted
    kept_as: str | None  # the name the kept data is found under (Data, exports), when data was kept


@dataclass(frozen=True, slots=True)
class DemoSetup:
    """The Demo account and its schedule after `autosync demo` (created here, or found)."""

    account: str
    schedule: str
    created_account: bool
    created_schedule: bool


@dataclass(frozen=True, slots=True)
class AccountCard:
    """An account's health card on the Dashboard: health, recent errors and latency, and data freshness (the
    last day of daily stats, and which recent days are still settling because every run re-fetches them)."""

    name: str
    platform: str
    platform_label: str
    sandbox: bool
    health: Health
    auth_state: AuthState
    auth_message: str | None
    last_success_at: datetime | None
    last_run_status: RunStatus | None
    errors_24h: int
    runs_24h: int
    avg_latency_ms: float | None
    data_through: date | None
    data_synced_at: datetime | None
    lookback_days: int
    settling_from: date | None
    settling_days: int | None
    api: ApiVersion | None = None  # the platform API version its connector speaks, and its sunset


# --- schedules ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleRun:
    """A run as a schedule's card shows it: its last finished run, or the one queued or running now."""

    id: int
    status: RunStatus
    rows: int
    duration_s: float | None
    queued_at: datetime | None
    finished_at: datetime | None
    error: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    """One schedule as `schedules list` shows it. Times are aware UTC; `paused` includes "all paused"."""

    name: str
    account: str
    platform: str
    type: SyncType
    frequency: Frequency
    description: str  # "Daily at 06:00 (Europe/Berlin)"
    every_minutes: int | None
    at: str | None  # "HH:MM", or ":MM" for hourly
    days: str | None  # "mon,tue,..."
    cron: str | None
    timezone: str
    lookback_days: int | None
    missed: MissedPolicy
    paused: bool
    next_run_at: datetime | None  # None while paused
    last_status: RunStatus | None
    last_run_at: datetime | None
    # An export schedule's file, range and accounts (`account` is then "All accounts" or the names, `platform`
    # "export"); None for a sync schedule.
    export: ExportSpec | None = field(default=None, kw_only=True)
    # Schedules that wait for each other (issue 13): the names it runs after, those it still waits for (only while
    # a wait is open), the open wait's start and end, how long it waits at most, and what it does at the end.
    # `downstream`: the schedules that run after this one.
    after: tuple[str, ...] = field(default=(), kw_only=True)
    waiting_for: tuple[str, ...] = field(default=(), kw_only=True)
    waiting_since: datetime | None = field(default=None, kw_only=True)
    wait_deadline: datetime | None = field(default=None, kw_only=True)
    wait_max_minutes: int = field(default=120, kw_only=True)
    if_missing: IfMissing = field(default=IfMissing.RUN, kw_only=True)
    downstream: tuple[str, ...] = field(default=(), kw_only=True)


@dataclass(frozen=True, slots=True)
class ScheduleCard(ScheduleInfo):
    """A schedule as the Scheduler page and the tray show it: the list's fields plus its own paused flag,
    the global pause, the platform's label, and its last finished and active runs."""

    own_paused: bool
    paused_all: bool
    created_at: datetime | None
    platform_label: str
    last_run: ScheduleRun | None
    active_run: ScheduleRun | None


@dataclass(frozen=True, slots=True)
class SpecCheck:
    """The schedule editor's live check of a trigger: messages by the field they concern (the CLI's option
    names, e.g. "--at"), and when there are none, the next runs (empty for manual-only)."""

    errors: Mapping[str, str] = field(default_factory=dict)
    next_runs: tuple[datetime, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


# --- settings -------------------------------------------------------------------------------------------------

SettingValue = bool | int | float | str  # a setting's value; its SettingType says which


class SettingType(StrEnum):
    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    TEXT = "str"


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """A declared setting as a person sees it: label, unit, help, its bounds or choices, and its value now."""

    key: str  # "retry.max_attempts", or a per-platform one: "http.requests_per_minute.google_ads"
    platform: str | None  # the platform of a per-platform setting, else None
    label: str  # "Max attempts"
    unit: str  # shown after a number: " s", " min", " days", " months", or ""
    help: str  # what it does, one sentence
    note: str  # when a change takes effect, if not at once ("" otherwise)
    type: SettingType
    default: SettingValue
    minimum: float | None
    maximum: float | None
    choices: tuple[str, ...]  # empty: any value of its type within the bounds
    value: SettingValue


# --- notifications --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelSecret:
    """A secret a notification channel keeps in the keyring."""

    which: str  # "password", "url", "secret", "auth_token"
    label: str  # "SMTP password"


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """A notification channel of this build (no I/O): the message kinds it can be switched on for, its secrets."""

    name: str  # desktop | email | slack | webhook | sms
    toggles: tuple[str, ...]  # failure, recovery, success, stale, sign_in
    secrets: tuple[ChannelSecret, ...]


@dataclass(frozen=True, slots=True)
class Delivery:
    """A channel's last delivery: a notification or a test message, and what came of it."""

    channel: str
    ok: bool
    message: str  # "Sent to ..." or the error in plain words (redacted)
    at: datetime
    kind: str  # the notification's kind; "test" for a test message
    title: str


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """A channel now: switched on, ready (set up), where it sends, which kinds, and its last delivery."""

    name: str
    enabled: bool
    ready: bool
    problem: str | None  # what is missing from its setup, when not ready
    target: str  # where messages go (never a secret)
    sends: tuple[str, ...]  # the toggles that are on
    last_result: Delivery | None


@dataclass(frozen=True, slots=True)
class NotificationsStatus:
    """Every channel's status, the shared rules, who sends (the process running the scheduler), open problems."""

    sender: str | None  # "this process", "service pid 12", or None: nobody sends right now
    channels: tuple[ChannelStatus, ...]
    stale_hours: int  # 0: no stale-data warning
    min_interval_minutes: int
    quiet_hours: str | None  # "22:00-07:00"
    email_digest_at: str | None  # "HH:MM" when the daily digest is on
    failing: tuple[str, ...]  # problems announced and not yet recovered
    held: int  # messages held for quiet hours or the minimum interval


# --- runs -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunRow:
    """One run as `autosync runs`, the History table and the runs export show it. Times are aware UTC."""

    id: int
    schedule: str | None  # None: an account's own run
    account: str
    platform: str
    trigger: Trigger
    status: RunStatus
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_s: float | None  # rounded to milliseconds
    rows: int  # daily-stat rows written
    campaigns: int
    pages: int
    api_calls: int
    attempt: int
    error_class: str | None  # an ErrorClass value, or the name of an unexpected exception
    error: str | None
    reason: str | None  # why skipped / interrupted / cancelled
    window_from: date | None  # an explicit backfill range
    window_to: date | None
    missing_inputs: tuple[str, ...] = ()  # the upstream schedules that had not synced when its wait for them ended

    @property
    def who(self) -> str:
        """The schedule's name, or the account's for an account's own run."""
        return self.schedule or self.account


@dataclass(frozen=True, slots=True)
class RunLogLine:
    """One line of a run's log."""

    at: datetime
    level: str  # info | warning | error
    message: str


@dataclass(frozen=True, slots=True)
class RunWindows:
    """The dates a run covered: its explicit backfill range, or the windows its log announced."""

    first: date
    last: date
    count: int | None  # None for a backfill range (its windows are not counted here)
    backfill: bool


@dataclass(frozen=True, slots=True)
class RunDetail:
    """One run with its log (oldest line first), the dates it covered and how often it was retried."""

    run: RunRow
    events: tuple[RunLogLine, ...]
    windows: RunWindows | None
    retries: int


@dataclass(frozen=True, slots=True)
class RunFilter:
    """Which runs the History page (and its export) shows; empty fields match everything."""

    statuses: tuple[RunStatus, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    account: str | None = None
    schedule: str | None = None
    since: datetime | None = None  # queued at or after
    until: datetime | None = None  # queued before
    text: str | None = None  # in the schedule or account name, the error or the reason

    @property
    def is_empty(self) -> bool:
        return self == RunFilter()


@dataclass(frozen=True, slots=True)
class RunCursor:
    """Where the next page of runs continues: after this run (keyset paging on queued_at, id)."""

    queued_at: datetime
    id: int


@dataclass(frozen=True, slots=True)
class RunPage:
    """One page of the History list; `cursor` continues after its last row, `done` when no more follow."""

    rows: tuple[RunRow, ...]
    cursor: RunCursor | None
    done: bool


@dataclass(frozen=True, slots=True)
class SyncRequest:
    """A sync that was asked for: its run, queued (or skipped), and who executes it."""

    run_id: int
    status: RunStatus  # queued | skipped (or cancelled when stopped at once)
    handled_by: str  # "this process" | "service pid N"


@dataclass(frozen=True, slots=True)
class CancelResult:
    """What a cancel did: `requested` when the run stops at its next page, else the run's (final) status."""

    run_id: int
    requested: bool
    status: RunStatus

    @property
    def word(self) -> str:
        """"cancelling" (it stops at its next page), else the run's status ("cancelled", "succeeded", ...)."""
        return "cancelling" if self.requested else self.status.value


@dataclass(frozen=True, slots=True)
class ActivityLine:
    """A run log line with its run's names and state, for the Dashboard's activity feed."""

    event_id: int
    run_id: int
    at: datetime
    level: str
    message: str
    run_status: RunStatus
    schedule: str | None
    account: str
    trigger: Trigger
    run_rows: int
    run_duration_s: float | None
    run_finished_at: datetime | None
    run_error: str | None  # the run's error message, else its reason


# --- metrics --------------------------------------------------------------------------------------------------


class Period(StrEnum):
    """The spans the Dashboard and `autosync status` summarise."""

    DAY = "24h"
    WEEK = "7d"
    MONTH = "30d"

    @property
    def span(self) -> timedelta:
        return {Period.DAY: timedelta(hours=24), Period.WEEK: timedelta(days=7),
                Period.MONTH: timedelta(days=30)}[self]


@dataclass(frozen=True, slots=True)
class PeriodMetrics:
    """Runs queued in a period: counts, success rate, average duration and rows written."""

    total_runs: int
    succeeded: int
    failed: int  # failed + interrupted
    cancelled: int
    skipped: int
    success_rate: float | None  # succeeded / (succeeded + failed); None when both are 0
    avg_duration_s: float | None  # over finished runs that started
    rows_processed: int


@dataclass(frozen=True, slots=True)
class PeriodComparison:
    """A period's metrics and those of the period just before it (for "change vs previous")."""

    period: Period
    since: datetime
    until: datetime
    current: PeriodMetrics
    previous: PeriodMetrics


@dataclass(frozen=True, slots=True)
class AccountStatus:
    """One account's health as `autosync status` shows it."""

    name: str
    platform: str
    health: Health
    auth_state: AuthState
    last_success_at: datetime | None
    last_run_status: RunStatus | None
    errors_24h: int
    avg_latency_ms: float | None  # rounded to 0.1 ms
    uptime_24h: float | None  # share of successful API calls, rounded to 4 places
    last_probe_ok: bool | None
    last_probe_at: datetime | None
    api: ApiVersion | None = None  # `api_version` / `api_sunset` in `status --json`


@dataclass(frozen=True, slots=True)
class SchedulerInfo:
    """Who runs the scheduler, whether everything is paused, the active runs and the next run."""

    running: bool
    owner: str | None  # "this process", "service pid N", or None when nobody runs it
    paused_all: bool
    active_runs: int
    next_run_at: datetime | None
    next_schedule: str | None
    schedules: int
    running_since: datetime | None = None  # when the scheduler that runs (here or in another process) started
    last_wake_at: datetime | None = None  # its last periodic wake-up (the check for due runs and for sleep)


@dataclass(frozen=True, slots=True)
class PruneResult:
    """What a prune removed: runs queued before `runs_before`, daily stats dated before `stats_before`."""

    at: datetime
    runs_deleted: int
    stats_deleted: int
    runs_before: datetime
    stats_before: date | None  # None when daily stats are kept forever


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    path: str
    size_bytes: int  # the file with its WAL and shared-memory files
    last_prune: PruneResult | None
    schema_version: int


@dataclass(frozen=True, slots=True)
class IntegrityCheck:
    """SQLite's quick check: ok, or the first problems it reported."""

    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def text(self) -> str:
        return "ok" if self.ok else "; ".join(self.problems)


@dataclass(frozen=True, slots=True)
class StatusSnapshot:
    """Everything `autosync status` shows."""

    period: Period
    metrics: PeriodMetrics
    accounts: tuple[AccountStatus, ...]
    scheduler: SchedulerInfo
    database: DatabaseInfo


@dataclass(frozen=True, slots=True)
class ChartDay:
    """One local day of the Dashboard's charts (a day without runs has zeros and no duration)."""

    day: date
    runs: int
    rows: int
    avg_duration_s: float | None
    runs_by_status: Mapping[RunStatus, int]  # statuses without runs are left out


@dataclass(frozen=True, slots=True)
class ChartSeries:
    days: tuple[ChartDay, ...]  # every day present, oldest first


@dataclass(frozen=True, slots=True)
class DashboardSnapshot:
    """Everything the Dashboard shows (except the slow integrity check), read in one transaction."""

    at: datetime
    metrics: PeriodComparison
    accounts: tuple[AccountCard, ...]
    scheduler: SchedulerInfo
    database: DatabaseInfo
    charts: ChartSeries


# --- insights (sync analytics) -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunFigures:
    """Runs queued in a period, for one platform, account or schedule (or all of them): what the Insights page,
    `autosync insights` and `GET /sync/metrics` show. Unknown is None, never 0."""

    runs: int  # every run queued in the period, whatever its status
    succeeded: int
    failed: int  # failed + interrupted
    cancelled: int
    skipped: int
    success_rate: float | None  # succeeded / (succeeded + failed); None when no run finished either way
    p50_duration_s: float | None  # nearest-rank percentiles over finished runs that started; None when none
    p95_duration_s: float | None
    rows_written: int  # daily-stat rows written by these runs
    api_calls: int
    api_calls_per_day: float  # api_calls / the period's length in days (1, 7 or 30)
    api_errors: int
    rate_limit_wait_s: float | None  # time spent waiting on rate limits; None when no run recorded it
    wait_unrecorded_runs: int  # runs stored before waits were recorded (schema v9): not in rate_limit_wait_s


@dataclass(frozen=True, slots=True)
class PlatformInsight:
    platform: str
    platform_label: str  # "Google Ads"
    figures: RunFigures


@dataclass(frozen=True, slots=True)
class AccountInsight:
    """An account's run figures and the freshness of its daily data (in the account's own time zone)."""

    account: str
    platform: str
    figures: RunFigures
    zone: str | None  # the zone its days are in; None for an account that is gone (runs kept, account removed)
    data_through: date | None  # the last day written (sync_state), possibly today and not over yet
    complete_through: date | None  # the last day that was over when the data was last written
    freshness_lag_s: float | None  # now minus the end of complete_through in `zone`; None: no daily data yet
    settling_days: int | None  # days still fetched again (the lookback), as on the Dashboard's card
    # days inside the platform's restatement window whose last fetch changed them (a restatement); None: gone
    days_still_settling: int | None = None


@dataclass(frozen=True, slots=True)
class RestatementDelta:
    """How much a platform changed one metric of an account's day between its first and its latest re-fetch
    (store table `restatement`, schema v11): "Meta Ads changed conversions of Nov 20 by +12 % between day 1 and
    day 7". before/change in the metric's unit (cost: micros); None: unknown (never 0)."""

    account: str
    platform: str
    day: date
    metric: str  # "cost", "clicks" or "conversions"
    from_age_days: int  # the day's age when the first value was fetched
    to_age_days: int  # ... and when the latest one was
    before: float | None
    change: float | None
    percent: float | None  # change / before * 100; None when unknown or before is 0
    text: str
    currency: str | None = None  # the account's currency (cost is in micros of it); None: the platform gave none


@dataclass(frozen=True, slots=True)
class ScheduleInsight:
    schedule: str | None  # None: runs started without a schedule (a one-off sync)
    account: str
    platform: str
    figures: RunFigures


@dataclass(frozen=True, slots=True)
class Insights:
    """Sync analytics of the runs queued in [since, until), per platform, account and schedule, and how much the
    platforms changed days they had already reported (restatements recorded in the period)."""

    period: Period
    since: datetime
    until: datetime
    days: float  # the period's length in days (what "per day" divides by)
    total: RunFigures
    platforms: tuple[PlatformInsight, ...]  # by platform name
    accounts: tuple[AccountInsight, ...]  # by account name; accounts without runs in the period included
    schedules: tuple[ScheduleInsight, ...]  # by schedule name, runs without a schedule last
    # days restated by re-fetches in the period, largest change first (at most RESTATEMENTS_SHOWN)
    restatements: tuple[RestatementDelta, ...] = ()


@dataclass(frozen=True, slots=True)
class InsightSlot:
    """One hour or day of the Insights charts: the runs queued in it (clipped to the period). Unknown is None."""

    start: datetime  # local wall-clock start of the hour or day (naive, in the series' display offset)
    since: datetime  # aware UTC: where the slot's runs start (the period's start for a clipped first slot)
    until: datetime  # aware UTC: where they end (the period's end for the last slot)
    runs: int
    succeeded: int
    failed: int  # failed + interrupted
    p95_duration_s: float | None  # None: no finished run in the slot
    api_calls: int
    rate_limit_wait_s: float | None  # None: no run in the slot measured it (all stored before schema v9, or none)
    wait_unrecorded_runs: int  # runs in the slot whose wait was never measured


@dataclass(frozen=True, slots=True)
class InsightSeries:
    """The period's runs per local hour (24h) or day (7d, 30d), oldest first; every slot present, also empty ones.
    Local is UTC plus `utc_offset_minutes` (the display zone's offset when read, like the Dashboard's charts)."""

    period: Period
    step: str  # "hour" or "day"
    utc_offset_minutes: int
    since: datetime
    until: datetime
    slots: tuple[InsightSlot, ...]


# --- data -----------------------------------------------------------------------------------------------------


# ISO 4217 minor units (digits after the decimal point) where they differ from 2. A code not listed here, or
# none, is shown with 2 decimals (and the code, when there is one). Only what is *shown* is rounded: tooltips and
# exports keep the exact stored amount.
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
                     "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}


def zone_words(zone: str | None) -> str:
    """An IANA zone in the few words people know it by: 'Europe/Berlin' -> 'Berlin', 'America/Argentina/Buenos_Aires'
    -> 'Buenos Aires', 'Etc/UTC' and 'UTC' -> 'UTC'; '' for none. Shared by the window, the CLI and messages."""
    if not zone:
        return ""
    return zone.rsplit("/", 1)[-1].replace("_", " ") or zone


def wait_words(minutes: int) -> str:
    """A wait in whole minutes: '2 h', '90' -> '1 h 30 min', '45 min', '1 day', '2 days 3 h'."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}" if days else "", f"{hours} h" if hours else "",
             f"{mins} min" if mins else ""]
    return " ".join(p for p in parts if p) or "0 min"


def minor_units(currency: str | None) -> int:
    """How many decimals `currency` is shown with: ISO 4217's minor units, 2 for an unknown or missing code."""
    return MINOR_UNITS.get((currency or "").strip().upper(), 2)


def money_text(micros: int) -> str:
    """Integer micros as an exact decimal string with at least two decimals: 37120000 -> "37.12"."""
    sign = "-" if micros < 0 else ""
    whole, frac = divmod(abs(micros), 1_000_000)
    return f"{sign}{whole}.{f'{frac:06d}'.rstrip('0').ljust(2, '0')}"


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of money: integer micros (millionths) of `currency` (None when the platform gave none)."""

    micros: int
    currency: str | None

    @property
    def amount(self) -> Decimal:
        return Decimal(self.micros).scaleb(-6)

    @property
    def text(self) -> str:
        """The exact decimal, at least two decimals ("37.12", "0.000001"), without the currency."""
        return money_text(self.micros)


@dataclass(frozen=True, slots=True)
class StatsFilter:
    """Which daily stats the Data page (and its export) shows; empty fields match everything."""

    account: str | None = None
    campaign_id: str | None = None
    since: date | None = None  # inclusive
    until: date | None = None  # inclusive

    @property
    def is_empty(self) -> bool:
        return self == StatsFilter()


@dataclass(frozen=True, slots=True)
class StatRow:
    """One campaign's stats for one day. A metric the platform did not return is None."""

    account: str
    platform: str
    campaign_id: str
    campaign: str | None  # the campaign's name, when its campaign row is known
    day: date  # the platform's own day, never shifted between zones
    date_tz: str  # the IANA zone that day is in (UTC for LinkedIn, the property's for GA4, else the account's)
    impressions: int | None
    clicks: int | None
    cost: Money | None
    conversions: float | None
    conversion_value: Money | None
    currency: str | None
    # what the platform said about the day's numbers: "sampled" (estimated from part of the data),
    # "thresholded" (rows withheld for privacy), "dataLossFromOtherRow" (some rows folded into "(other)")
    quality: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StatsPage:
    """One page of daily stats, newest day first; `done` when no more follow."""

    rows: tuple[StatRow, ...]
    done: bool


@dataclass(frozen=True, slots=True)
class CurrencyTotal:
    """The totals of the matching daily stats in one currency (currencies are never added together)."""

    currency: str | None
    rows: int
    impressions: int | None  # None: no matching row knows it (the platform does not measure it)
    clicks: int | None
    cost: Money | None
    conversions: float | None  # rounded to 2 places
    conversion_value: Money | None


@dataclass(frozen=True, slots=True)
class StatsSummary:
    rows: int
    totals: tuple[CurrencyTotal, ...]


@dataclass(frozen=True, slots=True)
class CampaignRow:
    account: str
    platform: str
    campaign_id: str
    name: str | None
    status: str | None  # enabled | paused | removed | ... as normalised by the connector
    currency: str | None
    synced_at: datetime | None


@dataclass(frozen=True, slots=True)
class ConversionRow:
    """One campaign's conversions on one day for one conversion action (table daily_conversion).

    `action` is the platform's name for it (Meta's action_type, Google's conversion action name, GA4's event);
    `count` may be fractional (modelled or data-driven attribution); `value` None: the platform gave none.
    """

    account: str
    platform: str
    campaign_id: str
    campaign: str | None
    day: date  # the platform's own day, never shifted
    date_tz: str  # the IANA zone that day is in (as StatRow.date_tz)
    action: str
    count: float
    value: Money | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class DiscoveredAccount:
    """An account the given credentials can reach, as `accounts discover` lists it (nothing is stored).

    `external_id` is what `accounts add --account-id` takes. Google Ads: `level` is the depth under the manager
    the listing started from (0: that customer itself), `login_customer_id` the manager to go through (None: reach
    it directly), `hidden` Google's customer_client.hidden. `status` is the platform's own word, when it has one.
    """

    platform: str
    external_id: str
    name: str | None
    currency: str | None = None
    timezone: str | None = None
    is_manager: bool = False
    level: int = 0
    login_customer_id: str | None = None
    status: str | None = None
    hidden: bool = False
    parent_id: str | None = None  # the manager or business directly above it, where the platform says


class ExportKind(StrEnum):
    RUNS = "runs"
    STATS = "stats"
    CAMPAIGNS = "campaigns"
    CONVERSIONS = "conversions"


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class ExportResult:
    """A finished export: what was written, in which format, how many rows."""

    kind: ExportKind
    format: ExportFormat
    rows: int


# --- local API ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiStatus:
    """The local REST API as `autosync api status` and Settings › Advanced show it."""

    enabled: bool  # the setting api.enabled
    url: str  # http://127.0.0.1:<api.port>
    served_by_pid: int | None  # the live process serving it now (the one running the scheduler), else None
    problem: str | None  # why it is not served although enabled (a busy port, no scheduler running), else None


@dataclass(frozen=True, slots=True)
class TimeSuggestion:
    """A suggested time of day for a new daily schedule of `account` ("HH:MM" in `timezone`, the account's zone) and
    the reason in words. `measured` False: too little history, the default time (the reason says so)."""

    account: str
    at: str
    timezone: str
    measured: bool
    days: int  # days of evidence
    reason: str
