"""A damaged store still answers the commands that only read, where SQLite can; a store locked by another process
is said at once (who holds it) while the command waits, then given up in one line after the busy timeout."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from autosync_desktop import cli
from autosync_desktop.services import Services
from autosync_desktop.store import db as store_db
from autosync_desktop.store import runs
from autosync_desktop.store.models import ProcessLease

PAGE = 4096


class Stderr:
    """sys.stderr that remembers when each line was written."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.lines: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                self.lines.append((time.monotonic() - self.started, line))
        return len(text)

    def flush(self) -> None:
        pass

    @property
    def text(self) -> str:
        return "\n".join(line for _, line in self.lines)


def _cli(data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
         *args: str) -> tuple[int, str, Stderr]:
    stderr = Stderr()
    monkeypatch.setattr(sys, "stderr", stderr)
    code = cli.main(["--data-dir", str(data_dir), *args])
    return code, capsys.readouterr().out, stderr


def _store_with_a_run(data_dir: Path) -> Path:
    services = Services.open(data_dir)
    try:
        services.accounts.add("demo", "Demo", "demo-1", {"latency_ms": "0", "campaigns": "2"})
        request = services.runs.request("Demo")
        assert services.runs.wait(request.run_id, poll_s=0.02, timeout_s=30).status == "succeeded"
    finally:
        services.close()
    path = data_dir / "autosync.db"
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, so damage there shows
    return path


def _break_page_of(path: Path, name: str) -> None:
    with sqlite3.connect(path) as con:
        page = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
    with path.open("r+b") as file:
        file.seek((page - 1) * PAGE)
        file.write(b"\xa5" * PAGE)


def test_a_damaged_index_where_the_process_registers_still_answers_reads(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    path = _store_with_a_run(data_dir)
    _break_page_of(path, "process_lease_host_pid")  # the index the process registration writes to
    before = path.read_bytes()
    for args, shows in ((("status",), "Demo"), (("runs",), "succeeded"),
                        (("export", "runs", "--format", "csv", "--output", "-"), "succeeded")):
        code, out, err = _cli(data_dir, capsys, monkeypatch, *args)
        assert code == 0 and shows in out, (args, out, err.text)
        assert len(err.lines) == 1 and "Traceback" not in err.text
        assert f"The database is damaged: {path}" in err.text and "could still be read" in err.text
    assert path.read_bytes() == before  # reading wrote nothing
    code, out, err = _cli(data_dir, capsys, monkeypatch, "sync", "Demo", "--wait")  # a writer refuses
    assert code == 1 and out == "" and len(err.lines) == 1 and f"The database is damaged: {path}" in err.text
    assert path.read_bytes() == before


def test_a_damaged_table_that_a_read_needs_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    path = _store_with_a_run(data_dir)
    _break_page_of(path, "sync_run")
    code, out, err = _cli(data_dir, capsys, monkeypatch, "runs")
    assert code == 1 and out == ""
    assert len(err.lines) == 1 and "Traceback" not in err.text and f"The database is damaged: {path}" in err.text


@pytest.fixture
def live_pid() -> Iterator[int]:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield child.pid
    child.kill()
    child.wait()


@pytest.fixture
def locked(tmp_path: Path, live_pid: int, monkeypatch: pytest.MonkeyPatch) -> Iterator[sqlite3.Connection]:
    """A store held (BEGIN EXCLUSIVE) by another connection, with a live AutoSync service in the process table."""
    db = store_db.open_store(tmp_path / "data" / "autosync.db")
    ProcessLease.create(pid=live_pid, host=runs.HOST, kind="service")
    db.close()
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_S", 2.0)
    monkeypatch.setattr(store_db, "LOCK_NOTICE_S", 0.2)
    holder = sqlite3.connect(tmp_path / "data" / "autosync.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def test_a_locked_store_is_said_at_once_then_given_up_after_the_timeout(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        locked: sqlite3.Connection, live_pid: int) -> None:
    path = tmp_path / "data" / "autosync.db"
    code, out, err = _cli(tmp_path / "data", capsys, monkeypatch, "status")
    assert code == 1 and out == "" and "Traceback" not in err.text
    (said_at, waiting), (gave_up_at, gave_up) = err.lines
    assert said_at < 1.0 and gave_up_at >= 2.0
    assert waiting == (f"autosync: Another process holds the database {path} (AutoSync service pid {live_pid}); "
                       "waiting up to 2 s for it to finish…")
    assert gave_up.startswith(f"autosync: Another process holds the database {path} (AutoSync service pid {live_pid})")
    assert "try again" in gave_up


def test_a_lock_released_while_waiting_lets_the_command_answer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        locked: sqlite3.Connection) -> None:
    release = threading.Timer(0.6, lambda: locked.execute("ROLLBACK"))
    release.start()
    try:
        code, out, err = _cli(tmp_path / "data", capsys, monkeypatch, "status")
    finally:
        release.join()
    assert code == 0 and "Database:" in out
    assert len(err.lines) == 1 and "waiting up to 2 s" in err.text
