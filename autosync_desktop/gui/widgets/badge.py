"""Small shared labels: a count badge (status icon + number, never colour alone) and a chip (a rounded tag)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QWidget

from autosync_desktop.gui import theme


class CountBadge(QFrame):
    """A pill with a status icon and a number, e.g. the failing schedules on the rail's Schedules item."""

    def __init__(self, parent: QWidget | None = None, status: str = "failed") -> None:
        super().__init__(parent)
        self.status = status
        self.count = 0
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 1, 6, 1)
        row.setSpacing(3)
        self.icon = QLabel()
        self.icon.setFixedSize(QSize(12, 12))
        self.number = QLabel("0")
        font = self.number.font()
        font.setWeight(font.Weight.Bold)
        font.setPointSizeF(max(8.0, font.pointSizeF() * 0.9))
        self.number.setFont(font)
        row.addWidget(self.icon)
        row.addWidget(self.number)
        self.restyle()

    def set_count(self, count: int, meaning: str = "") -> None:
        self.count = count
        self.number.setText(str(count) if count < 1000 else "999+")
        self.setAccessibleName(f"{count} {meaning}".strip())
        self.setToolTip(self.accessibleName())
        self.adjustSize()

    def colors(self) -> tuple[QColor, QColor]:
        """(text, background): the status colour on a pale (light) or deep (dark) tint of it."""
        palette = QApplication.palette()  # the application's: this widget's own is changed by its style sheet
        text = theme.status_color(self.status, palette)
        base = palette.color(QPalette.ColorRole.Base)
        return text, theme.blend(text, base, 0.16 if theme.is_dark(palette) else 0.12)

    def restyle(self) -> None:  # after the application's palette changed
        text, background = self.colors()
        sheet = (f"CountBadge {{ background: {background.name()}; border: 1px solid {text.name()};"
                 f" border-radius: 8px; }} QLabel {{ color: {text.name()}; background: transparent; }}")
        if sheet != self.styleSheet():  # setting it changes the palette again: only when the colours changed
            self.setStyleSheet(sheet)
        self.icon.setPixmap(theme.status_icon(self.status).pixmap(QSize(12, 12)))


def chip(text: str, name: str | None = None) -> QLabel:
    """A rounded tag for a short fact ("Demo", "Paused until 14:00"); styled by theme.APP_STYLE."""
    label = QLabel(text)
    label.setProperty("chip", True)
    label.setAccessibleName(name or text)
    return label
