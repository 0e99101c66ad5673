"""The Insights page's charts: one chart per series with a slot per hour (24h) or day (7d), bars only where the
seeded runs are, the unmeasured rate-limit wait as a hatched gap (never a 0 bar) with its note, the axes' units and
zone, the plain empty state, and the dark palette painting without error.

The store is tests/test_insights.py's, read at its fixed moment (2026-11-21 08:00 UTC); times shown in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from PySide6.QtWidgets import QApplication

from autosync_desktop.gui import formatting, theme
from autosync_desktop.gui.insights.view import InsightsView
from tests.gui.conftest import wait_idle
from tests.test_insights import NOW, seeded_store

# the seeded runs of the last 24 hours, by how many hours before NOW they were queued (slot index = 24 - hours)
DECIDED_HOURS = {24, 20, 10, 5, 4, 6, 12, 2, 7}  # a succeeded, failed or interrupted run
TIMED_HOURS = DECIDED_HOURS | {3}  # + a cancelled run with a duration (skipped and running runs have none)
CALL_HOURS = TIMED_HOURS | {1}  # + the running run's 3 calls
WAIT_HOURS = {20, 5, 3, 1, 2}  # a wait above 0 s was measured
UNMEASURED_HOURS = {12}  # shop's only run, saved before waits were measured


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:  # overrides conftest's: the insights store, at its moment
    formatting.set_display_zone("UTC")
    yield from seeded_store(tmp_path / "data")


def _slots(hours: set[int]) -> set[int]:
    return {24 - h for h in hours}


def test_a_chart_per_series_with_a_slot_per_hour(open_window: Any) -> None:
    page: InsightsView = open_window(tab="insights").insights
    assert page.has_loaded and page.charts_grid.isVisible() and not page.charts_empty.isVisible()
    assert [c.title.text() for c in page.charts] == [
        "Runs per hour", "Slowest runs (p95) per hour", "API calls per hour", "Rate-limit wait per hour"]
    for chart in page.charts:
        assert len(chart.slots) == 24 and chart.plot.x_range == (-0.6, 23.6), chart.chart_name
        assert chart.plot.x_title == "hour (UTC)" and chart.isVisible()
        assert chart.stack.currentWidget() is chart.plot
    assert page.runs_chart.slots[0].start.hour == 8 and page.runs_chart.slots[-1].start.hour == 7
    assert {bar.x for bar in page.runs_chart.plot.bars} == _slots(DECIDED_HOURS)
    assert {bar.x for bar in page.slowest_chart.plot.bars} == _slots(TIMED_HOURS)
    assert {bar.x for bar in page.calls_chart.plot.bars} == _slots(CALL_HOURS)
    assert {bar.x for bar in page.wait_chart.plot.bars} == _slots(WAIT_HOURS)
    assert page.wait_chart.plot.gaps == sorted(_slots(UNMEASURED_HOURS))  # unknown: a gap, not a 0 bar
    # units on the axes
    assert [c.plot.y_title for c in page.charts] == ["runs", "seconds", "calls per hour", "minutes"]  # p95 up to 100 s
    # 5 h before NOW: acme's failed run (40 s, 10 calls, 12 s waited); stacked: a red band on nothing
    five = 24 - 5
    assert page.runs_chart.show_day(five) == "Nov 21, 03:00–04:00: 0 succeeded, 1 failed"
    assert page.slowest_chart.show_day(five) == "Nov 21, 03:00–04:00: 95 % done within 40 s"
    assert page.calls_chart.show_day(five) == "Nov 21, 03:00–04:00: 10 API calls"
    assert page.wait_chart.show_day(five) == "Nov 21, 03:00–04:00: 12 s waiting"
    assert page.wait_chart.show_day(12) == "Nov 20, 20:00–21:00: unknown (1 run saved before waits were measured)"
    assert page.wait_chart.hover.text().endswith("measured)")
    assert page.charts_note.isVisible() and "unknown, not zero" in page.charts_note.text()


def test_a_week_has_a_slot_per_day(open_window: Any, qtbot: Any) -> None:
    window = open_window(tab="insights")
    page: InsightsView = window.insights
    page.set_period("7d")
    wait_idle(qtbot, window)
    assert page.series is not None and page.series.step == "day"
    for chart in page.charts:
        assert len(chart.slots) == 8 and chart.plot.x_title == "day (UTC)"  # Nov 14 (from 08:00) .. Nov 21
    assert page.runs_chart.title.text() == "Runs per day" and page.calls_chart.plot.y_title == "calls per day"
    assert {bar.x for bar in page.runs_chart.plot.bars} == {6, 7}  # Nov 20 and Nov 21
    assert page.runs_chart.show_day(0) == "Nov 14 (from 08:00): 0 succeeded, 0 failed"
    assert page.runs_chart.show_day(7) == "Nov 21 (until 08:00): 2 succeeded, 3 failed, 3 cancelled, skipped or running"
    assert page.runs_chart.day_tick_labels()[-1] == "Nov 21"


def test_a_period_without_runs_says_so_in_plain_words(open_window: Any, qtbot: Any) -> None:
    with time_machine.travel(NOW.replace(tzinfo=UTC) + timedelta(days=3), tick=False):
        window = open_window(tab="insights")
        page: InsightsView = window.insights
        assert page.charts_empty.isVisible() and page.charts_empty.text() == "No runs in the last 24 hours"
        assert not page.charts_grid.isVisible() and not page.charts_note.isVisible()
        page.set_period("7d")
        wait_idle(qtbot, window)
        assert page.charts_grid.isVisible()  # Nov 20 and 21 are within the week
        assert not page.charts_empty.isVisible()


def test_the_dark_palette_paints_the_charts(open_window: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    palette, style = app.palette(), app.style().name()
    theme.apply_theme(app, "dark")
    try:
        page: InsightsView = open_window(tab="insights").insights
        for chart in page.charts:
            image = chart.plot.grab().toImage()  # paints: no exception, and on the dark base colour
            assert not image.isNull() and image.pixelColor(2, 2).lightness() < 80, chart.chart_name
        plot = page.wait_chart.plot  # the hatched gap is drawn in the dark palette too: not just the base colour
        rect, image = plot.plot_rect(), plot.grab().toImage()
        x = int(plot._x_px(rect, plot.gaps[0]))
        base = image.pixelColor(2, 2)
        assert any(image.pixelColor(x + dx, y) != base for dx in range(-3, 4)
                   for y in range(int(rect.top()) + 2, int(rect.bottom()) - 2))
    finally:
        app.setStyle(style)
        app.setPalette(palette)
        theme._icon.cache_clear()
