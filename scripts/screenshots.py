"""Screenshots of every page of the window in the states that matter, light and dark, at three sizes.

    .venv/bin/python scripts/screenshots.py OUT [--states empty,demo,failures,many,runs100k]
        [--pages dashboard,scheduler,history,data,settings] [--sizes 1024x640,1280x800,1920x1080]
        [--themes light,dark] [--data DIR]

Each state is built in its own data dir (a temp dir, or DIR/<state> with --data, reused when it exists) through
the real services - the Demo connector's syncs, `accounts.add`, `schedules.add` - except the 100,000 runs of
`runs100k`, which are inserted as rows in one go (like benchmarks/history.py) next to real Demo syncs:

- `empty`: a new store: the welcome panel (`empty-welcome-*.png`) and each page as it is before any account.
- `demo`: the Demo account, its "Demo sync" every 5 minutes, three synced runs.
- `failures`: the Demo sync, an account whose syncs always fail (Demo with failure_rate 1, so its errors are
  the platform-error path: retries, then failed), a 63-character and a CJK schedule on it, and a sync still
  running while the pictures are taken (a slow Demo account, restarted here whenever it ends).
- `many`: 35 schedules on four Demo accounts (one with a 63-character name, one Japanese), some paused, some
  synced; "Spend rollup" runs after two of them and the export "Morning file" after it.
- `runs100k`: the Demo account, a few schedules and 100,000 past runs over 180 days (about 6% failed).
- `restated`: the `demo` state plus a Meta Ads (EUR) and a Google Ads (JPY) account, added as store rows (no
  credentials), whose past days the platforms restated: restatement and day-fetch rows of the last week, as the
  freshness planner writes them. Its `insights-restated` page is the Insights page on its "Restated days" tab.

Every picture is `autosync --data-dir D gui --screenshot OUT/<state>-<page>-<WxH>-<theme>.png --tab <page>
--size WxH --theme <theme>` in a child process (offscreen), so it is exactly what `--screenshot` shows. A page
owner runs just theirs, e.g. `scripts/screenshots.py /tmp/shots --states many --pages scheduler --sizes 1024x640`.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autosync_desktop.export_spec import make_spec  # noqa: E402
from autosync_desktop.services import Services  # noqa: E402

STATES = ("empty", "demo", "failures", "many", "runs100k", "restated")
PAGES = ("dashboard", "scheduler", "history", "data", "settings", "insights", "insights-restated")
SIZES = ("1024x640", "1280x800", "1920x1080")
THEMES = ("light", "dark")

LONG_NAME = "Performance Max · Spring Sale 2026 · EMEA Retargeting Audiences"  # 63 characters
CJK_NAME = "東京キャンペーン 日次同期"
LONG_ACCOUNT = "Acme Europe GmbH – Performance Max & Search – Brand Protections"  # 63 characters
CJK_ACCOUNT = "株式会社サンプル 広告アカウント"
FAST = {"latency_ms": "0", "campaigns": "12"}

assert len(LONG_NAME) == 63 and len(LONG_ACCOUNT) == 63


def _sync(services: Services, schedule: str) -> None:
    request = services.runs.request(schedule)
    services.runs.wait(request.run_id, poll_s=0.05, timeout_s=300)


def build_demo(services: Services) -> None:
    services.accounts.add("demo", "Demo account", "demo-1", FAST)
    services.schedules.add("Demo sync", "Demo account", "both", "interval", every_minutes=5)
    for _ in range(3):
        _sync(services, "Demo sync")


def build_failures(services: Services) -> None:
    build_demo(services)
    services.settings.set("retry.max_attempts", 2)  # one retry (in the log), then failed
    services.accounts.add("demo", "Flaky sandbox", "demo-9", {"latency_ms": "0", "failure_rate": "1"})
    services.schedules.add(CJK_NAME, "Flaky sandbox", "both", "daily", at="06:00", timezone="Asia/Tokyo")
    services.schedules.add(LONG_NAME, "Flaky sandbox", "performance", "interval", every_minutes=60)
    for name in (CJK_NAME, LONG_NAME):
        _sync(services, name)  # retried, then failed: about half a minute each
    services.accounts.add("demo", "Slow sandbox", "demo-7", {"latency_ms": "1500", "campaigns": "40"})
    services.schedules.add("Slow nightly import", "Slow sandbox", "both", "daily", at="02:30")


def build_many(services: Services) -> None:
    accounts = ("Demo account", LONG_ACCOUNT, CJK_ACCOUNT, "Brand search (Demo)")
    for index, account in enumerate(accounts):
        services.accounts.add("demo", account, f"demo-{index + 1}", FAST)
    kinds = ("Daily spend", "Pacing check", "Weekly report")  # daily, every 60-105 minutes, weekly
    names = [LONG_NAME, CJK_NAME] + [f"{kinds[index % 3]} {index:02d}" for index in range(2, 33)]
    for index, name in enumerate(names):
        account = accounts[index % len(accounts)]
        if index % 3 == 0:
            services.schedules.add(name, account, "both", "daily", at=f"{6 + index % 12:02d}:{index % 4 * 15:02d}")
        elif index % 3 == 1:
            services.schedules.add(name, account, "performance", "interval", every_minutes=60 + 15 * (index % 4))
        else:
            services.schedules.add(name, account, "campaigns", "weekly", at="07:30", days="mon,thu")
        if index % 7 == 5:
            services.schedules.pause(name)
    for name in names[:8]:
        _sync(services, name)
    # two that wait for others: a sync after two daily ones, and the morning file after both of them
    services.schedules.add("Spend rollup", "Demo account", "performance", "daily", at="07:00",
                           after=("Daily spend 03", "Daily spend 06"), wait_max_minutes=90)
    spec = make_spec(str(services.data_dir / "ads.xlsx"), "last_30_days")
    services.schedules.add_export("Morning file", spec, "daily", at="07:30", after=("Spend rollup",))


RUN_COLUMNS = ("schedule_id", "account_id", "schedule_name", "account_name", "platform", "sync_type", "trigger",
               "status", "reason", "queued_at", "started_at", "finished_at", "duration_s", "rows", "campaigns",
               "pages", "api_calls", "api_errors", "api_latency_ms", "attempt", "error_class", "error_message",
               "cancel_requested", "rate_limit_wait_s")
MEASURED_SINCE = timedelta(hours=14)  # past runs older than this were "saved before waits were measured" (NULL)


def _past_runs(count: int, sources: list[tuple[int, int, str, str]], now: datetime) -> Iterator[tuple[Any, ...]]:
    """`count` finished runs over 180 days before `now`: ~93% succeeded, the rest failed/interrupted/cancelled; a
    rate-limit wait (mostly 0, now and then up to 3 min) only on those of the last 14 hours, as if AutoSync had
    been upgraded to a version measuring it then (the Insights charts' hatched gap before)."""
    rng = random.Random(20261204)
    step = 180 * 86_400 / count
    moment = now - timedelta(days=180)
    outcomes = (["succeeded"] * 93 + ["failed"] * 5 + ["interrupted"] + ["cancelled"])
    for _ in range(count):
        moment += timedelta(seconds=rng.uniform(0.5, 1.5) * step)
        schedule_id, account_id, schedule, account = rng.choice(sources)
        status = rng.choice(outcomes)
        duration = round(rng.uniform(1.5, 95.0), 3)
        started = moment + timedelta(seconds=rng.uniform(0.05, 1.0))
        rows = rng.randrange(50, 4000) if status == "succeeded" else rng.randrange(0, 80)
        calls = rng.randrange(2, 40)
        error = {"failed": "The demo sandbox had a temporary server error (simulated).",
                 "interrupted": "AutoSync stopped while this sync was running."}.get(status)
        yield (schedule_id, account_id, schedule, account, "demo", "both",
               "scheduled" if rng.random() < 0.9 else "manual", status,
               "Cancelled by you" if status == "cancelled" else error if status == "interrupted" else None,
               str(moment), str(started), str(started + timedelta(seconds=duration)), duration, rows, rows // 40,
               calls, calls, int(status == "failed"), round(calls * rng.uniform(40.0, 400.0), 1), 1,
               "Transient" if status == "failed" else None, error, 0,
               None if moment < now - MEASURED_SINCE else
               round(rng.uniform(5.0, 180.0), 1) if rng.random() < 0.15 else 0.0)


def build_runs100k(services: Services, count: int = 100_000) -> None:
    build_demo(services)
    for name, minutes in (("Hourly pacing", 60), ("Morning spend check", 1440)):
        services.schedules.add(name, "Demo account", "both", "interval", every_minutes=minutes)
        _sync(services, name)
    db = services.db
    sources = [(int(s), int(a), str(n), str(acc)) for s, a, n, acc in db.execute_sql(
        "SELECT schedule.id, account.id, schedule.name, account.name FROM schedule JOIN account"
        " ON schedule.account_id = account.id").fetchall()]
    earliest = db.execute_sql("SELECT MIN(queued_at) FROM sync_run").fetchone()[0]
    now = datetime.fromisoformat(str(earliest)) if earliest else datetime.now(UTC)
    sql = f'INSERT INTO sync_run ({", ".join(RUN_COLUMNS)}) VALUES ({", ".join("?" * len(RUN_COLUMNS))})'
    rows = list(_past_runs(count, sources, now - timedelta(minutes=5)))
    with db.atomic():
        db.connection().executemany(sql, rows)
    print(f"  inserted {count:,} past runs")


# (account, day's age, age of the first value, age of the latest, before (cost micros, clicks, conversions), change)
RESTATED: tuple[tuple[str, int, int, int, tuple[Any, ...], tuple[Any, ...]], ...] = (
    ("Shop – Meta", 7, 1, 7, (182_400_000, 2_310, 41.0), (7_300_000, 12, 5.0)),
    ("Shop – Meta", 6, 1, 6, (175_900_000, 2_204, 38.0), (0, 0, 3.0)),
    ("Shop – Meta", 3, 1, 3, (190_250_000, 2_402, 44.0), (-1_250_000, -9, 2.0)),
    ("Shop – Meta", 2, 1, 2, (168_000_000, 1_980, 35.0), (0, 0, None)),
    ("Brand search – Google", 5, 1, 5, (48_000_000_000, 5_120, 212.5), (1_500_000_000, 31, 6.5)),
    ("Brand search – Google", 2, 1, 2, (51_000_000_000, 5_480, 0.0), (0, 4, 3.0)),
    ("Demo account", 2, 1, 2, (96_120_000, 1_204, 17.0), (410_000, 0, 1.0)),
)


def build_restated(services: Services) -> None:
    from autosync_desktop.store.models import Account, DayFetch, Restatement

    build_demo(services)
    Account.create(name="Shop – Meta", platform="meta_ads", external_id="act_1001", currency="EUR",
                   timezone="Europe/Berlin")
    Account.create(name="Brand search – Google", platform="google_ads", external_id="123-456-7890", currency="JPY",
                   timezone="Asia/Tokyo")
    now = datetime.now(UTC).replace(tzinfo=None)
    for name, age, first, latest, before, change in RESTATED:
        account = Account.get(Account.name == name)
        day = (now - timedelta(days=age)).date()
        fetched = now - timedelta(days=age - latest, hours=1)
        Restatement.create(account=account, date=day, age_days=latest, prev_age_days=first, fetched_at=fetched,
                           before_cost_micros=before[0], before_clicks=before[1], before_conversions=before[2],
                           d_cost_micros=change[0], d_clicks=change[1], d_conversions=change[2])
        DayFetch.insert(account=account, date=day, fetches=latest, first_fetched_at=now - timedelta(days=age - 1),
                        last_fetched_at=fetched, last_age_days=latest, unchanged_streak=0, streak_age_days=latest,
                        last_changed=True).on_conflict_replace().execute()  # the Demo syncs fetched it too


BUILDERS: dict[str, Callable[[Services], None]] = {
    "empty": lambda services: None, "demo": build_demo, "failures": build_failures, "many": build_many,
    "runs100k": build_runs100k, "restated": build_restated,
}

# the child for `insights-restated`: the normal `gui --screenshot --tab insights`, showing the Restated days tab
RESTATED_TAB = """
import sys
from autosync_desktop.cli import main
from autosync_desktop.gui.insights.view import InsightsView
shown = InsightsView._show
def _show(self, result):
    shown(self, result)
    self.tabs.setCurrentWidget(self.restated.view)
InsightsView._show = _show
sys.exit(main(sys.argv[1:]))
"""


class RunningSync:
    """Keeps one sync of `schedule` running in this process while the pictures are taken (`failures`)."""

    def __init__(self, data_dir: Path, schedule: str) -> None:
        self.data_dir, self.schedule = data_dir, schedule
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="screenshots-running-sync", daemon=True)

    def __enter__(self) -> RunningSync:
        self._thread.start()
        time.sleep(1.0)  # queued, claimed and started before the first picture
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _loop(self) -> None:
        services = Services.open(self.data_dir)
        try:
            while not self._stop.is_set():
                run_id = services.runs.request(self.schedule).run_id
                while not self._stop.is_set() and not services.runs.get(run_id).status.is_final:
                    time.sleep(0.2)
                if self._stop.is_set():
                    services.runs.cancel(run_id)
                    services.runs.wait(run_id, poll_s=0.1, timeout_s=30)
        finally:
            services.close()


def build(state: str, data_dir: Path) -> None:
    if (data_dir / "autosync.db").exists():
        print(f"{state}: reusing {data_dir}")
        return
    started = time.monotonic()
    services = Services.open(data_dir)
    try:
        BUILDERS[state](services)
    finally:
        services.close()
    print(f"{state}: built in {time.monotonic() - started:.0f} s ({data_dir})")


def shoot(data_dir: Path, out: Path, page: str | None, size: str, theme: str) -> bool:
    """One picture; page None: no --tab, so a store without accounts shows the welcome panel."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = ["-c", RESTATED_TAB] if page == "insights-restated" else ["-m", "autosync_desktop"]
    tab = "insights" if page == "insights-restated" else page
    command = [sys.executable, *child, "--data-dir", str(data_dir), "gui", "--screenshot",
               str(out), *(["--tab", tab] if tab else []), "--size", size, "--theme", theme]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    if result.returncode != 0 or not out.exists():
        print(f"  FAILED {out.name}: {(result.stderr or result.stdout).strip().splitlines()[-1:]}")
        return False
    print(f"  {out.name}")
    return True


def _choices(text: str, allowed: tuple[str, ...], what: str) -> list[str]:
    picked = [part.strip() for part in text.split(",") if part.strip()]
    wrong = [part for part in picked if part not in allowed and what != "sizes"]
    if wrong:
        raise SystemExit(f"--{what}: unknown {', '.join(wrong)}; choose from {', '.join(allowed)}")
    return picked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder for the PNGs (created)")
    parser.add_argument("--states", default=",".join(STATES))
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--themes", default=",".join(THEMES))
    parser.add_argument("--data", type=Path, help="keep the states' data dirs here (reused when they exist)")
    args = parser.parse_args(argv)
    states = _choices(args.states, STATES, "states")
    pages = _choices(args.pages, PAGES, "pages")
    sizes = _choices(args.sizes, SIZES, "sizes")
    themes = _choices(args.themes, THEMES, "themes")
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="autosync-shots-") as tmp:
        root = args.data or Path(tmp)
        for state in states:
            data_dir = root / state
            build(state, data_dir)
            running = RunningSync(data_dir, "Slow nightly import") if state == "failures" else None
            if running is not None:
                running.__enter__()
            try:
                if state == "empty":  # the welcome panel ("Try with demo data" / "Connect an account")
                    for size in sizes:
                        for theme in themes:
                            failed += not shoot(data_dir, args.out / f"empty-welcome-{size}-{theme}.png", None,
                                                size, theme)
                for page in pages:
                    for size in sizes:
                        for theme in themes:
                            ok = shoot(data_dir, args.out / f"{state}-{page}-{size}-{theme}.png", page, size, theme)
                            failed += not ok
            finally:
                if running is not None:
                    running.__exit__()
    print(f"Done: {args.out} ({failed} failed)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
