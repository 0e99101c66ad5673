"""A status shown three ways at once: a coloured SVG dot with a glyph, a word, and the word's colour."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from autosync_desktop.gui import theme


class StatusBadge(QWidget):
    def __init__(self, status: str | None = None, text: str | None = None, parent: QWidget | None = None,
                 icon_size: int = 16) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(5)
        self._icon = QLabel()
        self._icon.setFixedSize(QSize(icon_size, icon_size))
        self._icon_size = icon_size
        self._text = QLabel()
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self._text.font()
        font.setWeight(font.Weight.DemiBold)
        self._text.setFont(font)
        layout.addWidget(self._icon)
        layout.addWidget(self._text)
        layout.addStretch(0)
        self.status: str | None = None
        self.set_status(status, text)

    def set_status(self, status: str | None, text: str | None = None) -> None:
        self.status = status
        shown = text if text is not None else theme.label_of(status)
        self._icon.setPixmap(theme.status_icon(status).pixmap(QSize(self._icon_size, self._icon_size)))
        self._text.setText(shown)
        palette = self._text.palette()
        palette.setColor(QPalette.ColorRole.WindowText, theme.status_color(status))
        self._text.setPalette(palette)
        self.setAccessibleName(f"Status: {shown}")
        self._text.setAccessibleName(f"Status: {shown}")
        self._icon.setAccessibleName(f"{theme.label_of(status)} icon")

    def text(self) -> str:
        return self._text.text()
