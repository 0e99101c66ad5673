"""A message in the middle of an empty table ("No runs yet…"), so an empty table never looks broken."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel


class TableMessage(QLabel):
    """Covers `table`'s viewport while shown; `say(text)` shows it, `say("")` hides it."""

    def __init__(self, table: QAbstractItemView, name: str) -> None:
        super().__init__(table.viewport())
        self.area = table.viewport()
        self.setProperty("role", "muted")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAccessibleName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setContentsMargins(24, 24, 24, 24)
        table.viewport().installEventFilter(self)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.area:
            self.resize(self.area.size())
        return False

    def say(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))
        if text:
            self.resize(self.area.size())
            self.raise_()
