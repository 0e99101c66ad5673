"""`services.metrics`: the status summary (`autosync status`), the Dashboard's snapshot (period comparison,
scheduler and database info, charts), the integrity check, and pruning.

`MetricsService` returns the metrics read models of autosync_desktop/domain.py (`StatusSnapshot`,
`DashboardSnapshot`, `PeriodComparison`, `SchedulerInfo`, `DatabaseInfo`, `ChartSeries`, `IntegrityCheck`,
`PruneResult`). Like every service these may block on the database: the window calls them from its workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from autosync_desktop import events as ev
from autosync_desktop.domain import (
    AccountStatus,
    AuthState,
    ChartDay,
    ChartSeries,
    DashboardSnapshot,
    DatabaseInfo,
    IntegrityCheck,
    Period,
    PeriodComparison,
    PeriodMetrics,
    PruneResult,
    RunStatus,
    SchedulerInfo,
    StatusSnapshot,
)
from autosync_desktop.services import api_versions
from autosync_desktop.services.api_versions import api_of
from autosync_desktop.services.area import Area
from autosync_desktop.services.core import UserError, _file_size
from autosync_desktop.services.schedules import next_run_of
from autosync_desktop.store import queries, retention, runs, settings
from autosync_desktop.store.db import current_version
from autosync_desktop.store.models import ACTIVE_STATUSES, Schedule, SyncRun, utcnow


def _aware(moment: datetime) -> datetime:
    """Store timestamps are naive UTC; read models carry aware ones."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _period(value: str, field: str) -> Period:
    try:
        return Period(value)
    except ValueError:
        raise UserError(f"{field}: must be one of {', '.join(Period)}") from None


def _metrics(m: queries.PeriodMetrics) -> PeriodMetrics:
    return PeriodMetrics(total_runs=m.total_runs, succeeded=m.succeeded, failed=m.failed, cancelled=m.cancelled,
                         skipped=m.skipped, success_rate=m.success_rate, avg_duration_s=m.avg_duration_s,
                         rows_processed=m.rows_processed)


def prune_result(stored: Mapping[str, object] | retention.PruneResult) -> PruneResult:
    """A prune as the store records it (`retention.last_prune`, texts in UTC) as the read model."""
    values = stored if isinstance(stored, Mapping) else {
        "at": stored.at, "runs_deleted": stored.runs_deleted, "stats_deleted": stored.stats_deleted,
        "runs_before": stored.runs_before, "stats_before": stored.stats_before}
    before = values.get("stats_before")
    return PruneResult(at=_aware(datetime.fromisoformat(str(values["at"]))),
                       runs_deleted=int(str(values["runs_deleted"])), stats_deleted=int(str(values["stats_deleted"])),
                       runs_before=_aware(datetime.fromisoformat(str(values["runs_before"]))),
                       stats_before=date.fromisoformat(str(before)) if before else None)


class MetricsService(Area):
    """Run metrics, the scheduler's and the database's state, charts, integrity and retention."""

    def period_comparison(self, period: str = "24h", now: datetime | None = None) -> PeriodComparison:
        """Run metrics of the last `period` and of the period just before it."""
        span = _period(period, "period")
        now = now or utcnow()
        length = span.span
        return PeriodComparison(
            period=span, since=_aware(now - length), until=_aware(now),
            current=_metrics(queries.period_metrics(now - length, now)),
            previous=_metrics(queries.period_metrics(now - 2 * length, now - length)))

    def scheduler_info(self) -> SchedulerInfo:
        """Who runs the scheduler, whether everything is paused, active runs and the next run."""
        core = self.core
        other = runs.live_scheduler()
        paused_all = bool(settings.get("scheduler.paused_all"))
        upcoming: list[tuple[datetime, str]] = []
        if not paused_all:
            for schedule in Schedule.select().where(~Schedule.paused & (Schedule.frequency != "manual")):
                moment = next_run_of(schedule)
                if moment is not None:
                    upcoming.append((_aware(moment), schedule.name))
        nxt = min(upcoming) if upcoming else None
        owner = "this process" if core.scheduler is not None else (f"{other.kind} pid {other.pid}" if other else None)
        since = wake = None
        if core.scheduler is not None:
            since, wake = core.scheduler.started_at, core.scheduler.last_wake_at
        elif other is not None:  # another process: its lease's start and heartbeat (touched at every poll)
            since, wake = _aware(other.started_at), _aware(other.heartbeat_at)
        return SchedulerInfo(
            running=core.scheduler is not None or other is not None, owner=owner, paused_all=paused_all,
            active_runs=int(SyncRun.select().where(SyncRun.status.in_(ACTIVE_STATUSES)).count()),
            next_run_at=nxt[0] if nxt else None, next_schedule=nxt[1] if nxt else None,
            schedules=int(Schedule.select().count()), running_since=since, last_wake_at=wake)

    def database_info(self) -> DatabaseInfo:
        core = self.core
        stored = settings.get("retention.last_prune")
        return DatabaseInfo(path=str(core.db_path), size_bytes=_file_size(core.db_path),
                            last_prune=prune_result(stored) if isinstance(stored, Mapping) else None,
                            schema_version=current_version(core.db) or 0)

    def integrity_check(self) -> IntegrityCheck:
        """SQLite's PRAGMA quick_check (at most 5 problems). Slow on big stores."""
        problems = [str(row[0]) for row in self.core.db.execute_sql("PRAGMA quick_check(5)").fetchall()]
        return IntegrityCheck(problems=() if problems == ["ok"] else tuple(problems))

    def chart_series(self, days: int = 30, utc_offset_minutes: int = 0, now: datetime | None = None) -> ChartSeries:
        """Per local day: runs by status, rows written, average duration (every day present, oldest first)."""
        by_status: dict[str, dict[RunStatus, int]] = {}
        for day, status, count in queries.runs_per_day(days, utc_offset_minutes, now):
            if status in tuple(RunStatus):
                by_status.setdefault(day, {})[RunStatus(status)] = count
        return ChartSeries(days=tuple(
            ChartDay(day=date.fromisoformat(day), runs=total, rows=rows, avg_duration_s=avg,
                     runs_by_status=by_status.get(day, {}))
            for day, total, rows, avg in queries.daily_series(days, utc_offset_minutes, now)))

    def dashboard(self, period: str = "24h", utc_offset_minutes: int = 0, chart_days: int = 30) -> DashboardSnapshot:
        """Everything the Dashboard shows (except the slow integrity check), read in one transaction."""
        now = utcnow()
        with self.core.db.atomic():
            return DashboardSnapshot(
                at=_aware(now), metrics=self.period_comparison(period, now), accounts=self.core.accounts.cards(now),
                scheduler=self.scheduler_info(), database=self.database_info(),
                charts=self.chart_series(chart_days, utc_offset_minutes, now))

    def status(self, period: str = "24h") -> StatusSnapshot:
        """What `autosync status` shows: the period's run metrics, each account's health, the scheduler and
        the database."""
        span = _period(period, "--period")
        now = utcnow()
        accounts = tuple(AccountStatus(
            name=h.name, platform=h.platform, health=api_versions.health_of(h.health, api_of(h.platform), now.date()),
            auth_state=AuthState(h.auth_state),
            last_success_at=None if h.last_success_at is None else _aware(h.last_success_at),
            last_run_status=RunStatus(h.last_run_status) if h.last_run_status else None, errors_24h=h.errors_24h,
            avg_latency_ms=None if h.avg_latency_ms is None else round(h.avg_latency_ms, 1),
            uptime_24h=None if h.uptime_24h is None else round(h.uptime_24h, 4), last_probe_ok=h.last_probe_ok,
            last_probe_at=None if h.last_probe_at is None else _aware(h.last_probe_at), api=api_of(h.platform),
        ) for h in queries.account_health(now))
        return StatusSnapshot(period=span, metrics=_metrics(queries.period_metrics(now - span.span, now)),
                              accounts=accounts, scheduler=self.scheduler_info(), database=self.database_info())

    def prune(self) -> PruneResult:
        """Apply the retention settings now; the bus hears what went."""
        result = retention.prune(self.core.db)
        self.core.bus.publish(ev.RetentionPruned(runs_deleted=result.runs_deleted,
                                                 stats_deleted=result.stats_deleted))
        return prune_result(result)
