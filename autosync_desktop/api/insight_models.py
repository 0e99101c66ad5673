"""The local API's sync-analytics shapes (GET /sync/metrics `insights`), mapped from domain.Insights and
domain.InsightSeries: figures per platform, account and schedule, restatement deltas and the per-slot series."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from autosync_desktop.api.model_types import UtcTime
from autosync_desktop.domain import Insights, InsightSeries, RunFigures


class InsightFigures(BaseModel):
    """The runs queued in the period, for one platform, account or schedule (or all of them). null: unknown."""

    runs: int
    succeeded: int
    failed: int = Field(description="failed + interrupted")
    cancelled: int
    skipped: int
    success_rate: float | None = Field(description="succeeded / (succeeded + failed), 0..1; null: none finished")
    p50_duration_s: float | None = Field(description="median duration of the finished runs (nearest rank), seconds")
    p95_duration_s: float | None = Field(description="95th percentile duration (nearest rank), seconds")
    rows_written: int = Field(description="daily-stat rows written")
    api_calls: int
    api_calls_per_day: float = Field(description="api_calls / the period's length in days")
    api_errors: int
    rate_limit_wait_s: float | None = Field(description="seconds spent waiting on rate limits; null: not measured")
    wait_unrecorded_runs: int = Field(description="runs stored before waits were measured (not in the wait)")


class PlatformInsight(InsightFigures):
    platform: str
    label: str


class AccountInsight(InsightFigures):
    account: str
    platform: str
    zone: str | None = Field(description="the time zone of the account's days; null: the account was removed")
    data_through: date | None = Field(description="the last day of daily data written")
    complete_through: date | None = Field(description="the last day that was over when the data was written")
    freshness_lag_s: float | None = Field(description="now minus the end of complete_through in the account's zone")
    settling_days: int | None = Field(description="recent days still fetched again (the lookback)")
    days_still_settling: int | None = Field(
        default=None, description="days inside the platform's restatement window whose last fetch changed them")


Day = date  # a field named `date` below must not shadow the type


class RestatementDeltaOut(BaseModel):
    """How much a platform changed one metric of an account's day between its first and its latest re-fetch."""

    account: str
    platform: str
    date: Day
    metric: Literal["cost", "clicks", "conversions"]
    from_age_days: int = Field(description="the day's age (days, account's zone) when the first value was fetched")
    to_age_days: int = Field(description="the day's age when the latest value was fetched")
    before: float | None = Field(description="the first value (cost in micros); null: unknown")
    change: float | None = Field(description="latest minus first (cost in micros); null: unknown")
    percent: float | None = Field(description="change / before x 100; null when unknown or before is 0")
    text: str = Field(description="the same in words")
    currency: str | None = Field(default=None, description="the account's currency (cost); null: none given")


class ScheduleInsight(InsightFigures):
    schedule: str | None = Field(description="null: runs started without a schedule")
    account: str
    platform: str


class InsightSlotOut(BaseModel):
    """One hour or day of the period (UTC): the runs queued in it, clipped to the period. null: unknown."""

    start: UtcTime = Field(description="the UTC hour or day the slot starts at")
    since: UtcTime = Field(description="where its runs start (the period's start for a clipped first slot)")
    until: UtcTime = Field(description="where they end (the period's end for the last slot)")
    runs: int
    succeeded: int
    failed: int = Field(description="failed + interrupted")
    p95_duration_s: float | None = Field(description="95th percentile duration of its finished runs; null: none")
    api_calls: int
    rate_limit_wait_s: float | None = Field(description="seconds waited on rate limits; null: none measured")
    wait_unrecorded_runs: int = Field(description="runs stored before waits were measured")


class InsightSeriesOut(BaseModel):
    """The period per UTC hour (24h) or day (7d, 30d), oldest first, every slot present (the Insights charts)."""

    step: Literal["hour", "day"]
    utc_offset_minutes: int = Field(description="always 0 here: slots are UTC hours or days")
    slots: list[InsightSlotOut]


class InsightsOut(BaseModel):
    """Sync analytics of the period, per platform, account and schedule (the window's Insights page)."""

    total: InsightFigures
    platforms: list[PlatformInsight]
    accounts: list[AccountInsight]
    schedules: list[ScheduleInsight]
    restatement_deltas: list[RestatementDeltaOut] = Field(
        default_factory=list, description="days restated by re-fetches in the period, largest change first (<= 100)")
    series: InsightSeriesOut | None = Field(default=None, description="the same runs per UTC hour or day")


def _figures(f: RunFigures) -> dict[str, Any]:
    return {"runs": f.runs, "succeeded": f.succeeded, "failed": f.failed, "cancelled": f.cancelled,
            "skipped": f.skipped, "success_rate": f.success_rate, "p50_duration_s": f.p50_duration_s,
            "p95_duration_s": f.p95_duration_s, "rows_written": f.rows_written, "api_calls": f.api_calls,
            "api_calls_per_day": f.api_calls_per_day, "api_errors": f.api_errors,
            "rate_limit_wait_s": f.rate_limit_wait_s, "wait_unrecorded_runs": f.wait_unrecorded_runs}


def insights(i: Insights, series: InsightSeries | None = None) -> InsightsOut:
    return InsightsOut(
        total=InsightFigures(**_figures(i.total)),
        platforms=[PlatformInsight(platform=p.platform, label=p.platform_label, **_figures(p.figures))
                   for p in i.platforms],
        accounts=[AccountInsight(account=a.account, platform=a.platform, zone=a.zone, data_through=a.data_through,
                                 complete_through=a.complete_through, freshness_lag_s=a.freshness_lag_s,
                                 settling_days=a.settling_days, days_still_settling=a.days_still_settling,
                                 **_figures(a.figures)) for a in i.accounts],
        schedules=[ScheduleInsight(schedule=s.schedule, account=s.account, platform=s.platform,
                                   **_figures(s.figures)) for s in i.schedules],
        restatement_deltas=[RestatementDeltaOut(
            account=r.account, platform=r.platform, date=r.day, metric=r.metric,  # type: ignore[arg-type]
            from_age_days=r.from_age_days, to_age_days=r.to_age_days, before=r.before, change=r.change,
            percent=r.percent, text=r.text, currency=r.currency) for r in i.restatements],
        series=None if series is None else InsightSeriesOut(
            step=series.step, utc_offset_minutes=series.utc_offset_minutes,  # type: ignore[arg-type]
            slots=[InsightSlotOut(start=x.start, since=x.since, until=x.until, runs=x.runs, succeeded=x.succeeded,
                                  failed=x.failed, p95_duration_s=x.p95_duration_s, api_calls=x.api_calls,
                                  rate_limit_wait_s=x.rate_limit_wait_s, wait_unrecorded_runs=x.wait_unrecorded_runs)
                   for x in series.slots]))
