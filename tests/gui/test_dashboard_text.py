"""The Dashboard's words and chart labels: SI counts, "Nov 22" days, relative times, uptime, errors in plain
words, axis ticks and titles."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

from PySide6.QtWidgets import QApplication

from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui.dashboard import charts
from autosync_desktop.gui.dashboard import text as words
from autosync_desktop.gui.scheduler import describe


def test_si_abbreviations() -> None:
    assert [words.si(v) for v in (0, 7, 950, 1000, 2500, 250_000, 999_999, 1_200_000, 3_000_000_000)] == [
        "0", "7", "950", "1k", "2.5k", "250k", "1M", "1.2M", "3G"]
    assert words.si(0.5) == "0.5"


def test_days_times_and_uptime() -> None:
    assert words.day_label(date(2026, 11, 22)) == "Nov 22"
    assert words.day_label(date(2027, 1, 3)) == "Jan 3"
    now = datetime(2030, 1, 1, 12, tzinfo=UTC)
    assert [words.ago(now - timedelta(seconds=s), now) for s in (2, 12, 180, 7300, 200_000)] == [
        "just now", "12 s ago", "3 min ago", "2 h ago", "2 d ago"]
    assert words.ago(None, now) == "—"
    assert [words.uptime(s) for s in (45, 720, 11_520, 3 * 3600, 2 * 86400 + 5 * 3600)] == [
        "45 s", "12 min", "3 h 12 min", "3 h", "2 d 5 h"]


def test_errors_in_plain_words() -> None:
    at = datetime(2030, 1, 1, 14, 5, tzinfo=UTC)
    assert words.plain_reason("RateLimited", "platform said: 429 RESOURCE_EXHAUSTED", at, lambda m: f"{m:%H:%M}") == (
        "The platform asked us to slow down; it will retry at 14:05")
    assert words.plain_reason(None, "platform said: 429 RESOURCE_EXHAUSTED").startswith(
        "The platform asked us to slow down")  # recognised from the message alone
    assert words.plain_reason("AuthExpired", "401") == "The sign-in has expired"
    assert words.plain_reason("ReauthRequired", None) == "The platform revoked access: sign in again"
    assert words.plain_reason("Transient", "Connection refused").startswith("Could not reach the platform")
    assert words.plain_reason(None, "HTTPSConnectionPool: Max retries exceeded").startswith("Could not reach")
    assert words.plain_reason("Timeout", None).startswith("The platform took too long")
    assert words.plain_reason("Permanent", "400 bad field").startswith("The platform refused the request")
    assert words.plain_reason("KeyError", "'x'") == "Something went wrong in AutoSync: see the log"
    # a server error reads as the Schedules page says it, not as an unreachable network
    for error_class, error in (("Transient", "HTTP 503 Service Unavailable"), (None, "502 Bad Gateway: server error"),
                               ("Transient", None)):
        assert words.plain_reason(error_class, error) == describe.error_words("HTTP 503 service unavailable")
    for error_class, error in (("Transient", "Connection refused"), ("Timeout", "read timed out")):
        assert words.plain_reason(error_class, error) == describe.error_words(error)


def test_axis_ticks() -> None:
    ticks, top = charts.count_ticks(250_000)
    assert [label for _, label in ticks] == ["0", "100k", "200k", "300k"] and top == 300_000
    ticks, top = charts.count_ticks(1_234_567)
    assert [label for _, label in ticks][-1] in ("1.5M", "2M") and top >= 1_234_567
    ticks, _ = charts.count_ticks(3)
    assert [label for _, label in ticks] == ["0", "1", "2", "3"]  # whole runs, not 0.5 runs
    days = [date(2026, 11, 9) + timedelta(days=i) for i in range(14)]
    labels = [label for _, label in charts.day_ticks(days, 0, 300)]
    assert labels[-1] == "Nov 22" and len(labels) <= 300 // charts.LABEL_WIDTH_PX
    assert [label for _, label in charts.day_ticks(days, 0, 2000)] == [words.day_label(d) for d in days]
    # fewer than three days of data: the last three days are drawn
    assert charts.first_shown([False] * 13 + [True]) == 11
    assert charts.first_shown([False] * 10 + [True] * 4) == 0
    assert charts.first_shown([False] * 14) == 0
    assert words.duration_unit(0.01) == ("ms", 0.001) and words.duration_unit(4.5) == ("s", 1.0)
    assert words.duration_unit(600) == ("min", 60.0) and words.duration_unit(3 * 3600) == ("h", 3600.0)


def test_rows_chart_labels_a_quarter_million_rows(qtbot: Any) -> None:
    chart = charts.RowsChart()
    qtbot.addWidget(chart)
    chart.resize(420, 240)
    chart.show()
    days = [(date(2026, 11, 9) + timedelta(days=i)).isoformat() for i in range(14)]
    chart.update_series(days, [0] * 5 + [250_000] * 9)
    assert chart.y_labels == ["0", "100k", "200k", "300k"]
    assert chart.plot.y_title == "rows"
    assert chart.plot.x_title.startswith("day (")
    assert chart.day_tick_labels()[-1] == "Nov 22"
    assert chart.show_day(13) == "Nov 22: 250,000 rows" == chart.hover.text()
    assert chart.accessibleDescription().endswith("Nov 21: 250,000 rows; Nov 22: 250,000 rows")  # not by mouse only
    # painted as one bar per day with rows, none on the empty days; the mouse over a bar's slot names that day
    assert [(bar.x, bar.y0, bar.height) for bar in chart.plot.bars] == [(i, 0.0, 250_000.0) for i in range(5, 14)]
    assert chart.plot.y_top >= 300_000 and chart.plot.x_range == (-0.6, 13.6)
    rect = chart.plot.plot_rect()
    slot = rect.width() / 14.2
    assert chart.plot.index_at(rect.left() + slot * 13.6) == 13
    assert chart.plot.index_at(rect.left() + slot * 0.6) == 0 and chart.plot.index_at(rect.left() - 1) is None
    assert not chart.plot.grab().isNull()
    duration = charts.DurationChart()
    qtbot.addWidget(duration)
    duration.update_series(days, [None] * 13 + [0.004])
    assert duration.plot.y_title == "milliseconds" and duration.first == 11
    assert duration.show_day(13) == f"Nov 22: average {fmt.fmt_duration(0.004)}"


def test_day_axis_names_the_zone_as_people_do(monkeypatch: Any) -> None:
    from autosync_desktop.services.schedules import SchedulesService
    before = fmt.display_zone_name()
    try:
        fmt.set_display_zone("local")
        monkeypatch.setattr(SchedulesService, "default_timezone", staticmethod(lambda: "Etc/UTC"))
        assert charts.day_axis_title() == "day (UTC)"
        monkeypatch.setattr(SchedulesService, "default_timezone", staticmethod(lambda: "Europe/Berlin"))
        assert charts.day_axis_title() == "day (Berlin)"
        fmt.set_display_zone("UTC")
        assert charts.day_axis_title() == "day (UTC)"
    finally:
        fmt.set_display_zone(before)


def test_day_labels_never_touch(qtbot: Any) -> None:
    chart = charts.RowsChart()
    qtbot.addWidget(chart)
    chart.resize(1500, 300)
    chart.show()
    days = [(date(2026, 11, 9) + timedelta(days=i)).isoformat() for i in range(14)]
    chart.update_series(days, [1000] * 14)
    assert chart.plot.height() >= 180  # not a 120 px strip on a big screen
    for width in (1500, 700, 420, 260):
        chart.resize(width, 300)
        QApplication.processEvents()
        boxes = [box for _, box in chart.plot.x_label_boxes()]
        assert boxes and chart.plot.x_label_boxes()[-1][0] == "Nov 22"
        assert all(right.left() - left.right() >= 10 for left, right in pairwise(boxes))
