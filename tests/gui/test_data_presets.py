"""Data date presets from a fixed `today` (month and year boundaries, leap years, DST days) and the chart's axes."""

from __future__ import annotations

from datetime import date

import pytest

from autosync_desktop.domain import StatsFilter
from autosync_desktop.gui.data import presets
from autosync_desktop.gui.data.chart import axis, axis_in_steps, chart_range


@pytest.mark.parametrize(("today", "key", "first", "last"), [
    (date(2026, 12, 4), "yesterday", date(2026, 12, 3), date(2026, 12, 3)),
    (date(2026, 12, 4), "last_7", date(2026, 11, 27), date(2026, 12, 3)),
    (date(2026, 12, 4), "last_30", date(2026, 11, 4), date(2026, 12, 3)),
    (date(2026, 12, 4), "last_90", date(2026, 9, 5), date(2026, 12, 3)),
    (date(2026, 12, 4), "this_month", date(2026, 12, 1), date(2026, 12, 4)),
    # month and year boundaries
    (date(2026, 3, 1), "yesterday", date(2026, 2, 28), date(2026, 2, 28)),
    (date(2026, 3, 1), "last_7", date(2026, 2, 22), date(2026, 2, 28)),
    (date(2024, 3, 1), "yesterday", date(2024, 2, 29), date(2024, 2, 29)),  # leap year
    (date(2027, 1, 1), "last_30", date(2026, 12, 2), date(2026, 12, 31)),
    (date(2027, 1, 1), "this_month", date(2027, 1, 1), date(2027, 1, 1)),
    (date(2026, 12, 31), "this_month", date(2026, 12, 1), date(2026, 12, 31)),
    # DST days are calendar days like any other (Europe 2026-03-29, US 2026-11-01)
    (date(2026, 3, 30), "yesterday", date(2026, 3, 29), date(2026, 3, 29)),
    (date(2026, 3, 30), "last_7", date(2026, 3, 23), date(2026, 3, 29)),
    (date(2026, 11, 2), "last_7", date(2026, 10, 26), date(2026, 11, 1)),
    (date(2027, 3, 28), "last_90", date(2026, 12, 28), date(2027, 3, 27)),
])
def test_preset_ranges(today: date, key: str, first: date, last: date) -> None:
    assert presets.preset_range(key, today) == (first, last)
    span = presets.preset_range(key, today)
    assert span is not None and (span[1] - span[0]).days + 1 == {"yesterday": 1, "last_7": 7, "last_30": 30,
                                                                 "last_90": 90}.get(key, today.day)


def test_all_and_custom_have_no_range_of_their_own() -> None:
    assert presets.preset_range(presets.ALL, date(2026, 12, 4)) is None
    assert presets.preset_range(presets.CUSTOM, date(2026, 12, 4)) is None
    with pytest.raises(KeyError):
        presets.preset_range("last_8", date(2026, 12, 4))
    assert [key for key, _ in presets.PRESETS] == ["all", "yesterday", "last_7", "last_30", "last_90",
                                                    "this_month", "custom"]


def test_range_text() -> None:
    assert presets.range_text(date(2026, 12, 3), date(2026, 12, 3)) == "2026-12-03"
    assert presets.range_text(date(2026, 11, 1), date(2026, 11, 30)) == "2026-11-01 – 2026-11-30 (30 days)"


def test_chart_axes_and_range() -> None:
    assert axis(4700) == (5000.0, 5)
    assert axis(0) == (1.0, 4)
    assert axis(101) == (125.0, 5)
    assert axis_in_steps(187, 5) == 200.0
    assert axis_in_steps(0, 4) == 4.0
    flt = StatsFilter(since=date(2026, 1, 1), until=date(2026, 12, 31))
    assert chart_range(flt, None, None) == (date(2026, 10, 1), date(2026, 12, 31))  # the newest 92 days
    assert chart_range(StatsFilter(), date(2026, 12, 4), date(2026, 12, 1)) == (date(2026, 12, 1), date(2026, 12, 4))
    assert chart_range(StatsFilter(), None, None) is None
