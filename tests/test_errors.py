"""The error root: every expected condition is an AutoSyncError, told in one line with its exit code, no traceback.

The store's conditions (damaged, read-only, locked, disk full, foreign) and extreme input go through the real
CLI (`main()`) on a temp data dir; the traceback of an expected error or a bug lands in the log file only.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop import cli, errors, secrets
from autosync_desktop.connectors import base as connectors_base
from autosync_desktop.connectors.registry import UnknownPlatform
from autosync_desktop.notify.base import DeliveryError, NotConfigured
from autosync_desktop.notify.registry import UnknownChannel
from autosync_desktop.store import db as store_db
from autosync_desktop.store import runs
from autosync_desktop.store.models import Account, ProcessLease, SyncRun
from autosync_desktop.store.settings import SettingError
from autosync_desktop.sync.engine import Deferred, RunTimeout
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.triggers import ScheduleSpecError
from autosync_desktop.sync.windows import WindowError

PAGE = 4096


class Run:
    """`autosync --data-dir DIR ...` in-process: exit code, stdout, stderr."""

    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data_dir = data_dir
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = cli.main(["--data-dir", str(self.data_dir), *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    @property
    def db_path(self) -> Path:
        return self.data_dir / "autosync.db"

    @property
    def log_text(self) -> str:
        return (self.data_dir / "logs" / "autosync.log").read_text(encoding="utf-8")


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    return Run(tmp_path / "data", capsys)


def _make_store(path: Path) -> None:
    db = store_db.open_store(path)
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, so damage there shows
    db.close()


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --- the hierarchy -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cls", "code"), [
    (errors.UserError, 2), (cli.CliError, 2), (SettingError, 2), (ScheduleSpecError, 2), (WindowError, 2),
    (UnknownPlatform, 2), (UnknownChannel, 2), (NotConfigured, 2), (secrets.SecretsUnavailable, 2),
    (errors.ForeignStore, 2),
    (errors.StoreError, 1), (errors.StoreDamaged, 1), (errors.StoreLocked, 1), (errors.StoreReadOnly, 1),
    (errors.DiskFull, 1), (DeliveryError, 1), (RunTimeout, 1), (Deferred, 1),
    (connectors_base.ConnectorError, 1), (connectors_base.RateLimited, 1), (connectors_base.Transient, 1),
    (connectors_base.AuthExpired, 1), (connectors_base.ReauthRequired, 1), (connectors_base.Permanent, 1),
])
def test_every_expected_error_derives_from_the_root_with_its_exit_code(cls: type[Exception], code: int) -> None:
    assert issubclass(cls, errors.AutoSyncError)
    assert cls.exit_code == code  # type: ignore[attr-defined]


def test_moved_classes_stay_importable_where_they_were_and_cancels_stay_outside_the_root() -> None:
    from autosync_desktop.services import UserError

    assert UserError is errors.UserError and issubclass(UserError, ValueError)
    assert store_db.StoreError is errors.StoreError
    assert not issubclass(connectors_base.Cancelled, errors.AutoSyncError)
    assert str(ScheduleSpecError("--at", "use HH:MM")) == "--at: use HH:MM"
    assert errors.one_line(errors.AutoSyncError("first\nsecond")) == "first"
    assert errors.AutoSyncError("x", exit_code=2).exit_code == 2


# --- the store -----------------------------------------------------------------------------------------------

def test_a_damaged_store_is_one_line_naming_the_newest_backup(run: Run) -> None:
    _make_store(run.db_path)
    older = run.data_dir / "autosync.db.v1.bak"
    newer = run.data_dir / "autosync.db.v3.bak"
    older.write_bytes(b"old")
    newer.write_bytes(b"new")
    os.utime(older, (1_000_000, 1_000_000))  # the v3 backup is the newest
    size = run.db_path.stat().st_size
    with run.db_path.open("r+b") as file:  # keep page 1 (the header and schema), break every other page
        for page in range(1, size // PAGE):
            file.seek(page * PAGE)
            file.write(b"\xff" * 100)
    code, _, err = run("status")
    line = _one_line(err)
    assert code == 1
    assert f"The database is damaged: {run.db_path}" in line
    assert f"The newest backup is {newer}" in line and "PRAGMA integrity_check" in line and ".recover" in line
    assert "StoreDamaged" in run.log_text and "Traceback" in run.log_text  # the details are in the log


def test_a_read_only_store_reads_and_refuses_writes_in_one_line_unchanged(run: Run) -> None:
    # chmod does not stop root; a file without write bits is opened through SQLite's read-only mode instead,
    # which refuses writes for every user
    _make_store(run.db_path)
    before = run.db_path.read_bytes()
    run.db_path.chmod(0o444)
    try:
        status = run("status")
        listed = run("accounts", "list", "--json")
        code, _, err = run("accounts", "add", "--platform", "demo", "--name", "Demo A")
    finally:
        run.db_path.chmod(0o644)
    assert status[0] == 0 and "Database:" in status[1] and status[2] == ""
    assert listed[0] == 0 and listed[1].strip() == "[]"
    assert code == 1
    assert _one_line(err) == f"autosync: The database file is read-only: {run.db_path}"
    assert run.db_path.read_bytes() == before


@pytest.fixture
def live_pid() -> Iterator[int]:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield child.pid
    child.kill()
    child.wait()


def test_a_locked_store_names_the_autosync_process_and_gives_up_after_the_busy_timeout(
        run: Run, live_pid: int, monkeypatch: pytest.MonkeyPatch) -> None:
    db = store_db.open_store(run.db_path)
    ProcessLease.create(pid=live_pid, host=runs.HOST, kind="service")
    db.close()
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(run.db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = run("status")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1
    line = _one_line(err)
    assert f"Another process holds the database {run.db_path}" in line
    assert f"AutoSync service pid {live_pid}" in line


def test_disk_full_is_a_store_error_with_the_path(tmp_path: Path) -> None:
    path = tmp_path / "autosync.db"
    db = store_db.open_store(path)
    try:
        pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
        db.execute_sql(f"PRAGMA max_page_count = {pages + 1}")  # SQLite's own SQLITE_FULL, as on a full disk
        with pytest.raises(errors.DiskFull) as info, store_db.store_errors(path):
            db.execute_sql("CREATE TABLE filler (blob BLOB)")
            db.execute_sql("INSERT INTO filler VALUES (randomblob(1000000))")
        assert str(info.value) == f"The disk is full: {path}"
        assert isinstance(info.value.__cause__, Exception)  # the SQLite error stays attached for the log
    finally:
        db.close()


def test_disk_full_behind_a_failed_rollback_is_still_disk_full(tmp_path: Path) -> None:
    path = tmp_path / "autosync.db"
    try:
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.Error:
            raise sqlite3.OperationalError("cannot rollback - no transaction is active")  # noqa: B904
    except sqlite3.Error as exc:
        translated = store_db.translate_error(exc, path)
    assert isinstance(translated, errors.DiskFull) and str(translated) == f"The disk is full: {path}"
    assert store_db.translate_error(ValueError("a bug"), path).__class__ is ValueError


def test_a_foreign_sqlite_file_is_refused_before_anything_in_it_changes(run: Run) -> None:
    run.data_dir.mkdir()
    other = sqlite3.connect(run.db_path)
    other.execute("CREATE TABLE contacts (name TEXT)")
    other.commit()
    other.close()
    before = run.db_path.read_bytes()
    assert before[18:20] == b"\x01\x01"  # rollback journal (WAL would be 2, 2)
    code, _, err = run("status")
    assert code == 2
    assert "is not an AutoSync database" in _one_line(err)
    assert run.db_path.read_bytes() == before  # not converted to WAL


def test_a_data_dir_that_is_a_file_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "not-a-dir"
    file.write_text("x")
    code = cli.main(["--data-dir", str(file), "status"])
    _, err = capsys.readouterr()
    assert code == 2
    assert _one_line(err) == f"autosync: --data-dir: {file} is a file, not a directory"


# --- extreme input -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["show", "cancel"])
def test_a_huge_run_id_is_bad_input(run: Run, action: str) -> None:
    code, _, err = run("runs", action, "99999999999999999999999")
    assert code == 2
    assert "99999999999999999999999 is not a run id" in _one_line(err)


def test_credentials_json_nested_100000_levels_is_bad_input(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("[" * 100_000 + "]" * 100_000))
    code, _, err = run("accounts", "add", "--platform", "meta_ads", "--name", "Deep", "--account-id", "123",
                       "--credentials-stdin")
    assert code == 2
    assert "--credentials-stdin" in _one_line(err) and "nested too deeply" in err


@pytest.mark.parametrize("minutes", ["1000000000000", "100000000000000000000000"])
def test_a_huge_interval_is_bad_input(run: Run, minutes: str) -> None:
    assert run("accounts", "add", "--platform", "demo", "--name", "Demo A")[0] == 0
    code, _, err = run("schedules", "add", "--name", "rare", "--account", "Demo A", "--type", "both",
                       "--frequency", "interval", "--every-minutes", minutes)
    assert code == 2
    assert _one_line(err).startswith("autosync: --every-minutes: must be at most 527040")


def test_an_empty_output_path_is_bad_input(run: Run) -> None:
    code, _, err = run("export", "runs", "--format", "csv", "--output", "")
    assert code == 2
    assert "--output" in _one_line(err)


# --- the one catch at the top of the CLI -----------------------------------------------------------------------

def test_a_bug_is_one_line_naming_the_log_and_the_traceback_is_in_the_log_only(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> int:
        raise RuntimeError("boom in status")

    monkeypatch.setitem(cli.COMMANDS, "status", broken)
    code, _, err = run("status")
    assert code == 1
    log_file = run.data_dir / "logs" / "autosync.log"
    assert _one_line(err) == f"autosync: Unexpected error: RuntimeError: boom in status (details in {log_file})"
    assert "Traceback" in run.log_text and "boom in status" in run.log_text


def test_an_expected_error_raised_anywhere_in_a_command_is_caught_once(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_keyring(*_: object) -> int:
        raise secrets.SecretsUnavailable("No system keyring is available to store credentials safely.")

    monkeypatch.setitem(cli.COMMANDS, "status", no_keyring)
    code, _, err = run("status")
    assert code == 2
    assert _one_line(err) == "autosync: No system keyring is available to store credentials safely."


def test_an_unknown_keyring_backend_failure_is_secrets_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise OSError("D-Bus socket missing")

    monkeypatch.setattr(secrets.keyring, "get_password", broken)
    with pytest.raises(secrets.SecretsUnavailable, match="D-Bus socket missing"):
        secrets.load_credentials("Acme")


def test_a_sync_without_a_keyring_fails_in_one_line_without_a_traceback(
        store: Any, bus: Any, caplog: pytest.LogCaptureFixture) -> None:
    def no_keyring(_account: Account) -> dict[str, str] | None:
        raise secrets.SecretsUnavailable("No system keyring is available to store credentials safely.")

    account = Account.create(name="Acme", platform="demo", external_id="d1", options='{"latency_ms": 0}')
    run_row = runs.create_run(store, account=account, schedule=None, trigger="manual", sync_type="both")
    runner = Runner(store, bus, max_workers=1, credentials_for=no_keyring)
    with caplog.at_level(logging.INFO):
        try:
            runner.submit(run_row.id).result(timeout=60)
        finally:
            runner.shutdown()
    done = SyncRun.get_by_id(run_row.id)
    assert done.status == "failed" and done.error_class == "SecretsUnavailable"
    assert done.error_message == "No system keyring is available to store credentials safely."
    assert "failed unexpectedly" not in caplog.text and not any(r.exc_info for r in caplog.records)


def test_a_log_file_that_cannot_be_written_costs_one_warning_per_process(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from autosync_desktop.logs import SharedRotatingFileHandler

    class DiskFullFormatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            raise OSError(errno.ENOSPC, "No space left on device")

    handler = SharedRotatingFileHandler(tmp_path / "autosync.log")
    handler.setFormatter(DiskFullFormatter())
    logger = logging.getLogger("tests.full_disk")
    logger.addHandler(handler)
    try:
        for n in range(3):
            logger.warning("line %d", n)
    finally:
        logger.removeHandler(handler)
        handler.close()
    err = capsys.readouterr().err
    assert _one_line(err) == (f"autosync: cannot write the log file {tmp_path / 'autosync.log'} (No space left on "
                              "device); later lines are not logged")
    assert "Logging error" not in err


@pytest.mark.parametrize(("journal", "words"), [("wal", "must upgrade it"), ("delete", "read-only")])
def test_a_read_only_store_that_needs_an_upgrade_is_refused_untouched(tmp_path: Path, journal: str,
                                                                     words: str) -> None:
    from tests.test_store_migrations import make_v1_database

    path = tmp_path / "autosync.db"
    make_v1_database(path)
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA journal_mode = {journal}")
    con.close()
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        with pytest.raises(errors.StoreReadOnly, match=words):
            store_db.open_store(path)
    finally:
        path.chmod(0o644)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.bak"))  # nothing written beside it either
