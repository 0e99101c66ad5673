"""Benchmark the history/metrics queries of store/queries.py on a large store.

    python benchmarks/history.py [--runs 1000000] [--stats 2000000] [--db PATH] [--explain] [--analyze]

Seeds a store with `--runs` sync runs (spread over 180 days, ~10 accounts and schedules, ~90% succeeded) and
`--stats` daily-stat rows through raw `executemany`, then times each query (median and p95 over many
repetitions) against a 50 ms target. Prints PASS/FAIL per query and exits 1 if any misses the target.
`--db PATH` keeps the database at PATH; an existing seeded file there is reused as is (delete it to reseed).
`--explain` prints SQLite's EXPLAIN QUERY PLAN for the statements each query runs.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from peewee import SqliteDatabase

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autosync_desktop.store import queries
from autosync_desktop.store.db import open_store
from autosync_desktop.store.models import utcnow

TARGET_MS = 50.0
SPAN_DAYS = 180
BATCH = 50_000
MIN_REPS, MAX_REPS, BUDGET_S = 30, 300, 2.0

# (status, weight, error_class, message)
STATUSES = (
    ("succeeded", 900, None, None),
    ("failed", 40, "ApiError", "HTTP 500 from the reporting API after 3 retries"),
    ("interrupted", 10, "Interrupted", "The process running this sync stopped unexpectedly"),
    ("cancelled", 20, None, "Cancelled by the user"),
    ("skipped", 30, None, "Skipped: the previous run of this schedule is still running"),
)
TRIGGERS = (("scheduled", 85), ("manual", 8), ("catch-up", 3), ("retry", 3), ("backfill", 1))
PLATFORMS = ("google_ads", "meta_ads", "microsoft_ads", "demo")

RUN_COLUMNS = (
    "schedule_id", "account_id", "schedule_name", "account_name", "platform", "sync_type", "trigger", "status",
    "reason", "queued_at", "started_at", "finished_at", "duration_s", "rows", "campaigns", "pages", "api_calls",
    "api_errors", "api_latency_ms", "attempt", "error_class", "error_message", "cancel_requested",
)
STAT_COLUMNS = (
    "account_id", "campaign_id", "date", "impressions", "clicks", "cost_micros", "currency", "conversions",
    "conversion_value_micros", "synced_at", "run_id",
)


# --- seeding --------------------------------------------------------------------------------------------------

def seed_accounts(db: SqliteDatabase, now: datetime) -> list[tuple[int, int | None, str, str | None, str]]:
    """10 accounts and 12 schedules; returns run sources (account_id, schedule_id, account, schedule, platform)."""
    created = str(now - timedelta(days=SPAN_DAYS + 1))
    sources: list[tuple[int, int | None, str, str | None, str]] = []
    with db.atomic():
        for a in range(1, 11):
            name, platform = f"account-{a:02d}", PLATFORMS[a % len(PLATFORMS)]
            auth = "needs_sign_in" if a == 10 else "ok"
            db.execute_sql("INSERT INTO account (id, name, platform, external_id, options, auth_state, created_at)"
                           " VALUES (?, ?, ?, ?, '{}', ?, ?)", (a, name, platform, f"ext-{a}", auth, created))
            for s in ((a,) if a > 2 else (a, 10 + a)):
                sched = f"schedule-{s:02d}"
                db.execute_sql(
                    "INSERT INTO schedule (id, name, account_id, sync_type, frequency, every_minutes, timezone,"
                    " missed_policy, paused, created_at, updated_at) VALUES (?, ?, ?, 'both', 'interval', 15,"
                    " 'UTC', 'run_once', ?, ?, ?)", (s, sched, a, int(a == 9), created, created))
                sources.append((a, s, name, sched, platform))
            sources.append((a, None, name, None, platform))  # manual runs without a schedule
    return sources


def run_rows(count: int, now: datetime, sources: list[tuple[int, int | None, str, str | None, str]],
             rng: random.Random) -> Iterator[tuple[Any, ...]]:
    step = SPAN_DAYS * 86_400 / count
    t = now - timedelta(days=SPAN_DAYS)
    statuses = [s for s in STATUSES for _ in range(s[1])]
    triggers = [t for t, weight in TRIGGERS for _ in range(weight)]
    for i in range(count):
        t += timedelta(seconds=rng.uniform(0.2, 1.8) * step)
        account_id, schedule_id, account, schedule, platform = rng.choice(sources)
        trigger = "manual" if schedule_id is None else rng.choice(triggers)
        status, _, error_class, message = rng.choice(statuses)
        if count - i <= 3:  # the newest few are still in flight
            status, error_class, message = ("running", "queued", "queued")[count - i - 1], None, None
        queued = str(t)
        started = finished = duration = None
        rows = calls = errors = 0
        latency = 0.0
        if status in ("succeeded", "failed", "interrupted", "cancelled", "running"):
            duration = round(rng.uniform(2.0, 180.0), 3)
            start_t = t + timedelta(seconds=rng.uniform(0.01, 2.0))
            started = str(start_t)
            if status != "running":
                finished = str(start_t + timedelta(seconds=duration))
            else:
                duration = None
            rows = rng.randrange(0, 5_000) if status == "succeeded" else rng.randrange(0, 200)
            calls = rng.randrange(1, 60)
            errors = rng.randrange(1, 4) if status == "failed" else 0
            latency = round(calls * rng.uniform(80.0, 900.0), 1)
        elif status == "skipped":
            finished, duration = queued, 0.0
        reason = message if status in ("interrupted", "cancelled", "skipped") else None
        error = message if status in ("failed", "interrupted") else None
        yield (schedule_id, account_id, schedule, account, platform, "both", trigger, status, reason, queued,
               started, finished, duration, rows, rows // 40, calls, calls, errors, latency, 1, error_class,
               error, 0)


def stat_rows(count: int, today: date, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """`count` rows in primary-key order: 10 accounts x 400 days x N campaigns."""
    days = 400
    campaigns = max(1, -(-count // (10 * days)))
    n = 0
    for account_id in range(1, 11):
        for d in range(days):
            day = (today - timedelta(days=days - d)).isoformat()
            synced = f"{day} 06:00:00"
            for c in range(campaigns):
                if n == count:
                    return
                n += 1
                impressions = rng.randrange(0, 50_000)
                clicks = impressions // rng.randrange(20, 200)
                yield (account_id, f"c{c:05d}", day, impressions, clicks, clicks * rng.randrange(100_000, 3_000_000),
                       "USD", round(clicks * 0.03, 2), None, synced, None)


def insert_batches(db: SqliteDatabase, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> None:
    sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
    conn: sqlite3.Connection = db.connection()
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            with db.atomic():
                conn.executemany(sql, batch)
            batch.clear()
    if batch:
        with db.atomic():
            conn.executemany(sql, batch)


def seed(db: SqliteDatabase, runs: int, stats: int) -> None:
    rng = random.Random(20260101)
    now = utcnow()
    started = time.perf_counter()
    sources = seed_accounts(db, now)
    insert_batches(db, "sync_run", RUN_COLUMNS, run_rows(runs, now, sources, rng))
    runs_done = time.perf_counter()
    insert_batches(db, "daily_stat", STAT_COLUMNS, stat_rows(stats, now.date(), rng))
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    done = time.perf_counter()
    print(f"Seeded {runs:,} runs in {runs_done - started:.1f} s and {stats:,} daily stats in "
          f"{done - runs_done:.1f} s (total {done - started:.1f} s)")


# --- timing ---------------------------------------------------------------------------------------------------

def cases(now: datetime) -> list[tuple[str, Callable[[], object]]]:
    month = now - timedelta(days=30)
    failed = queries.HistoryFilter(statuses=("failed",), since=month, until=now + timedelta(seconds=1))
    succeeded = queries.HistoryFilter(statuses=("succeeded",), account_id=3, since=month)
    return [
        ("period_metrics 24h", lambda: queries.period_metrics(now - timedelta(hours=24), now)),
        ("period_metrics 7d", lambda: queries.period_metrics(now - timedelta(days=7), now)),
        ("period_metrics 30d", lambda: queries.period_metrics(month, now)),
        ("history_page failed 30d", lambda: queries.history_page(failed, limit=50)),
        ("history_page failed 30d, page 3", lambda: queries.history_page(failed, limit=50, offset=100)),
        ("history_page succeeded+account 30d", lambda: queries.history_page(succeeded, limit=50)),
        ("history_count failed 30d", lambda: queries.history_count(failed)),
        ("history_count succeeded+account 30d", lambda: queries.history_count(succeeded)),
        ("runs_per_day(30, +120 min)", lambda: queries.runs_per_day(30, 120, now=now)),
        ("daily_series(30, +120 min)", lambda: queries.daily_series(30, 120, now=now)),
        ("account_health()", lambda: queries.account_health(now)),
        ("last_runs_by_schedule()", queries.last_runs_by_schedule),
    ]


def measure(fn: Callable[[], object]) -> tuple[float, float, int]:
    """Median and p95 in ms over at least MIN_REPS runs (more while the time budget lasts)."""
    for _ in range(3):
        fn()  # warm the page cache and peewee's statement building
    samples: list[float] = []
    deadline = time.perf_counter() + BUDGET_S
    while len(samples) < MIN_REPS or (len(samples) < MAX_REPS and time.perf_counter() < deadline):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18], len(samples)


def explain(db: SqliteDatabase, fn: Callable[[], object]) -> None:
    """Print EXPLAIN QUERY PLAN for every statement `fn` runs (captured, parameters inlined, by the tracer)."""
    conn: sqlite3.Connection = db.connection()
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        fn()
    finally:
        conn.set_trace_callback(None)
    previous: list[str] = []
    repeats = 0
    for sql in statements:
        if sql in ("BEGIN", "COMMIT"):
            continue
        plan = [f"{'  ' if parent else ''}{detail}"
                for _, parent, _, detail in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
        if plan == previous:  # per-day queries: one plan, different parameters
            repeats += 1
            continue
        if repeats:
            print(f"    ... and {repeats} more statements with the same plan")
        repeats, previous = 0, plan
        print(f"    {sql}")
        for line in plan:
            print(f"      {line}")
    if repeats:
        print(f"    ... and {repeats} more statements with the same plan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1_000_000, help="sync runs to seed")
    parser.add_argument("--stats", type=int, default=2_000_000, help="daily_stat rows to seed")
    parser.add_argument("--db", type=Path, help="database file (default: a temporary one, removed after)")
    parser.add_argument("--explain", action="store_true", help="print each query's plan once")
    parser.add_argument("--analyze", action="store_true",
                        help="run ANALYZE before timing, as an app running PRAGMA optimize would")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        db = open_store(path)
        existing = db.execute_sql("SELECT COUNT(*) FROM sync_run").fetchone()[0]
        if existing:
            print(f"Reusing {path}: {existing:,} runs (delete the file to reseed)")
        else:
            seed(db, args.runs, args.stats)
        if args.analyze:
            db.execute_sql("PRAGMA analysis_limit=1000")
            db.execute_sql("ANALYZE")
            print("ANALYZE done")
        # "now" is the newest run, so a reused file gives the same windows.
        now = datetime.fromisoformat(db.execute_sql("SELECT MAX(queued_at) FROM sync_run").fetchone()[0])
        print(f"\n| query | median ms | p95 ms | reps | result (target {TARGET_MS:.0f} ms median) |")
        print("|---|---:|---:|---:|---|")
        failures = 0
        for name, fn in cases(now):
            median, p95, reps = measure(fn)
            ok = median < TARGET_MS
            failures += not ok
            print(f"| {name} | {median:.2f} | {p95:.2f} | {reps} | {'PASS' if ok else 'FAIL'} |")
            if args.explain:
                explain(db, fn)
        db.close()
    print(f"\n{'All queries PASS' if not failures else f'{failures} queries FAIL'} the {TARGET_MS:.0f} ms target")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
