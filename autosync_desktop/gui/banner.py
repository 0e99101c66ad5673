"""Desktop notifications inside the window, for desktops without a tray: a dismissible banner above the tabs.

Most recent first; the newest few are shown with their title, time and text, older ones are counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.widgets.card import muted

SHOWN = 4
KEPT = 50
STATUS_OF_SEVERITY = {"error": "failed", "warning": "warning", "ok": "succeeded", "info": "idle"}


@dataclass(frozen=True, slots=True)
class Notice:
    title: str
    body: str
    severity: str  # error | warning | ok | info
    at: datetime


class NotificationBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("card", True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Notifications")
        self.notices: list[Notice] = []  # newest first
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        outer.setSpacing(4)
        header = QHBoxLayout()
        self.heading = QLabel("Notifications")
        self.heading.setProperty("role", "card-title")
        self.heading.setAccessibleName("Notifications heading")
        header.addWidget(self.heading, 1)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setAccessibleName("Dismiss notifications")
        self.dismiss_button.setToolTip("Hide these notifications (they stay in History and the log)")
        self.dismiss_button.clicked.connect(self.dismiss)
        header.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(header)
        self.items = QVBoxLayout()
        self.items.setSpacing(6)
        outer.addLayout(self.items)
        self.more = muted("", "Earlier notifications")
        outer.addWidget(self.more)
        self.hide()

    def add(self, title: str, body: str, severity: str = "info", at: datetime | None = None) -> None:
        self.notices.insert(0, Notice(title, body, severity, at or datetime.now().astimezone()))
        del self.notices[KEPT:]
        self._render()
        self.show()

    def dismiss(self) -> None:
        self.notices.clear()
        self._render()
        self.hide()

    def texts(self) -> list[str]:
        """'title — body' of every kept notice, newest first."""
        return [f"{n.title} — {n.body}" for n in self.notices]

    def _render(self) -> None:
        while self.items.count():
            item = self.items.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)  # gone now, not at the next loop turn
                widget.deleteLater()
        for notice in self.notices[:SHOWN]:
            self.items.addWidget(self._row(notice))
        count = len(self.notices)
        self.heading.setText("Notification" if count == 1 else f"Notifications ({count})")
        hidden = count - SHOWN
        self.more.setText(f"and {hidden} earlier notification{'s' if hidden != 1 else ''}" if hidden > 0 else "")
        self.more.setVisible(hidden > 0)

    @staticmethod
    def _row(notice: Notice) -> QWidget:
        row = QWidget()
        row.setAccessibleName(f"Notification: {notice.title}")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        status = STATUS_OF_SEVERITY.get(notice.severity, "idle")
        icon = QLabel()
        icon.setPixmap(theme.status_icon(status).pixmap(QSize(16, 16)))
        icon.setFixedSize(16, 16)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout()
        column.setSpacing(1)
        title = QLabel(f"<b>{_escape(notice.title)}</b> &nbsp;<span>{fmt.fmt_short(notice.at)}</span>")
        title.setTextFormat(Qt.TextFormat.RichText)
        title.setWordWrap(True)
        title.setAccessibleName(notice.title)
        column.addWidget(title)
        body = QLabel(notice.body)
        body.setWordWrap(True)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.setAccessibleName(f"{notice.title} text")
        column.addWidget(body)
        layout.addLayout(column, 1)
        return row


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
