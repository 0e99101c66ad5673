"""`BarPlot`: the Dashboard charts' drawing surface, painted with QPainter (no plotting library to import, so the
populated Dashboard's first paint never waits for one).

One slot per day on the x axis (indices, shown from `x_range`'s low to high end), bars given as (day, bottom,
height, colour) in y units, a y axis from 0 to `y_top` with labelled ticks and faint grid lines, day labels under
the bars, axis titles with units, and a dashed line on the day under the mouse (`hovered(index)` says which).
Gaps (`set_gaps`) are slots whose value is unknown: drawn hatched over the plot's height, never as a 0 bar.
Colours follow the palette: base background, text for labels, the muted colour for the axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from autosync_desktop.gui import theme

BAR_WIDTH = 0.7  # of a day's slot
TICK_GAP = 6  # px between a tick label and its axis
LABEL_GAP = 12  # px at least between two day labels
MIN_HEIGHT = 190  # px: a plot shorter than this squashes the bars into slivers


@dataclass(frozen=True)
class Bar:
    x: int  # the day's index
    y0: float  # bottom, in y units
    height: float
    color: str  # "#rrggbb"


class BarPlot(QWidget):
    hovered = Signal(int)  # the day index under the mouse (only days within the x range)

    def __init__(self, name: str, y_title: str, x_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setMinimumHeight(MIN_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.y_title = y_title
        self.x_title = x_title
        self.x_range = (-0.6, 0.6)
        self.y_top = 1.0
        self.y_ticks: list[tuple[float, str]] = []
        self.x_ticks: list[tuple[int, str]] = []
        self.bars: list[Bar] = []
        self.gaps: list[int] = []  # slot indices whose value is unknown (hatched, not a bar)
        self.hover_index: int | None = None

    # --- what to draw ---

    def set_titles(self, y_title: str | None = None, x_title: str | None = None) -> None:
        self.y_title = self.y_title if y_title is None else y_title
        self.x_title = self.x_title if x_title is None else x_title
        self.update()

    def set_x_range(self, low: float, high: float) -> None:
        self.x_range = (low, max(high, low + 1e-6))
        self.update()

    def set_y(self, ticks: Sequence[tuple[float, str]], top: float) -> None:
        self.y_ticks = list(ticks)
        self.y_top = top if top > 0 else 1.0
        self.update()

    def set_x_ticks(self, ticks: Sequence[tuple[int, str]]) -> None:
        self.x_ticks = list(ticks)
        self.update()

    def set_bars(self, bars: Sequence[Bar]) -> None:
        self.bars = list(bars)
        self.update()

    def set_gaps(self, indices: Sequence[int]) -> None:
        self.gaps = list(indices)
        self.update()

    # --- geometry ---

    def plot_rect(self) -> QRectF:
        """Where the bars go: the widget less the room of the axes' labels and titles."""
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        labels = max((metrics.horizontalAdvance(label) for _, label in self.y_ticks), default=line)
        left = line + 4 + labels + TICK_GAP
        top, right, bottom = line / 2 + 2, 10.0, 2 * line + TICK_GAP + 2
        return QRectF(left, top, max(10.0, self.width() - left - right), max(10.0, self.height() - top - bottom))

    def axis_width(self) -> int:
        """The day axis's length in px (how many day labels fit)."""
        return int(self.plot_rect().width())

    def _x_px(self, rect: QRectF, x: float) -> float:
        low, high = self.x_range
        return rect.left() + (x - low) / (high - low) * rect.width()

    def _y_px(self, rect: QRectF, y: float) -> float:
        return rect.bottom() - y / self.y_top * rect.height()

    def index_at(self, x_px: float) -> int | None:
        """The day index whose slot holds `x_px`, if it is within the x range."""
        rect = self.plot_rect()
        if not rect.left() <= x_px <= rect.right():
            return None
        low, high = self.x_range
        index = round(low + (x_px - rect.left()) / rect.width() * (high - low))
        return index if low < index < high else None

    # --- mouse ---

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.index_at(event.position().x())
        if index is not None and index != self.hover_index:
            self.hover_index = index
            self.update()
        if index is not None:
            self.hovered.emit(index)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: object) -> None:
        if self.hover_index is not None:
            self.hover_index = None
            self.update()
        super().leaveEvent(event)  # type: ignore[arg-type]

    # --- painting ---

    def x_label_boxes(self) -> list[tuple[str, QRectF]]:
        """The day labels drawn and where: centred under their slots, inside the widget, and a label that would
        come closer than LABEL_GAP px to its right-hand neighbour is left out (the last day always shows)."""
        metrics = QFontMetrics(self.font())
        rect = self.plot_rect()
        boxes: list[tuple[str, QRectF]] = []
        left_edge = float(self.width()) + LABEL_GAP
        for index, label in reversed(self.x_ticks):
            width = metrics.horizontalAdvance(label) + 4
            x = min(max(0.0, self._x_px(rect, index) - width / 2), self.width() - width)
            if x + width + LABEL_GAP > left_edge:
                continue
            boxes.append((label, QRectF(x, rect.bottom() + TICK_GAP / 2, width, metrics.height())))
            left_edge = x
        return boxes[::-1]

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        muted = theme.muted_color(palette)
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        rect = self.plot_rect()
        painter = QPainter(self)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        # grid lines and the y axis's labels
        grid = QColor(text)
        grid.setAlphaF(0.15)
        for value, label in self.y_ticks:
            y = self._y_px(rect, value)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            painter.setPen(text)
            painter.drawText(QRectF(0, y - line / 2, rect.left() - TICK_GAP, line),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        # bars, clipped to the plot
        painter.save()
        painter.setClipRect(rect)
        slot = rect.width() / (self.x_range[1] - self.x_range[0])
        if self.gaps:
            hatch = QColor(muted)
            hatch.setAlphaF(0.55)
            painter.setPen(QPen(hatch, 1, Qt.PenStyle.DotLine))
            painter.setBrush(QBrush(hatch, Qt.BrushStyle.BDiagPattern))
            for index in self.gaps:
                x = self._x_px(rect, index - BAR_WIDTH / 2)
                painter.drawRect(QRectF(x, rect.top(), max(1.0, slot * BAR_WIDTH), rect.height()))
        for bar in self.bars:
            color = QColor(bar.color)
            x = self._x_px(rect, bar.x - BAR_WIDTH / 2)
            top = self._y_px(rect, bar.y0 + bar.height)
            bottom = self._y_px(rect, bar.y0)
            painter.setPen(QPen(color.darker(115), 1))
            painter.setBrush(color)
            painter.drawRect(QRectF(x, top, max(1.0, slot * BAR_WIDTH), max(1.0, bottom - top)))
        if self.hover_index is not None:
            x = self._x_px(rect, self.hover_index)
            painter.setPen(QPen(muted, 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
        painter.restore()
        # axes
        painter.setPen(QPen(muted, 1))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.drawLine(rect.bottomLeft(), rect.topLeft())
        # the day labels, centred under their slots and kept inside the widget
        painter.setPen(text)
        for label, box in self.x_label_boxes():
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        # axis titles
        painter.drawText(QRectF(rect.left(), rect.bottom() + TICK_GAP / 2 + line, rect.width(), line),
                         Qt.AlignmentFlag.AlignCenter, self.x_title)
        painter.translate(line / 2 + 1, rect.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-rect.height() / 2, -line / 2, rect.height(), line), Qt.AlignmentFlag.AlignCenter,
                         self.y_title)
        painter.end()
