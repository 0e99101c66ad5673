"""Table columns that fit the table's width: never a horizontal scroll bar (History and Data tables).

Each column has a width that fits its usual content (measured with the table's font on a sample text), names
get the width of the longest loaded name up to a cap (longer ones are elided, the full name is in the tooltip),
and one free-text column (History's error, Data's campaign) takes what is left. When even the narrowest widths
do not fit, the least important columns are hidden until they do (the run's detail pane still shows them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableView

PADDING = 18  # cell margins


@dataclass(frozen=True)
class Column:
    sample: str = ""  # the widest usual content ("2026-11-28 06:00:00"); "" for the stretching column
    cap: int = 0  # > 0: a name column, as wide as its longest loaded text up to `cap` px
    floor: int = 60  # never narrower
    priority: int = 0  # hidden first when nothing else fits: higher numbers first; 0 never
    stretch: bool = False  # takes the rest (exactly one column)
    icon: int = 0  # extra px for a decoration (status icon)
    measure: bool = False  # as wide as its widest loaded text (and `sample`), never narrower: never elided


class ColumnFitter(QObject):
    """Keeps `table`'s columns within its viewport; call `refit()` when the loaded rows change a lot."""

    fitted = Signal()  # after the widths (and hidden columns) changed

    def __init__(self, table: QTableView, columns: Sequence[Column],
                 texts: Callable[[int], list[str]] | None = None) -> None:
        super().__init__(table)
        self.table = table
        self.columns = tuple(columns)
        self.texts = texts  # column -> loaded texts of a name column (a sample is enough)
        self.hidden: set[int] = set()
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(24)
        for column, spec in enumerate(self.columns):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if spec.stretch
                                        else QHeaderView.ResizeMode.Fixed)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.viewport().installEventFilter(self)
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self.refit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._later.start()
        return False

    def schedule(self) -> None:
        self._later.start()

    def stop(self) -> None:
        self._later.stop()

    def _width(self, column: int) -> tuple[int, int]:
        """(preferred, floor) of one column in px."""
        spec = self.columns[column]
        metrics = self.table.fontMetrics()
        header_metrics = self.table.horizontalHeader().fontMetrics()
        title = self.table.model().headerData(column, Qt.Orientation.Horizontal) if self.table.model() else ""
        head = header_metrics.horizontalAdvance(str(title or "")) + PADDING
        if spec.stretch:
            return spec.floor, spec.floor
        if spec.cap:
            texts = self.texts(column) if self.texts else []
            widest = max((metrics.horizontalAdvance(t) for t in texts[:400]), default=0)
            wanted = max(widest + PADDING + spec.icon, metrics.horizontalAdvance(spec.sample) + PADDING)
            return min(spec.cap, max(wanted, spec.floor, min(head, spec.cap))), spec.floor
        body = metrics.horizontalAdvance(spec.sample) + PADDING + spec.icon
        if spec.measure and self.texts:
            bold = self.table.font()
            bold.setBold(True)  # totals rows are bold
            widest = max((QFontMetrics(bold).horizontalAdvance(t) for t in self.texts(column)[:400]), default=0)
            body = max(body, widest + PADDING + spec.icon)
        return max(body, min(head, body + 40), spec.floor), max(spec.floor, body)

    def refit(self) -> None:
        table = self.table
        if table.model() is None:
            return
        available = table.viewport().width()
        if available <= 0:
            return
        sizes = {column: self._width(column) for column in range(len(self.columns))}
        visible = list(range(len(self.columns)))
        by_priority = sorted((c for c, s in enumerate(self.columns) if s.priority), key=lambda c:
                             -self.columns[c].priority)

        def floors(columns: list[int]) -> int:
            return sum(sizes[c][1] if self.columns[c].cap or self.columns[c].stretch else sizes[c][0]
                       for c in columns)

        for column in by_priority:  # hide the least important until the narrowest widths fit
            if floors(visible) <= available:
                break
            visible.remove(column)
        header = table.horizontalHeader()
        for column in range(len(self.columns)):
            header.setSectionHidden(column, column not in visible)
        self.hidden = {c for c in range(len(self.columns)) if c not in visible}
        fixed = [c for c in visible if not self.columns[c].cap and not self.columns[c].stretch]
        names = [c for c in visible if self.columns[c].cap]
        stretch_floor = sum(sizes[c][0] for c in visible if self.columns[c].stretch)
        left = available - sum(sizes[c][0] for c in fixed) - stretch_floor
        wanted = sum(sizes[c][0] for c in names)
        for column in fixed:
            header.resizeSection(column, sizes[column][0])
        for column in names:
            preferred, floor = sizes[column]
            # too little room: share what is left in proportion, never below the floor
            width = preferred if wanted <= left or not wanted else max(floor, int(left * preferred / wanted))
            header.resizeSection(column, width)
        self.fitted.emit()
