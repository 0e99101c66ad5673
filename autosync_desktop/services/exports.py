"""Export: the column lists, `run_dict` (a run as the CLI, the window and exports show it), and the
CSV/JSON exports of runs, daily stats and campaigns (whole tables, or what the History and Data views show)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from peewee import SqliteDatabase

from autosync_desktop.domain import RunFilter, RunRow
from autosync_desktop.services.core import UserError, iso
from autosync_desktop.services.runs import RunsService, run_row
from autosync_desktop.store import queries
from autosync_desktop.store.models import Account, Campaign, SyncRun

RUN_COLUMNS = ["id", "schedule", "account", "platform", "trigger", "status", "queued_at", "started_at",
               "finished_at", "duration_s", "rows", "campaigns", "pages", "api_calls", "attempt", "error_class",
               "error", "reason", "window_from", "window_to"]
STATS_COLUMNS = ["platform", "account_id", "campaign_id", "campaign_name", "date", "impressions", "clicks", "cost",
                 "cost_micros", "currency", "conversions", "conversion_value"]
CAMPAIGN_COLUMNS = ["platform", "account_id", "campaign_id", "name", "status", "status_raw", "currency",
                    "updated_at", "synced_at"]


def run_dict(run: RunRow) -> dict[str, Any]:
    """A run as the CLI's JSON and the runs export show it (RUN_COLUMNS, in that order)."""
    return {
        "id": run.id, "schedule": run.schedule, "account": run.account, "platform": run.platform,
        "trigger": run.trigger.value, "status": run.status.value, "queued_at": iso(run.queued_at),
        "started_at": iso(run.started_at), "finished_at": iso(run.finished_at), "duration_s": run.duration_s,
        "rows": run.rows, "campaigns": run.campaigns, "pages": run.pages, "api_calls": run.api_calls,
        "attempt": run.attempt, "error_class": run.error_class, "error": run.error, "reason": run.reason,
        "window_from": iso(run.window_from), "window_to": iso(run.window_to),
    }


def _stats_rows(db: Any) -> Iterator[tuple[Any, ...]]:
    from autosync_desktop.connectors.base import micros_to_text

    cursor = db.execute_sql(
        "SELECT a.platform, a.external_id, s.campaign_id, c.name, s.date, s.impressions, s.clicks, s.cost_micros,"
        " COALESCE(s.currency, a.currency), s.conversions, s.conversion_value_micros FROM daily_stat s"
        " JOIN account a ON a.id = s.account_id LEFT JOIN campaign c ON c.account_id = s.account_id"
        " AND c.campaign_id = s.campaign_id ORDER BY a.name, s.date, s.campaign_id")
    for (platform, account_id, campaign_id, name, day, impressions, clicks, cost, currency, conversions,
         value) in cursor:
        yield (platform, account_id, campaign_id, name, day, impressions, clicks,
               micros_to_text(cost) if cost is not None else None, cost, currency, conversions,
               micros_to_text(value) if value is not None else None)


def _campaign_rows() -> Iterator[tuple[Any, ...]]:
    query = (Campaign.select(Campaign, Account).join(Account).order_by(Account.name, Campaign.campaign_id))
    for c in query.iterator():
        yield (c.account.platform, c.account.external_id, c.campaign_id, c.name, c.status, c.status_raw,
               c.currency, c.updated_at, iso(c.synced_at))


class ExportsMixin:
    """Streaming exports (constant memory) to CSV or JSON."""

    db: SqliteDatabase
    runs: RunsService

    if TYPE_CHECKING:  # provided by HistoryMixin and WindowMixin (history.py, window.py)
        def _stats_filter(self, filters: dict[str, Any] | None) -> queries.StatsFilter: ...

    def export_rows(self, kind: str) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
        """Column names and a lazy row iterator (streamed from SQL, constant memory)."""
        if kind == "stats":
            return STATS_COLUMNS, _stats_rows(self.db)
        if kind == "campaigns":
            return CAMPAIGN_COLUMNS, _campaign_rows()
        if kind == "runs":
            return RUN_COLUMNS, (tuple(run_dict(run_row(r)).values())
                                 for r in SyncRun.select().order_by(SyncRun.id).iterator())
        raise UserError("export: choose runs, stats or campaigns")

    def export(self, kind: str, fmt: str, out: IO[str]) -> int:
        from autosync_desktop import export as exporter

        columns, rows = self.export_rows(kind)
        if fmt == "csv":
            return exporter.write_csv(out, columns, rows)
        if fmt == "json":
            return exporter.write_json(out, columns, rows)
        raise UserError("--format: choose csv or json")

    def export_history(self, filters: RunFilter | None, fmt: str, out: IO[str],
                       progress: Any = None, order: str = "newest") -> int:
        """Write the runs matching `filters` (as the History table shows them, in its order) as CSV or JSON.
        `progress(count)` is called every 1000 rows; it may raise to abort."""
        from autosync_desktop import export as exporter

        flt = self.runs.history_filter(filters)
        rows = (tuple(run_dict(run_row(r)).values()) for r in queries.history_iter(flt, order))
        return self._write_export(exporter, fmt, out, RUN_COLUMNS, self._counting(rows, progress))

    def export_stats(self, filters: dict[str, Any] | None, fmt: str, out: IO[str], progress: Any = None) -> int:
        """The daily stats matching `filters` (as the Data view shows them) in the CLI's stats export columns."""
        from autosync_desktop import export as exporter
        from autosync_desktop.connectors.base import micros_to_text

        def rows() -> Iterator[tuple[Any, ...]]:
            for (platform, account_id, campaign_id, name, day, impressions, clicks, cost, currency, conversions,
                 value) in queries.stats_export_iter(self._stats_filter(filters)):
                yield (platform, account_id, campaign_id, name, day, impressions, clicks,
                       micros_to_text(cost) if cost is not None else None, cost, currency, conversions,
                       micros_to_text(value) if value is not None else None)

        return self._write_export(exporter, fmt, out, STATS_COLUMNS, self._counting(rows(), progress))

    @staticmethod
    def _counting(rows: Iterator[tuple[Any, ...]], progress: Any) -> Iterator[tuple[Any, ...]]:
        for count, row in enumerate(rows, 1):
            yield row
            if progress is not None and count % 1000 == 0:
                progress(count)

    @staticmethod
    def _write_export(exporter: Any, fmt: str, out: IO[str], columns: list[str],
                      rows: Iterator[tuple[Any, ...]]) -> int:
        if fmt == "csv":
            return exporter.write_csv(out, columns, rows)
        if fmt == "json":
            return exporter.write_json(out, columns, rows)
        raise UserError("format: choose csv or json")

