"""Read models for the desktop window: dashboard metrics, scheduler and database info, activity, charts, and
the Data view's stats and campaigns (account cards, keyring state and platforms: `services.accounts`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from peewee import SqliteDatabase

from autosync_desktop.services.accounts import AccountsService, account_row
from autosync_desktop.services.core import PERIODS, UserError, _file_size, iso
from autosync_desktop.services.schedules import next_run_of
from autosync_desktop.store import queries, runs, settings
from autosync_desktop.store.models import ACTIVE_STATUSES, Schedule, SyncRun, utcnow
from autosync_desktop.sync.scheduler import SchedulerService


class WindowMixin:
    """Read-only queries the window shows."""

    db: SqliteDatabase
    db_path: Path
    scheduler: SchedulerService | None

    accounts: AccountsService

    # --- for the window ---
    # Read-only queries for the desktop window (autosync_desktop/gui). Like every method here they may block on
    # the database or the keyring: the window calls them from its workers, never on the GUI thread.

    @staticmethod
    def _metrics_dict(m: queries.PeriodMetrics) -> dict[str, Any]:
        return {"total_runs": m.total_runs, "succeeded": m.succeeded, "failed": m.failed, "cancelled": m.cancelled,
                "skipped": m.skipped, "success_rate": m.success_rate, "avg_duration_s": m.avg_duration_s,
                "rows_processed": m.rows_processed}

    def period_comparison(self, period: str = "24h", now: datetime | None = None) -> dict[str, Any]:
        """Run metrics of the last `period` and of the period just before it (for "change vs previous")."""
        if period not in PERIODS:
            raise UserError(f"period: must be one of {', '.join(PERIODS)}")
        now = now or utcnow()
        span = PERIODS[period]
        return {"period": period, "since": iso(now - span), "until": iso(now),
                "current": self._metrics_dict(queries.period_metrics(now - span, now)),
                "previous": self._metrics_dict(queries.period_metrics(now - 2 * span, now - span))}

    def scheduler_info(self) -> dict[str, Any]:
        """Who runs the scheduler, whether everything is paused, active runs and the next run."""
        other = runs.live_scheduler()
        paused_all = settings.get("scheduler.paused_all")
        upcoming = []
        if not paused_all:
            for schedule in Schedule.select().where(~Schedule.paused & (Schedule.frequency != "manual")):
                moment = next_run_of(schedule)
                if moment is not None:
                    upcoming.append((moment if moment.tzinfo else moment.replace(tzinfo=UTC), schedule.name))
        nxt = min(upcoming) if upcoming else None
        return {
            "running": self.scheduler is not None or other is not None,
            "owner": "this process" if self.scheduler is not None else (
                f"{other.kind} pid {other.pid}" if other else None),
            "paused_all": paused_all,
            "active_runs": SyncRun.select().where(SyncRun.status.in_(ACTIVE_STATUSES)).count(),
            "next_run_at": iso(nxt[0]) if nxt else None, "next_schedule": nxt[1] if nxt else None,
            "schedules": Schedule.select().count(),
        }

    def database_info(self) -> dict[str, Any]:
        from autosync_desktop.store.db import current_version

        return {"path": str(self.db_path), "size_bytes": _file_size(self.db_path),
                "last_prune": settings.get("retention.last_prune"), "schema_version": current_version(self.db)}

    def integrity_check(self) -> str:
        """SQLite's PRAGMA quick_check: "ok", or the first problems it reports. Slow on big stores."""
        problems = [row[0] for row in self.db.execute_sql("PRAGMA quick_check(5)").fetchall()]
        return "ok" if problems == ["ok"] else "; ".join(problems)

    def chart_series(self, days: int = 30, utc_offset_minutes: int = 0,
                     now: datetime | None = None) -> dict[str, Any]:
        """Per local day: runs by status, rows written, average duration (every day present, oldest first)."""
        by_status: dict[str, dict[str, int]] = {}
        for day, status, count in queries.runs_per_day(days, utc_offset_minutes, now):
            by_status.setdefault(day, {})[status] = count
        series = queries.daily_series(days, utc_offset_minutes, now)
        return {"days": [d for d, *_ in series], "runs_by_status": [by_status.get(d, {}) for d, *_ in series],
                "runs": [n for _, n, _, _ in series], "rows": [r for _, _, r, _ in series],
                "avg_duration_s": [a for *_, a in series]}

    def dashboard(self, period: str = "24h", utc_offset_minutes: int = 0, chart_days: int = 30) -> dict[str, Any]:
        """Everything the dashboard shows (except the slow integrity check), read in one transaction."""
        now = utcnow()
        with self.db.atomic():
            return {"at": iso(now), "metrics": self.period_comparison(period, now),
                    "accounts": self.accounts.cards(now), "scheduler": self.scheduler_info(),
                    "database": self.database_info(),
                    "charts": self.chart_series(chart_days, utc_offset_minutes, now)}

    def _stats_filter(self, filters: dict[str, Any] | None) -> queries.StatsFilter:
        f = filters or {}
        return queries.StatsFilter(account_id=account_row(f["account"]).id if f.get("account") else None,
                                   campaign_id=f.get("campaign_id") or None, since=f.get("since"),
                                   until=f.get("until"))

    def stats_view(self, filters: dict[str, Any] | None = None, limit: int = 200, offset: int = 0) -> list[dict]:
        """A page of daily stats (newest day first) with exact decimal money text."""
        from autosync_desktop.connectors.base import micros_to_text

        out = []
        for row in queries.stats_page(self._stats_filter(filters), limit, offset):
            item = dict(zip(queries.STATS_PAGE_COLUMNS, row, strict=True))
            item["cost"] = micros_to_text(item["cost_micros"]) if item["cost_micros"] is not None else None
            value = item["conversion_value_micros"]
            item["conversion_value"] = micros_to_text(value) if value is not None else None
            out.append(item)
        return out

    def stats_summary(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Row count and totals per currency (money of different currencies is never summed together)."""
        from autosync_desktop.connectors.base import micros_to_text

        totals = []
        for currency, count, impressions, clicks, cost, conversions, value in queries.stats_totals_by_currency(
                self._stats_filter(filters)):
            totals.append({"currency": currency, "rows": count, "impressions": impressions, "clicks": clicks,
                           "cost": micros_to_text(cost), "cost_micros": cost, "conversions": round(conversions, 2),
                           "conversion_value": micros_to_text(value)})
        return {"rows": sum(t["rows"] for t in totals), "totals": totals}

    def campaigns_view(self, account: str | None = None) -> list[dict[str, Any]]:
        keys = ("account", "platform", "campaign_id", "name", "status", "currency", "synced_at")
        rows = queries.campaign_rows(account_row(account).id if account else None)
        return [dict(zip(keys, row, strict=True))
                | {"synced_at": iso(datetime.fromisoformat(row[6])) if row[6] else None} for row in rows]
