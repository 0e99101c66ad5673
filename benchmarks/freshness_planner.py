"""Freshness planner benchmark: API calls with the planner on vs the whole lookback every run, and exact data.

    python benchmarks/freshness_planner.py [--quick] [--accounts 20] [--days 30]

20 accounts (Google Ads, Meta, Microsoft Ads, LinkedIn, TikTok) are synced every hour for 30 simulated days by the
real engine (an injected clock), against an in-process fake platform that restates each day at known ages inside
the platform's window (Meta late: up to 27 days). The same simulation runs twice on two fresh stores: planner on,
and planner off (setting sync.freshness_planner; the whole lookback every run) as the baseline.

The fake charges API calls per window the way each platform's connector does: Google Ads and LinkedIn one request
per window (a search stream, one analytics finder), Microsoft Ads three (submit a report, poll once, download), Meta
one per page of 500 rows plus, for a window of 14 days or more (its connector's async_threshold_days), a report job
(create, poll once), TikTok one per page of 1,000 rows. Today's numbers grow hour by hour (not a restatement).
Accounts have 5 to 60 campaigns (one row per campaign and day).

Checks (exit 1 if one fails): the planner makes at least 50 % fewer API calls than the baseline; in both stores,
every day whose lookback has passed holds exactly the fake's final truth (per campaign: impressions, clicks, cost,
conversions). --quick: 5 accounts (one per platform), 9 days; checks the data and that the planner saves calls (the
50 % target is for the full fleet); the test runs it. The two modes run in two processes unless --jobs 1.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import multiprocessing
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autosync_desktop import events as ev
from autosync_desktop.clock import TimeZone, zone
from autosync_desktop.connectors import registry
from autosync_desktop.connectors.base import (
    AccountInfo,
    CampaignRecord,
    ConnectorContext,
    DailyStatRecord,
    PlatformSpec,
)
from autosync_desktop.store import runs, settings
from autosync_desktop.store.db import open_store
from autosync_desktop.store.models import Account, DailyStat, database_proxy
from autosync_desktop.sync.engine import Engine

TARGET = 0.5  # at least this share of the baseline's calls saved
START = datetime(2026, 11, 1, 0, 7, tzinfo=UTC)
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "America/Los_Angeles")
# platform -> (lookback days, restatement ages, calls per window: fixed calls, rows per page (0: one answer),
# extra calls for a window of at least N days (an async report job), N)
PLATFORMS: dict[str, tuple[int, tuple[int, ...], tuple[int, int, int, int]]] = {
    "google_ads": (30, (1, 3, 12, 25), (1, 0, 0, 0)),
    "meta_ads": (28, (1, 2, 7, 20, 27), (0, 500, 2, 14)),
    "microsoft_ads": (30, (1, 5, 14), (3, 0, 0, 0)),
    "linkedin_ads": (7, (1, 4, 6), (1, 0, 0, 0)),
    "tiktok_ads": (7, (1, 3, 7), (0, 1000, 0, 0)),
}
# 6 Google Ads, 6 Meta, 3 Microsoft Ads, 3 LinkedIn, 2 TikTok accounts, interleaved so --quick has a mix
FLEET = ("google_ads", "meta_ads", "microsoft_ads", "linkedin_ads", "tiktok_ads") * 2 + (
    "google_ads", "meta_ads", "microsoft_ads", "linkedin_ads", "google_ads", "meta_ads", "google_ads", "meta_ads",
    "google_ads", "meta_ads")
CALLS: Counter[str] = Counter()  # platform -> API calls charged, this store
ROWS: Counter[str] = Counter()  # platform -> daily rows served, this store


class SimClock:
    """The simulated moment: moved by the benchmark, read by the engine and the fake."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def today(self, tz: TimeZone = None) -> date:
        return self.moment.astimezone(zone(tz)).date()

    def monotonic(self) -> float:
        return time.monotonic()


def _h(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def truth(platform: str, account: str, campaign: int, day: date, age: int, hour: int) -> tuple[int, int, int, float]:
    """(impressions, clicks, cost micros, conversions) of a campaign's day as the platform reports it at `age` days
    (and `hour` o'clock, for today: the day's numbers grow through it); final once older than every restatement."""
    ages = PLATFORMS[platform][1]
    if age <= 0:
        return _truth(platform, account, campaign, day, 0, hour)
    return _truth(platform, account, campaign, day, sum(1 for a in ages if age >= a), 0)


@functools.lru_cache(maxsize=1 << 20)
def _truth(platform: str, account: str, campaign: int, day: date, restated: int, hour: int) -> tuple[
        int, int, int, float]:
    """The numbers after the first `restated` restatement ages have passed (0: today, at `hour`)."""
    age = 0 if restated == 0 else PLATFORMS[platform][1][restated - 1]
    seed = _h(account, campaign, day)
    impressions, clicks = 500 + seed % 5000, 10 + (seed >> 16) % 200
    cost, conversions = clicks * (200_000 + (seed >> 32) % 900_000), float((seed >> 24) % 20)
    if age <= 0:
        share = (hour + 1) / 24
        return int(impressions * share), int(clicks * share), int(cost * share), float(int(conversions * share))
    for restated_at in PLATFORMS[platform][1]:
        if age >= restated_at and restated_at > 1:
            r = _h(account, campaign, day, restated_at)
            if r % 3:  # two campaigns in three change at this age
                clicks += r % 7
                cost += (r >> 8) % 400_000
                conversions += float((r >> 4) % 3) + 0.5
    return impressions, clicks, cost, conversions


@functools.lru_cache(maxsize=1 << 16)
def _day_records(platform: str, account: str, campaigns: int, day: date, restated: int,
                 hour: int) -> tuple[DailyStatRecord, ...]:
    """A day's records (immutable, so the same tuple serves every fetch of that state of the day)."""
    return tuple(DailyStatRecord(f"c{i}", day, *_truth(platform, account, i, day, restated, hour), None, "USD",
                                 f"Campaign {i}") for i in range(campaigns))


class FakePlatform:
    """One account on a fake platform: campaigns with hashed numbers that restate at the platform's known ages."""

    def __init__(self, *, account_id: str, options: dict[str, Any], credentials: dict[str, str] | None,
                 ctx: ConnectorContext) -> None:
        del credentials
        self.account, self.ctx = account_id, ctx
        self.platform = str(options["platform"])
        self.campaigns = int(options["campaigns"])
        self.zone = str(options["timezone"])

    def account_info(self) -> AccountInfo:
        return AccountInfo(name=self.account, currency="USD", timezone=self.zone)

    def fetch_campaigns(self) -> Iterator[list[CampaignRecord]]:
        yield [CampaignRecord(f"c{i}", f"Campaign {i}", "ACTIVE") for i in range(self.campaigns)]

    def fetch_daily_stats(self, start: date, end: date) -> Iterator[list[DailyStatRecord]]:
        local = self.ctx.clock.now().astimezone(ZoneInfo(self.zone))
        rows: list[DailyStatRecord] = []
        day = start
        while day <= end:
            age = (local.date() - day).days
            restated = sum(1 for a in PLATFORMS[self.platform][1] if age >= a) if age > 0 else 0
            rows.extend(_day_records(self.platform, self.account, self.campaigns, day, restated,
                                     local.hour if age <= 0 else 0))
            day += timedelta(days=1)
        fixed, page, job, job_days = PLATFORMS[self.platform][2]
        calls = fixed + (max(1, -(-len(rows) // page)) if page else 0) + (job if job and (end - start).days + 1
                                                                            >= job_days else 0)
        for _ in range(calls):
            self.ctx.stats.record(1.0)
        CALLS[self.platform] += calls
        ROWS[self.platform] += len(rows)
        yield rows

    def refresh_auth(self) -> None:
        pass

    def test_connection(self) -> str:
        return "fake"

    def close(self) -> None:
        pass


def _register() -> None:
    for name, (lookback, _, _) in PLATFORMS.items():
        registry.PLATFORMS[name] = PlatformSpec(name=name, label=name, default_lookback_days=lookback,
                                                max_window_days=30, default_history_days=lookback + 5,
                                                factory=FakePlatform, is_sandbox=True)


def simulate(path: Path, planner: bool, accounts: int, days: int) -> dict[str, Any]:
    """Sync `accounts` accounts hourly for `days` days on a fresh store at `path`; check the settled days."""
    CALLS.clear()
    ROWS.clear()
    db = open_store(path)
    settings.set_value("sync.freshness_planner", planner)
    fleet = []
    for i in range(accounts):
        platform = FLEET[i % len(FLEET)]
        options = {"platform": platform, "campaigns": 5 + (i * 23) % 56, "timezone": ZONES[i % len(ZONES)]}
        fleet.append(Account.create(name=f"acct{i:02d}", platform=platform, external_id=f"a{i}",
                                    options=json.dumps(options)))
    clock = SimClock(START)
    engine = Engine(db, ev.EventBus(), clock=clock)
    started = time.perf_counter()
    failed = 0
    for hour in range(days * 24):
        clock.moment = START + timedelta(hours=hour)
        for account in fleet:
            run = runs.create_run(db, account=account, schedule=None, trigger="scheduled", sync_type="performance")
            outcome = engine.execute(run.id, threading.Event())
            failed += outcome is None or outcome.status != "succeeded"
    elapsed = time.perf_counter() - started
    wrong = _check(fleet, clock)
    result = {"calls": dict(CALLS), "rows": dict(ROWS), "failed_runs": failed, "wrong_days": wrong,
              "seconds": elapsed, "restatements": database_proxy.execute_sql(
                  "SELECT COUNT(*) FROM restatement").fetchone()[0]}
    db.close()
    return result


def _check(fleet: list[Account], clock: SimClock) -> int:
    """Days whose lookback has passed (and that were synced) that differ from the fake's final truth."""
    wrong = 0
    for account in fleet:
        account = Account.get_by_id(account.id)
        options = json.loads(account.options)
        platform, lookback = account.platform, PLATFORMS[account.platform][0]
        today = clock.today(account.timezone)
        stored: dict[date, dict[str, tuple[int, int, int, float]]] = {}
        for row in DailyStat.select().where(DailyStat.account == account.id):
            stored.setdefault(row.date, {})[row.campaign_id] = (row.impressions, row.clicks, row.cost_micros,
                                                                row.conversions)
        first = min(stored)
        day = first
        while (today - day).days > lookback:
            final = {f"c{i}": truth(platform, account.external_id, i, day, 10_000, 0)
                     for i in range(int(options["campaigns"]))}
            wrong += stored.get(day) != final
            day += timedelta(days=1)
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 accounts, 9 days")
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2, help="1: run the two modes one after the other")
    args = parser.parse_args(argv)
    accounts, days = (5, 9) if args.quick else (args.accounts, args.days)
    _register()
    with tempfile.TemporaryDirectory() as tmp:
        if args.jobs > 1:  # the two modes in two processes (each its own store)
            with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = [pool.submit(simulate, Path(tmp) / f"{name}.db", planner, accounts, days)
                           for name, planner in (("on", True), ("off", False))]
                on, off = (future.result() for future in futures)
        else:
            on = simulate(Path(tmp) / "on.db", True, accounts, days)
            off = simulate(Path(tmp) / "off.db", False, accounts, days)
    ok = True
    print(f"{accounts} accounts, hourly for {days} days ({accounts * days * 24} runs per mode)")
    print(f"{'platform':<15}{'calls on':>10}{'calls off':>10}{'saved':>8}{'rows on':>12}{'rows off':>12}")
    for platform in sorted(set(on["calls"]) | set(off["calls"])):
        c_on, c_off = on["calls"].get(platform, 0), off["calls"].get(platform, 0)
        print(f"{platform:<15}{c_on:>10}{c_off:>10}{1 - c_on / c_off:>8.0%}"
              f"{on['rows'].get(platform, 0):>12}{off['rows'].get(platform, 0):>12}")
    total_on, total_off = sum(on["calls"].values()), sum(off["calls"].values())
    saved = 1 - total_on / total_off
    print(f"{'all':<15}{total_on:>10}{total_off:>10}{saved:>8.0%}{sum(on['rows'].values()):>12}"
          f"{sum(off['rows'].values()):>12}")
    print(f"restatements recorded: {on['restatements']} (on), {off['restatements']} (off); "
          f"time {on['seconds']:.1f} s (on), {off['seconds']:.1f} s (off)")
    for name, result in (("planner on", on), ("planner off", off)):
        if result["failed_runs"] or result["wrong_days"]:
            print(f"FAIL {name}: {result['failed_runs']} failed runs, {result['wrong_days']} settled days differ "
                  "from the platform's truth")
            ok = False
    if saved <= 0 or (saved < TARGET and not args.quick):  # the quick fleet (one account per platform) is a check
        print(f"FAIL: the planner saved {saved:.0%} of the API calls; the target is {TARGET:.0%}")
        ok = False
    print("OK: settled days equal the truth in both stores" if ok else "")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
