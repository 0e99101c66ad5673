"""Loading states: a small indeterminate bar with a word, and an overlay that covers a view while it loads."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget


class BusyIndicator(QWidget):
    """Hidden when idle; 'Loading…' with an animated bar while busy."""

    def __init__(self, text: str = "Loading…", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._bar = QProgressBar()
        self._bar.setRange(0, 0)
        self._bar.setFixedWidth(70)
        self._bar.setMaximumHeight(10)
        self._bar.setTextVisible(False)
        self._bar.setAccessibleName("Loading progress")
        self._label = QLabel(text)
        self._label.setAccessibleName("Loading")
        layout.addWidget(self._bar)
        layout.addWidget(self._label)
        self.setAccessibleName("Loading indicator")
        self._count = 0
        self.setVisible(False)

    def start(self) -> None:
        self._count += 1
        self.setVisible(True)

    def stop(self) -> None:
        self._count = max(0, self._count - 1)
        if not self._count:
            self.setVisible(False)

    def set_busy(self, busy: bool) -> None:
        self._count = 1 if busy else 0
        self.setVisible(busy)

    @property
    def busy(self) -> bool:
        return self._count > 0


class BusyOverlay(QWidget):
    """A translucent cover with a message over `target` (e.g. a table whose first page is loading)."""

    def __init__(self, target: QWidget, text: str = "Loading…") -> None:
        super().__init__(target)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("BusyOverlay { background: palette(window); }")
        self.setAccessibleName("Loading overlay")
        layout = QVBoxLayout(self)
        self.label = QLabel(text)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAccessibleName("Loading message")
        bar = QProgressBar()
        bar.setRange(0, 0)
        bar.setMaximumWidth(160)
        bar.setTextVisible(False)
        bar.setAccessibleName("Loading progress")
        layout.addStretch(1)
        layout.addWidget(self.label, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(bar, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        target.installEventFilter(self)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._cover_parent()
        return False

    def show_over(self, text: str | None = None) -> None:
        if text:
            self.label.setText(text)
        self._cover_parent()
        self.raise_()
        self.show()

    def _cover_parent(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
