"""The process's QApplication (`make_app`) and running its event loop until something holds (`wait_until`).

Shared by the window (app.py), the self-test (self_test.py), the GUI tests and the benchmarks, so none of them
imports another's entry point. PySide6 is imported on first use: importing this module is cheap.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication


def make_app() -> QApplication:
    """The QApplication (created on the first call), set up for AutoSync: name, icon, card style, Qt fixes."""
    from PySide6.QtWidgets import QApplication

    from autosync_desktop.gui import gc_thread, qt_fixes, theme

    qt_fixes.apply()
    # Hand the GIL to the GUI thread within 1 ms (default 5 ms) while a sync's thread is busy in Python: every
    # PySide call releases and re-takes the GIL, so the interval bounds how long each re-take can wait.
    sys.setswitchinterval(0.001)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    gc_thread.install()  # Qt objects freed by the cycle collector are freed in this thread, never a worker's
    app.setApplicationName("AutoSync Desktop")
    app.setOrganizationName("autosync-desktop")
    app.setDesktopFileName("autosync-desktop")  # matches resources/autosync-desktop.desktop (Wayland, taskbars)
    app.setWindowIcon(theme.app_icon())
    if theme.CARD_STYLE not in app.styleSheet():
        app.setStyleSheet(app.styleSheet() + theme.CARD_STYLE)
    return app


POLL_MS = 5  # wait_until() checks its condition at least this often


def wait_until(condition: Callable[[], bool], timeout_s: float, settle_ms: int = 150) -> bool:
    """Run the event loop until `condition()` holds for `settle_ms` in a row (or the timeout passes)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    deadline = time.monotonic() + timeout_s
    held_since: float | None = None
    # Wait for events rather than sleeping between checks: a worker's result is handled as soon as it arrives (as
    # in the window's own event loop), and the tick wakes the wait at least every POLL_MS to check the time.
    tick = QTimer()
    tick.start(POLL_MS)
    try:
        while time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents
                                           | QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
            if condition():
                held_since = held_since or time.monotonic()
                if (time.monotonic() - held_since) * 1000 >= settle_ms:
                    return True
            else:
                held_since = None
        return False
    finally:
        tick.stop()
