"""Ingest benchmark: the engine vs a bare sqlite3 executemany upsert of the same Demo records.

    python benchmarks/ingest.py [--rows 200000] [--repeat 3]

Both sides read the same Demo connector (latency_ms=0) over the same 30-day windows; the bare loop then
upserts each page with `executemany` into tables of the same shape (daily stats and, since schema v8, the
conversions by action the Demo records carry), one transaction per window. The engine
side is a full backfill run through the Runner (run row, lifecycle, events, writer, sync state). Best of
`--repeat` for each, alternating. Target: engine time <= 1.2x the bare loop's. Exit 1 if missed.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autosync_desktop import events as ev
from autosync_desktop.connectors.base import ConnectorContext
from autosync_desktop.connectors.demo import DemoConnector
from autosync_desktop.store import runs
from autosync_desktop.store.db import open_store
from autosync_desktop.store.models import Account, SyncRun
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.windows import Window, chunk

TARGET = 1.2
DAYS = 90
BARE_DDL = (
    "CREATE TABLE daily_stat (account_id INTEGER NOT NULL, campaign_id TEXT NOT NULL, date TEXT NOT NULL,"
    " impressions INTEGER, clicks INTEGER, cost_micros INTEGER, currency TEXT, conversions REAL NOT NULL,"
    " conversion_value_micros INTEGER, extra TEXT, synced_at TEXT NOT NULL, run_id INTEGER,"
    " PRIMARY KEY (account_id, date, campaign_id)) WITHOUT ROWID"
)
BARE_CONVERSION_DDL = (  # conversions by action (schema v8): the engine writes them too, so the bare loop does
    "CREATE TABLE daily_conversion (account_id INTEGER NOT NULL, platform TEXT NOT NULL, campaign_id TEXT NOT NULL,"
    " date TEXT NOT NULL, action TEXT NOT NULL, count REAL NOT NULL, value_micros INTEGER, synced_at TEXT NOT NULL,"
    " run_id INTEGER, PRIMARY KEY (account_id, date, campaign_id, action)) WITHOUT ROWID"
)
BARE_CONVERSION_UPSERT = (
    "INSERT INTO daily_conversion VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, date, campaign_id,"
    " action) DO UPDATE SET count = excluded.count, value_micros = excluded.value_micros"
)
BARE_UPSERT = (
    "INSERT INTO daily_stat VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, date, campaign_id)"
    " DO UPDATE SET impressions = excluded.impressions, clicks = excluded.clicks,"
    " cost_micros = excluded.cost_micros, conversions = excluded.conversions,"
    " conversion_value_micros = excluded.conversion_value_micros, synced_at = excluded.synced_at"
)


def options_for(rows: int) -> dict[str, object]:
    # ~85 % of (campaign, day) pairs have activity (zero days omitted, paused/removed campaigns stop)
    return {"campaigns": max(1, math.ceil(rows / (DAYS * 0.85))), "history_days": DAYS + 5, "latency_ms": 0,
            "page_size": 500}


def bare(workdir: Path, options: dict[str, object], windows: list[Window]) -> tuple[float, int]:
    path = workdir / f"bare-{time.monotonic_ns()}.db"
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=normal")
    con.execute(BARE_DDL)
    con.execute(BARE_CONVERSION_DDL)
    started = time.perf_counter()
    connector = DemoConnector(account_id="bench", options=options, credentials=None, ctx=ConnectorContext())
    count = 0
    stamp = "2026-01-01 00:00:00"
    for window in windows:
        con.execute("BEGIN")
        for page in connector.fetch_daily_stats(window.start, window.end):
            con.executemany(BARE_UPSERT, [
                (1, r.campaign_id, r.date.isoformat(), r.impressions, r.clicks, r.cost_micros, r.currency,
                 r.conversions, r.conversion_value_micros, None, stamp, 1) for r in page])
            con.executemany(BARE_CONVERSION_UPSERT, [
                (1, "demo", r.campaign_id, r.date.isoformat(), a.action, a.count, a.value_micros, stamp, 1)
                for r in page if r.actions for a in r.actions])
            count += len(page)
        con.execute("COMMIT")
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed, count


def engine(workdir: Path, options: dict[str, object], start: date, end: date) -> tuple[float, int]:
    import json

    db = open_store(workdir / f"engine-{time.monotonic_ns()}.db")
    bus = ev.EventBus()
    account = Account.create(name="bench", platform="demo", external_id="bench", options=json.dumps(options))
    runner = Runner(db, bus, max_workers=1)
    started = time.perf_counter()
    run = runs.create_run(db, account=account, schedule=None, trigger="backfill", sync_type="performance",
                          window_from=start, window_to=end)
    outcome = runner.submit(run.id).result()
    elapsed = time.perf_counter() - started
    runner.shutdown()
    if outcome.status != "succeeded":
        raise SystemExit(f"engine run failed: {SyncRun.get_by_id(run.id).error_message}")
    db.close()
    return elapsed, outcome.rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    options = options_for(args.rows)
    end = date.today() - timedelta(days=1)
    start = end - timedelta(days=DAYS - 1)
    windows = chunk(Window(start, end), 30)
    bare_times, engine_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for _ in range(args.repeat):
            t, bare_rows = bare(workdir, options, windows)
            bare_times.append(t)
            t, engine_rows = engine(workdir, options, start, end)
            engine_times.append(t)
    if bare_rows != engine_rows:
        print(f"row counts differ: bare {bare_rows}, engine {engine_rows}")
        return 1
    b, e = min(bare_times), min(engine_times)
    ratio = e / b
    print(f"rows: {engine_rows} ({options['campaigns']} campaigns x {DAYS} days, pages of 500, 30-day windows)")
    print(f"bare sqlite3 executemany upsert: {b:6.3f} s  {bare_rows / b:10,.0f} rows/s")
    print(f"engine (run + writer + state):   {e:6.3f} s  {engine_rows / e:10,.0f} rows/s")
    print(f"ratio engine/bare: {ratio:.2f}x (target <= {TARGET}x) -> {'PASS' if ratio <= TARGET else 'FAIL'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
