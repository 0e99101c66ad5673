"""A grid that reflows its cards to the width it gets (4 -> 2 -> 1 columns, say) instead of asking for more: it
never makes the page scroll sideways. With `span_last`, an incomplete last row's last card spans the columns
left (three charts in two columns)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLayout, QWidget


class ReflowGrid(QWidget):
    def __init__(self, min_column: int, columns: Sequence[int] = (4, 2, 1), spacing: int = 8,
                 name: str = "Cards", span_last: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.span_last = span_last
        self.setAccessibleName(name)
        self.min_column = min_column
        self.allowed = sorted(set(columns) | {1}, reverse=True)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(spacing)
        self.grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # the width is ours to fit
        self.items: list[QWidget] = []
        self.columns = 0

    def set_widgets(self, widgets: Sequence[QWidget]) -> None:
        if list(widgets) == self.items:
            return
        for widget in self.items:
            if widget not in widgets:
                self.grid.removeWidget(widget)
                widget.hide()  # still ours (a card's hidden button), but no longer in the grid
        self.items = list(widgets)
        for widget in self.items:
            if widget.parent() is not self:
                widget.setParent(self)
            widget.show()
        self._layout(self.columns_for(self.width()), force=True)

    def columns_for(self, width: int) -> int:
        need = max([self.min_column, *(w.minimumSizeHint().width() for w in self.items)])
        spacing = self.grid.spacing()
        for count in self.allowed:
            if count * need + (count - 1) * spacing <= width:
                return min(count, max(1, len(self.items))) if count > 1 else 1
        return 1

    def _layout(self, columns: int, force: bool = False) -> None:
        if columns == self.columns and not force:
            return
        self.columns = columns
        for widget in self.items:
            self.grid.removeWidget(widget)
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 0)
        for index, widget in enumerate(self.items):
            row, column = divmod(index, columns)
            last = index == len(self.items) - 1
            span = columns - column if last and self.span_last else 1
            self.grid.addWidget(widget, row, column, 1, span)
        for column in range(columns):
            self.grid.setColumnStretch(column, 1)
        self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout(self.columns_for(event.size().width()))

    def minimumSizeHint(self) -> QSize:
        height = self.grid.minimumSize().height() if self.items else 0
        return QSize(self.min_column, height)

    def sizeHint(self) -> QSize:
        return QSize(self.min_column, self.grid.sizeHint().height() if self.items else 0)

    def hasHeightForWidth(self) -> bool:
        return self.grid.hasHeightForWidth()

    def heightForWidth(self, width: int) -> int:
        return self.grid.heightForWidth(width)
