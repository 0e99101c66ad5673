"""The headless service stops cleanly on SIGHUP (a closed terminal or SSH session), like on SIGTERM."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.test_processes import autosync, db_rows, spawn, wait_until


def test_sighup_stops_the_service_cleanly_and_the_running_sync_is_cancelled_not_a_crash(tmp_path: Path) -> None:
    data = tmp_path / "data"
    autosync(data, "accounts", "add", "--platform", "demo", "--name", "slow", "--option", "latency_ms=500",
             "--option", "page_size=10")
    service = spawn(data, "service")
    try:
        wait_until(lambda: "running on" in (service.stdout.readline() or ""), timeout=30)
        queued = autosync(data, "sync", "slow")
        run_id = int(queued.stdout.split()[1])
        wait_until(lambda: db_rows(data, f"SELECT status FROM sync_run WHERE id={run_id}")[0][0] == "running")
    finally:
        service.send_signal(signal.SIGHUP)
        out, err = service.communicate(timeout=30)
    assert service.returncode == 0, err
    assert "Stopped." in out
    status, reason = db_rows(data, f"SELECT status, reason FROM sync_run WHERE id={run_id}")[0]
    assert status == "cancelled", reason
    assert db_rows(data, "SELECT COUNT(*) FROM process_lease")[0][0] == 0
