"""GUI test fixtures: every test gets its own temp data dir, services, workers, bridge and window.

Only the QApplication (pytest-qt's `qapp`) is shared between tests. Stores are seeded through the real
services (Demo account, real syncs); the window is shut down (workers joined, scheduler stopped, store
closed) at the end of each test.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop.domain import RunRow
from autosync_desktop.gui import formatting
from autosync_desktop.gui.app import make_app, window_idle
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.main_window import MainWindow
from autosync_desktop.gui.widgets import dialogs
from autosync_desktop.services import Services

DEMO = "Demo account"
SCHEDULE = "Demo sync"


@dataclass
class Seed:
    data_dir: Path
    runs: list[RunRow] = field(default_factory=list)


def seed_demo(data_dir: Path, runs: int = 1, campaigns: int = 8) -> Seed:
    """A store with the Demo account (no latency), its schedule, and `runs` real synced runs."""
    services = Services.open(data_dir)
    try:
        services.accounts.add("demo", DEMO, "demo-1", {"latency_ms": "0", "campaigns": str(campaigns)})
        services.schedules.add(SCHEDULE, DEMO, "both", "interval", every_minutes=5)
        seed = Seed(data_dir)
        for _ in range(runs):
            request = services.runs.request(SCHEDULE)
            seed.runs.append(services.runs.wait(request.run_id, poll_s=0.02, timeout_s=30))
        return seed
    finally:
        services.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def seeded(data_dir: Path) -> Seed:
    return seed_demo(data_dir)


@pytest.fixture(autouse=True)
def _app(qapp: Any) -> Iterator[None]:
    make_app()
    formatting.set_display_zone("local")
    yield
    collect_in_gui_thread()


def collect_in_gui_thread() -> None:
    """Delete what the test deleted later, then free its reference cycles, here in the GUI thread.

    Left alone, a test's windows and widgets were destroyed during a later test (often a non-GUI one on the same
    xdist worker), whenever that test's thread or a worker thread triggered a collection; once, that crashed the
    worker inside pytest-qt's event processing. The app's own collector (gui/gc_thread.py) runs on a timer;
    this makes the end of each GUI test a collection point too.
    """
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def confirm_yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answer every confirmation with yes; record the questions."""
    asked: list[str] = []

    def yes(parent: Any, title: str, text: str, action: str = "Delete") -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(dialogs, "confirm", yes)
    return asked


WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def open_window(qtbot: Any, data_dir: Path) -> Iterator[WindowFactory]:
    """open_window(start_scheduler=False, tab=None) -> a shown, loaded MainWindow on this test's data dir."""
    windows: list[MainWindow] = []

    def factory(start_scheduler: bool = False, tab: str | None = None, wait: bool = True) -> MainWindow:
        ctx = AppContext.open(data_dir)
        window = MainWindow(ctx, start_scheduler=start_scheduler)
        windows.append(window)
        if ctx.prefs.geometry() is None:
            window.resize(1280, 800)
        if tab:
            window.show_tab(tab)
        window.show()
        window.start()
        if wait:
            wait_idle(qtbot, window)
        return window

    yield factory
    for window in windows:
        window.shutdown()
        window.deleteLater()


def wait_idle(qtbot: Any, window: MainWindow, timeout: int = 15000) -> None:
    qtbot.waitUntil(lambda: window_idle(window), timeout=timeout)


def wait_workers(qtbot: Any, window: MainWindow, timeout: int = 15000) -> None:
    qtbot.waitUntil(lambda: window.ctx.workers.pending == 0, timeout=timeout)
