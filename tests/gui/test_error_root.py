"""The window's error paths: an AutoSyncError is one line (status bar / inline), only a bug opens the crash dialog."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from autosync_desktop.errors import AutoSyncError, StoreDamaged
from autosync_desktop.gui.crash_dialog import CrashHandler
from autosync_desktop.gui.workers import Workers
from autosync_desktop.services.core import expected_error


@pytest.fixture
def handler(tmp_path: Path) -> Iterator[CrashHandler]:
    crash = CrashHandler(lambda: None, tmp_path / "autosync.log")
    crash.install()
    yield crash
    crash.uninstall()
    if crash.dialog is not None:
        crash.dialog.close()


def _raise(exc: Exception) -> None:
    raise exc


def test_an_expected_error_in_a_task_is_its_one_line_and_never_a_crash(qtbot: Any, store: Any) -> None:
    workers = Workers(translate=expected_error)
    lines: list[str] = []
    crashes: list[BaseException] = []
    workers.error.connect(lines.append)
    workers.crashed.connect(crashes.append)
    # on the ordered write lane, so the lines come in this order (the read lane has two threads)
    workers.run(_raise, AutoSyncError("The disk is full: /data/autosync.db\n(more detail)"), lane="write")
    # a raw SQLite failure of the bound store is translated on the way: the damaged-store line, not a bug
    workers.run(_raise, sqlite3.DatabaseError("database disk image is malformed"), lane="write")
    inline: list[Exception] = []
    workers.run(_raise, AutoSyncError("Unknown schedule 'x'"), on_error=inline.append, lane="write")
    qtbot.waitUntil(lambda: workers.pending == 0, timeout=5000)
    assert lines[0] == "The disk is full: /data/autosync.db"
    assert lines[1].startswith("The database is damaged: ") and "autosync.db" in lines[1]
    assert len(lines) == 2 and isinstance(inline[0], AutoSyncError)  # on_error took the third one
    assert crashes == []
    workers.close()


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_a_task_reaches_the_crash_dialog(qtbot: Any, handler: CrashHandler) -> None:
    workers = Workers()
    workers.crashed.connect(handler.report)
    seen: list[Exception] = []
    with qtbot.waitSignal(handler.shown, timeout=5000) as shown:
        workers.run(_raise, KeyError("schedule_name"), on_error=seen.append)
    assert "KeyError: 'schedule_name'" in shown.args[0].text()
    assert isinstance(seen[0], KeyError)  # the view could still put itself right
    workers.close()


@pytest.mark.qt_no_exception_capture
def test_an_expected_error_reaching_the_hooks_is_one_line_without_the_dialog(qtbot: Any,
                                                                           handler: CrashHandler) -> None:
    with qtbot.waitSignal(handler.message, timeout=5000) as told:
        QTimer.singleShot(0, lambda: _raise(StoreDamaged("The database is damaged: /d/autosync.db")))
    assert told.args == ["The database is damaged: /d/autosync.db"]
    with qtbot.waitSignal(handler.message, timeout=5000) as told:
        thread = threading.Thread(target=_raise, args=(AutoSyncError("The disk is full: /d"),))
        thread.start()
        thread.join()
    assert told.args == ["The disk is full: /d"]
    handler.report(AutoSyncError("not a bug"))
    assert handler.dialog is None
