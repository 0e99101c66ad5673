"""Read models for the Data view: daily stats and campaigns (the rest of the window's reads live in the areas:
`services.metrics`, `services.runs`, `services.accounts`, `services.schedules`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from peewee import SqliteDatabase

from autosync_desktop.services.accounts import AccountsService, account_row
from autosync_desktop.services.core import iso
from autosync_desktop.store import queries
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
