"""Linear schema migrations. Version N's step turns a version N-1 database into version N.

A fresh store is created straight from the models at LATEST; an older one runs each step after it, each in
its own transaction, recording the version it reached. Steps use playhouse.migrate, never the models, so
they keep working when the models move on.
Prefer playhouse.migrate's SqliteMigrator for column adds and renames; rebuild by hand where it falls short.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import SqliteDatabase

_V2_DAILY_STAT = (
    'CREATE TABLE "daily_stat_v2" ("account_id" INTEGER NOT NULL, "campaign_id" VARCHAR(255) NOT NULL,'
    ' "date" DATE NOT NULL, "impressions" INTEGER, "clicks" INTEGER, "cost_micros" INTEGER,'
    ' "currency" VARCHAR(255), "conversions" REAL NOT NULL, "conversion_value_micros" INTEGER, "extra" TEXT,'
    ' "synced_at" DATETIME NOT NULL, "run_id" INTEGER, PRIMARY KEY ("account_id", "date", "campaign_id"),'
    ' FOREIGN KEY ("account_id") REFERENCES "account" ("id") ON DELETE CASCADE) WITHOUT ROWID'
)


def _v2_extra_metrics(db: SqliteDatabase) -> None:
    """Version 2: metrics a platform does not measure are NULL (not 0), and platform metrics go to `extra`.

    SQLite cannot drop NOT NULL in place, and playhouse's table rebuild loses WITHOUT ROWID, so this step
    rebuilds daily_stat by hand (SQLite's documented create-copy-drop-rename procedure).
    """
    db.execute_sql(_V2_DAILY_STAT)
    db.execute_sql(
        'INSERT INTO "daily_stat_v2" (account_id, campaign_id, date, impressions, clicks, cost_micros, currency,'
        ' conversions, conversion_value_micros, synced_at, run_id) SELECT account_id, campaign_id, date,'
        ' impressions, clicks, cost_micros, currency, conversions, conversion_value_micros, synced_at, run_id'
        ' FROM "daily_stat"'
    )
    db.execute_sql('DROP TABLE "daily_stat"')
    db.execute_sql('ALTER TABLE "daily_stat_v2" RENAME TO "daily_stat"')


def _v3_history_indexes(db: SqliteDatabase) -> None:
    """Version 3: covering indexes that keep status metrics and account health fast at a million runs."""
    db.execute_sql('CREATE INDEX IF NOT EXISTS "sync_run_status_queued_at_duration_s_rows" ON "sync_run"'
                   ' ("status", "queued_at", "duration_s", "rows")')
    db.execute_sql('DROP INDEX IF EXISTS "sync_run_status_queued_at"')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "sync_run_account_id_status_queued_at" ON "sync_run"'
                   ' ("account_id", "status", "queued_at")')


def _v4_health_probes(db: SqliteDatabase) -> None:
    """Version 4: connectivity probes between syncs, for account health and uptime."""
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "health_probe" ("id" INTEGER NOT NULL PRIMARY KEY, "account_id" INTEGER NOT NULL,'
        ' "at" DATETIME NOT NULL, "ok" INTEGER NOT NULL, "latency_ms" REAL, "error_class" VARCHAR(255),'
        ' "message" TEXT, FOREIGN KEY ("account_id") REFERENCES "account" ("id") ON DELETE CASCADE)')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "health_probe_account_id_at" ON "health_probe" ("account_id", "at")')


def _v5_meta_ids_without_act(db: SqliteDatabase) -> None:
    """Version 5: Meta ad account ids are stored as their digits, like every platform's ("act_123" -> "123").

    The connector adds `act_` when it calls the API. Ids that are not `act_` + digits are left as they are
    (the connector refuses them with a message that says what an id looks like).
    """
    db.execute_sql(
        "UPDATE account SET external_id = substr(trim(external_id), 5) WHERE platform = 'meta_ads'"
        " AND lower(substr(trim(external_id), 1, 4)) = 'act_' AND length(trim(external_id)) > 4"
        " AND substr(trim(external_id), 5) NOT GLOB '*[^0-9]*'")


def _v6_removed_accounts(db: SqliteDatabase) -> None:
    """Version 6: `account.removed_at`, set by `accounts remove --keep-data` (the data stays, the account is gone)."""
    db.execute_sql('ALTER TABLE "account" ADD COLUMN "removed_at" DATETIME')


_V7_DAILY_STAT = _V2_DAILY_STAT.replace('"daily_stat_v2"', '"daily_stat_v7"').replace(
    '"conversions" REAL NOT NULL', '"conversions" REAL')


def _v7_conversions_unknown(db: SqliteDatabase) -> None:
    """Version 7: conversions a platform does not report are NULL (unknown), like every other metric.

    Same hand rebuild as version 2 (keeps WITHOUT ROWID); stored values, zeros included, are copied unchanged.
    """
    db.execute_sql(_V7_DAILY_STAT)
    db.execute_sql(
        'INSERT INTO "daily_stat_v7" SELECT account_id, campaign_id, date, impressions, clicks, cost_micros,'
        ' currency, conversions, conversion_value_micros, extra, synced_at, run_id FROM "daily_stat"')
    db.execute_sql('DROP TABLE "daily_stat"')
    db.execute_sql('ALTER TABLE "daily_stat_v7" RENAME TO "daily_stat"')


def _v8_daily_conversion(db: SqliteDatabase) -> None:
    """Version 8: `daily_conversion`, a campaign's conversions per day and conversion action (issue 16).

    A new table only: the blended daily_stat.conversions is unchanged. Filled from the next sync of each window.
    """
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "daily_conversion" ("account_id" INTEGER NOT NULL, "platform" VARCHAR(255) NOT'
        ' NULL, "campaign_id" VARCHAR(255) NOT NULL, "date" DATE NOT NULL, "action" VARCHAR(255) NOT NULL,'
        ' "count" REAL NOT NULL, "value_micros" INTEGER, "synced_at" DATETIME NOT NULL, "run_id" INTEGER,'
        ' PRIMARY KEY ("account_id", "date", "campaign_id", "action"), FOREIGN KEY ("account_id") REFERENCES'
        ' "account" ("id") ON DELETE CASCADE) WITHOUT ROWID')


def _v9_rate_limit_wait(db: SqliteDatabase) -> None:
    """Version 9: `sync_run.rate_limit_wait_s`, the seconds a run waited on rate limits (Insights, issue 13).

    Runs stored before keep NULL: how long they waited was never measured (unknown, not 0). Like version 8's step,
    it may be run again on a store that has the column already (tests take a current store back by hand).
    """
    columns = {row[1] for row in db.execute_sql('PRAGMA table_info("sync_run")').fetchall()}
    if "rate_limit_wait_s" not in columns:
        db.execute_sql('ALTER TABLE "sync_run" ADD COLUMN "rate_limit_wait_s" REAL')


_V10_SCHEDULE = (
    'CREATE TABLE "schedule_v10" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "account_id"'
    ' INTEGER, "sync_type" VARCHAR(255) NOT NULL, "frequency" VARCHAR(255) NOT NULL, "every_minutes" INTEGER,'
    ' "at_time" VARCHAR(255), "days" VARCHAR(255), "cron" VARCHAR(255), "timezone" VARCHAR(255) NOT NULL,'
    ' "lookback_days" INTEGER, "missed_policy" VARCHAR(255) NOT NULL, "paused" INTEGER NOT NULL, "next_run_at"'
    ' DATETIME, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "wait_max_minutes" INTEGER,'
    ' "if_missing" VARCHAR(255) NOT NULL DEFAULT \'run\', "waiting_since" DATETIME, "export_options" TEXT,'
    ' FOREIGN KEY ("account_id") REFERENCES "account" ("id") ON DELETE CASCADE)'
)


def _v10_orchestration(db: SqliteDatabase) -> None:
    """Version 10 (issue 13): schedules that wait for each other, and export schedules.

    `schedule.account_id` may be NULL (an export schedule reads many accounts), so the table is rebuilt by hand
    (SQLite cannot drop NOT NULL in place); new columns `wait_max_minutes`, `if_missing`, `waiting_since`,
    `export_options`. New table `schedule_dependency` (a schedule runs after its upstreams). New column
    `sync_run.missing_inputs` (JSON list of the upstream names that had not succeeded when a wait ended).
    """
    db.execute_sql(_V10_SCHEDULE)
    db.execute_sql(
        'INSERT INTO "schedule_v10" (id, name, account_id, sync_type, frequency, every_minutes, at_time, days, cron,'
        ' timezone, lookback_days, missed_policy, paused, next_run_at, created_at, updated_at) SELECT id, name,'
        ' account_id, sync_type, frequency, every_minutes, at_time, days, cron, timezone, lookback_days,'
        ' missed_policy, paused, next_run_at, created_at, updated_at FROM "schedule"')
    db.execute_sql('DROP TABLE "schedule"')
    db.execute_sql('ALTER TABLE "schedule_v10" RENAME TO "schedule"')
    db.execute_sql('CREATE UNIQUE INDEX "schedule_name" ON "schedule" ("name")')
    db.execute_sql('CREATE INDEX "schedule_account_id" ON "schedule" ("account_id")')
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "schedule_dependency" ("schedule_id" INTEGER NOT NULL, "upstream_id" INTEGER'
        ' NOT NULL, PRIMARY KEY ("schedule_id", "upstream_id"), FOREIGN KEY ("schedule_id") REFERENCES "schedule"'
        ' ("id") ON DELETE CASCADE, FOREIGN KEY ("upstream_id") REFERENCES "schedule" ("id") ON DELETE CASCADE)'
        ' WITHOUT ROWID')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "schedule_dependency_upstream_id" ON "schedule_dependency"'
                   ' ("upstream_id")')
    columns = {row[1] for row in db.execute_sql('PRAGMA table_info("sync_run")').fetchall()}
    if "missing_inputs" not in columns:
        db.execute_sql('ALTER TABLE "sync_run" ADD COLUMN "missing_inputs" TEXT')


def _v11_freshness(db: SqliteDatabase) -> None:
    """Version 11 (issue 13, freshness planner): `day_fetch`, each account day's fetch history (how often, when last,
    at what age, how many re-fetches in a row changed nothing), and `restatement`, what a re-fetch changed (cost,
    clicks, conversions before and the change; NULL: unknown). New tables only; filled from the next sync.
    """
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "day_fetch" ("account_id" INTEGER NOT NULL, "date" DATE NOT NULL, "fetches"'
        ' INTEGER NOT NULL, "first_fetched_at" DATETIME NOT NULL, "last_fetched_at" DATETIME NOT NULL,'
        ' "last_age_days" INTEGER NOT NULL, "unchanged_streak" INTEGER NOT NULL, "streak_age_days" INTEGER,'
        ' "last_changed" INTEGER NOT NULL, PRIMARY KEY ("account_id", "date"), FOREIGN KEY ("account_id")'
        ' REFERENCES "account" ("id") ON DELETE CASCADE) WITHOUT ROWID')
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "restatement" ("id" INTEGER NOT NULL PRIMARY KEY, "account_id" INTEGER NOT NULL,'
        ' "date" DATE NOT NULL, "age_days" INTEGER NOT NULL, "prev_age_days" INTEGER NOT NULL, "fetched_at"'
        ' DATETIME NOT NULL, "run_id" INTEGER, "before_cost_micros" INTEGER, "before_clicks" INTEGER,'
        ' "before_conversions" REAL, "d_cost_micros" INTEGER, "d_clicks" INTEGER, "d_conversions" REAL,'
        ' FOREIGN KEY ("account_id") REFERENCES "account" ("id") ON DELETE CASCADE)')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "restatement_account_id_date" ON "restatement" ("account_id", "date")')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "restatement_fetched_at" ON "restatement" ("fetched_at")')


STEPS: dict[int, Callable[[SqliteDatabase], None]] = {
    2: _v2_extra_metrics,
    3: _v3_history_indexes,
    4: _v4_health_probes,
    5: _v5_meta_ids_without_act,
    6: _v6_removed_accounts,
    7: _v7_conversions_unknown,
    8: _v8_daily_conversion,
    9: _v9_rate_limit_wait,
    10: _v10_orchestration,
    11: _v11_freshness,
}
LATEST = max(STEPS)


def migrate(db: SqliteDatabase, from_version: int) -> None:
    for version in range(from_version + 1, LATEST + 1):
        db.execute_sql("PRAGMA foreign_keys=OFF")  # table rebuilds must not cascade
        try:
            with db.atomic():
                STEPS[version](db)
                db.execute_sql("INSERT INTO schema_version (version, applied_at) VALUES (?, datetime('now'))",
                               (version,))
            violations = db.execute_sql("PRAGMA foreign_key_check").fetchall()
            if violations:
                raise RuntimeError(f"foreign key check failed after step {version}: {violations[:3]}")
        finally:
            db.execute_sql("PRAGMA foreign_keys=ON")
