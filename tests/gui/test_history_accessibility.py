"""Every control on History and Data has an accessible name; statuses are told in words, not colour alone."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QWidget,
)

from autosync_desktop.gui.history.model import COLUMNS
from tests.gui.conftest import wait_idle

CONTROLS = (QPushButton, QComboBox, QCheckBox, QLineEdit, QAbstractSpinBox, QAbstractItemView, QProgressBar,
            QTabWidget)


def _unnamed(page: QWidget) -> list[str]:
    missing = []
    for widget in page.findChildren(QWidget):
        if not isinstance(widget, CONTROLS):
            continue
        parent = widget.parentWidget()
        if isinstance(widget, QHeaderView) or isinstance(parent, (QAbstractSpinBox, QComboBox)) \
                or (parent and parent.inherits("QComboBoxPrivateContainer")):
            continue  # a table's header, the inner editor / popup of a named control
        if widget.inherits("QCalendarWidget") or (parent and parent.inherits("QCalendarWidget")):
            continue
        if not widget.accessibleName():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} {getattr(widget, 'text', lambda: '')()}")
    return missing


def test_every_control_is_named_and_status_is_words(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(tab="history")
    history = window.history
    qtbot.waitUntil(lambda: history.detail.run is not None, timeout=10000)
    assert _unnamed(history) == []
    window.show_tab("data")
    wait_idle(qtbot, window)
    assert _unnamed(window.data) == []
    status = [key for key, _ in COLUMNS].index("status")
    index = history.model.index(0, status)
    assert history.model.data(index) == "Succeeded"  # the word, beside the colour and the icon
    assert history.model.data(index, Qt.ItemDataRole.DecorationRole) is not None
    assert history.detail.badge.accessibleName() == "Status: Succeeded"
