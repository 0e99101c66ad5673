"""The plumbing under the views: the bridge (thread hop, progress coalescing), the workers, the PySide guard,
and the CLI entry points of the window."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from autosync_desktop import events as ev
from autosync_desktop.cli import main
from autosync_desktop.gui import qt_fixes
from autosync_desktop.gui.bridge import Bridge
from autosync_desktop.gui.workers import Workers
from autosync_desktop.services import Services


def test_bridge_delivers_in_the_gui_thread_and_coalesces_progress(qtbot: Any) -> None:
    bus = ev.EventBus()
    bridge = Bridge(bus)
    got: list[tuple[str, bool]] = []
    bridge.any_event.connect(lambda e: got.append((type(e).__name__, threading.current_thread() is
                                               threading.main_thread())))
    progress: list[int] = []
    bridge.run_progress.connect(lambda e: progress.append(e.rows))

    def publish() -> None:
        bus.publish(ev.RunStarted(run_id=1, schedule="s", account="a", platform="demo", trigger="manual", windows=1))
        for rows in range(1, 501):
            bus.publish(ev.RunProgress(run_id=1, rows=rows, campaigns=0, pages=rows, windows_done=0,
                                       windows_total=1))
        bus.publish(ev.RunFinished(run_id=1, schedule="s", account="a", trigger="manual", status="succeeded",
                                   rows=500))

    with qtbot.waitSignal(bridge.run_finished, timeout=5000):
        threading.Thread(target=publish).start()
    assert all(in_gui for _, in_gui in got)
    assert got[0][0] == "RunStarted" and got[-1][0] == "RunFinished"
    assert 1 <= len(progress) < 50  # 500 published in a burst, a handful delivered
    assert progress[-1] == 500  # the newest one held back arrives before RunFinished
    assert progress == sorted(progress)
    bridge.close()
    bus.publish(ev.RunQueued(run_id=2, schedule=None, account="a", trigger="manual"))  # after close: ignored


def test_workers_deliver_on_the_gui_thread_and_drop_results_of_deleted_owners(qtbot: Any) -> None:
    workers = Workers()
    results: list[tuple[Any, bool]] = []
    workers.run(lambda: threading.current_thread().name, on_done=lambda r: results.append(
        (r, threading.current_thread() is threading.main_thread())))
    errors: list[str] = []
    workers.run(lambda: 1 / 0, on_error=lambda exc: errors.append(type(exc).__name__))
    owner = QWidget()
    gate = threading.Event()
    workers.run(gate.wait, 5, owner=owner, on_done=lambda _: results.append(("late", True)))
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner))
    gate.set()
    qtbot.waitUntil(lambda: workers.pending == 0, timeout=5000)
    assert results[0][0].startswith("gui-read") and results[0][1]
    assert errors == ["ZeroDivisionError"]
    assert ("late", True) not in results
    workers.close()


def test_emitting_signals_never_exhausts_true(qtbot: Any) -> None:
    class Emitter(QObject):
        ping = Signal(bool)

    qt_fixes.apply()
    emitter = Emitter()
    before = sys.getrefcount(True)
    for _ in range(20_000):  # without the guard, PySide6 6.12 on CPython 3.11 aborts long before this
        emitter.ping.emit(True)
    assert sys.getrefcount(True) > 0 and (sys.version_info >= (3, 12) or sys.getrefcount(True) > before - 20_001)


def test_modules_imported_after_pyside_are_not_scanned_for_feature_use(qtbot: Any, tmp_path: Path,
                                                                        monkeypatch: Any) -> None:
    import shibokensupport.feature as feature  # type: ignore[import-not-found]

    assert qt_fixes.skip_feature_scan()  # PySide6 6.12 has the scan: apply() (make_app) turned it off
    qt_fixes.apply()
    source = "import PySide6.QtCore\nVALUE = PySide6.QtCore.Qt.AlignmentFlag.AlignLeft\n"
    (tmp_path / "uses_qt_probe.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "uses_qt_probe", raising=False)
    import uses_qt_probe  # type: ignore[import-not-found]

    # -1: not a `__feature__` module (what a frozen app, without sources, records for every module); the scan
    # would have read the source, found "PySide6" and recorded 0
    assert feature.pyside_feature_dict["uses_qt_probe"] == -1
    assert uses_qt_probe.VALUE.name == "AlignLeft"  # Qt's names are unchanged (no snake_case)


def test_wait_until_wakes_on_events_and_keeps_its_timeout(qtbot: Any) -> None:
    import time

    from PySide6.QtCore import QTimer

    from autosync_desktop.gui.qt_app import wait_until

    fired: list[int] = []
    QTimer.singleShot(30, lambda: fired.append(1))
    started = time.monotonic()
    assert wait_until(lambda: bool(fired), timeout_s=10, settle_ms=0)
    assert time.monotonic() - started < 5
    done = threading.Event()  # a thread's change, with no Qt event: the wait's tick still sees it
    threading.Timer(0.05, done.set).start()
    assert wait_until(done.is_set, timeout_s=10, settle_ms=20)
    started = time.monotonic()
    assert not wait_until(lambda: False, timeout_s=0.2)
    assert 0.2 <= time.monotonic() - started < 5


def test_no_command_opens_the_window(monkeypatch: Any, tmp_path: Path) -> None:
    from autosync_desktop.gui import app

    seen: list[Any] = []
    monkeypatch.setattr(app, "run", lambda options: seen.append(options) or 0)
    assert main(["--data-dir", str(tmp_path)]) == 0
    assert seen and seen[0].data_dir == tmp_path and not seen[0].demo and seen[0].screenshot is None


def test_gui_demo_creates_the_demo_account_and_schedule_once(data_dir: Path, tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    for _ in range(2):
        assert main(["--data-dir", str(data_dir), "gui", "--demo", "--screenshot", str(shot)]) == 0
    services = Services.open(data_dir)
    try:
        assert [(a.name, a.platform) for a in services.accounts.list()] == [("Demo account", "demo")]
        assert [(s.name, s.frequency, s.every_minutes) for s in services.schedules.list()] == [
            ("Demo sync", "interval", 5)]
        assert len(services.runs.list()) == 1  # the first sync, queued once on creation
    finally:
        services.close()
