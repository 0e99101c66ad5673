"""Real processes sharing one data dir: a crash (kill -9) mid-sync, the headless service, cross-process rules."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest

from autosync_desktop import clock
from tests import travel_launch

ROOT = Path(__file__).resolve().parent.parent


def autosync(data_dir: Path, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    proc = subprocess.run(travel_launch.command("--data-dir", str(data_dir), *args),
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=travel_launch.env())
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def spawn(data_dir: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(travel_launch.command("--data-dir", str(data_dir), *args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=travel_launch.env())


def db_rows(data_dir: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(data_dir / "autosync.db", timeout=30)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_kill_9_mid_sync_is_interrupted_without_duplicates_and_a_rerun_completes(tmp_path: Path) -> None:
    data, reference = tmp_path / "data", tmp_path / "reference"
    end = clock.today("UTC") - timedelta(days=1)  # the Demo account's zone
    start = end - timedelta(days=89)
    span = ["--from", start.isoformat(), "--to", end.isoformat()]
    for d, latency in ((data, "40"), (reference, "0")):
        autosync(d, "accounts", "add", "--platform", "demo", "--name", "demo", "--option", f"latency_ms={latency}",
                 "--option", "page_size=20", "--option", "campaigns=12")
    autosync(reference, "sync", "demo", *span, "--wait")
    truth = db_rows(reference, "SELECT COUNT(*), SUM(clicks), SUM(cost_micros) FROM daily_stat")[0]

    proc = spawn(data, "sync", "demo", *span, "--wait")
    try:
        # wait until the first 30-day window is committed, then kill the process without warning
        wait_until(lambda: (data / "autosync.db").exists()
                   and db_rows(data, "SELECT COUNT(*) FROM daily_stat")[0][0] > 0)
        assert db_rows(data, "SELECT status FROM sync_run")[0][0] == "running"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    partial = db_rows(data, "SELECT COUNT(*) FROM daily_stat")[0][0]
    assert 0 < partial < truth[0]

    runs = json.loads(autosync(data, "runs", "--json").stdout)  # opening the store reaps the orphan
    assert runs[0]["status"] == "interrupted" and "stopped unexpectedly" in (runs[0]["error"] or "") + str(
        json.loads(autosync(data, "runs", "show", str(runs[0]["id"]), "--json").stdout)["reason"])
    dupes = db_rows(data, "SELECT COUNT(*) - COUNT(DISTINCT account_id || date || campaign_id) FROM daily_stat")
    assert dupes[0][0] == 0

    autosync(data, "settings", "set", "sync.run_timeout_minutes", "10")
    rerun = autosync(data, "sync", "demo", *span, "--wait", timeout=120)
    assert "succeeded" in rerun.stdout
    assert db_rows(data, "SELECT COUNT(*), SUM(clicks), SUM(cost_micros) FROM daily_stat")[0] == truth


def test_headless_service_runs_queued_syncs_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "data"
    autosync(data, "accounts", "add", "--platform", "demo", "--name", "fast", "--option", "latency_ms=0")
    autosync(data, "accounts", "add", "--platform", "demo", "--name", "slow", "--option", "latency_ms=500",
             "--option", "page_size=10")
    autosync(data, "schedules", "add", "--name", "fast-daily", "--account", "fast", "--type", "both",
             "--frequency", "daily", "--at", "06:00", "--timezone", "UTC")
    service = spawn(data, "service")
    try:
        wait_until(lambda: "running on" in (service.stdout.readline() or ""), timeout=30)
        # a second scheduler on the same data dir is refused
        second = autosync(data, "service", check=False)
        assert second.returncode == 2 and "already running the scheduler" in second.stderr
        status = json.loads(autosync(data, "status", "--json").stdout)
        assert status["scheduler"]["running"] is True and "service pid" in status["scheduler"]["owner"]

        # --wait through the service: the service executes it, this process waits for the result
        waited = autosync(data, "sync", "fast-daily", "--wait")
        assert "succeeded" in waited.stdout
        queued = autosync(data, "sync", "slow")
        assert "queued for the running scheduler" in queued.stdout
        slow_id = int(queued.stdout.split()[1])
        wait_until(lambda: db_rows(data, f"SELECT status FROM sync_run WHERE id={slow_id}")[0][0] == "running")
        owner = db_rows(data, f"SELECT owner_pid FROM sync_run WHERE id={slow_id}")[0][0]
        assert owner == service.pid
    finally:
        service.send_signal(signal.SIGTERM)
        out, err = service.communicate(timeout=30)
    assert service.returncode == 0, err
    assert "Stopped." in out
    status, reason = db_rows(data, f"SELECT status, reason FROM sync_run WHERE id={slow_id}")[0]
    assert status == "cancelled" and "kept" in reason
    leases = db_rows(data, "SELECT COUNT(*) FROM process_lease")[0][0]
    assert leases == 0


def test_cancel_from_another_process_stops_a_running_sync(tmp_path: Path) -> None:
    data = tmp_path / "data"
    autosync(data, "accounts", "add", "--platform", "demo", "--name", "slow", "--option", "latency_ms=300",
             "--option", "page_size=10")
    proc = spawn(data, "sync", "slow", "--wait")
    try:
        wait_until(lambda: (data / "autosync.db").exists() and db_rows(
            data, "SELECT COUNT(*) FROM sync_run WHERE status='running'")[0][0] == 1)
        run_id = db_rows(data, "SELECT id FROM sync_run")[0][0]
        out = autosync(data, "runs", "cancel", str(run_id)).stdout
        assert "cancel requested" in out
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1  # --wait exits 0 only on success
    assert db_rows(data, f"SELECT status FROM sync_run WHERE id={run_id}")[0][0] == "cancelled"
    # cancel means cancel: nothing re-runs it
    time.sleep(0.5)
    assert db_rows(data, "SELECT COUNT(*) FROM sync_run")[0][0] == 1


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_ctrl_c_during_sync_wait_cancels_the_run(tmp_path: Path) -> None:
    data = tmp_path / "data"
    autosync(data, "accounts", "add", "--platform", "demo", "--name", "slow", "--option", "latency_ms=300",
             "--option", "page_size=10")
    proc = spawn(data, "sync", "slow", "--wait")
    wait_until(lambda: (data / "autosync.db").exists() and db_rows(
        data, "SELECT COUNT(*) FROM sync_run WHERE status='running'")[0][0] == 1)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 1 and "cancelled" in out
    assert db_rows(data, "SELECT status FROM sync_run")[0][0] == "cancelled"
