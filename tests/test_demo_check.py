"""The self-test's Demo sync (autosync_desktop/demo_check.py): a child process syncs into a temp store, the
parent reads it back; the child never writes into a dir that already holds a store."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from autosync_desktop import demo_check
from autosync_desktop.cli import main


def test_check_runs_one_demo_sync_in_a_child_and_reads_it_back(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    monkeypatch.setenv("AUTOSYNC_DATA_DIR", str(tmp_path / "users-store"))  # must not be used
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    status, text = demo_check.check(timeout_s=60)
    assert status == "ok", text
    assert "run succeeded" in text and "daily stats" in text
    assert not (tmp_path / "users-store").exists()
    assert list(tmp_path.iterdir()) == []  # the temp store is removed after a pass


def test_child_refuses_a_dir_with_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "autosync.db").write_bytes(b"")
    assert main(["--data-dir", str(tmp_path), "gui", "--self-test-sync"]) == 2
    assert "holds no store yet" in capsys.readouterr().err
    assert demo_check.run_child(None) == 2
    assert (tmp_path / "autosync.db").read_bytes() == b""


def test_a_failing_child_is_reported_and_its_store_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setattr(demo_check, "command", lambda data_dir: [sys.executable, "-c", "print('boom'); exit(3)"])
    status, text = demo_check.check(timeout_s=30)
    assert status == "FAIL" and "exited 3: boom" in text and "kept:" in text


def test_command_outside_a_frozen_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    monkeypatch.setenv("AUTOSYNC_DATA_DIR", "/somewhere")
    assert demo_check.command(tmp_path) == [sys.executable, "-m", "autosync_desktop", "--data-dir", str(tmp_path),
                                            "gui", "--self-test-sync"]
    env = demo_check.child_env()
    assert "AUTOSYNC_DATA_DIR" not in env and "PYINSTALLER_RESET_ENVIRONMENT" not in env
