"""History and status: runs, one run's detail and log, the status summary, pruning, and the
History page's keyset-paged, filtered run list (history / history_total)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peewee import SqliteDatabase

from autosync_desktop import events as ev
from autosync_desktop.services.core import PERIODS, UserError, _file_size, iso
from autosync_desktop.services.exports import run_dict
from autosync_desktop.services.schedules import SchedulesService, schedule_row
from autosync_desktop.store import queries, retention, runs, settings
from autosync_desktop.store.models import ACTIVE_STATUSES, RUN_STATUSES, Account, RunEvent, SyncRun, utcnow
from autosync_desktop.sync.scheduler import SchedulerService


class HistoryMixin:
    """Past and active runs, the status summary and retention."""

    db: SqliteDatabase
    db_path: Path
    bus: ev.EventBus
    scheduler: SchedulerService | None
    schedules: SchedulesService

    if TYPE_CHECKING:  # provided by AccountsMixin (accounts.py)
        def account(self, name: str) -> Account: ...

    def runs(self, status: str | None = None, schedule: str | None = None, account: str | None = None,
             limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        if status is not None and status not in RUN_STATUSES:
            raise UserError(f"--status: must be one of {', '.join(RUN_STATUSES)}")
        if limit < 1 or limit > 100_000:
            raise UserError("--limit: must be between 1 and 100000")
        flt = queries.HistoryFilter(
            statuses=(status,) if status else (),
            schedule_id=schedule_row(schedule).id if schedule else None,
            account_id=self.account(account).id if account else None)
        return [run_dict(run) for run in queries.history_page(flt, limit=limit, offset=offset)]

    def run_detail(self, run_id: int) -> dict[str, Any]:
        run = SyncRun.get_or_none(SyncRun.id == run_id)
        if run is None:
            raise UserError(f"No run with id {run_id}; see 'runs' for the list")
        detail = run_dict(run)
        detail["events"] = [{"at": iso(e.at), "level": e.level, "message": e.message}
                            for e in RunEvent.select().where(RunEvent.run == run_id).order_by(RunEvent.id)]
        return detail

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

    # History page (for the window): like every method here these may block on the database; the window calls
    # them from its workers, never on the GUI thread.

    def _history_filter(self, filters: dict[str, Any] | None) -> queries.HistoryFilter:
        f = filters or {}
        bad = [s for s in f.get("statuses", ()) if s not in RUN_STATUSES]
        if bad:
            raise UserError(f"status: {', '.join(bad)} unknown; use {', '.join(RUN_STATUSES)}")
        return queries.HistoryFilter(
            statuses=tuple(f.get("statuses", ())), triggers=tuple(f.get("triggers", ())),
            schedule_id=schedule_row(f["schedule"]).id if f.get("schedule") else None,
            account_id=self.account(f["account"]).id if f.get("account") else None,
            since=f.get("since"), until=f.get("until"), text=(f.get("text") or "").strip() or None)

    def history(self, filters: dict[str, Any] | None = None, after: tuple[str, int] | None = None,
                limit: int = 200, order: str = "newest") -> dict[str, Any]:
        """One page of runs (run_dict) matching `filters`, continuing after `cursor` of the previous page.

        filters: statuses, triggers (lists), account, schedule (names), since, until (datetimes), text.
        Returns {"rows": [...], "cursor": (queued_at text, id) of the last row or None, "done": bool}.
        """
        if not 1 <= limit <= 10_000:
            raise UserError("limit: must be between 1 and 10000")
        key = (datetime.fromisoformat(after[0]), after[1]) if after else None
        page = queries.history_after(self._history_filter(filters), key, limit, order)
        cursor = (page[-1].queued_at.isoformat(sep=" "), page[-1].id) if page else after
        return {"rows": [run_dict(r) for r in page], "cursor": cursor, "done": len(page) < limit}

    def history_total(self, filters: dict[str, Any] | None = None) -> int:
        return queries.history_count(self._history_filter(filters))
