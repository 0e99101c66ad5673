"""The dashboard's charts: runs per day stacked by outcome, average duration per day, rows per day.

Every chart plots exactly the series the services computed (services.metrics.chart_series); a day without runs is
an empty slot, never an invented value. Axes have titles with units, counts read "250k" / "1.2M", days read
"Nov 22" (as many as fit the width); hovering a day shows its numbers in a tooltip and in the card's read-out
line. All three are bar charts, so one day of data is a bar, not a lone dot; while the data covers fewer than
three days only the last three days are drawn (wide bars instead of a sliver at the end of two empty weeks).
Colours follow the palette (plot background = base, axes = muted, labels = text).

The plots are painted with QPainter (bar_plot.py): no plotting library (pyqtgraph pulled in numpy and every Qt
type, ~200 ms) is imported before the populated Dashboard's first paint, nor after it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date

from PySide6.QtGui import QCursor, QResizeEvent
from PySide6.QtWidgets import QLabel, QStackedWidget, QToolTip, QWidget

from autosync_desktop.domain import ChartSeries, RunStatus
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.dashboard import text as words
from autosync_desktop.gui.dashboard.bar_plot import Bar, BarPlot
from autosync_desktop.gui.dashboard.elided import ElidedLabel
from autosync_desktop.gui.widgets.card import Card
from autosync_desktop.gui.widgets.empty_state import EmptyState

# stacking order (bottom to top) and the statuses each band adds up
BANDS: tuple[tuple[str, tuple[RunStatus, ...]], ...] = (
    ("succeeded", (RunStatus.SUCCEEDED,)), ("failed", (RunStatus.FAILED, RunStatus.INTERRUPTED)),
    ("cancelled", (RunStatus.CANCELLED,)), ("skipped", (RunStatus.SKIPPED,)),
    ("running", (RunStatus.RUNNING, RunStatus.QUEUED)))
MIN_DAYS_SHOWN = 3
LABEL_WIDTH_PX = 64  # room one "Nov 22" needs on the day axis, with a gap to the next


def day_axis_title() -> str:
    """ "day (UTC)", "day (Berlin)": the display zone as people name it, never an IANA key like "Etc/UTC"."""
    return f"day ({fmt.zone_words(fmt.zone_label())})"


def day_ticks(days: Sequence[date], first: int, width_px: int) -> list[tuple[int, str]]:
    """Ticks for the day axis from index `first`: as many "Nov 22" labels as fit `width_px`, always the last."""
    shown = len(days) - first
    if shown <= 0:
        return []
    fit = max(2, width_px // LABEL_WIDTH_PX)
    step = max(1, math.ceil(shown / fit))
    return [(i, words.day_label(days[i])) for i in range(first, len(days)) if (len(days) - 1 - i) % step == 0]


def count_ticks(top: float) -> tuple[list[tuple[float, str]], float]:
    """Whole-number ticks from 0 with SI labels ("250k"), and the axis maximum."""
    step = max(1.0, words.nice_step(top))
    count = max(1, math.ceil(top / step))
    return [(i * step, words.si(i * step)) for i in range(count + 1)], count * step


def first_shown(has_data: Sequence[bool]) -> int:
    """The first day index drawn: all days, or only the last three while the data covers fewer than three."""
    with_data = [i for i, has in enumerate(has_data) if has]
    if with_data and with_data[0] >= len(has_data) - MIN_DAYS_SHOWN:
        return max(0, len(has_data) - MIN_DAYS_SHOWN)
    return 0


class ChartCard(Card):
    """A titled card holding one plot, its hover read-out and an empty state."""

    y_title = "count"

    def __init__(self, title: str, empty_text: str = "No runs yet", parent: QWidget | None = None) -> None:
        super().__init__(title, parent, accessible=f"{title} chart")
        self.hover = ElidedLabel("Hover a day for its values", name=f"{title} values", role="muted")
        self.outer.addWidget(self.hover)
        self.setMaximumHeight(340)
        self.chart_name = title
        self.empty = EmptyState(empty_text, name=f"{title} empty state")
        self.plot = BarPlot(f"{title} plot", self.y_title, day_axis_title())
        self.plot.hovered.connect(self._hovered)
        self.stack = QStackedWidget()
        self.stack.addWidget(QWidget())  # blank until the first data (neither a plot nor a false "No runs yet")
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.plot)
        self.outer.addWidget(self.stack, 1)
        self.days: list[str] = []
        self.dates: list[date] = []
        self.first = 0
        self.y_labels: list[str] = []

    def _axis(self, days: Sequence[str], has_data: Sequence[bool], first: int | None) -> None:
        self.days = list(days)
        self.dates = [date.fromisoformat(d) for d in days]
        self.first = first_shown(has_data) if first is None else first
        self.plot.set_x_range(self.first - 0.6, len(days) - 0.4)
        self.plot.set_titles(x_title=day_axis_title())
        self._day_ticks()

    def _day_ticks(self) -> None:
        if self.dates:
            self.plot.set_x_ticks(day_ticks(self.dates, self.first, self.plot.axis_width()))

    def day_tick_labels(self) -> list[str]:
        """The day labels the bottom axis shows now (tests)."""
        return [label for _, label in day_ticks(self.dates, self.first, self.plot.axis_width())]

    def _y_ticks(self, ticks: list[tuple[float, str]], top: float) -> None:
        self.plot.set_y(ticks, top * 1.08)
        self.y_labels = [label for _, label in ticks]
        self._day_ticks()  # the y labels' width changes the day axis's length

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._day_ticks()

    def _hovered(self, index: int) -> None:
        if self.first <= index < len(self.days):
            QToolTip.showText(QCursor.pos(), self.show_day(index), self.plot)

    def show_day(self, index: int) -> str:
        """The hover text for day `index` (also what tests call instead of moving a mouse)."""
        text = self.describe(index)
        self.hover.setText(text)
        return text

    def day_words(self, index: int) -> str:
        return words.day_label(self.dates[index]) if 0 <= index < len(self.dates) else ""

    def describe(self, index: int) -> str:
        return self.day_words(index)

    def set_empty(self, empty: bool) -> None:
        self.stack.setCurrentWidget(self.empty if empty else self.plot)
        self.hover.setVisible(not empty)  # no "Hover a day" over nothing to hover
        # what a screen reader says for the chart: every drawn day's values (the mouse's tooltips, in words)
        self.setAccessibleDescription(self.empty.text() if empty else
                                      "; ".join(self.describe(i) for i in range(self.first, len(self.days))))

    def set_empty_text(self, text: str) -> None:
        self.empty.setText(text)
        if self.stack.currentWidget() is self.empty:
            self.setAccessibleDescription(text)


class RunsChart(ChartCard):
    y_title = "runs"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Runs per day", parent=parent)
        self.per_day: list[Mapping[RunStatus, int]] = []
        self.legend = QLabel()
        self.legend.setAccessibleName("Runs per day legend")
        self.legend.setWordWrap(True)
        self.outer.insertWidget(1, self.legend)

    def update_series(self, days: Sequence[str], per_day: Sequence[Mapping[RunStatus, int]],
                      first: int | None = None) -> None:
        self.per_day = list(per_day)
        totals = [sum(day.values()) for day in per_day]
        self._axis(days, [bool(t) for t in totals], first)
        base = [0.0] * len(days)
        shown = []
        bars: list[Bar] = []
        for band, statuses in BANDS:
            heights = [float(sum(day.get(s, 0) for s in statuses)) for day in per_day]
            if not any(heights):
                continue
            color = theme.CHART[band]
            # no zero-height stubs on empty days
            bars.extend(Bar(i, base[i], h, color) for i, h in enumerate(heights) if h)
            shown.append(f'<span style="color:{color}">■</span> {band}')
            base = [b + h for b, h in zip(base, heights, strict=True)]
        self.plot.set_bars(bars)
        self._y_ticks(*count_ticks(max(base, default=1) or 1))
        self.legend.setText("&nbsp;&nbsp; ".join(shown))
        self.set_empty(not any(base))

    def describe(self, index: int) -> str:
        day = self.per_day[index] if index < len(self.per_day) else {}
        parts = [f"{sum(day.get(s, 0) for s in statuses):,} {band}" for band, statuses in BANDS
                 if sum(day.get(s, 0) for s in statuses)]
        return f"{self.day_words(index)}: {', '.join(parts) if parts else 'no runs'}"


class DurationChart(ChartCard):
    y_title = "seconds"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Average duration per day", parent=parent)
        self.values: list[float | None] = []
        self.unit = "s"

    def update_series(self, days: Sequence[str], values: Sequence[float | None], first: int | None = None) -> None:
        self.values = list(values)
        self._axis(days, [v is not None for v in values], first)
        finite = [float(v) for v in values if v is not None]
        top = max(finite, default=0.0)
        self.unit, scale = words.duration_unit(top)
        self.plot.set_titles(y_title={"ms": "milliseconds", "s": "seconds", "min": "minutes", "h": "hours"}[self.unit])
        drawn = [i for i, v in enumerate(values) if v is not None]
        # a run of a few milliseconds still gets a visible bar (its value is in the tooltip)
        heights = [max(float(values[i] or 0) / scale, top / scale / 50) for i in drawn]
        self.plot.set_bars([Bar(i, 0.0, h, theme.CHART["line"]) for i, h in zip(drawn, heights, strict=True)])
        ticks, axis_top = count_ticks(top / scale if top > 0 else 1)
        self._y_ticks(ticks, axis_top)
        self.set_empty(not finite)

    def describe(self, index: int) -> str:
        value = self.values[index] if index < len(self.values) else None
        return f"{self.day_words(index)}: " + ("no finished runs" if value is None else
                                                f"average {fmt.fmt_duration(value)}")


class RowsChart(ChartCard):
    y_title = "rows"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Rows written per day", parent=parent)
        self.values: list[int] = []

    def update_series(self, days: Sequence[str], values: Sequence[int], first: int | None = None) -> None:
        self.values = [int(v) for v in values]
        self._axis(days, [bool(v) for v in self.values], first)
        self.plot.set_bars([Bar(i, 0.0, float(v), theme.CHART["rows"]) for i, v in enumerate(self.values) if v])
        self._y_ticks(*count_ticks(max(self.values, default=0) or 1))
        self.set_empty(not any(self.values))

    def describe(self, index: int) -> str:
        value = self.values[index] if index < len(self.values) else 0
        return f"{self.day_words(index)}: {fmt.fmt_int(value)} rows"


def apply_series(runs: RunsChart, duration: DurationChart, rows: RowsChart, charts: ChartSeries) -> int:
    """Plot the series; the three charts share one day axis. Returns how many days are drawn."""
    days = [d.day.isoformat() for d in charts.days]
    first = first_shown([d.runs > 0 for d in charts.days])
    runs.update_series(days, [d.runs_by_status for d in charts.days], first)
    duration.update_series(days, [d.avg_duration_s for d in charts.days], first)
    rows.update_series(days, [d.rows for d in charts.days], first)
    return len(days) - first
