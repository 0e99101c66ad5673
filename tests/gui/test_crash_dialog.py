"""Uncaught exceptions: logged, shown with a redacted traceback and a Copy button; the app keeps running."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from autosync_desktop.gui.crash_dialog import CrashDialog, CrashHandler

SLACK_TOKEN = "xoxb-1234567890-abcdefghijKLMNOP"
ACCESS = "access_token=ya29.a0AfH6SMBsecretsecretsecret"


@pytest.fixture
def handler(tmp_path: Path) -> Iterator[CrashHandler]:
    log_file = tmp_path / "logs" / "autosync.log"
    crash = CrashHandler(lambda: None, log_file)
    crash.install()
    yield crash
    crash.uninstall()
    if crash.dialog is not None:
        crash.dialog.close()


def boom() -> None:
    raise RuntimeError(f"request failed: Authorization: Bearer {SLACK_TOKEN} url=https://x/?{ACCESS}")


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_shows_a_redacted_traceback(handler: CrashHandler, qtbot: Any,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    assert sys.excepthook == handler.excepthook
    with caplog.at_level(logging.ERROR, logger="autosync_desktop.crash"), \
            qtbot.waitSignal(handler.shown, timeout=5000) as shown:
        QTimer.singleShot(0, boom)
    dialog: CrashDialog = shown.args[0]
    assert dialog.isVisible()
    text = dialog.text()
    assert "Traceback (most recent call last)" in text and "RuntimeError: request failed" in text
    assert "in boom" in text
    assert SLACK_TOKEN not in text and "secretsecret" not in text and "[redacted]" in text
    assert "uncaught exception" in caplog.text  # logged (the log file's own filter masks it there)
    assert "keeps running" in dialog.intro.text() and str(handler.log_file) in dialog.log_line.text()
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == text and dialog.copied.text() == "Copied"
    # the details are selectable, not editable
    assert dialog.details.isReadOnly()
    # a later error is added to the open dialog rather than opening another window
    QTimer.singleShot(0, boom)
    qtbot.waitUntil(lambda: dialog.count == 2, timeout=5000)
    assert "another error" in dialog.text() and "(2 errors)" in dialog.heading.text()
    assert QApplication.instance() is not None  # still running


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_plain_thread_reaches_the_gui_thread(handler: CrashHandler, qtbot: Any) -> None:
    assert threading.excepthook == handler.thread_excepthook
    thread = threading.Thread(target=boom, name="sync-helper")
    with qtbot.waitSignal(handler.shown, timeout=5000) as shown:
        thread.start()
        thread.join()
    text = shown.args[0].text()
    assert text.startswith("In thread sync-helper:") and SLACK_TOKEN not in text


def test_uninstall_puts_the_previous_hooks_back(tmp_path: Path) -> None:
    before = (sys.excepthook, threading.excepthook)
    crash = CrashHandler(lambda: None, None)
    crash.install()
    assert "not saved to a log file" in crash.log_hint()
    crash.uninstall()
    assert (sys.excepthook, threading.excepthook) == before
