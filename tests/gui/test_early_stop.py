"""A stop asked while the window is still being built (gui/app.py) is noted, not a kill: the window then exits 0."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

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
