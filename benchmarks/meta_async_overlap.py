"""Meta report-job overlap benchmark: a 17-window backfill whose report jobs each take JOB seconds on Meta's side.

    python benchmarks/meta_async_overlap.py [--job-seconds 3] [--windows 17] [--max-jobs 4] [--no-sequential]

The repository's Meta fake (tests/fakes/meta_ads.py, in this process) runs each asynchronous report job for
`--job-seconds` of wall time from its POST (`job_seconds=`), as Meta does for a large account (real jobs take
tens of seconds; 3 s keeps the benchmark short). The engine backfills `--windows` 30-day windows with the real
meta_ads connector (HttpClient, the real poll intervals ASYNC_POLL_FIRST_S / ASYNC_POLL_MAX_S, meta_jobs.py)
through a Runner on a temp store, credentials from `credentials_for`:
- floor: windows x job time, what one job at a time costs even with a perfect poll (no overlap possible);
- sequential: `async_max_jobs=1`, one job at a time as before meta_jobs.py (measured; skip with --no-sequential);
- parallel: `async_max_jobs=--max-jobs` (default 4, the option's default).
Each side's stored rows are checked against the fake's ground truth (count and sums). Exit 1 when the parallel
backfill takes more than 0.5x the floor, or any rows differ.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autosync_desktop import events as ev
from autosync_desktop.connectors import meta_ads
from autosync_desktop.store import runs
from autosync_desktop.store.db import open_store
from autosync_desktop.store.models import Account, SyncRun
from autosync_desktop.sync.runner import Runner
from tests.fakes.meta_ads import MetaFake

TARGET = 0.5  # parallel / floor
TOKEN = "bench-token"
CHECK_SQL = "SELECT count(*), sum(impressions), sum(clicks), sum(cost_micros), sum(conversion_value_micros) " \
            "FROM daily_stat"


def backfill(workdir: Path, fake: MetaFake, since: date, until: date, max_jobs: int) -> tuple[float, int, int]:
    """Seconds, rows and the fake's peak of jobs at once for one backfill on a fresh store (rows checked)."""
    fake.peak_jobs = 0
    db = open_store(workdir / f"store-{max_jobs}-{time.monotonic_ns()}.db")
    options = {"api_base_url": fake.base_url, "async_max_jobs": str(max_jobs)}
    account = Account.create(name="bench", platform="meta_ads", external_id="1234", options=json.dumps(options))
    runner = Runner(db, ev.EventBus(), max_workers=1, credentials_for=lambda _account: {"access_token": TOKEN})
    run = runs.create_run(db, account=account, schedule=None, trigger="backfill", sync_type="performance",
                          window_from=since, window_to=until)
    started = time.perf_counter()
    outcome = runner.submit(run.id).result()
    elapsed = time.perf_counter() - started
    runner.shutdown()
    if outcome.status != "succeeded":
        raise SystemExit(f"backfill failed: {SyncRun.get_by_id(run.id).error_message}")
    check = tuple(db.execute_sql(CHECK_SQL).fetchone())
    db.close()
    truth = fake.totals(since, until, meta_ads.DEFAULT_CONVERSION_ACTION_TYPES)
    expected = (truth.rows, truth.impressions, truth.clicks, truth.cost_micros, truth.conversion_value_micros)
    if check != expected:
        raise SystemExit(f"rows differ with async_max_jobs={max_jobs}: stored {check}, truth {expected}")
    return elapsed, outcome.rows, fake.peak_jobs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--job-seconds", type=float, default=3.0)
    parser.add_argument("--windows", type=int, default=17)
    parser.add_argument("--max-jobs", type=int, default=meta_ads.DEFAULT_MAX_JOBS)
    parser.add_argument("--campaigns", type=int, default=40)
    parser.add_argument("--no-sequential", action="store_true", help="skip the async_max_jobs=1 run")
    args = parser.parse_args()
    days = args.windows * meta_ads.SPEC.max_window_days
    with MetaFake(campaigns=args.campaigns, days=days + 10, token=TOKEN, job_seconds=args.job_seconds) as fake, \
            tempfile.TemporaryDirectory() as tmp:
        until = fake.today - timedelta(days=1)
        since = until - timedelta(days=days - 1)
        floor = args.windows * args.job_seconds
        print(f"{args.windows} windows of 30 days ({since}..{until}), report jobs of {args.job_seconds:g} s on the "
              f"fake's side, {args.campaigns} campaigns")
        print(f"{'run':<34}{'seconds':>9}{'/ floor':>9}{'rows':>8}{'peak jobs':>11}")
        print(f"{'floor (windows x job time)':<34}{floor:>9.2f}{1.0:>9.2f}")
        if not args.no_sequential:
            seconds, rows, peak = backfill(Path(tmp), fake, since, until, 1)
            print(f"{'sequential (async_max_jobs=1)':<34}{seconds:>9.2f}{seconds / floor:>9.2f}{rows:>8}{peak:>11}")
        seconds, rows, peak = backfill(Path(tmp), fake, since, until, args.max_jobs)
        label = f"parallel (async_max_jobs={args.max_jobs})"
        print(f"{label:<34}{seconds:>9.2f}{seconds / floor:>9.2f}{rows:>8}{peak:>11}")
    ratio = seconds / floor
    verdict = "OK" if ratio <= TARGET else "TOO SLOW"
    print(f"parallel / floor = {ratio:.2f} (target <= {TARGET}): {verdict}; rows exact on every run")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
