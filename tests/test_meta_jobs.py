"""Meta report jobs in parallel (connectors/meta_jobs.py) against the loopback fake with time-based jobs: a
17-window backfill keeps `async_max_jobs` jobs in flight, writes its windows in date order with rows exact, holds
new jobs back while Meta's usage is above 75 %, stops polling on a cancel without a half window, retries a failed
job's window alone, and with async_max_jobs=1 runs one job at a time as before."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from autosync_desktop.connectors import meta_ads
from autosync_desktop.connectors.meta_jobs import poll_delay
from autosync_desktop.domain import RunStatus
from autosync_desktop.services import Services
from tests.fakes.meta_ads import MetaFake
from tests.test_meta_ads import Cli, assert_matches

WINDOWS = 17
JOB_S = 0.25  # each report job's wall time on the fake's side


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(meta_ads, "ASYNC_POLL_FIRST_S", 0.02)
    monkeypatch.setattr(meta_ads, "ASYNC_POLL_MAX_S", 0.1)
    monkeypatch.setattr(meta_ads, "PROACTIVE_PAUSE_S", 0.05)


@pytest.fixture
def fake() -> Iterator[MetaFake]:
    with MetaFake(days=WINDOWS * 30 + 20, campaigns=6, job_seconds=JOB_S) as api:
        yield api


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], memory_keyring: dict) -> Cli:
    c = Cli(tmp_path / "data", capsys)
    c("settings", "set", "retry.base_delay_s", "0")
    return c


def span(fake: MetaFake) -> tuple[date, date]:
    until = fake.today - timedelta(days=1)
    return until - timedelta(days=WINDOWS * 30 - 1), until


def add(cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch, *options: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"access_token": fake.token})))
    opts = [x for o in (f"api_base_url={fake.base_url}", *options) for x in ("--option", o)]
    cli("accounts", "add", "--platform", "meta_ads", "--name", "Meta", "--account-id", "act_1234", *opts,
        "--credentials-stdin")


def backfill(cli: Cli, fake: MetaFake) -> dict:
    since, until = span(fake)
    cli("sync", "Meta", "--from", since.isoformat(), "--to", until.isoformat(), "--yes", "--wait")
    return cli.last_run()


def written_windows(cli: Cli, run_id: int) -> list[tuple[date, date]]:
    """The windows in the order the engine wrote them (its "Window A..B: N rows" lines follow each write)."""
    found = [re.match(r"Window (\S+)\.\.(\S+): \d+ rows", m) for m in cli.events(run_id)]
    return [(date.fromisoformat(m[1]), date.fromisoformat(m[2])) for m in found if m]


def test_a_parallel_backfill_is_exact_and_written_in_date_order(cli: Cli, fake: MetaFake,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch)
    run = backfill(cli, fake)
    assert run["status"] == "succeeded"
    since, until = span(fake)
    assert_matches(cli, fake, "Meta", since, until)
    order = written_windows(cli, run["id"])
    assert len(order) == WINDOWS and order == sorted(order) and order[0][0] == since and order[-1][1] == until
    assert len(fake.jobs) == WINDOWS and fake.peak_jobs == 4  # the default async_max_jobs, never more
    assert any("at most 4 at once" in m for m in cli.events(run["id"]))
    again = backfill(cli, fake)  # idempotent
    assert again["status"] == "succeeded"
    assert_matches(cli, fake, "Meta", since, until)


def test_async_max_jobs_1_runs_one_job_at_a_time(cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch, "async_max_jobs=1")
    run = backfill(cli, fake)
    assert run["status"] == "succeeded" and fake.peak_jobs == 1 and len(fake.jobs) == WINDOWS
    assert_matches(cli, fake, "Meta", *span(fake))
    assert written_windows(cli, run["id"]) == sorted(written_windows(cli, run["id"]))


def test_usage_above_75_percent_holds_new_jobs_back(cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch, "async_max_jobs=6")
    fake.usage_pct = 80.0  # below the 95 % pause, above the 75 % hold-back
    run = backfill(cli, fake)
    assert run["status"] == "succeeded" and fake.peak_jobs == 1
    assert any("waited" in m and "usage" in m for m in cli.events(run["id"]))
    assert_matches(cli, fake, "Meta", *span(fake))


def test_usage_at_75_percent_still_runs_jobs_in_parallel(cli: Cli, fake: MetaFake,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch, "async_max_jobs=3")
    fake.usage_pct = 75.0
    assert backfill(cli, fake)["status"] == "succeeded" and fake.peak_jobs == 3


def test_a_failed_job_is_retried_alone_and_the_rows_stay_exact(cli: Cli, fake: MetaFake,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch)
    fake.failing_jobs = 1  # the first window's job ends "Job Failed"
    run = backfill(cli, fake)
    assert run["status"] == "succeeded" and len(fake.jobs) == WINDOWS + 1
    assert any("Job Failed" in m for m in cli.events(run["id"]))
    assert_matches(cli, fake, "Meta", *span(fake))
    assert written_windows(cli, run["id"]) == sorted(written_windows(cli, run["id"]))


@pytest.mark.parametrize("value", ["0", "11", "four"])
def test_async_max_jobs_is_bounded_at_accounts_add(cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch,
                                                   value: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"access_token": fake.token})))
    cli("accounts", "add", "--platform", "meta_ads", "--name", "Meta", "--account-id", "act_1234",
        "--option", f"async_max_jobs={value}", "--credentials-stdin", code=2)
    assert "async_max_jobs" in cli.err


def test_cancel_stops_polling_and_leaves_no_half_window(tmp_path: Path, fake: MetaFake,
                                                        memory_keyring: dict) -> None:
    svc = Services.open(tmp_path / "data")
    try:
        svc.accounts.add("meta_ads", "Meta", "act_1234", {"api_base_url": fake.base_url},
                         {"access_token": fake.token})
        since, until = span(fake)
        request = svc.runs.request("Meta", since, until, confirmed=True)
        deadline = time.monotonic() + 30
        while svc.runs.get(request.run_id).rows == 0 and time.monotonic() < deadline:
            time.sleep(0.01)  # the first window is written
        assert svc.runs.cancel(request.run_id)
        run = svc.runs.wait(request.run_id, poll_s=0.02, timeout_s=30)
        assert run.status == RunStatus.CANCELLED
        polls = fake.report_polls()
        time.sleep(5 * JOB_S)
        assert fake.report_polls() == polls  # nobody polls any more
        with sqlite3.connect(tmp_path / "data" / "autosync.db") as con:
            days = {row[0] for row in con.execute("SELECT DISTINCT date FROM daily_stat")}
            stored = con.execute("SELECT COUNT(*) FROM daily_stat").fetchone()[0]
    finally:
        svc.close()
    windows = [(since + timedelta(days=30 * i), since + timedelta(days=30 * i + 29)) for i in range(WINDOWS)]
    complete = [(a, b) for a, b in windows if any(a.isoformat() <= d <= b.isoformat() for d in days)]
    assert 1 <= len(complete) < WINDOWS and complete == windows[:len(complete)]  # a prefix of whole windows
    assert stored == run.rows == sum(fake.totals(a, b, meta_ads.DEFAULT_CONVERSION_ACTION_TYPES).rows
                                     for a, b in complete)


def test_poll_delay_keeps_the_overhead_under_one_and_a_half_times_the_job() -> None:
    for job_s in (2.5, 3.0, 7.0, 20.0, 60.0):
        polled, elapsed = 0.0, 0.0
        while True:
            elapsed += poll_delay(elapsed, 1.0, 10.0)
            polled += 1
            if elapsed >= job_s:
                break
        assert elapsed <= 1.5 * job_s, (job_s, elapsed, polled)
