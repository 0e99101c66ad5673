"""HTTP ingest benchmark for GA4: the engine with the ga4 connector vs a bare requests + json + sqlite3 loop.

    python benchmarks/ingest_http_ga4.py [--campaigns 1000] [--days 100] [--page-size 10000] [--repeat 3] [--profile]

Both sides read the same GA4 fake (tests/fakes/ga4.py): 1,005 campaigns (five of them GA4's "(not set)" kinds) x
100 days, over the same 30-day windows, each window as the connector reads it: the stats report (date, campaign
id and name; sessions, totalUsers, keyEvents, totalRevenue), the sources report (plus sessionSource,
sessionMedium; sessions) and the key events report (plus eventName; keyEvents, totalRevenue: conversions by
action, written to daily_conversion on both sides), paged with offset/limit against rowCount (GA4's default
limit of 10,000 rows):
- engine: a temp store (open_store), an Account for ga4 (api_base_url and token_url = the fake), a backfill
  run via runs.create_run + Runner.submit. That is the token refresh, HttpClient (pacing, classification,
  stats), propertyQuota pacing, rows read by their headers, exact Decimal money, campaign-day records with
  `extra`, the engine's window buffer and the writer's transaction.
- bare: requests.Session POST of each page, json.loads, the same mapping (the (not set) rule, sums per
  campaign-day, Decimal revenue -> micros, users as reported, sources joined), json.dumps of `extra` and
  sqlite3 executemany upsert into a table of the same shape, one transaction per window.
Timing: both in this process, alternating, best of --repeat; the stored rows, conversions, revenue, sessions and
users must be identical. The fake runs in its own process with every page pre-rendered to bytes before timing
starts, so the server is not the bottleneck. Exit 1 if the engine is slower than 1.3x the bare loop.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing
import pstats
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from ingest import (  # the same bare tables and upserts as benchmarks/ingest.py
    BARE_CONVERSION_DDL,
    BARE_CONVERSION_UPSERT,
    BARE_DDL,
    BARE_UPSERT,
)

from autosync_desktop import clock
from autosync_desktop import events as ev
from autosync_desktop.connectors import ga4, ga4_report
from autosync_desktop.store import runs
from autosync_desktop.store.db import open_store
from autosync_desktop.store.models import Account, SyncRun
from autosync_desktop.sync.engine import Engine
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.windows import Window, chunk

TARGET, LIMIT = 1.0, 1.3
PROPERTY = "312345678"
ZONE = "America/Los_Angeles"  # the fake property's time zone (tests/fakes/ga4.py's default)
TOKEN = "bench-token"
REPORTS = ((ga4_report.STAT_DIMENSIONS, ga4_report.STAT_METRICS),
           (ga4_report.SOURCE_DIMENSIONS, ga4_report.SOURCE_METRICS),
           (ga4_report.EVENT_DIMENSIONS, ga4_report.EVENT_METRICS))  # key events by name (schema v8)
CHECK_SQL = ("SELECT count(*), sum(conversions), sum(conversion_value_micros), "
             "sum(json_extract(extra, '$.sessions')), sum(json_extract(extra, '$.totalUsers')), "
             "count(json_extract(extra, '$.sessionSource')) FROM daily_stat")


# --- the fake, in its own process ------------------------------------------------------------------------

def _key(query: dict[str, Any]) -> tuple[Any, ...]:
    return (str(query["start"]), str(query["end"]), tuple(query["dimensions"]), tuple(query["metrics"]),
            int(query["offset"]), int(query["limit"]))


def serve(campaigns: int, days: int, page_size: int, ranges: list[tuple[date, date]],
          queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from tests.fakes.ga4 import FakeGA4
    from tests.fakes.server import Reply, Request

    class Prerendered(FakeGA4):
        """Answers the benchmark's report pages from bytes rendered before timing starts."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.pages: dict[tuple[Any, ...], bytes] = {}

        def handle(self, req: Request) -> Reply:
            if req.path.endswith(":runReport") and req.headers.get("authorization", "").startswith("Bearer "):
                body = req.json()
                rng = body["dateRanges"][0]
                query = {"start": rng["startDate"], "end": rng["endDate"],
                         "dimensions": [d["name"] for d in body.get("dimensions") or []],
                         "metrics": [m["name"] for m in body["metrics"]], "offset": body.get("offset") or 0,
                         "limit": body.get("limit") or 10_000}
                page = self.pages.get(_key(query))
                if page is not None:
                    return Reply(200, page, headers={"Content-Type": "application/json"})
            return super().handle(req)

    fake = Prerendered(property_id=PROPERTY, campaigns=campaigns, history_days=days + 5)
    fake.valid_tokens.add(TOKEN)
    with fake:
        count = 0
        for since, until in ranges:
            for window in chunk(Window(since, until), ga4.SPEC.max_window_days):
                facts = fake.facts(window.start, window.end)
                for dims, metrics in REPORTS:
                    query: dict[str, Any] = {"start": window.start, "end": window.end, "dimensions": list(dims),
                                             "metrics": list(metrics), "limit": page_size, "quota": True}
                    rows = fake.report_rows(query, facts)
                    for offset in range(0, max(1, len(rows)), page_size):
                        query["offset"] = offset
                        fake.pages[_key(query)] = json.dumps(fake.report_body(query, rows)).encode()
                        count += 1
        queue.put((fake.base_url, count, fake.client_id, fake.client_secret, fake.refresh_token, fake.today))
        threading.Event().wait()  # until the parent terminates this process


def start_fake(campaigns: int, days: int, page_size: int,
               ranges: list[tuple[date, date]]) -> tuple[multiprocessing.Process, dict[str, Any]]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=serve, args=(campaigns, days, page_size, ranges, queue), daemon=True)
    proc.start()
    base_url, pages, client_id, secret, refresh, today = queue.get(timeout=900)
    return proc, {"base_url": base_url, "pages": pages, "today": today,
                  "credentials": {"client_id": client_id, "client_secret": secret, "refresh_token": refresh}}


# --- the two sides ---------------------------------------------------------------------------------------

_CHECKS: dict[str, tuple[Any, ...]] = {}


def engine_side(workdir: Path, fake: dict[str, Any], since: date, until: date, page_size: int,
                profile: bool = False) -> tuple[float, int]:
    db = open_store(workdir / f"engine-{time.monotonic_ns()}.db")
    bus = ev.EventBus()
    base_url = fake["base_url"]
    options = {"api_base_url": base_url, "token_url": f"{base_url}/token", "page_size": str(page_size)}
    account = Account.create(name="bench", platform="ga4", external_id=PROPERTY, options=json.dumps(options))
    credentials = lambda _account: dict(fake["credentials"])  # noqa: E731
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
    if outcome is None or outcome.status != "succeeded":
        raise SystemExit(f"engine run failed: {SyncRun.get_by_id(run.id).error_message}")
    _CHECKS["engine"] = db.execute_sql(CHECK_SQL).fetchone()
    db.close()
    return elapsed, outcome.rows


def _campaign(campaign_id: str, name: str) -> str:
    if campaign_id in ("", "(not set)"):
        return "(not set)" if name in ("", "(not set)") else f"name:{name}"
    return campaign_id


def _micros(text: str) -> int:
    return int((Decimal(text) * 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _pages(session: requests.Session, url: str, window: Window, dims: tuple[str, ...], metrics: tuple[str, ...],
           page_size: int) -> Any:
    offset = 0
    while True:
        body = ga4_report.report_body(window.start, window.end, dims, metrics, offset, page_size)
        response = session.post(url, json=body, timeout=60)
        response.raise_for_status()
        payload = json.loads(response.content)
        rows = payload.get("rows") or []
        yield rows
        offset += len(rows)
        if not rows or offset >= int(payload.get("rowCount") or 0):
            return


def bare_side(workdir: Path, fake: dict[str, Any], since: date, until: date, page_size: int,
              profile: bool = False) -> tuple[float, int]:
    del profile
    con = sqlite3.connect(workdir / f"bare-{time.monotonic_ns()}.db", isolation_level=None)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=normal")
    con.execute(BARE_DDL)
    con.execute(BARE_CONVERSION_DDL)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    url = f"{fake['base_url']}/{ga4.API_VERSION}/properties/{PROPERTY}:runReport"
    stamp = "2026-01-01 00:00:00"
    count = 0
    started = time.perf_counter()
    for window in chunk(Window(since, until), ga4.SPEC.max_window_days):
        days: dict[tuple[str, str], list[Any]] = {}  # key -> [sessions, users, key events, micros, name, rows]
        for rows in _pages(session, url, window, *REPORTS[0], page_size):
            for row in rows:
                d, m = [v["value"] for v in row["dimensionValues"]], [v["value"] for v in row["metricValues"]]
                if d[0] == "(other)":
                    continue
                key = (_campaign(d[1], d[2]), f"{d[0][:4]}-{d[0][4:6]}-{d[0][6:]}")
                item = days.setdefault(key, [0, 0, Decimal(0), 0, d[2], 0])
                item[0] += int(m[0])
                item[1] = int(m[1])
                item[2] += Decimal(m[2])
                item[3] += _micros(m[3])
                item[5] += 1
        sources: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
        for rows in _pages(session, url, window, *REPORTS[1], page_size):
            for row in rows:
                d, m = [v["value"] for v in row["dimensionValues"]], [v["value"] for v in row["metricValues"]]
                if d[0] != "(other)":
                    key = (_campaign(d[1], d[2]), f"{d[0][:4]}-{d[0][4:6]}-{d[0][6:]}")
                    sources.setdefault(key, []).append((int(m[0]), d[3], d[4]))
        events: dict[tuple[str, str, str], list[Any]] = {}  # (campaign, day, event) -> [key events, micros]
        for rows in _pages(session, url, window, *REPORTS[2], page_size):
            for row in rows:
                d, m = [v["value"] for v in row["dimensionValues"]], [v["value"] for v in row["metricValues"]]
                key_count, value = Decimal(m[0]), _micros(m[1])
                if d[0] != "(other)" and (key_count or value):
                    key3 = (_campaign(d[1], d[2]), f"{d[0][:4]}-{d[0][4:6]}-{d[0][6:]}", d[3])
                    item3 = events.setdefault(key3, [Decimal(0), 0])
                    item3[0] += key_count
                    item3[1] += value
        out = []
        for key, (sessions, users, key_events, micros, _name, n) in days.items():
            extra: dict[str, str] = {"sessions": str(sessions)}
            if n == 1:
                extra["totalUsers"] = str(users)
            pairs = sorted(sources.get(key, ()), key=lambda s: (-s[0], s[1], s[2]))
            if pairs:
                extra["sessionSource"] = "; ".join(p[1] for p in pairs)
                extra["sessionMedium"] = "; ".join(p[2] for p in pairs)
            out.append((1, key[0], key[1], None, None, None, "USD", float(key_events), micros, json.dumps(extra),
                        stamp, 1))
        con.execute("BEGIN")
        con.executemany(BARE_UPSERT, out)
        con.executemany(BARE_CONVERSION_UPSERT, [(1, "ga4", c, d, e, float(n), v, stamp, 1)
                                                 for (c, d, e), (n, v) in events.items() if (c, d) in days])
        con.execute("COMMIT")
        count += len(out)
    elapsed = time.perf_counter() - started
    _CHECKS["bare"] = con.execute(CHECK_SQL).fetchone()
    con.close()
    session.close()
    return elapsed, count


SIDES = {"engine": engine_side, "bare": bare_side}


# --- main ------------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=1000)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--page-size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="also profile one engine run (cProfile)")
    args = parser.parse_args()
    today = clock.today(ZONE)
    until = today - timedelta(days=1)
    since = until - timedelta(days=args.days - 1)
    proc, fake = start_fake(args.campaigns, args.days, args.page_size, [(since, until), (until, until)])
    try:
        if fake["today"] != today:
            raise SystemExit("the day changed in the property's time zone while the fake started; run it again")
        return report(args, fake, since, until)
    finally:
        proc.terminate()
        proc.join(5)


def report(args: argparse.Namespace, fake: dict[str, Any], since: date, until: date) -> int:
    times: dict[str, list[float]] = {"bare": [], "engine": []}
    rows: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        bare_side(workdir, fake, until, until, args.page_size)  # warm up both paths untimed
        engine_side(workdir, fake, until, until, args.page_size)
        for _ in range(args.repeat):
            for side in ("bare", "engine"):
                seconds, rows[side] = SIDES[side](workdir, fake, since, until, args.page_size)
                times[side].append(seconds)
        if _CHECKS["bare"] != _CHECKS["engine"]:
            print(f"stored data differ: bare {_CHECKS['bare']}, engine {_CHECKS['engine']}")
            return 1
        if args.profile:
            engine_side(workdir, fake, since, until, args.page_size, profile=True)
    b, e = min(times["bare"]), min(times["engine"])
    ratio = e / b
    check = _CHECKS["engine"]
    print(f"{rows['engine']:,} campaign-days stored ({args.campaigns} + 5 campaigns x {args.days} days) from "
          f"{fake['pages']} pre-rendered report pages of <= {args.page_size:,} rows (three reports per 30-day window); "
          f"best of {args.repeat}; identical rows, conversions, revenue, sessions ({check[3]:,}) and users\n")
    print("| side | seconds | campaign-days/s |")
    print("|---|---:|---:|")
    print(f"| bare requests + json.loads + sqlite3 upsert | {b:.3f} | {rows['bare'] / b:,.0f} |")
    print(f"| engine + ga4 connector | {e:.3f} | {rows['engine'] / e:,.0f} |")
    print(f"\nratio engine/bare: {ratio:.2f}x (target <= {TARGET:.1f}x, never worse than {LIMIT:.1f}x)")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
