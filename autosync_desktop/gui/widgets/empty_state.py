"""A centred, muted message for views with nothing to show yet (never a fake number)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


class EmptyState(QLabel):
    def __init__(self, text: str, parent: QWidget | None = None, name: str = "Empty state") -> None:
        super().__init__(text, parent)
        self.setProperty("role", "muted")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAccessibleName(name)
        self.setMinimumHeight(60)
