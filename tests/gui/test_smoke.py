"""Fonts, rendering, the welcome panel, shortcuts, remembered geometry/tab, the CLI entry points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QImage
from PySide6.QtWidgets import QLabel, QWidget

from autosync_desktop.cli import main
from autosync_desktop.domain import RunStatus, Trigger
from autosync_desktop.gui.main_window import TAB_KEYS
from autosync_desktop.gui.prefs import Prefs
from tests.gui.conftest import DEMO, SCHEDULE, wait_idle, wait_workers


def test_fonts_exist_and_text_renders(qtbot: Any) -> None:
    assert "DejaVu Sans" in QFontDatabase.families()
    label = QLabel("AutoSync 123")
    qtbot.addWidget(label)
    label.resize(200, 40)
    label.show()
    image: QImage = label.grab().toImage()
    background = image.pixel(0, 0)
    inked = sum(1 for x in range(image.width()) for y in range(image.height()) if image.pixel(x, y) != background)
    assert inked > 50  # glyphs, not empty boxes or nothing


def test_every_control_has_an_accessible_name(open_window: Any, seeded: Any) -> None:
    window = open_window()
    missing = []
    for key in TAB_KEYS:
        window.show_tab(key)
    for widget in window.findChildren(QWidget):
        kind = type(widget).__name__
        if kind in ("QPushButton", "QToolButton", "QCheckBox", "QComboBox", "QLineEdit", "QSpinBox",
                    "QDoubleSpinBox", "QDateEdit", "QTableView", "QListWidget", "QTableWidget", "QProgressBar") \
                and not widget.accessibleName() and widget.isVisibleTo(window) \
                and not type(widget.parent()).__name__.startswith(("QCalendar", "QAbstractSpinBox", "QComboBox")):
            missing.append(f"{kind} {widget.objectName() or widget.text() if hasattr(widget, 'text') else ''}")
    assert not missing


def test_welcome_then_demo_data(open_window: Any, qtbot: Any) -> None:
    window = open_window()
    qtbot.waitUntil(window.showing_welcome)
    qtbot.mouseClick(window.welcome.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.showing_welcome(), timeout=10000)
    services = window.ctx.services
    qtbot.waitUntil(lambda: bool(services.runs.list()) and services.runs.list()[0].status == RunStatus.SUCCEEDED,
                    timeout=15000)
    accounts, schedules = services.accounts.list(), services.schedules.list()
    assert [(a.name, a.platform) for a in accounts] == [(DEMO, "demo")]
    assert [(s.name, s.frequency, s.every_minutes) for s in schedules] == [(SCHEDULE, "interval", 5)]


def test_shortcuts_and_remembered_tab_and_geometry(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window()
    for index, key in enumerate(TAB_KEYS):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + index), Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == key
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    window.resize(720, 540)
    wait_idle(qtbot, window)
    window.close()
    assert Prefs(seeded.data_dir).last_tab() == "history"
    again = open_window()
    assert again.current_key() == "history"
    assert again.height() == 540  # (the width is clamped to the 800 px offscreen screen and the minimum width)
    qtbot.keyClick(again, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: again.scheduler.dialog is not None and again.scheduler.dialog.isVisible())
    assert again.current_key() == "scheduler"
    again.scheduler.dialog.reject()


def test_ctrl_r_syncs_the_selected_schedule(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(tab="scheduler")
    window.scheduler.select(SCHEDULE)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    services = window.ctx.services
    qtbot.waitUntil(lambda: len(services.runs.list()) == 2, timeout=10000)
    assert services.runs.list()[0].trigger == Trigger.MANUAL
    wait_workers(qtbot, window)


def test_cli_screenshot_and_self_test(seeded: Any, tmp_path: Path, capsys: Any) -> None:
    shot = tmp_path / "shot.png"
    assert main(["--data-dir", str(seeded.data_dir), "gui", "--screenshot", str(shot), "--tab", "history",
                 "--size", "1024x700"]) == 0
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1024, 700)
    assert main(["--data-dir", str(seeded.data_dir), "gui", "--self-test"]) == 0
    out = capsys.readouterr().out
    for check in ("display", "resources", "store", "scheduler", "keyring", "window", "demo-sync"):
        assert any(line.split()[1:2] == [check] for line in out.splitlines()), out
    # only sandbox accounts, no secret stored: the keyring is not even opened (the tests' backend is the 'fail' one)
    assert "ok   keyring   not needed yet" in out, out
    assert main(["--data-dir", str(seeded.data_dir), "gui", "--screenshot", str(shot), "--size", "big"]) == 2
    missing = tmp_path / "no-such-folder" / "shot.png"
    capsys.readouterr()
    assert main(["--data-dir", str(seeded.data_dir), "gui", "--screenshot", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err and not missing.parent.exists()
