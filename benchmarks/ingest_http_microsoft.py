"""HTTP ingest benchmark for Microsoft Advertising: the engine with the microsoft_ads connector vs a bare loop.

    python benchmarks/ingest_http_microsoft.py [--campaigns 2000] [--days 90] [--repeat 3]

Both sides read the same Microsoft fake (tests/fakes/microsoft_ads.py), e.g. 2,000 campaigns x 90 days, over the
same 30-day windows, each window one report: POST GenerateReport/Submit, POST /Poll (ready at once), GET the ZIP.
- engine: a temp store, an Account for microsoft_ads (api_base_url and token_url = the fake), a backfill run via
  runs.create_run + Runner.submit: RefreshingToken, HttpClient (pacing, classification, stats), the account call,
  zipfile + csv, exact Decimal money, records, the engine's window buffer and the writer's transaction.
- bare: one token request, then per window requests.Session POST/POST/GET, zipfile + csv.DictReader, the same exact
  conversions (Decimal -> micros), sqlite3 executemany upsert into a table of the same shape, one transaction per
  window.
The fake runs in its own process and renders every report before timing starts. Timing: both sides in this
process, alternating, best of --repeat; the stored sums must be identical. Exit 1 if the engine is slower than
1.3x the bare loop.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import sqlite3
import sys
import tempfile
import threading
import time
import zipfile
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from ingest import BARE_DDL, BARE_UPSERT  # the same bare table and upsert as benchmarks/ingest.py

from autosync_desktop import events as ev
from autosync_desktop.connectors import microsoft_ads, microsoft_report
from autosync_desktop.store import runs
from autosync_desktop.store.db import open_store
from autosync_desktop.store.models import Account, SyncRun
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.windows import Window, chunk

LIMIT = 1.3
ZONE = "EasternTimeUSCanada"
CHECK_SQL = ("SELECT count(*), sum(impressions), sum(clicks), sum(cost_micros), sum(conversion_value_micros)"
             " FROM daily_stat")


# --- the fake, in its own process ------------------------------------------------------------------------

def serve(campaigns: int, today: date, ranges: list[tuple[date, date]], queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from tests.fakes.microsoft_ads import FakeMicrosoftAds

    with FakeMicrosoftAds(campaigns=campaigns, today=today, pending_polls=0, time_zone=ZONE) as fake:
        for since, until in ranges:
            for window in chunk(Window(since, until), microsoft_ads.SPEC.max_window_days):
                fake.rendered(window.start, window.end, ZONE, list(microsoft_report.COLUMNS))
        queue.put((fake.base_url, fake.client_id, fake.refresh_token, fake.developer_token,
                   str(fake.account_id), str(fake.customer_id)))
        threading.Event().wait()  # until the parent terminates this process


def start_fake(campaigns: int, today: date, ranges: list[tuple[date, date]]) -> tuple[multiprocessing.Process, tuple]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=serve, args=(campaigns, today, ranges, queue), daemon=True)
    proc.start()
    return proc, queue.get(timeout=600)


# --- the two sides ---------------------------------------------------------------------------------------

def engine_side(workdir: Path, fake: tuple, since: date, until: date) -> tuple[float, int]:
    base_url, client_id, refresh_token, developer_token, account_id, customer_id = fake
    db = open_store(workdir / f"engine-{time.monotonic_ns()}.db")
    options = {"api_base_url": base_url, "token_url": base_url + "/common/oauth2/v2.0/token",
               "customer_id": customer_id}
    account = Account.create(name="bench", platform="microsoft_ads", external_id=account_id,
                             options=json.dumps(options))
    creds = {"client_id": client_id, "refresh_token": refresh_token, "developer_token": developer_token}
    started = time.perf_counter()
    run = runs.create_run(db, account=account, schedule=None, trigger="backfill", sync_type="performance",
                          window_from=since, window_to=until)
    runner = Runner(db, ev.EventBus(), max_workers=1, credentials_for=lambda _account: creds)
    outcome = runner.submit(run.id).result()
    elapsed = time.perf_counter() - started
    runner.shutdown()
    if outcome.status != "succeeded":
        raise SystemExit(f"engine run failed: {SyncRun.get_by_id(run.id).error_message}")
    _CHECKS["engine"] = db.execute_sql(CHECK_SQL).fetchone()
    db.close()
    return elapsed, outcome.rows


def _micros(text: str) -> int:
    return int((Decimal(text) * 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _day(value: date) -> dict[str, int]:
    return {"Day": value.day, "Month": value.month, "Year": value.year}


def bare_side(workdir: Path, fake: tuple, since: date, until: date) -> tuple[float, int]:
    base_url, client_id, refresh_token, developer_token, account_id, customer_id = fake
    con = sqlite3.connect(workdir / f"bare-{time.monotonic_ns()}.db", isolation_level=None)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=normal")
    con.execute(BARE_DDL)
    session = requests.Session()
    stamp = "2026-01-01 00:00:00"
    count = 0
    started = time.perf_counter()
    token = session.post(base_url + "/common/oauth2/v2.0/token", timeout=60, data={
        "grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh_token,
        "scope": microsoft_ads.SCOPE}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "DeveloperToken": developer_token, "CustomerId": customer_id,
               "CustomerAccountId": account_id}
    for window in chunk(Window(since, until), microsoft_ads.SPEC.max_window_days):
        body = microsoft_report.report_request(account_id, window.start, window.end, ZONE)
        job = session.post(f"{base_url}/Reporting/v13/GenerateReport/Submit", json=body, headers=headers,
                           timeout=60).json()["ReportRequestId"]
        status = session.post(f"{base_url}/Reporting/v13/GenerateReport/Poll", json={"ReportRequestId": job},
                              headers=headers, timeout=60).json()["ReportRequestStatus"]
        archive = session.get(status["ReportDownloadUrl"], timeout=60).content
        with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
            text = zipped.read(zipped.namelist()[0]).decode("utf-8-sig")
        rows = [(1, r["CampaignId"], r["TimePeriod"], int(r["Impressions"]), int(r["Clicks"]), _micros(r["Spend"]),
                 r["CurrencyCode"], float(Decimal(r["Conversions"])), _micros(r["Revenue"]), None, stamp, 1)
                for r in csv.DictReader(io.StringIO(text))]
        con.execute("BEGIN")
        con.executemany(BARE_UPSERT, rows)
        con.execute("COMMIT")
        count += len(rows)
    elapsed = time.perf_counter() - started
    _CHECKS["bare"] = con.execute(CHECK_SQL).fetchone()
    con.close()
    session.close()
    return elapsed, count


SIDES = {"engine": engine_side, "bare": bare_side}
_CHECKS: dict[str, tuple[Any, ...]] = {}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=2000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    today = date(2026, 12, 1)  # fixed: the fake's data and the timed windows do not depend on the day it runs
    until = today - timedelta(days=1)
    since = until - timedelta(days=args.days - 1)
    proc, fake = start_fake(args.campaigns, today, [(since, until), (until, until)])
    try:
        times: dict[str, list[float]] = {"bare": [], "engine": []}
        rows: dict[str, int] = {}
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            bare_side(workdir, fake, until, until)  # warm up both paths (imports, connections) untimed
            engine_side(workdir, fake, until, until)
            for _ in range(args.repeat):
                for side in ("bare", "engine"):
                    seconds, rows[side] = SIDES[side](workdir, fake, since, until)
                    times[side].append(seconds)
        if _CHECKS["bare"] != _CHECKS["engine"]:
            print(f"stored data differ: bare {_CHECKS['bare']}, engine {_CHECKS['engine']}")
            return 1
    finally:
        proc.terminate()
        proc.join(5)
    b, e = min(times["bare"]), min(times["engine"])
    ratio = e / b
    print(f"{rows['engine']:,} rows ({args.campaigns} campaigns x {args.days} days, zero-activity days left out), "
          f"one report per 30-day window; best of {args.repeat}; identical stored sums\n")
    print("| side | seconds | rows/s |")
    print("|---|---:|---:|")
    print(f"| bare requests + zipfile/csv + sqlite3 upsert | {b:.3f} | {rows['bare'] / b:,.0f} |")
    print(f"| engine + microsoft_ads connector | {e:.3f} | {rows['engine'] / e:,.0f} |")
    print(f"\nratio engine/bare: {ratio:.2f}x (never worse than {LIMIT:.1f}x)")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
