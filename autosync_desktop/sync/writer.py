"""Batched, idempotent writes of connector records, together with the sync state, in one transaction.

A window's daily stats replace the account's rows for exactly those dates (delete, then insert), because
platforms omit zero-activity days: an upsert alone would keep a day that has since dropped to nothing.
The bulk path runs `executemany` on the peewee database's own sqlite3 connection inside `db.atomic()`
(peewee's insert_many is ~3.7x slower here); the peewee models remain the schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from peewee import SqliteDatabase

from autosync_desktop.connectors.base import CampaignRecord, DailyStatRecord
from autosync_desktop.store.models import utcnow

STAT_COLUMNS = ("account_id", "campaign_id", "date", "impressions", "clicks", "cost_micros", "currency",
                "conversions", "conversion_value_micros", "extra", "synced_at", "run_id")
_INSERT_STAT = (f"INSERT INTO daily_stat ({', '.join(STAT_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in STAT_COLUMNS)})")
_DELETE_STATS = "DELETE FROM daily_stat WHERE account_id = ? AND date >= ? AND date <= ?"
_UPSERT_CAMPAIGN = (
    "INSERT INTO campaign (account_id, campaign_id, name, status, status_raw, currency, updated_at, extra,"
    " synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, campaign_id) DO UPDATE SET"
    " name = excluded.name, status = excluded.status, status_raw = excluded.status_raw,"
    " currency = excluded.currency, updated_at = excluded.updated_at, extra = excluded.extra,"
    " synced_at = excluded.synced_at"
)
# Campaigns seen only in stats (e.g. a platform whose stats name campaigns that the list did not return).
_INSERT_CAMPAIGN_IF_NEW = (
    "INSERT INTO campaign (account_id, campaign_id, name, status, currency, synced_at)"
    " VALUES (?, ?, ?, 'OTHER', ?, ?) ON CONFLICT (account_id, campaign_id) DO NOTHING"
)
_UPSERT_STATE = (
    "INSERT INTO sync_state (account_id, stream, last_complete_date, last_synced_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (account_id, stream) DO UPDATE SET last_complete_date = MAX(COALESCE(last_complete_date, ''),"
    " excluded.last_complete_date), last_synced_at = excluded.last_synced_at"
)


def stat_rows(account_id: int, run_id: int | None, records: Iterable[DailyStatRecord],
              synced_at: str) -> list[tuple[Any, ...]]:
    """Records to parameter tuples in STAT_COLUMNS order."""
    return [
        (account_id, r.campaign_id, r.date.isoformat(), r.impressions, r.clicks, r.cost_micros, r.currency,
         r.conversions, r.conversion_value_micros, json.dumps(r.extra) if r.extra else None, synced_at, run_id)
        for r in records
    ]


def _stamp() -> str:
    return utcnow().isoformat(sep=" ")


class Writer:
    """Writes one account's records. Not shared between threads (each run has its own)."""

    def __init__(self, db: SqliteDatabase, account_id: int, run_id: int | None) -> None:
        self.db = db
        self.account_id = account_id
        self.run_id = run_id

    def write_campaigns(self, campaigns: Sequence[CampaignRecord]) -> int:
        stamp = _stamp()
        params = [
            (self.account_id, c.campaign_id, c.name, c.status, c.status_raw, c.currency, c.updated_at,
             json.dumps(c.extra) if c.extra else None, stamp)
            for c in campaigns
        ]
        with self.db.atomic():
            self.db.connection().executemany(_UPSERT_CAMPAIGN, params)
            self.db.connection().execute(_UPSERT_STATE, (self.account_id, "campaigns", None, stamp))
        return len(params)

    def replace_window(self, start: date, end: date, rows: Sequence[tuple[Any, ...]],
                       campaign_names: dict[str, tuple[str, str | None]] | None = None) -> int:
        """Replace the account's daily stats for [start, end] with `rows` and advance the sync state."""
        stamp = _stamp()
        con = self.db.connection()
        with self.db.atomic():
            if campaign_names:
                con.executemany(_INSERT_CAMPAIGN_IF_NEW, [
                    (self.account_id, cid, name, currency, stamp)
                    for cid, (name, currency) in campaign_names.items()
                ])
            con.execute(_DELETE_STATS, (self.account_id, start.isoformat(), end.isoformat()))
            con.executemany(_INSERT_STAT, rows)
            con.execute(_UPSERT_STATE, (self.account_id, "daily_stats", end.isoformat(), stamp))
        return len(rows)
