"""Request and response models of the local REST API (pydantic), mapped from domain.py's read models.

Times are ISO 8601 UTC with `Z`; dates YYYY-MM-DD. Every error is `{"error": {"code", "message", "field"}}`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from autosync_desktop.api.insight_models import (  # the insight shapes of GET /sync/metrics
    InsightsOut,
    insights,
)
from autosync_desktop.api.model_types import Strict, UtcTime, utc_z
from autosync_desktop.domain import (
    AccountCard,
    AccountStatus,
    ChartDay,
    Frequency,
    Insights,
    InsightSeries,
    MissedPolicy,
    PeriodComparison,
    RunDetail,
    RunRow,
    RunStatus,
    ScheduleCard,
    SyncType,
    Trigger,
)

# --- errors ---------------------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    code: str = Field(description="not_found | invalid | conflict | unauthorized | unavailable | ...")
    message: str
    field: str | None = Field(description="the request field the message is about, when there is one")


class Error(BaseModel):
    error: ErrorBody


class Conflict(Error):
    running_job_id: int


# --- schedules ------------------------------------------------------------------------------------------------

ScheduleState = Literal["active", "paused", "error", "running"]


class SyncSchedule(BaseModel):
    """The original spec's SyncSchedule, plus the schedule's own fields."""

    id: int
    name: str
    type: SyncType
    frequency: Frequency
    next_run: UtcTime | None
    last_run: UtcTime | None
    status: ScheduleState
    enabled: bool
    account: str
    platform: str
    timezone: str
    at: str | None
    days: str | None
    every_minutes: int | None
    cron: str | None
    lookback_days: int | None
    missed: MissedPolicy
    last_status: RunStatus | None
    after: list[str] = Field(default_factory=list, description="the schedules it runs after")
    waiting_for: list[str] = Field(default_factory=list,
                                   description="while it waits for them: those that have not synced successfully yet")


class ScheduleBody(Strict):
    """A schedule to create, or to replace one with (PUT: fields left out take their defaults)."""

    # Choices are checked by the services, so a wrong one is worded exactly as the CLI words it.
    name: str = Field(max_length=200)
    account: str = Field(max_length=200)
    type: str = Field(max_length=50, description=f"one of {', '.join(SyncType)}")
    frequency: str = Field(max_length=50, description=f"one of {', '.join(Frequency)}")
    at: str | None = Field(default=None, max_length=50, description="HH:MM (daily, weekly) or :MM (hourly)")
    days: str | None = Field(default=None, max_length=100, description="mon,tue,... (weekly)")
    every_minutes: int | None = Field(default=None, description="minutes between runs (interval)")
    cron: str | None = Field(default=None, max_length=200)
    timezone: str | None = Field(default=None, max_length=100, description="IANA zone; default: the system's")
    lookback_days: int | None = Field(default=None, description="0..365")
    missed: str = Field(default=MissedPolicy.RUN_ONCE.value, max_length=50,
                        description=f"one of {', '.join(MissedPolicy)}")
    enabled: bool = True
    after: list[str] | None = Field(default=None, max_length=100, description=(
        "names of the schedules it runs after (without a time trigger: frequency manual); PUT: left out keeps them, "
        "[] clears them"))


def schedule_state(card: ScheduleCard) -> ScheduleState:
    """running while a run is active, error when the last run failed, paused, else active."""
    if card.active_run is not None:
        return "running"
    if card.last_run is not None and card.last_run.status in (RunStatus.FAILED, RunStatus.INTERRUPTED):
        return "error"
    return "paused" if card.paused else "active"


def sync_schedule(card: ScheduleCard, schedule_id: int) -> SyncSchedule:
    return SyncSchedule(
        id=schedule_id, name=card.name, type=card.type, frequency=card.frequency, next_run=card.next_run_at,
        last_run=card.last_run_at, status=schedule_state(card), enabled=not card.paused, account=card.account,
        platform=card.platform, timezone=card.timezone, at=card.at, days=card.days, every_minutes=card.every_minutes,
        cron=card.cron, lookback_days=card.lookback_days, missed=card.missed, last_status=card.last_status,
        after=list(card.after), waiting_for=list(card.waiting_for))


# --- jobs -----------------------------------------------------------------------------------------------------


class JobId(BaseModel):
    job_id: int


class ResyncBody(Strict):
    from_: date = Field(alias="from")
    to: date

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Job(BaseModel):
    id: int
    schedule: str | None
    account: str
    platform: str
    trigger: Trigger
    status: RunStatus
    queued_at: UtcTime
    started_at: UtcTime | None
    finished_at: UtcTime | None
    duration_s: float | None
    rows: int
    campaigns: int
    pages: int
    api_calls: int
    attempt: int
    error_class: str | None
    error: str | None
    reason: str | None


class JobWindows(BaseModel):
    first: date
    last: date
    count: int | None
    backfill: bool


class JobLogLine(BaseModel):
    at: UtcTime
    level: str
    message: str


class JobDetail(Job):
    windows: JobWindows | None
    retries: int
    log: list[JobLogLine]
    missing_inputs: list[str] = Field(default_factory=list, description="the upstream schedules that had not synced "
                                      "when this run's wait for them ended (empty: none were missing)")


class JobPage(BaseModel):
    jobs: list[Job]
    next_cursor: str | None


def job(row: RunRow) -> Job:
    return Job(id=row.id, schedule=row.schedule, account=row.account, platform=row.platform, trigger=row.trigger,
               status=row.status, queued_at=row.queued_at, started_at=row.started_at, finished_at=row.finished_at,
               duration_s=row.duration_s, rows=row.rows, campaigns=row.campaigns, pages=row.pages,
               api_calls=row.api_calls, attempt=row.attempt, error_class=row.error_class, error=row.error,
               reason=row.reason)


def job_detail(detail: RunDetail) -> JobDetail:
    windows = detail.windows
    return JobDetail(
        **job(detail.run).model_dump(), retries=detail.retries,
        windows=None if windows is None else JobWindows(first=windows.first, last=windows.last, count=windows.count,
                                                        backfill=windows.backfill),
        log=[JobLogLine(at=line.at, level=line.level, message=line.message) for line in detail.events],
        missing_inputs=list(detail.run.missing_inputs))


class CancelAccepted(BaseModel):
    job_id: int
    status: str = Field(description="cancelling (it stops at its next page), or the job's final status")


# --- metrics --------------------------------------------------------------------------------------------------


class Compared(BaseModel):
    value: float | None
    previous: float | None


class CountCompared(BaseModel):
    value: int
    previous: int


class MetricsDay(BaseModel):
    day: date
    runs: int
    succeeded: int
    failed: int
    rows: int
    average_duration_s: float | None


class Metrics(BaseModel):
    period: Literal["24h", "7d", "30d"]
    since: UtcTime
    until: UtcTime
    success_rate: Compared = Field(description="succeeded / (succeeded + failed), 0..1")
    total_syncs: CountCompared
    average_duration_s: Compared
    data_points_processed: CountCompared = Field(description="daily-stat rows written")
    series: list[MetricsDay] = Field(description="per UTC day, oldest first")
    insights: InsightsOut | None = Field(default=None, description="per platform, account and schedule, for the period")


def metrics(comparison: PeriodComparison, days: tuple[ChartDay, ...], found: Insights | None = None,
            series: InsightSeries | None = None) -> Metrics:
    cur, prev = comparison.current, comparison.previous
    return Metrics(
        period=comparison.period.value, since=comparison.since, until=comparison.until,
        success_rate=Compared(value=cur.success_rate, previous=prev.success_rate),
        total_syncs=CountCompared(value=cur.total_runs, previous=prev.total_runs),
        average_duration_s=Compared(value=cur.avg_duration_s, previous=prev.avg_duration_s),
        data_points_processed=CountCompared(value=cur.rows_processed, previous=prev.rows_processed),
        series=[MetricsDay(day=d.day, runs=d.runs, succeeded=d.runs_by_status.get(RunStatus.SUCCEEDED, 0),
                           failed=d.runs_by_status.get(RunStatus.FAILED, 0)
                           + d.runs_by_status.get(RunStatus.INTERRUPTED, 0),
                           rows=d.rows, average_duration_s=d.avg_duration_s) for d in days],
        insights=None if found is None else insights(found, series))


# --- system status --------------------------------------------------------------------------------------------


class SchedulerState(BaseModel):
    running: bool
    owner: str | None = Field(description="this process, or '<kind> pid N'")
    since: UtcTime | None = Field(description="when this process started the scheduler")
    paused_all: bool
    active_runs: int
    next_run: UtcTime | None
    next_schedule: str | None
    last_wake_up: UtcTime | None = Field(description="the last wake from sleep this process noticed")


class LastPrune(BaseModel):
    at: UtcTime
    runs_deleted: int
    stats_deleted: int


class DatabaseState(BaseModel):
    size_bytes: int
    schema_version: int
    last_prune: LastPrune | None
    integrity: str = Field(description="ok, or SQLite's first problems (checked at most every 10 minutes)")
    integrity_checked_at: UtcTime | None


class KeyringInfo(BaseModel):
    status: str
    backend: str
    message: str


class AccountHealth(BaseModel):
    name: str
    platform: str
    health: str
    auth_state: str
    uptime_24h: float | None
    average_latency_ms: float | None
    errors_24h: int
    last_success: UtcTime | None
    data_through: date | None = Field(description="the last day of synced daily stats")
    data_synced_at: UtcTime | None
    api_version: str | None
    api_sunset: date | None


class SystemStatus(BaseModel):
    scheduler: SchedulerState
    database: DatabaseState
    keyring: KeyringInfo
    accounts: list[AccountHealth]


def account_health(status: AccountStatus, card: AccountCard | None) -> AccountHealth:
    api = status.api
    return AccountHealth(
        name=status.name, platform=status.platform, health=status.health.value, auth_state=status.auth_state.value,
        uptime_24h=status.uptime_24h, average_latency_ms=status.avg_latency_ms, errors_24h=status.errors_24h,
        last_success=status.last_success_at, data_through=card.data_through if card else None,
        data_synced_at=card.data_synced_at if card else None,
        api_version=api.words if api else None, api_sunset=api.sunset if api else None)


def event_payload(values: dict[str, Any]) -> dict[str, Any]:
    """An event's fields as JSON-ready values (times in UTC with Z)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, datetime):
            out[key] = utc_z(value)
        elif isinstance(value, date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out
