"""HTTP ingest benchmark: the engine with the meta_ads connector vs a bare requests + json + sqlite3 loop.

    python benchmarks/ingest_http.py [--campaigns 2000] [--days 100] [--repeat 3] [--profile]

Both sides read the same Meta fake (tests/fakes/meta_ads.py), 2,000 campaigns x 100 days = 200,000 daily rows
in pages of 500, over the same 30-day windows:
- engine: a temp store (open_store), an Account for meta_ads (api_base_url = the fake, async_threshold_days=0
  so both sides use the same synchronous insights calls), a backfill run via runs.create_run + Runner.submit;
  credentials come from `credentials_for`. That is HttpClient (pacing, classification, usage headers, stats),
  orjson parsing, exact Decimal money, records, the engine's window buffer and the writer's transaction.
- bare: requests.Session GET of each page following paging.next, json.loads, the same exact conversions
  (Decimal spend -> micros, summed action types, and since schema v8 each listed type's count and value as the
  conversions by action), sqlite3 executemany upserts into tables of the same shape, one transaction per window.
Timing: both in this process, alternating, best of --repeat.

The fake runs in its own process, so its threads never compete with the measured side for the GIL, and every
page body is pre-rendered to bytes before timing starts: the server is not the bottleneck.

Memory: each side runs again in a fresh subprocess per row count (100k = 50 days, 200k = 100 days): after
imports and setup the process's peak RSS is reset (/proc/self/clear_refs) and its RSS noted; the peak RSS
(VmHWM) at the end minus that is what the sync itself needed at its peak, including C allocations (sqlite,
orjson, sockets) that tracemalloc would not see, and without tracemalloc's slowdown. The engine's store keeps
an 8 MB SQLite page cache per connection (store/db.py) that fills as the file grows; a diagnostic row repeats
the engine with the bare side's 2 MB cache. Exit 1 if the engine is slower than 1.3x the bare loop.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing
import pstats
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from ingest import (  # the same bare tables and upserts as benchmarks/ingest.py
    BARE_CONVERSION_DDL,
    BARE_CONVERSION_UPSERT,
    BARE_DDL,
    BARE_UPSERT,
)

from autosync_desktop import events as ev
from autosync_desktop.connectors import meta_ads
from autosync_desktop.store import runs
from autosync_desktop.store.db import open_store
from autosync_desktop.store.models import Account, SyncRun
from autosync_desktop.sync.engine import Engine
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.windows import Window, chunk

TARGET, LIMIT = 1.0, 1.3
PAGE = 500
TOKEN = "bench-token"
ALLOWED = frozenset(meta_ads.ALL_EFFECTIVE_STATUSES)
TYPES = frozenset(meta_ads.DEFAULT_CONVERSION_ACTION_TYPES)
CHECK_SQL = ("SELECT count(*), sum(impressions), sum(clicks), sum(cost_micros), sum(conversion_value_micros)"
             " FROM daily_stat")


# --- the fake, in its own process ------------------------------------------------------------------------

def serve(campaigns: int, days: int, last_day: date, ranges: list[tuple[date, date]],
          queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from tests.fakes.meta_ads import MetaFake

    with MetaFake(campaigns=campaigns, days=days, last_day=last_day, token=TOKEN, all_active=True,
                  zero_days_pct=0) as fake:
        pages = 0
        for since, until in ranges:
            for window in chunk(Window(since, until), meta_ads.SPEC.max_window_days):
                pages += fake.prerender(window.start, window.end, PAGE, ALLOWED)
        queue.put((fake.base_url, pages))
        threading.Event().wait()  # until the parent terminates this process


def start_fake(campaigns: int, days: int, last_day: date,
               ranges: list[tuple[date, date]]) -> tuple[multiprocessing.Process, str, int]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=serve, args=(campaigns, days, last_day, ranges, queue), daemon=True)
    proc.start()
    base_url, pages = queue.get(timeout=600)
    return proc, base_url, pages


# --- the two sides ---------------------------------------------------------------------------------------

def engine_side(workdir: Path, base_url: str, since: date, until: date, profile: bool = False) -> tuple[float, int]:
    db = open_store(workdir / f"engine-{time.monotonic_ns()}.db")
    bus = ev.EventBus()
    options = {"api_base_url": base_url, "async_threshold_days": "0", "page_limit": str(PAGE)}
    account = Account.create(name="bench", platform="meta_ads", external_id="act_1234", options=json.dumps(options))
    credentials = lambda _account: {"access_token": TOKEN}  # noqa: E731
    started = time.perf_counter()
    run = runs.create_run(db, account=account, schedule=None, trigger="backfill", sync_type="performance",
                          window_from=since, window_to=until)
    if profile:  # in this thread, so that cProfile sees it (the Runner would use a pool thread)
        profiler = cProfile.Profile()
        outcome = profiler.runcall(Engine(db, bus, credentials).execute, run.id, threading.Event())
        elapsed = time.perf_counter() - started
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(22)
        print(text.getvalue())
    else:
        runner = Runner(db, bus, max_workers=1, credentials_for=credentials)
        outcome = runner.submit(run.id).result()
        elapsed = time.perf_counter() - started
        runner.shutdown()
    if outcome.status != "succeeded":
        raise SystemExit(f"engine run failed: {SyncRun.get_by_id(run.id).error_message}")
    check = db.execute_sql(CHECK_SQL).fetchone()
    db.close()
    _CHECKS["engine"] = check
    return elapsed, outcome.rows


def _micros(text: str) -> int:
    return int((Decimal(text) * 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _bare_row(r: dict[str, Any], stamp: str) -> tuple[Any, ...]:
    conversions = sum((Decimal(a["value"]) for a in r.get("actions", ()) if a["action_type"] in TYPES), Decimal(0))
    value = sum(_micros(a["value"]) for a in r.get("action_values", ()) if a["action_type"] in TYPES)
    return (1, r["campaign_id"], r["date_start"], int(r["impressions"]), int(r["clicks"]), _micros(r["spend"]),
            r["account_currency"], float(conversions), value, None, stamp, 1)


def _bare_actions(r: dict[str, Any], stamp: str) -> list[tuple[Any, ...]]:
    """The row's conversions by action (each listed type: count and value), as the engine stores them since v8."""
    counts: dict[str, Decimal] = {}
    for a in r.get("actions", ()):
        if a["action_type"] in TYPES:
            counts[a["action_type"]] = counts.get(a["action_type"], Decimal(0)) + Decimal(a["value"])
    values: dict[str, int] = {}
    for a in r.get("action_values", ()):
        if a["action_type"] in TYPES:
            values[a["action_type"]] = values.get(a["action_type"], 0) + _micros(a["value"])
    return [(1, "meta_ads", r["campaign_id"], r["date_start"], kind, float(counts.get(kind, 0)), values.get(kind),
             stamp, 1) for kind in sorted(counts.keys() | values.keys())]


def first_url(base_url: str, window: Window) -> str:
    params = {"level": "campaign", "time_increment": "1",
              "time_range": json.dumps({"since": window.start.isoformat(), "until": window.end.isoformat()},
                                       separators=(",", ":")),
              "fields": meta_ads.INSIGHTS_FIELDS,
              "filtering": json.dumps([{"field": "campaign.effective_status", "operator": "IN",
                                        "value": list(meta_ads.ALL_EFFECTIVE_STATUSES)}], separators=(",", ":")),
              "limit": str(PAGE)}
    return f"{base_url}/{meta_ads.GRAPH_VERSION}/act_1234/insights?{urlencode(params)}"


def bare_side(workdir: Path, base_url: str, since: date, until: date, profile: bool = False) -> tuple[float, int]:
    del profile
    con = sqlite3.connect(workdir / f"bare-{time.monotonic_ns()}.db", isolation_level=None)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=normal")
    con.execute(BARE_DDL)
    con.execute(BARE_CONVERSION_DDL)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    stamp = "2026-01-01 00:00:00"
    count = 0
    started = time.perf_counter()
    for window in chunk(Window(since, until), meta_ads.SPEC.max_window_days):
        url: str | None = first_url(base_url, window)
        con.execute("BEGIN")
        while url:
            response = session.get(url, timeout=60)
            response.raise_for_status()
            payload = json.loads(response.content)
            con.executemany(BARE_UPSERT, [_bare_row(r, stamp) for r in payload["data"]])
            con.executemany(BARE_CONVERSION_UPSERT, [a for r in payload["data"] for a in _bare_actions(r, stamp)])
            count += len(payload["data"])
            url = payload["paging"].get("next")
        con.execute("COMMIT")
    elapsed = time.perf_counter() - started
    _CHECKS["bare"] = con.execute(CHECK_SQL).fetchone()
    con.close()
    session.close()
    return elapsed, count


SIDES = {"engine": engine_side, "bare": bare_side}
_CHECKS: dict[str, tuple[Any, ...]] = {}


# --- memory, one fresh process per side and size ---------------------------------------------------------

def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Linux: set this process's peak RSS (VmHWM) back to its current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def side_process(args: argparse.Namespace) -> int:
    """Child mode: run one side once and print {"rows", "seconds", "rss_setup_kb", "rss_peak_kb"}.

    The peak is VmHWM after a reset at the end of setup (ru_maxrss would do, but on Linux it keeps the
    parent's high-water mark across fork+exec, so a child of a big parent reports the parent's peak).
    """
    if args.sqlite_cache_kib:  # diagnostic: the store's page cache as large as the bare side's
        from autosync_desktop.store import db as store_db

        store_db.PRAGMAS["cache_size"] = -args.sqlite_cache_kib
    with tempfile.TemporaryDirectory() as tmp:
        warm = requests.Session()
        warm.get(f"{args.base_url}/{meta_ads.GRAPH_VERSION}/act_1234",
                 headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60).close()
        warm.close()
        exact = _reset_peak()
        setup = _status_kb("VmRSS") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        seconds, rows = SIDES[args.side](Path(tmp), args.base_url, date.fromisoformat(args.since),
                                         date.fromisoformat(args.until))
        peak = _status_kb("VmHWM") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": rows, "seconds": seconds, "rss_setup_kb": setup, "rss_peak_kb": peak}))
    return 0


def measure_memory(side: str, base_url: str, since: date, until: date, cache_kib: int = 0) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--side", side, "--base-url", base_url, "--since",
                          since.isoformat(), "--until", until.isoformat(), "--sqlite-cache-kib", str(cache_kib)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- main ------------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=2000)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="also profile one engine run (cProfile)")
    parser.add_argument("--side", choices=tuple(SIDES), help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--since", help=argparse.SUPPRESS)
    parser.add_argument("--until", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite-cache-kib", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        return side_process(args)

    until = date.today() - timedelta(days=1)
    since = until - timedelta(days=args.days - 1)
    half = until - timedelta(days=args.days // 2 - 1)
    proc, base_url, pages = start_fake(args.campaigns, args.days, until, [(since, until), (half, until)])
    try:
        return report(args, base_url, pages, since, half, until)
    finally:
        proc.terminate()
        proc.join(5)


def report(args: argparse.Namespace, base_url: str, pages: int, since: date, half: date, until: date) -> int:
    times: dict[str, list[float]] = {"bare": [], "engine": []}
    rows: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        bare_side(workdir, base_url, until, until)  # warm up both paths (imports, connections) untimed
        engine_side(workdir, base_url, until, until)
        for _ in range(args.repeat):
            for side in ("bare", "engine"):
                seconds, rows[side] = SIDES[side](workdir, base_url, since, until)
                times[side].append(seconds)
        if _CHECKS["bare"] != _CHECKS["engine"]:
            print(f"stored data differ: bare {_CHECKS['bare']}, engine {_CHECKS['engine']}")
            return 1
        if args.profile:
            engine_side(workdir, base_url, since, until, profile=True)
    b, e = min(times["bare"]), min(times["engine"])
    ratio = e / b
    print(f"{rows['engine']:,} rows ({args.campaigns} campaigns x {args.days} days), pages of {PAGE}, "
          f"30-day windows; {pages} pre-rendered pages; best of {args.repeat}; identical stored sums\n")
    print("| side | seconds | rows/s |")
    print("|---|---:|---:|")
    print(f"| bare requests + json.loads + sqlite3 upsert | {b:.3f} | {rows['bare'] / b:,.0f} |")
    print(f"| engine + meta_ads connector | {e:.3f} | {rows['engine'] / e:,.0f} |")
    print(f"\nratio engine/bare: {ratio:.2f}x (target <= {TARGET:.1f}x, never worse than {LIMIT:.1f}x)\n")

    print("| side | rows | peak RSS growth (MB) | RSS after setup (MB) |")
    print("|---|---:|---:|---:|")
    variants = (("bare", 0, "bare"), ("engine", 0, "engine"),
                ("engine", 2000, "engine, store page cache 2 MB like bare (diagnostic)"))
    for side, cache_kib, label in variants:
        for start in (half, since):
            m = measure_memory(side, base_url, start, until, cache_kib)
            print(f"| {label} | {m['rows']:,} | {(m['rss_peak_kb'] - m['rss_setup_kb']) / 1024:.1f} | "
                  f"{m['rss_setup_kb'] / 1024:.1f} |")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
