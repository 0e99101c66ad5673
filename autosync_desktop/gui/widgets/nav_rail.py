"""The window's left navigation rail: one checkable item per page (icon and label) with an optional count badge.

Wide windows show the label beside the icon (`compact=False`); narrow ones the label under it, so the pages keep
their width at 1024 px. Items are in the Tab order and reachable with the arrow keys; each item's accessible name
says its page and, with a badge, what the count means ("Schedules, 3 failing").
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop.gui import theme
from autosync_desktop.gui.widgets.badge import CountBadge

# (key, label, icon) of the window's pages, in rail order; the keys are --tab's and the prefs' (the Scheduler page is
# "Schedules" to the user). Here, not in main_window, so the first frame (startup.py) can draw the same rail cheaply.
PAGES = (("dashboard", "Dashboard", "nav-dashboard"), ("scheduler", "Schedules", "nav-schedules"),
         ("history", "History", "nav-history"), ("data", "Data", "nav-data"), ("settings", "Settings", "nav-settings"),
         ("insights", "Insights", "nav-insights"))  # last: the other pages keep their Ctrl+1..5
COMPACT_BELOW = 1200  # window width (px) under which the rail shows labels under the icons
EXPANDED_WIDTH = 184
COMPACT_WIDTH = 96


class NavItem(QToolButton):
    """One page in the rail: icon, label, and a badge in its top right corner when there is something to count."""

    def __init__(self, key: str, label: str, icon: str, shortcut: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.label = label
        self._shortcut = shortcut
        self.setProperty("navitem", True)
        self.setCheckable(True)
        self.setAutoRaise(True)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # reached with Tab; a click does not leave a focus ring
        self.setIcon(theme.icon(icon))
        self.setText(label)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.badge = CountBadge(self)
        self.badge.hide()
        self._badge_meaning = ""
        self.set_compact(False)
        self._describe()

    def set_compact(self, compact: bool) -> None:
        self.compact = compact
        if compact:
            self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            self.setIconSize(QSize(22, 22))
            self.setMinimumHeight(58)
        else:
            self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            self.setIconSize(QSize(20, 20))
            self.setMinimumHeight(40)
        self._place_badge()

    def set_badge(self, count: int | None, meaning: str = "") -> None:
        """Show `count` (None or 0 hides it); `meaning` completes the sentence for readers: "3 failing"."""
        self._badge_meaning = meaning if count else ""
        if count:
            self.badge.set_count(count, meaning)
            self.badge.show()
        else:
            self.badge.hide()
        self._place_badge()
        self._describe()

    def badge_count(self) -> int:
        return 0 if self.badge.isHidden() else self.badge.count

    def _describe(self) -> None:
        name = self.label + (f", {self.badge.count} {self._badge_meaning}" if self._badge_meaning else "")
        self.setAccessibleName(name)
        tip = f"{self.label} ({self._shortcut})" if self._shortcut else self.label
        if self._badge_meaning:
            tip += f"\n{self.badge.count} {self._badge_meaning}"
        self.setToolTip(tip)

    def _place_badge(self) -> None:
        badge = self.badge
        badge.adjustSize()
        if self.compact:  # over the icon's top right corner
            x = min(self.width() - badge.width() - 2, self.width() // 2 + 2)
            y = 2
        else:  # at the right end of the row
            x = self.width() - badge.width() - 8
            y = (self.height() - badge.height()) // 2
        badge.move(max(0, x), max(0, y))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_badge()


class NavRail(QFrame):
    """The pages as a vertical list; `current_changed(key)` when the user picks one (not when set in code)."""

    current_changed = Signal(str)

    def __init__(self, items: Sequence[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("navrail", True)
        self.setAccessibleName("Pages")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(theme.SPACE_S, theme.SPACE_M, theme.SPACE_S, theme.SPACE_M)
        self._column.setSpacing(theme.SPACE_XS)
        self.brand = QWidget()
        brand_row = QHBoxLayout(self.brand)
        brand_row.setContentsMargins(theme.SPACE_S, 0, 0, theme.SPACE_M)
        brand_row.setSpacing(theme.SPACE_S)
        logo = QLabel()
        logo.setPixmap(theme.app_icon().pixmap(QSize(22, 22)))
        logo.setAccessibleName("AutoSync logo")
        name = QLabel("AutoSync")
        name.setProperty("role", "section")
        name.setAccessibleName("AutoSync Desktop")
        brand_row.addWidget(logo)
        brand_row.addWidget(name, 1)
        self._column.addWidget(self.brand)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.items: dict[str, NavItem] = {}
        for index, (key, label, icon) in enumerate(items):
            item = NavItem(key, label, icon, f"Ctrl+{index + 1}")
            item.clicked.connect(self._clicked)
            self.group.addButton(item, index)
            self.items[key] = item
            self._column.addWidget(item)
        self._column.addStretch(1)
        self.compact = True  # the narrow form first: the window's minimum width is computed with it
        self.set_compact(True)
        self.restyle()

    def restyle(self) -> None:  # after the application's palette changed
        """The current page's item: a tint of the accent colour behind it (the text keeps its colour)."""
        palette = QApplication.palette()
        accent = palette.color(QPalette.ColorRole.Highlight)
        window = palette.color(QPalette.ColorRole.Window)
        tint = theme.blend(accent, window, 0.32 if theme.is_dark(palette) else 0.14)
        sheet = f'QToolButton[navitem="true"]:checked {{ background: {tint.name()}; }}'
        if sheet != self.styleSheet():  # setting it changes the palette again: only when the colours changed
            self.setStyleSheet(sheet)

    def _clicked(self) -> None:
        item = self.sender()
        if isinstance(item, NavItem):
            self.current_changed.emit(item.key)

    def keys(self) -> list[str]:
        return list(self.items)

    def set_current(self, key: str | None) -> None:
        """Check the item of page `key`; None: no item (e.g. while the welcome panel shows)."""
        if key is None:
            checked = self.group.checkedButton()
            if checked is not None:
                self.group.setExclusive(False)
                checked.setChecked(False)
                self.group.setExclusive(True)
            return
        item = self.items[key]
        if not item.isChecked():
            item.setChecked(True)

    def current_key(self) -> str | None:
        checked = self.group.checkedButton()
        return checked.key if isinstance(checked, NavItem) else None

    def set_badge(self, key: str, count: int | None, meaning: str = "") -> None:
        self.items[key].set_badge(count, meaning)

    def set_compact(self, compact: bool) -> None:
        self.compact = compact
        self.setFixedWidth(COMPACT_WIDTH if compact else EXPANDED_WIDTH)
        side = theme.SPACE_XS if compact else theme.SPACE_S
        self._column.setContentsMargins(side, theme.SPACE_M, side, theme.SPACE_M)
        self.brand.setVisible(not compact)
        for item in self.items.values():
            item.set_compact(compact)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Up/Down move between the items (and open the page), like a list."""
        keys = self.keys()
        current = self.focusWidget()
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and isinstance(current, NavItem):
            step = -1 if event.key() == Qt.Key.Key_Up else 1
            target = self.items[keys[(keys.index(current.key) + step) % len(keys)]]
            target.setFocus(Qt.FocusReason.TabFocusReason)
            target.click()
            return
        super().keyPressEvent(event)
