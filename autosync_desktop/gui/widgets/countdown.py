"""Live countdowns: one shared 1 s ticker drives every CountdownLabel (and anything else that says "N s ago")."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from autosync_desktop.gui import formatting as fmt


class Ticker(QObject):
    tick = Signal()
    _instance: Ticker | None = None

    def __init__(self) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    @classmethod
    def instance(cls) -> Ticker:
        if cls._instance is None:
            cls._instance = Ticker()
        return cls._instance


class CountdownLabel(QLabel):
    """'14:05 (in 3 min 12 s)' for a target time; a fallback text when there is none."""

    def __init__(self, empty: str = "—", parent: QWidget | None = None, name: str = "Next run",
                 prefix: str = "") -> None:
        super().__init__(parent)
        self._prefix = prefix
        self._target: str | datetime | None = None
        self._empty = empty
        self._name = name
        self.setAccessibleName(name)
        Ticker.instance().tick.connect(self._refresh)
        self._refresh()

    def set_target(self, target: str | datetime | None, empty: str | None = None) -> None:
        self._target = target
        if empty is not None:
            self._empty = empty
        self._refresh()

    @property
    def target(self) -> str | datetime | None:
        return self._target

    def _refresh(self) -> None:
        if self._target is None:
            text = self._empty
        else:
            text = f"{self._prefix}{fmt.fmt_clock(self._target)} ({fmt.fmt_countdown(self._target)})"
        if text != self.text():
            self.setText(text)
            self.setAccessibleDescription(f"{self._name}: {text}")
