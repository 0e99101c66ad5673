"""A database made by schema version 1 opens, is backed up, and migrates to the current version intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from autosync_desktop.store import migrations
from autosync_desktop.store.db import StoreError, open_store

V1_SQL = Path(__file__).parent / "data" / "schema_v1.sql"


def make_v1_database(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript(V1_SQL.read_text())
    con.execute("INSERT INTO schema_version (version, applied_at) VALUES (1, '2026-01-01 00:00:00')")
    con.execute("INSERT INTO account (id, name, platform, external_id, options, auth_state, created_at) "
                "VALUES (1, 'acme', 'demo', 'a1', '{}', 'ok', '2026-01-01 00:00:00')")
    con.executemany(
        "INSERT INTO daily_stat (account_id, campaign_id, date, impressions, clicks, cost_micros, currency,"
        " conversions, conversion_value_micros, synced_at, run_id) VALUES (1, ?, ?, ?, ?, ?, 'USD', 1.5, NULL,"
        " '2026-01-02 00:00:00', 7)",
        [(f"c{i}", f"2026-01-{d:02d}", 100 * i + d, i + d, 1_000_000 * i + d) for i in range(3) for d in (1, 2)],
    )
    con.commit()
    con.close()


def test_v1_database_migrates_with_backup_and_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "autosync.db"
    make_v1_database(path)

    db = open_store(path)

    assert db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()[0] == migrations.LATEST
    backup = tmp_path / "autosync.db.v1.bak"
    assert backup.exists()
    old = sqlite3.connect(backup).execute("SELECT COUNT(*) FROM daily_stat").fetchone()[0]
    assert old == 6
    rows = db.execute_sql("SELECT campaign_id, date, impressions, clicks, cost_micros FROM daily_stat "
                          "ORDER BY campaign_id, date").fetchall()
    assert rows[0] == ("c0", "2026-01-01", 1, 1, 1)
    assert rows[-1] == ("c2", "2026-01-02", 202, 4, 2_000_002)
    # version 2 semantics: a platform that does not measure a metric stores NULL, and extra metrics fit
    db.execute_sql("INSERT INTO daily_stat (account_id, campaign_id, date, impressions, clicks, cost_micros,"
                   " conversions, extra, synced_at) VALUES (1, 'ga', '2026-01-03', NULL, NULL, NULL, 2,"
                   " '{\"sessions\":\"4\"}', '2026-01-03 00:00:00')")
    sql = db.execute_sql("SELECT sql FROM sqlite_master WHERE name='daily_stat'").fetchone()[0]
    assert "WITHOUT ROWID" in sql.upper()
    assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    db.close()

    # the migrated schema is the one a fresh store gets: same tables, columns and indexes
    fresh = open_store(tmp_path / "fresh.db")
    assert _schema(fresh) == _schema(open_store(path))
    fresh.close()


def _schema(db) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for (table,) in db.execute_sql("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"):
        columns = {f"{c[1]} {c[2]} notnull={c[3]} pk={c[5]}" for c in db.execute_sql(f'PRAGMA table_info("{table}")')}
        indexes = {f"{i[1]} unique={i[2]}" for i in db.execute_sql(f'PRAGMA index_list("{table}")')}
        out[table] = columns | indexes
    return out


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "autosync.db"
    make_v1_database(path)
    con = sqlite3.connect(path)
    con.execute("INSERT INTO schema_version (version, applied_at) VALUES (99, '2026-01-01')")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer AutoSync"):
        open_store(path)


def test_foreign_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not an AutoSync database"):
        open_store(path)


def test_v5_stores_meta_account_ids_without_act(tmp_path: Path) -> None:
    path = tmp_path / "autosync.db"
    make_v1_database(path)
    con = sqlite3.connect(path)
    con.executemany("INSERT INTO account (id, name, platform, external_id, options, auth_state, created_at) "
                    "VALUES (?, ?, ?, ?, '{}', 'ok', '2026-01-01 00:00:00')",
                    [(2, "meta", "meta_ads", "act_123"), (3, "meta upper", "meta_ads", " ACT_456"),
                     (4, "meta bare", "meta_ads", "789"), (5, "meta odd", "meta_ads", "act_"),
                     (6, "google", "google_ads", "act_1"), (7, "meta junk", "meta_ads", "act_12x")])
    con.commit()
    con.close()

    db = open_store(path)

    ids = dict(db.execute_sql("SELECT name, external_id FROM account").fetchall())
    assert ids == {"acme": "a1", "meta": "123", "meta upper": "456", "meta bare": "789", "meta odd": "act_",
                   "google": "act_1", "meta junk": "act_12x"}
    db.close()
    old = dict(sqlite3.connect(tmp_path / "autosync.db.v1.bak").execute(
        "SELECT name, external_id FROM account").fetchall())
    assert old["meta"] == "act_123"  # the backup keeps the ids as they were



def test_v10_keeps_schedules_and_their_runs(tmp_path: Path) -> None:
    """The schedule table is rebuilt (account may be NULL): rows, ids and runs' links survive; links cascade."""
    path = tmp_path / "autosync.db"
    make_v1_database(path)
    con = sqlite3.connect(path)
    con.execute("INSERT INTO schedule (id, name, account_id, sync_type, frequency, at_time, timezone, missed_policy,"
                " paused, created_at, updated_at) VALUES (5, 'acme daily', 1, 'both', 'daily', '06:00',"
                " 'Europe/Berlin', 'run_once', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
    con.execute("INSERT INTO sync_run (id, schedule_id, account_id, schedule_name, account_name, platform, sync_type,"
                " trigger, status, queued_at, rows, campaigns, pages, api_calls, api_errors, api_latency_ms, attempt,"
                " cancel_requested) VALUES (9, 5, 1, 'acme daily', 'acme', 'demo', 'both', 'scheduled',"
                " 'succeeded', '2026-01-02 06:00:00', 3, 1, 1, 2, 0, 0, 1, 0)")
    con.commit()
    con.close()

    db = open_store(path)

    row = db.execute_sql("SELECT id, name, account_id, at_time, timezone, paused, if_missing, wait_max_minutes,"
                         " export_options FROM schedule").fetchall()
    assert row == [(5, "acme daily", 1, "06:00", "Europe/Berlin", 1, "run", None, None)]
    assert db.execute_sql("SELECT schedule_id, missing_inputs FROM sync_run WHERE id = 9").fetchone() == (5, None)
    db.execute_sql("INSERT INTO schedule (id, name, account_id, sync_type, frequency, timezone, missed_policy, paused,"
                   " created_at, updated_at) VALUES (6, 'file', NULL, 'export', 'manual', 'UTC', 'run_once', 0,"
                   " '2026-01-01', '2026-01-01')")
    db.execute_sql("INSERT INTO schedule_dependency (schedule_id, upstream_id) VALUES (6, 5)")
    db.execute_sql("DELETE FROM schedule WHERE id = 5")
    assert db.execute_sql("SELECT COUNT(*) FROM schedule_dependency").fetchone()[0] == 0
    assert db.execute_sql("SELECT schedule_id FROM sync_run WHERE id = 9").fetchone() == (None,)
    db.close()
