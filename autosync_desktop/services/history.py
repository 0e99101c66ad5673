"""Status and retention: the status summary and pruning (runs moved to `services.runs`, runs.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from peewee import SqliteDatabase

from autosync_desktop import events as ev
from autosync_desktop.services.core import PERIODS, UserError, _file_size, iso
from autosync_desktop.services.schedules import SchedulesService
from autosync_desktop.store import queries, retention, runs, settings
from autosync_desktop.store.models import ACTIVE_STATUSES, SyncRun, utcnow
from autosync_desktop.sync.scheduler import SchedulerService


class HistoryMixin:
    """Past and active runs, the status summary and retention."""

    db: SqliteDatabase
    db_path: Path
    bus: ev.EventBus
    scheduler: SchedulerService | None

    schedules: SchedulesService

    def status(self, period: str = "24h") -> dict[str, Any]:
        if period not in PERIODS:
            raise UserError(f"--period: must be one of {', '.join(PERIODS)}")
        now = utcnow()
        metrics = queries.period_metrics(now - PERIODS[period], now)
        accounts = [{
            "name": h.name, "platform": h.platform, "health": h.health, "auth_state": h.auth_state,
            "last_success_at": iso(h.last_success_at), "last_run_status": h.last_run_status,
            "errors_24h": h.errors_24h, "avg_latency_ms": None if h.avg_latency_ms is None else round(
                h.avg_latency_ms, 1),
            "uptime_24h": None if h.uptime_24h is None else round(h.uptime_24h, 4),
            "last_probe_ok": h.last_probe_ok, "last_probe_at": iso(h.last_probe_at),
        } for h in queries.account_health(now)]
        active = SyncRun.select().where(SyncRun.status.in_(ACTIVE_STATUSES)).count()
        upcoming = [iso(s.next_run_at) for s in self.schedules.list() if s.next_run_at]
        other = runs.live_scheduler()
        return {
            "period": period,
            "success_rate": metrics.success_rate,
            "total_runs": metrics.total_runs, "succeeded": metrics.succeeded, "failed": metrics.failed,
            "cancelled": metrics.cancelled, "skipped": metrics.skipped,
            "avg_duration_s": None if metrics.avg_duration_s is None else round(metrics.avg_duration_s, 3),
            "rows_processed": metrics.rows_processed,
            "accounts": accounts,
            "scheduler": {
                "running": self.scheduler is not None or other is not None,
                "owner": "this process" if self.scheduler is not None else (
                    f"{other.kind} pid {other.pid}" if other else None),
                "paused_all": settings.get("scheduler.paused_all"),
                "active_runs": active,
                "next_run_at": min(upcoming) if upcoming else None,
            },
            "database": {"path": str(self.db_path), "size_bytes": _file_size(self.db_path),
                         "last_prune": settings.get("retention.last_prune")},
        }

    def prune(self) -> retention.PruneResult:
        result = retention.prune(self.db)
        self.bus.publish(ev.RetentionPruned(runs_deleted=result.runs_deleted, stats_deleted=result.stats_deleted))
        return result
