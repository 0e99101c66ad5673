"""A stop asked while the window is still being built (gui/app.py) is noted, not a kill: the window then exits 0."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any

import pytest

from autosync_desktop.gui import app


@pytest.fixture
def saved_handlers() -> Iterator[None]:
    names = [name for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]
    before = {name: signal.getsignal(getattr(signal, name)) for name in names}
    app._STOP_ASKED.clear()
    yield
    for name, handler in before.items():
        signal.signal(getattr(signal, name), handler)
    app._STOP_ASKED.clear()


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_during_start_up_is_noted_and_the_process_lives(saved_handlers: None, name: str) -> None:
    app._stop_early_on_signals()
    assert not app._STOP_ASKED.is_set()
    os.kill(os.getpid(), getattr(signal, name))  # the default action would end this test process
    assert app._STOP_ASKED.is_set()


class _Desktop:
    def __init__(self, window: Any) -> None:
        self.window = window
        self.quits = 0

    def quit(self) -> None:
        self.quits += 1


class _App:
    def __init__(self) -> None:
        self.quits = 0

    def quit(self) -> None:
        self.quits += 1


def test_a_signal_while_the_window_runs_quits_from_the_event_loop_not_the_handler(saved_handlers: None,
                                                                                   qtbot: Any) -> None:
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    desktop, qt_app = _Desktop(window), _App()
    app._quit_on_signals(qt_app, desktop)  # type: ignore[arg-type]
    os.kill(os.getpid(), signal.SIGTERM)
    # the handler ran (between two bytecodes, possibly inside a lock's holder): it only noted the stop
    assert app._STOP_ASKED.is_set() and desktop.quits == 0 and qt_app.quits == 0
    qtbot.waitUntil(lambda: desktop.quits == 1 and qt_app.quits == 1, timeout=5000)
    qtbot.wait(600)
    assert desktop.quits == 1  # once, however long the loop runs on
