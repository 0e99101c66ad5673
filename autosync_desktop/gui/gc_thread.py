"""Python's cyclic garbage collector, run in the GUI thread only (`install`, called by `qt_app.make_app`).

A Qt object whose Python wrapper sits in a reference cycle (a widget and a lambda that names it, a page and its
worker callbacks) is destroyed when the collector frees that cycle, in whichever thread happened to trigger the
collection. A window has many threads allocating Python objects (the worker lanes, the scheduler's runs, the
bus), so that can be a worker thread destroying a widget or a timer, which Qt does not allow and which crashes
the process at a random later moment. pyqtgraph documents the same hazard and remedy (its
`util.garbage_collector`). So while a QApplication lives, the automatic collector is off and a GUI-thread timer
runs the generations that are due, by the interpreter's own thresholds and counts.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500
FULL_EVERY_S = 60.0  # the least time between two full collections


class GuiThreadCollector(QObject):
    """Switches automatic collection off and collects from a timer in this (the GUI) thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.collections = 0  # how many times a generation was collected (tests)
        self._last_full = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        gc.disable()
        self._timer.start()

    def collect_due(self) -> None:
        """Collect the oldest generation whose count has passed its threshold (and the younger ones with it).

        A full collection walks every object of the process (tens of ms with the charts loaded), so it runs at
        most once per FULL_EVERY_S, like the interpreter's own rule that keeps full collections rare."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        due = -1
        for generation in range(3):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                due = generation
            else:
                break
        if due == 2 and time.monotonic() - self._last_full < FULL_EVERY_S:
            due = 1
        if due >= 0:
            gc.collect(due)
            self.collections += 1
            if due == 2:
                self._last_full = time.monotonic()

    def stop(self) -> None:
        """Give collection back to the interpreter (the QApplication is going away)."""
        self._timer.stop()
        gc.enable()


_collector: GuiThreadCollector | None = None


def install() -> GuiThreadCollector:
    """Start the GUI-thread collector once per process (the QApplication must exist)."""
    global _collector
    import shiboken6
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    if _collector is None or not shiboken6.isValid(_collector) or _collector.parent() is not app:
        _collector = GuiThreadCollector(app)
        if app is not None:
            app.aboutToQuit.connect(_collector.stop)
    return _collector
