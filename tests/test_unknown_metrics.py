"""Unknown is unknown, not 0: metrics a platform does not report stay NULL in the store and None in totals."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from autosync_desktop.domain import Money, StatsFilter
from autosync_desktop.services import Services
from autosync_desktop.store import migrations
from autosync_desktop.store.db import open_store
from autosync_desktop.store.models import Account, DailyStat


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "data")
    yield services
    services.close()


def _stat(account: Account, campaign: str, day: int, **metrics: object) -> None:
    DailyStat.create(account=account, campaign_id=campaign, date=date(2026, 11, day), currency="USD", **metrics)


def test_totals_of_a_metric_no_row_knows_are_none_and_known_ones_add_up(svc: Services) -> None:
    ga4 = Account.create(name="Analytics", platform="ga4", external_id="123456", currency="USD")
    _stat(ga4, "c1", 1, impressions=None, clicks=None, cost_micros=None, conversions=3.0,
          conversion_value_micros=1_500_000)
    _stat(ga4, "c1", 2, impressions=None, clicks=None, cost_micros=None, conversions=None,
          conversion_value_micros=None)
    (total,) = svc.data.summary(StatsFilter(account="Analytics")).totals
    assert (total.rows, total.impressions, total.clicks, total.cost) == (2, None, None, None)
    assert total.conversions == 3.0 and total.conversion_value == Money(1_500_000, "USD")
    stored = [s.conversions for s in DailyStat.select().order_by(DailyStat.date)]
    assert stored == [3.0, None]


def test_schema_v7_keeps_stored_conversions_and_accepts_unknown_ones(tmp_path: Path) -> None:
    path = tmp_path / "autosync.db"
    db = open_store(path)
    account = Account.create(name="a", platform="demo", external_id="a")
    _stat(account, "c1", 1, impressions=5, clicks=1, cost_micros=10, conversions=0.0)
    _stat(account, "c1", 2, impressions=6, clicks=2, cost_micros=20, conversions=2.5)
    db.close()
    con = sqlite3.connect(path)  # back to schema 6: conversions NOT NULL, as stores written before v7 have it
    con.executescript(
        'CREATE TABLE "old" ("account_id" INTEGER NOT NULL, "campaign_id" VARCHAR(255) NOT NULL,'
        ' "date" DATE NOT NULL, "impressions" INTEGER, "clicks" INTEGER, "cost_micros" INTEGER,'
        ' "currency" VARCHAR(255), "conversions" REAL NOT NULL, "conversion_value_micros" INTEGER, "extra" TEXT,'
        ' "synced_at" DATETIME NOT NULL, "run_id" INTEGER, PRIMARY KEY ("account_id", "date", "campaign_id"),'
        ' FOREIGN KEY ("account_id") REFERENCES "account" ("id") ON DELETE CASCADE) WITHOUT ROWID;'
        ' INSERT INTO "old" SELECT * FROM daily_stat; DROP TABLE daily_stat;'
        ' ALTER TABLE "old" RENAME TO daily_stat; UPDATE schema_version SET version = 6;')
    con.close()
    con = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError):  # what a platform without conversions hit before v7
        con.execute("INSERT INTO daily_stat (account_id, campaign_id, date, conversions, synced_at)"
                    " VALUES (1, 'x', '2026-11-03', NULL, '2026-11-03')")
    con.close()
    db = open_store(path)  # migrates 6 -> LATEST
    try:
        assert db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()[0] == migrations.LATEST >= 7
        rows = db.execute_sql("SELECT date, conversions FROM daily_stat ORDER BY date").fetchall()
        assert rows == [("2026-11-01", 0.0), ("2026-11-02", 2.5)]
        db.execute_sql("INSERT INTO daily_stat (account_id, campaign_id, date, conversions, synced_at)"
                       " VALUES (1, 'x', '2026-11-03', NULL, '2026-11-03')")
        without_rowid = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'daily_stat'").fetchone()[0]
        assert "WITHOUT ROWID" in without_rowid
    finally:
        db.close()
