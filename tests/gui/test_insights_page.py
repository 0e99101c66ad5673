"""The Insights page: the figures of services.insights in plain words with units, unknown as "—" with a tooltip
saying why, the period selector re-reading on a worker, and the columns fitting 1024 px (no sideways scroll).

The store is tests/test_insights.py's (known runs, two accounts with data in Berlin and New York, one without
any), read at that module's fixed moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from autosync_desktop.gui.insights import text
from autosync_desktop.gui.insights.view import InsightsView, Table
from tests.gui.conftest import wait_idle
from tests.test_insights import seeded_store


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:  # overrides conftest's: the insights store, at its moment
    yield from seeded_store(tmp_path / "data")


def _cells(table: Table, first: str) -> dict[str, tuple[str, str]]:
    """The row whose first cell is `first`, by column header: (text, tooltip)."""
    model = table.model
    for row in range(model.rowCount()):
        if model.data(model.index(row, 0)) == first:
            return {model.headers[c]: (model.data(model.index(row, c)),
                                       model.data(model.index(row, c), Qt.ItemDataRole.ToolTipRole))
                    for c in range(model.columnCount())}
    raise AssertionError(f"no row {first!r}")


def test_the_page_shows_the_figures_in_words_and_units(open_window: Any) -> None:
    window = open_window(tab="insights")
    page: InsightsView = window.insights
    assert page.has_loaded and page.period_key() == "24h"
    assert page.summary.text() == ("Last 24 hours: 12 runs, 67 % succeeded, 95 % done within 1 min 40 s, 750 rows "
                                   "written, 45 API calls a day, 20 s waiting on rate limits.")
    demo = _cells(page.platforms, "Demo (sandbox data)")
    assert [demo[h][0] for h in ("Runs", "Success", "Typical", "Slowest", "Rows", "API calls", "Rate-limit wait")] == [
        "10 runs", "57 % succeeded", "p50 20 s", "p95 1 min 40 s", "700 rows", "37 a day", "16 s"]
    assert demo["Success"][1] == "4 of 7 finished runs succeeded (failed and interrupted runs count as not)"
    acme = _cells(page.accounts, "acme")
    assert (acme["Data behind"][0], acme["Settling"][0]) == ("9 h behind", "4 days")
    assert acme["Data behind"][1].startswith("Complete through Nov 20 (Berlin), which ended 9 h 00 min ago")
    shop = _cells(page.accounts, "shop")
    assert shop["Data behind"][0] == "27 h behind" and "not included" in shop["Rate-limit wait"][1]
    never = _cells(page.accounts, "never")
    assert [never[h][0] for h in ("Success", "Typical", "Slowest", "Rate-limit wait", "Data behind", "Settling")] == [
        text.UNKNOWN] * 6
    assert never["Success"][1].startswith("Unknown: no run finished")
    assert never["Data behind"][1] == "Unknown: no daily data synced yet"
    assert _cells(page.schedules, "(no schedule)")["Account"][0] == "acme"


def test_the_period_selector_reads_again(open_window: Any, qtbot: Any) -> None:
    window = open_window(tab="insights")
    page: InsightsView = window.insights
    page.set_period("7d")
    wait_idle(qtbot, window)
    assert page.insights is not None and page.insights.period.value == "7d"
    assert _cells(page.schedules, "nightly")["API calls"][0] == "19 a day"
    assert page.summary.text().startswith("Last 7 days: 13 runs")


def test_columns_fit_1024_px_and_every_control_is_named(open_window: Any, qtbot: Any) -> None:
    window = open_window(tab="insights", wait=False)
    window.resize(1024, 640)
    wait_idle(qtbot, window)
    page: InsightsView = window.insights
    for index, table in enumerate((page.platforms, page.accounts, page.schedules)):
        page.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        assert table.view.horizontalScrollBar().maximum() == 0, table.view.accessibleName()
        assert table.view.accessibleName()
    assert page.period.accessibleName() == "Insights period"


def test_behind_words() -> None:
    assert text.behind(25 * 60) == "25 min behind"
    assert text.behind(3 * 3600 + 59 * 60) == "3 h behind"
    assert text.behind(50 * 3600) == "2 d 2 h behind"


def test_a_change_while_hidden_is_read_when_the_page_shows_again(open_window: Any, qtbot: Any) -> None:
    window = open_window(tab="insights")
    page: InsightsView = window.insights
    loads: list[bool] = []
    page.loaded.connect(lambda: loads.append(True))  # (the clock stands still here: count loads, not times)
    window.show_tab("dashboard")
    wait_idle(qtbot, window)
    page._changed()  # what a run finishing does
    qtbot.wait(400)  # past the refresh debounce
    assert loads == [] and page._stale  # hidden: not read
    window.show_tab("insights")
    with qtbot.waitSignal(page.loaded, timeout=10000):
        pass
    assert loads == [True] and not page._stale
