"""An inline validation message shown beside (under) the field it is about; hidden while there is none."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from autosync_desktop.gui import theme


class FieldError(QLabel):
    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setProperty("role", "field-error")
        self.setWordWrap(True)
        self.setAccessibleName(f"{field} error")
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, theme.status_color("failed"))
        self.setPalette(palette)
        self.hide()

    def show_error(self, message: str | None) -> None:
        self.setText(message or "")
        self.setAccessibleDescription(message or "")
        self.setVisible(bool(message))

    @property
    def message(self) -> str:
        return self.text() if self.isVisible() or self.text() else ""
