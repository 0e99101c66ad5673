"""A card: a framed panel drawn with palette colours (see theme.CARD_STYLE), with an optional title row."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget


class Card(QFrame):
    def __init__(self, title: str = "", parent: QWidget | None = None, accessible: str | None = None) -> None:
        super().__init__(parent)
        self.setProperty("card", True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(accessible or title or "Card")
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(12, 10, 12, 10)
        self.outer.setSpacing(6)
        self.header = QHBoxLayout()
        self.header.setSpacing(8)
        self.title = QLabel(title)
        self.title.setProperty("role", "card-title")
        self.title.setAccessibleName(f"{title} title" if title else "Card title")
        self.header.addWidget(self.title, 1)
        self.outer.addLayout(self.header)
        if not title:
            self.title.hide()

    def set_selected(self, selected: bool) -> None:
        self.setProperty("selected", selected)
        self.style().unpolish(self)
        self.style().polish(self)


def muted(text: str = "", name: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    label.setAccessibleName(name or text or "Note")
    return label
