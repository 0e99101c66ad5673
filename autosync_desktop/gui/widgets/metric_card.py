"""A metric card: what it measures, the value for the chosen period, and the change vs the previous period."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from autosync_desktop.gui import theme
from autosync_desktop.gui.widgets.card import Card, muted


class MetricCard(Card):
    def __init__(self, title: str, good_when_up: bool | None = True, parent: QWidget | None = None) -> None:
        super().__init__(title, parent, accessible=f"{title} metric")
        self.good_when_up = good_when_up
        self.value = QLabel("—")
        self.value.setProperty("role", "big-number")
        self.value.setAccessibleName(f"{title} value")
        self.change = QLabel("")
        self.change.setAccessibleName(f"{title} change vs previous period")
        self.detail = muted("", f"{title} detail")
        self.outer.setSpacing(2)
        self.outer.addWidget(self.value)
        self.outer.addWidget(self.change)
        self.outer.addWidget(self.detail)
        self.outer.addStretch(1)

    def set_metric(self, value: str, change: str = "", direction: int = 0, detail: str = "") -> None:
        self.value.setText(value)
        arrow = {1: "▲ ", -1: "▼ ", 0: ""}[direction]
        self.change.setText(f"{arrow}{change}" if change else "")
        if direction == 0 or self.good_when_up is None:
            status = "idle"
        else:
            status = "succeeded" if (direction > 0) == self.good_when_up else "failed"
        palette = self.change.palette()
        palette.setColor(QPalette.ColorRole.WindowText, theme.status_color(status))
        self.change.setPalette(palette)
        self.detail.setText(detail)
        self.setAccessibleDescription(f"{value}; {change}; {detail}")
