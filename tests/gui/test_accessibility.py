"""Accessibility across the window: names for every control, Tab reaching the rail and the primary actions,
WCAG contrast of the theme's text colours in both palettes, and status never shown by colour alone.

Pages are opened on a store with 63-character and CJK names and a failing schedule (test_no_sideways_scroll's).
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QWidget,
)

from autosync_desktop.gui import theme
from autosync_desktop.gui.main_window import TAB_KEYS, MainWindow
from autosync_desktop.gui.widgets.badge import CountBadge
from autosync_desktop.gui.widgets.status_badge import StatusBadge
from tests.gui.test_no_sideways_scroll import data_dir, names_store  # noqa: F401  (the seeded store)

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QCheckBox)
STATUSES = ("succeeded", "failed", "interrupted", "running", "queued", "cancelled", "skipped", "paused",
            "healthy", "degraded", "failing", "needs_sign_in", "never_synced", "needs_update", None)


def _inside_compound(widget: QWidget) -> bool:
    """Parts of another control (a spin box's editor, a combo's popup, a calendar's buttons, a table's corner)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QAbstractSpinBox, QComboBox, QCalendarWidget, QAbstractItemView)):
            return True
        parent = parent.parentWidget()
    return False


def _visible_text(widget: QWidget) -> str:
    if isinstance(widget, QAbstractButton):
        return widget.text()
    if isinstance(widget, QLineEdit):
        return widget.placeholderText()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    return ""


def unnamed_controls(window: MainWindow) -> list[str]:
    view = window.current_view()
    missing = []
    for widget in view.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or isinstance(widget, QHeaderView) or _inside_compound(widget):
            continue
        if widget.isVisibleTo(window) and not (widget.accessibleName().strip() or _visible_text(widget).strip()):
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.parentWidget()).__name__}")
    return missing


def tab_chain(window: MainWindow) -> list[QWidget]:
    """The widgets Tab visits, in order (visible, enabled, accepting Tab focus)."""
    chain: list[QWidget] = []
    widget: QWidget | None = window.nextInFocusChain()
    for _ in range(5000):
        if widget is None or widget is window:
            break
        if (widget.isVisibleTo(window) and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget not in chain):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def primary_buttons(window: MainWindow) -> list[QAbstractButton]:
    return [button for button in window.current_view().findChildren(QAbstractButton)
            if button.property("primary") and button.isVisibleTo(window)]


@pytest.mark.parametrize("key", TAB_KEYS)
def test_every_visible_control_is_named(open_window: Any, key: str) -> None:
    window = open_window(tab=key)
    assert not window.showing_welcome()
    assert unnamed_controls(window) == []
    rail_unnamed = [item.key for item in window.rail.items.values() if not item.accessibleName()]
    assert rail_unnamed == []


@pytest.mark.parametrize("key", TAB_KEYS)
def test_tab_reaches_the_rail_and_the_primary_action(open_window: Any, key: str) -> None:
    window = open_window(tab=key)
    chain = tab_chain(window)
    assert all(item in chain for item in window.rail.items.values())
    rail_positions = [chain.index(item) for item in window.rail.items.values()]
    assert rail_positions == sorted(rail_positions)  # top to bottom
    primaries = primary_buttons(window)
    if key in ("scheduler", "settings"):  # "New schedule", "Add account" / "Save"
        assert primaries, f"{key}: no primary action (theme.make_primary)"
    for button in primaries:
        if button.isEnabled():
            assert button in chain, f"{key}: Tab does not reach {button.text()!r}"


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_text_colours_meet_4_5_to_1(mode: str) -> None:
    palette = theme.palette_for(mode)
    assert theme.is_dark(palette) == (mode == "dark")
    role = QPalette.ColorRole
    card, page = palette.color(role.Base), palette.color(role.Window)
    pairs: dict[str, tuple[QColor, QColor]] = {
        "body on card": (palette.color(role.Text), card),
        "body on page": (palette.color(role.WindowText), page),
        "caption on card": (palette.color(role.PlaceholderText), card),
        "caption on page": (palette.color(role.PlaceholderText), page),
        "button text": (palette.color(role.ButtonText), palette.color(role.Button)),
        "primary action": (palette.color(role.HighlightedText), palette.color(role.Highlight)),
        "link on card": (palette.color(role.Link), card),
        "tooltip": (palette.color(role.ToolTipText), palette.color(role.ToolTipBase)),
        "alternate rows": (palette.color(role.Text), palette.color(role.AlternateBase)),
    }
    for status in STATUSES:
        colour = theme.status_color(status, palette)
        pairs[f"{status} on card"] = (colour, card)
        pairs[f"{status} on page"] = (colour, page)
        pairs[f"{status} on alternate rows"] = (colour, palette.color(role.AlternateBase))
    low = {name: round(theme.contrast(fg, bg), 2) for name, (fg, bg) in pairs.items() if theme.contrast(fg, bg) < 4.5}
    assert low == {}


def test_contrast_is_the_wcag_ratio() -> None:
    assert theme.contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert theme.contrast(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)
    assert theme.contrast(QColor("#123456"), QColor("#123456")) == pytest.approx(1.0)


def test_the_badge_and_the_selected_rail_item_read_in_both_palettes(qapp: Any) -> None:
    original_palette, original_style = qapp.palette(), qapp.style().name()
    try:
        for mode in ("light", "dark"):
            qapp.setPalette(theme.palette_for(mode))
            badge = CountBadge()
            text, background = badge.colors()
            assert theme.contrast(text, background) >= 4.5, mode
            palette = qapp.palette()
            tint = theme.blend(palette.color(QPalette.ColorRole.Highlight), palette.color(QPalette.ColorRole.Window),
                               0.32 if mode == "dark" else 0.14)
            assert theme.contrast(palette.color(QPalette.ColorRole.WindowText), tint) >= 4.5, mode
            badge.deleteLater()
    finally:
        qapp.setPalette(original_palette)
        assert qapp.style().name() == original_style


@pytest.mark.parametrize("key", TAB_KEYS)
def test_status_is_never_colour_alone(open_window: Any, key: str) -> None:
    window = open_window(tab=key)
    view = window.current_view()
    for badge in view.findChildren(StatusBadge):
        if badge.isVisibleTo(window):
            assert badge.text().strip(), "a status badge without its word"
            assert not badge._icon.pixmap().isNull(), f"{badge.text()}: no icon"
    for table in view.findChildren(QAbstractItemView):
        model = table.model()
        if model is None or isinstance(table, QHeaderView) or not table.isVisibleTo(window):
            continue
        if isinstance(model, QAbstractListModel):  # one column, no header (the Schedules list draws its own)
            continue
        headers = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(model.columnCount())]
        if "Status" not in headers:
            continue
        column = headers.index("Status")
        assert model.rowCount(QModelIndex()) > 0
        for row in range(min(5, model.rowCount(QModelIndex()))):
            index = model.index(row, column)
            assert str(model.data(index, Qt.ItemDataRole.DisplayRole) or "").strip(), f"row {row}: no status word"
            assert model.data(index, Qt.ItemDataRole.DecorationRole) is not None, f"row {row}: no status icon"
    item = window.rail.items["scheduler"]
    assert item.badge_count() == 1  # the failing schedule: icon and number
    assert not item.badge.icon.pixmap().isNull() and item.badge.number.text() == "1"
