"""The dashboard's pyqtgraph charts: runs per day stacked by outcome, average duration per day, rows per day.

Every chart plots exactly the series the services computed (services.metrics.chart_series); a day without runs is a
zero bar or a gap in the duration line, never an invented value. Hovering a day shows its numbers in the
card's header line. Colours follow the palette (plot background = base, axes = text).

pyqtgraph (and numpy with it) is imported when a chart's plot is first needed - when the Dashboard's first data
arrives from its worker, after the window's first frame - so opening the window never waits for it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QStackedWidget, QWidget

from autosync_desktop.domain import ChartSeries, RunStatus
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.widgets.card import Card, muted
from autosync_desktop.gui.widgets.empty_state import EmptyState

if TYPE_CHECKING:
    import pyqtgraph as pg

# stacking order (bottom to top) and the statuses each band adds up
BANDS: tuple[tuple[str, tuple[RunStatus, ...]], ...] = (
    ("succeeded", (RunStatus.SUCCEEDED,)), ("failed", (RunStatus.FAILED, RunStatus.INTERRUPTED)),
    ("cancelled", (RunStatus.CANCELLED,)), ("skipped", (RunStatus.SKIPPED,)),
    ("running", (RunStatus.RUNNING, RunStatus.QUEUED)))


class ChartCard(Card):
    """A titled card holding one plot, its hover read-out and an empty state."""

    def __init__(self, title: str, empty_text: str = "No runs yet", parent: QWidget | None = None) -> None:
        super().__init__(title, parent, accessible=f"{title} chart")
        self.hover = muted("Hover a day for its values", f"{title} values")
        self.hover.setWordWrap(False)
        self.outer.addWidget(self.hover)
        self.setMaximumHeight(215)
        self.chart_name = title
        self.empty = EmptyState(empty_text, name=f"{title} empty state")
        self.stack = QStackedWidget()
        self.stack.addWidget(QWidget())  # blank until the first data (neither a plot nor a false "No runs yet")
        self.stack.addWidget(self.empty)
        self.outer.addWidget(self.stack, 1)
        self.days: list[str] = []
        self._plot: pg.PlotWidget | None = None

    @property
    def plot(self) -> pg.PlotWidget:
        """The pyqtgraph plot, created (and pyqtgraph imported) on first use."""
        if self._plot is None:
            self._plot = self._make_plot()
        return self._plot

    def has_plot(self) -> bool:
        return self._plot is not None

    def _make_plot(self) -> pg.PlotWidget:
        import pyqtgraph as pg

        pg.setConfigOptions(antialias=True)
        title = self.chart_name
        palette = QApplication.palette()
        plot = pg.PlotWidget(background=palette.color(QPalette.ColorRole.Base))
        plot.setAccessibleName(f"{title} plot")
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMinimumHeight(120)
        text = palette.color(QPalette.ColorRole.Text)
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            axis.setPen(pg.mkPen(theme.muted_color()))
            axis.setTextPen(pg.mkPen(text))
        plot.getAxis("left").setWidth(44)
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.showGrid(x=False, y=True, alpha=0.15)
        self.stack.insertWidget(0, plot)
        self.hover_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(theme.muted_color(), style=Qt.PenStyle.DashLine))
        self.hover_line.hide()
        plot.addItem(self.hover_line, ignoreBounds=True)
        plot.scene().sigMouseMoved.connect(self._moved)
        self._add_items(plot)
        return plot

    def _add_items(self, plot: pg.PlotWidget) -> None:
        """Items a chart keeps for its whole life (a curve, a bar set), added when the plot is created."""

    def _axis(self, days: Sequence[str]) -> None:
        self.days = list(days)
        step = max(1, math.ceil(len(days) / 6))
        ticks = [(i, d[5:]) for i, d in enumerate(days) if (len(days) - 1 - i) % step == 0]
        self.plot.getAxis("bottom").setTicks([ticks])
        self.plot.setXRange(-0.6, len(days) - 0.4, padding=0)

    def _moved(self, pos: QPointF) -> None:
        if not self.days or self._plot is None or not self.plot.sceneBoundingRect().contains(pos):
            return
        x = self.plot.getPlotItem().vb.mapSceneToView(pos).x()
        index = round(x)
        if 0 <= index < len(self.days):
            self.hover_line.setPos(index)
            self.hover_line.show()
            self.hover.setText(self.describe(index))

    def show_day(self, index: int) -> str:
        """The hover text for day `index` (also what tests call instead of moving a mouse)."""
        text = self.describe(index)
        self.hover.setText(text)
        return text

    def describe(self, index: int) -> str:
        return self.days[index]

    def set_empty(self, empty: bool) -> None:
        self.stack.setCurrentWidget(self.empty if empty else self.plot)

    def integer_ticks(self, top: float) -> None:
        """Whole-number ticks for counts (no '0.2 runs')."""
        step = max(1, math.ceil(top / 5))
        magnitude = 10 ** max(0, len(str(step)) - 1)
        step = math.ceil(step / magnitude) * magnitude
        self.plot.getAxis("left").setTickSpacing(step, step)


class RunsChart(ChartCard):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Runs per day", parent=parent)
        self.per_day: list[Mapping[RunStatus, int]] = []
        self.legend = QLabel()
        self.legend.setAccessibleName("Runs per day legend")
        self.outer.insertWidget(1, self.legend)

    def update_series(self, days: Sequence[str], per_day: Sequence[Mapping[RunStatus, int]]) -> None:
        import pyqtgraph as pg

        self.per_day = list(per_day)
        for item in [i for i in self.plot.items() if isinstance(i, pg.BarGraphItem)]:
            self.plot.removeItem(item)
        self._axis(days)
        base = [0.0] * len(days)
        shown = []
        for band, statuses in BANDS:
            heights = [float(sum(day.get(s, 0) for s in statuses)) for day in per_day]
            if not any(heights):
                continue
            color = QColor(theme.CHART[band])
            drawn = [i for i, h in enumerate(heights) if h]  # no zero-height stubs on empty days
            bars = pg.BarGraphItem(x=drawn, height=[heights[i] for i in drawn], y0=[base[i] for i in drawn],
                                   width=0.7, brush=color, pen=pg.mkPen(color.darker(115)))
            self.plot.addItem(bars)
            shown.append(f'<span style="color:{color.name()}">■</span> {band}')
            base = [b + h for b, h in zip(base, heights, strict=True)]
        top = max(base, default=1) or 1
        self.plot.setYRange(0, top * 1.15, padding=0)
        self.integer_ticks(top)
        self.legend.setText("&nbsp;&nbsp;".join(shown))
        self.set_empty(not any(base))

    def describe(self, index: int) -> str:
        day = self.per_day[index] if index < len(self.per_day) else {}
        parts = [f"{sum(day.get(s, 0) for s in statuses)} {band}" for band, statuses in BANDS
                 if sum(day.get(s, 0) for s in statuses)]
        return f"{self.days[index]}: {', '.join(parts) if parts else 'no runs'}"


class DurationChart(ChartCard):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Average duration per day", parent=parent)
        self.values: list[float | None] = []

    def _add_items(self, plot: pg.PlotWidget) -> None:
        import pyqtgraph as pg

        color = QColor(theme.CHART["line"])
        self.curve = plot.plot([], [], pen=pg.mkPen(color, width=2), symbol="o", symbolSize=6,
                               symbolBrush=color, symbolPen=color, connect="finite")

    def update_series(self, days: Sequence[str], values: Sequence[float | None]) -> None:
        self.values = list(values)
        self._axis(days)
        ys = [math.nan if v is None else float(v) for v in values]
        finite = [y for y in ys if not math.isnan(y)]
        if finite:
            self.curve.setData(list(range(len(days))), ys, connect="finite")
        else:
            self.curve.setData([], [])
        self.plot.setYRange(0, (max(finite) * 1.25) if finite and max(finite) > 0 else 1, padding=0)
        self.set_empty(not finite)

    def describe(self, index: int) -> str:
        value = self.values[index] if index < len(self.values) else None
        return f"{self.days[index]}: " + ("no finished runs" if value is None else
                                          f"average {fmt.fmt_duration(value)}")


class RowsChart(ChartCard):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Rows written per day", parent=parent)
        self.values: list[int] = []

    def _add_items(self, plot: pg.PlotWidget) -> None:
        import pyqtgraph as pg

        color = QColor(theme.CHART["rows"])
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=color, pen=pg.mkPen(color.darker(115)))
        plot.addItem(self.bars)

    def update_series(self, days: Sequence[str], values: Sequence[int]) -> None:
        self.values = [int(v) for v in values]
        self._axis(days)
        drawn = [i for i, v in enumerate(self.values) if v]
        self.bars.setOpts(x=drawn, height=[self.values[i] for i in drawn], width=0.7)
        top = max(self.values, default=0) or 1
        self.plot.setYRange(0, top * 1.15, padding=0)
        self.integer_ticks(top)
        self.set_empty(not any(self.values))

    def describe(self, index: int) -> str:
        value = self.values[index] if index < len(self.values) else 0
        return f"{self.days[index]}: {fmt.fmt_int(value)} rows"


def chart_title_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    label.setAccessibleName(text)
    return label


def apply_series(runs: RunsChart, duration: DurationChart, rows: RowsChart, charts: ChartSeries) -> None:
    days = [d.day.isoformat() for d in charts.days]
    runs.update_series(days, [d.runs_by_status for d in charts.days])
    duration.update_series(days, [d.avg_duration_s for d in charts.days])
    rows.update_series(days, [d.rows for d in charts.days])
