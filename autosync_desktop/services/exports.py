"""`services.exports`: CSV/JSON exports of runs, daily stats, campaigns and conversions by action (whole tables
for the CLI, or what the History and Data pages show), streamed in constant memory; each returns an `ExportResult`.

Also here: the column lists and `run_dict` (a run as the CLI's JSON and the runs export show it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from autosync_desktop.domain import (
    ExportFormat,
    ExportKind,
    ExportResult,
    RunFilter,
    RunRow,
    StatsFilter,
    money_text,
)
from autosync_desktop.services.area import Area
from autosync_desktop.services.core import UserError, iso
from autosync_desktop.services.data import stats_filter
from autosync_desktop.services.runs import run_row
from autosync_desktop.store import queries
from autosync_desktop.store.models import Account, Campaign, SyncRun

RUN_COLUMNS = ["id", "schedule", "account", "platform", "trigger", "status", "queued_at", "started_at",
               "finished_at", "duration_s", "rows", "campaigns", "pages", "api_calls", "attempt", "error_class",
               "error", "reason", "window_from", "window_to"]
STATS_COLUMNS = ["platform", "account_id", "campaign_id", "campaign_name", "date", "date_tz", "impressions", "clicks",
                 "cost", "cost_micros", "currency", "conversions", "conversion_value"]
# Conversions by action (daily_conversion): value is exact decimal text, value_micros the same as an integer.
CONVERSION_COLUMNS = ["platform", "account_id", "campaign_id", "campaign_name", "date", "date_tz", "action", "count",
                      "value", "value_micros", "currency"]
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


def _stats_values(row: Iterable[Any]) -> tuple[Any, ...]:
    """A raw daily-stat row (platform, account id, campaign id, name, date, date_tz, impressions, clicks,
    cost_micros, currency, conversions, conversion_value_micros) in STATS_COLUMNS: money also as exact decimal text.
    `date_tz` is the zone the platform's day is in (the date itself is the platform's, never shifted)."""
    (platform, account_id, campaign_id, name, day, day_tz, impressions, clicks, cost, currency, conversions,
     value) = row
    return (platform, account_id, campaign_id, name, day, day_tz, impressions, clicks,
            money_text(cost) if cost is not None else None, cost, currency, conversions,
            money_text(value) if value is not None else None)


def _stats_rows(db: Any) -> Iterator[tuple[Any, ...]]:
    cursor = db.execute_sql(
        f"SELECT a.platform, a.external_id, s.campaign_id, c.name, s.date, {queries.DAY_TZ_SQL}, s.impressions,"
        " s.clicks, s.cost_micros, COALESCE(s.currency, a.currency), s.conversions, s.conversion_value_micros"
        " FROM daily_stat s JOIN account a ON a.id = s.account_id LEFT JOIN campaign c ON c.account_id = s.account_id"
        " AND c.campaign_id = s.campaign_id ORDER BY a.name, s.date, s.campaign_id")
    for row in cursor:
        yield _stats_values(row)


def _conversion_values(row: Iterable[Any]) -> tuple[Any, ...]:
    """A raw queries.conversion_iter row in CONVERSION_COLUMNS."""
    platform, external_id, _name, campaign_id, campaign, day, day_tz, action, count, value, currency = row
    return (platform, external_id, campaign_id, campaign, day, day_tz, action, count,
            money_text(value) if value is not None else None, value, currency)


def _campaign_rows() -> Iterator[tuple[Any, ...]]:
    query = (Campaign.select(Campaign, Account).join(Account).order_by(Account.name, Campaign.campaign_id))
    for c in query.iterator():
        yield (c.account.platform, c.account.external_id, c.campaign_id, c.name, c.status, c.status_raw,
               c.currency, c.updated_at, iso(c.synced_at))


def _counting(rows: Iterator[tuple[Any, ...]], progress: Callable[[int], object] | None) -> Iterator[tuple[Any, ...]]:
    for count, row in enumerate(rows, 1):
        yield row
        if progress is not None and count % 1000 == 0:
            progress(count)


def _format(fmt: str, field: str) -> ExportFormat:
    try:
        return ExportFormat(fmt)
    except ValueError:
        raise UserError(f"{field}: choose csv or json") from None


def _write(kind: ExportKind, fmt: ExportFormat, out: IO[str], columns: list[str],
           rows: Iterator[tuple[Any, ...]]) -> ExportResult:
    from autosync_desktop import export as exporter  # the writers load only when something is exported

    write = exporter.write_csv if fmt == ExportFormat.CSV else exporter.write_json
    return ExportResult(kind=kind, format=fmt, rows=write(out, columns, rows))


class ExportsService(Area):
    """Streaming exports (constant memory) to CSV or JSON."""

    def table(self, kind: str) -> tuple[ExportKind, list[str], Iterator[tuple[Any, ...]]]:
        """A whole table's columns and a lazy row iterator (streamed from SQL)."""
        if kind == ExportKind.STATS:
            return ExportKind.STATS, STATS_COLUMNS, _stats_rows(self.core.db)
        if kind == ExportKind.CAMPAIGNS:
            return ExportKind.CAMPAIGNS, CAMPAIGN_COLUMNS, _campaign_rows()
        if kind == ExportKind.RUNS:
            return ExportKind.RUNS, RUN_COLUMNS, (tuple(run_dict(run_row(r)).values())
                                                  for r in SyncRun.select().order_by(SyncRun.id).iterator())
        if kind == ExportKind.CONVERSIONS:
            return ExportKind.CONVERSIONS, CONVERSION_COLUMNS, (
                _conversion_values(row) for row in queries.conversion_iter(queries.StatsFilter()))
        raise UserError("export: choose runs, stats, campaigns or conversions")

    def write(self, kind: str, fmt: str, out: IO[str]) -> ExportResult:
        """A whole table (`autosync export`): runs, stats, campaigns or conversions, as csv or json."""
        which, columns, rows = self.table(kind)
        return _write(which, _format(fmt, "--format"), out, columns, rows)

    def history(self, filters: RunFilter | None, fmt: str, out: IO[str],
                progress: Callable[[int], object] | None = None, order: str = "newest") -> ExportResult:
        """The runs matching `filters`, as the History table shows them (in its order).
        `progress(count)` is called every 1000 rows; it may raise to abort."""
        flt = self.core.runs.history_filter(filters)
        rows = (tuple(run_dict(run_row(r)).values()) for r in queries.history_iter(flt, order))
        return _write(ExportKind.RUNS, _format(fmt, "format"), out, RUN_COLUMNS, _counting(rows, progress))

    def stats(self, filters: StatsFilter | None, fmt: str, out: IO[str],
              progress: Callable[[int], object] | None = None) -> ExportResult:
        """The daily stats matching `filters` (as the Data page shows them) in the stats export's columns."""
        rows = (_stats_values(row) for row in queries.stats_export_iter(stats_filter(filters)))
        return _write(ExportKind.STATS, _format(fmt, "format"), out, STATS_COLUMNS, _counting(rows, progress))

    def conversions(self, filters: StatsFilter | None, fmt: str, out: IO[str],
                    progress: Callable[[int], object] | None = None) -> ExportResult:
        """Conversions by action of the daily stats matching `filters` (the Data page's), in CONVERSION_COLUMNS."""
        rows = (_conversion_values(row) for row in queries.conversion_iter(stats_filter(filters)))
        return _write(ExportKind.CONVERSIONS, _format(fmt, "format"), out, CONVERSION_COLUMNS,
                      _counting(rows, progress))
