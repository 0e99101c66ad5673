"""The Insights page's charts: the period's runs per hour (24h) or day (7d, 30d), from `services.insights.series`.

Four cards on the Dashboard's chart card and QPainter surface (dashboard/charts.py `ChartCard`, bar_plot.py
`BarPlot`; no plotting library): runs succeeded and failed (stacked), the slowest runs (p95 duration), API calls,
and the time spent waiting on rate limits. Every axis is titled with its unit, the time axis with the display zone
in words ("day (Berlin)", "hour (UTC)"); hovering a slot shows its values (tooltip and the card's read-out line).
A slot without runs is an empty slot; a wait nobody measured (runs stored before schema v9) is a hatched gap
(`unmeasured_note()`: the line the page shows under the charts then), never a 0 bar. The first and last slots
are clipped to the period: their read-out says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from PySide6.QtWidgets import QLabel, QWidget

from autosync_desktop.domain import InsightSeries, InsightSlot
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.dashboard import text as words
from autosync_desktop.gui.dashboard.bar_plot import Bar
from autosync_desktop.gui.dashboard.charts import ChartCard, count_ticks
from autosync_desktop.gui.dashboard.elided import ElidedLabel

PLOT_MIN_HEIGHT = 140  # px: four cards in a row above the tables at 1024x640
LABEL_WIDTH_PX = {"day": 64, "hour": 52}  # room one "Nov 22" / "14:00" needs on the time axis, with a gap
UNIT_WORDS = {"s": "seconds", "min": "minutes", "h": "hours"}


def slot_label(start: datetime, step: str) -> str:
    """The time axis's label: "Nov 22" for a day; "14:00" for an hour ("Nov 22" at midnight)."""
    if step == "day" or start.hour == 0:
        return words.day_label(start.date())
    return f"{start.hour:02d}:00"


def slot_words(slot: InsightSlot, step: str, offset_minutes: int) -> str:
    """ "Nov 22", "Nov 22, 14:00–15:00"; a slot clipped to the period adds "(from 09:00)" / "(until 09:00)"."""
    offset = timedelta(minutes=offset_minutes)
    width = timedelta(hours=1) if step == "hour" else timedelta(days=1)
    start, end = slot.start, slot.start + width
    since = slot.since.replace(tzinfo=None) + offset
    until = slot.until.replace(tzinfo=None) + offset
    text = words.day_label(start.date())
    if step == "hour":
        text += f", {start:%H:%M}–{end:%H:%M}"
    if since > start:
        text += f" (from {since:%H:%M})"
    if until < end:
        text += f" (until {until:%H:%M})"
    return text


def slot_ticks(labels: Sequence[str], width_px: int, label_px: int) -> list[tuple[int, str]]:
    """As many labels as fit `width_px`, evenly spaced, always the last."""
    if not labels:
        return []
    step = max(1, math.ceil(len(labels) / max(2, width_px // label_px)))
    return [(i, label) for i, label in enumerate(labels) if (len(labels) - 1 - i) % step == 0]


def axis_title(step: str) -> str:
    """ "day (Berlin)", "hour (UTC)": the display zone as people name it."""
    return f"{step} ({fmt.zone_words(fmt.zone_label())})"


class SlotChart(ChartCard):
    """A ChartCard over the series' hours or days (every slot drawn, oldest first)."""

    title_of = "{} per {}"  # formatted with (what, "day"/"hour")
    what = ""

    caption = ""  # one line under the title (what the figure means), so every card's plot starts at one height

    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(self.title_of.format(self.what, "day"), empty_text=empty_text, parent=parent)
        if self.caption:
            self.caption_label = ElidedLabel(self.caption, name=f"{self.what} caption", role="muted")
            self.outer.insertWidget(1, self.caption_label)
        self.plot.setMinimumHeight(PLOT_MIN_HEIGHT)
        self.setMaximumHeight(300)
        self.slots: list[InsightSlot] = []
        self.step = "day"
        self.offset = 0
        self.labels: list[str] = []

    def _slots_axis(self, series: InsightSeries) -> None:
        self.slots = list(series.slots)
        self.step, self.offset = series.step, series.utc_offset_minutes
        self.labels = [slot_label(s.start, self.step) for s in self.slots]
        self.days = [s.start.isoformat() for s in self.slots]  # ChartCard's hover range
        self.first = 0
        title = self.title_of.format(self.what, self.step)
        self.title.setText(title)
        self.hover.setText(f"Hover {'an hour' if self.step == 'hour' else 'a day'} for its values")
        self.plot.set_x_range(-0.6, len(self.slots) - 0.4)
        self.plot.set_titles(x_title=axis_title(self.step))
        self._day_ticks()

    def _day_ticks(self) -> None:
        self.plot.set_x_ticks(self._ticks())

    def _ticks(self) -> list[tuple[int, str]]:
        return slot_ticks(self.labels, self.plot.axis_width(), LABEL_WIDTH_PX.get(self.step, 64))

    def day_tick_labels(self) -> list[str]:
        return [label for _, label in self._ticks()]

    def day_words(self, index: int) -> str:
        if 0 <= index < len(self.slots):
            return slot_words(self.slots[index], self.step, self.offset)
        return ""

    def update_series(self, series: InsightSeries) -> None:
        raise NotImplementedError

    def bar_count(self) -> int:
        """Slots with a bar drawn (tests)."""
        return len({bar.x for bar in self.plot.bars})


class RunsSlotChart(SlotChart):
    what = "Runs"
    y_title = "runs"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("No finished runs", parent)
        self.legend = QLabel()
        self.legend.setAccessibleName("Runs legend")
        self.legend.setText("&nbsp;&nbsp; ".join(f'<span style="color:{theme.CHART[band]}">■</span> {band}'
                                                  for band in ("succeeded", "failed")))
        self.outer.insertWidget(1, self.legend)

    def update_series(self, series: InsightSeries) -> None:
        self._slots_axis(series)
        bars: list[Bar] = []
        for i, s in enumerate(self.slots):
            if s.succeeded:
                bars.append(Bar(i, 0.0, float(s.succeeded), theme.CHART["succeeded"]))
            if s.failed:
                bars.append(Bar(i, float(s.succeeded), float(s.failed), theme.CHART["failed"]))
        self.plot.set_bars(bars)
        top = max((s.succeeded + s.failed for s in self.slots), default=0)
        self._y_ticks(*count_ticks(top or 1))
        self.set_empty(not top)

    def describe(self, index: int) -> str:
        s = self.slots[index]
        other = s.runs - s.succeeded - s.failed
        more = f", {other:,} cancelled, skipped or running" if other else ""
        return f"{self.day_words(index)}: {s.succeeded:,} succeeded, {s.failed:,} failed{more}"


class SlowestChart(SlotChart):
    what = "Slowest runs (p95)"
    y_title = "seconds"
    caption = "95 % of runs took at most this"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("No finished runs", parent)

    def update_series(self, series: InsightSeries) -> None:
        self._slots_axis(series)
        values = [s.p95_duration_s for s in self.slots]
        top = max((v for v in values if v is not None), default=0.0)
        unit, scale = words.duration_unit(top)
        unit, scale = ("s", 1.0) if unit == "ms" else (unit, scale)
        self.plot.set_titles(y_title=UNIT_WORDS[unit])
        # a run of a few milliseconds still gets a visible bar (its value is in the tooltip)
        self.plot.set_bars([Bar(i, 0.0, max(v / scale, top / scale / 50), theme.CHART["line"])
                            for i, v in enumerate(values) if v is not None])
        self._y_ticks(*count_ticks(top / scale if top > 0 else 1))
        self.set_empty(all(v is None for v in values))

    def describe(self, index: int) -> str:
        value = self.slots[index].p95_duration_s
        return f"{self.day_words(index)}: " + ("no finished runs" if value is None else
                                                f"95 % done within {fmt.duration(value)}")


class CallsChart(SlotChart):
    what = "API calls"
    y_title = "calls per day"
    caption = "Requests to the ad platforms"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("No API calls", parent)

    def update_series(self, series: InsightSeries) -> None:
        self._slots_axis(series)
        self.plot.set_titles(y_title=f"calls per {self.step}")
        self.plot.set_bars([Bar(i, 0.0, float(s.api_calls), theme.CHART["rows"])
                            for i, s in enumerate(self.slots) if s.api_calls])
        top = max((s.api_calls for s in self.slots), default=0)
        self._y_ticks(*count_ticks(top or 1))
        self.set_empty(not top)

    def describe(self, index: int) -> str:
        calls = self.slots[index].api_calls
        return f"{self.day_words(index)}: {calls:,} API call{'' if calls == 1 else 's'}"


class WaitChart(SlotChart):
    what = "Rate-limit wait"
    y_title = "minutes"
    caption = "Paused for request limits"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("No time spent waiting on rate limits", parent)

    def gaps(self) -> list[int]:
        """Slots with runs whose wait nobody measured (unknown: a hatched gap)."""
        return [i for i, s in enumerate(self.slots) if s.runs and s.rate_limit_wait_s is None]

    def update_series(self, series: InsightSeries) -> None:
        self._slots_axis(series)
        values = [s.rate_limit_wait_s for s in self.slots]
        top = max((v for v in values if v is not None), default=0.0)
        unit, scale = ("min", 60.0) if top < 2 * 3600 else ("h", 3600.0)
        self.plot.set_titles(y_title=UNIT_WORDS[unit])
        self.plot.set_bars([Bar(i, 0.0, max(v / scale, top / scale / 50), theme.CHART["skipped"])
                            for i, v in enumerate(values) if v])
        gaps = self.gaps()
        self.plot.set_gaps(gaps)
        self._y_ticks(*count_ticks(top / scale if top > 0 else 1))
        self.set_empty(not top and not gaps)

    def describe(self, index: int) -> str:
        s = self.slots[index]
        if not s.runs:
            return f"{self.day_words(index)}: no runs"
        unmeasured = s.wait_unrecorded_runs
        if s.rate_limit_wait_s is None:
            return f"{self.day_words(index)}: unknown ({unmeasured:,} run{'' if unmeasured == 1 else 's'} saved " \
                   "before waits were measured)"
        more = f" ({unmeasured:,} more run{'' if unmeasured == 1 else 's'} not measured)" if unmeasured else ""
        return f"{self.day_words(index)}: {fmt.duration(s.rate_limit_wait_s)} waiting{more}"


UNMEASURED_NOTE = ("Hatched in “Rate-limit wait”: runs saved before AutoSync measured rate-limit waits; their wait "
                   "is unknown, not zero.")


def unmeasured_note(series: InsightSeries) -> str:
    """The line under the charts when some runs' waits were never measured ("" when all were)."""
    return UNMEASURED_NOTE if any(s.wait_unrecorded_runs for s in series.slots) else ""
