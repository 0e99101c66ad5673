"""The Insights page's "Restated days" tab and the Accounts tab's "Still changing" column, on a store seeded with
tests/test_insights_restatements.py's restatements (shop in EUR, acme in JPY, fresh with nothing recorded): the
rows in plain words, largest change first, money in the account's currency, unknown as "unknown" / "—" with why,
the two empty states, no sideways scroll at 1024 px, and the dark palette."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from autosync_desktop.domain import RestatementDelta
from autosync_desktop.gui import theme
from autosync_desktop.gui.insights import restated
from autosync_desktop.gui.insights.view import InsightsView, Table
from autosync_desktop.services import Services
from autosync_desktop.store.models import Account
from tests.gui.conftest import wait_idle
from tests.test_insights_restatements import NOW, _seed


def _store(data_dir: Path, seed: bool = True) -> Iterator[Path]:
    services = Services.open(data_dir)
    if seed:
        _seed()
        Account.update(currency="EUR").where(Account.name == "shop").execute()
        Account.update(currency="JPY").where(Account.name == "acme").execute()
    else:
        Account.create(name="fresh", platform="demo", external_id="3")
    services.close()
    with time_machine.travel(NOW.replace(tzinfo=UTC), tick=False):
        yield data_dir


@pytest.fixture
def data_dir(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:  # overrides conftest's
    yield from _store(tmp_path / "data", seed=getattr(request, "param", True))


def _rows(table: Table) -> list[dict[str, tuple[str, str]]]:
    model = table.model
    return [{model.headers[c]: (model.data(model.index(r, c)),
                                model.data(model.index(r, c), Qt.ItemDataRole.ToolTipRole))
             for c in range(model.columnCount())} for r in range(model.rowCount())]


def _cell(table: Table, account: str, header: str) -> tuple[str, str]:
    return next(row[header] for row in _rows(table) if row["Account"][0] == account)


def _open(open_window: Any, qtbot: Any, period: str) -> InsightsView:
    window = open_window(tab="insights")
    page: InsightsView = window.insights
    page.set_period(period)
    wait_idle(qtbot, window)
    page.tabs.setCurrentWidget(page.restated.view)
    return page


def test_restated_days_in_words_largest_first(open_window: Any, qtbot: Any) -> None:
    page = _open(open_window, qtbot, "7d")
    assert page.tabs.tabText(page.tabs.currentIndex()) == "Restated days"
    rows = _rows(page.restated)
    assert not page.restated.empty.isVisible()
    shown = [(r["Account"][0], r["Day"][0], r["What changed"][0], r["Between"][0]) for r in rows]
    assert shown[:2] == [("shop", "Nov 14", "Conversions +12 % (+1.2)", "day 1 → day 7"),
                         ("shop", "Oct 1", "Clicks +11 % (+1 click)", "day 20 → day 50")]
    assert ("shop", "Nov 14", "Cost +0.04 EUR (+4 %)", "day 1 → day 7") in shown  # 40,000 micros, in EUR
    assert ("acme", "Nov 19", "Clicks +3 clicks (from 0)", "day 1 → day 1") in shown
    assert shown[-1] == ("acme", "Nov 19", "Conversions unknown", "day 1 → day 1")  # unknown last, never 0
    assert page.insights is not None and len(rows) == len(page.insights.restatements) == 8
    first = rows[0]
    sentence = "Meta Ads changed conversions of Nov 14 by +12 % between day 1 and day 7 (shop)"
    assert all(sentence in first[h][1] for h in restated.HEADERS)  # the sentence in every cell's tooltip
    assert "Meta Ads" in first["Account"][1]
    assert "was not reported" in rows[-1]["What changed"][1]
    percents = [abs(d.percent) for d in page.insights.restatements if d.percent is not None]
    assert percents == sorted(percents, reverse=True) and percents  # largest first


def test_still_changing_column_with_unknown(open_window: Any, qtbot: Any) -> None:
    page = _open(open_window, qtbot, "24h")
    assert _cell(page.accounts, "shop", "Still changing")[0] == "1 day"
    assert "the restatement window of Meta Ads" in _cell(page.accounts, "shop", "Still changing")[1]
    assert _cell(page.accounts, "acme", "Still changing")[0] == "1 day"
    fresh = _cell(page.accounts, "fresh", "Still changing")
    assert fresh[0] == "—" and fresh[1].startswith("Unknown: the freshness planner has not fetched")
    assert "Restated days" in page.note.text() and "come with the freshness planner" not in page.note.text()


def test_no_restated_day_in_the_period_says_so(open_window: Any, qtbot: Any) -> None:
    with time_machine.travel(NOW.replace(tzinfo=UTC, year=2027), tick=False):  # a year on: none in 24h
        page = _open(open_window, qtbot, "24h")
        assert page.restated.model.rowCount() == 0 and page.restated.empty.isVisible()
        assert page.restated.empty.text() == ("No restated days in the last 24 hours: the numbers the platforms "
                                              "sent did not change after the day was over")


@pytest.mark.parametrize("data_dir", [False], indirect=True)
def test_nothing_recorded_yet_says_so(open_window: Any, qtbot: Any) -> None:
    page = _open(open_window, qtbot, "7d")
    assert page.restated.model.rowCount() == 0
    assert page.restated.empty.text().startswith("Nothing recorded yet: the freshness planner")
    assert _cell(page.accounts, "fresh", "Still changing")[0] == "—"


def test_fits_1024_px_and_paints_in_the_dark_palette(open_window: Any, qtbot: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    palette, style = app.palette(), app.style().name()
    theme.apply_theme(app, "dark")
    try:
        page = _open(open_window, qtbot, "7d")
        page.window().resize(1024, 640)
        qtbot.wait(100)
        for table in (page.accounts, page.restated):
            page.tabs.setCurrentWidget(table.view)
            qtbot.wait(50)
            assert table.view.horizontalScrollBar().maximum() == 0, table.view.accessibleName()
        view = page.restated.view
        what = restated.HEADERS.index("What changed")
        assert not view.isColumnHidden(what) and view.columnWidth(what) >= 150
        image = view.viewport().grab().toImage()
        assert not image.isNull() and image.pixelColor(view.viewport().width() - 3, 3).lightness() < 80
    finally:
        app.setStyle(style)
        app.setPalette(palette)
        theme._icon.cache_clear()


def _delta(metric: str, change: float | None, before: float | None, percent: float | None,
           currency: str | None) -> RestatementDelta:
    return RestatementDelta(account="a", platform="meta_ads", day=date(2026, 11, 20), metric=metric,
                            from_age_days=1, to_age_days=7, before=before, change=change, percent=percent, text="t",
                            currency=currency)


def test_money_in_the_accounts_currency_and_decimals() -> None:
    assert restated.what_changed(_delta("cost", 4_100_000, 100_000_000, 4.1, "EUR")) == "Cost +4.10 EUR (+4 %)"
    assert restated.what_changed(_delta("cost", -1_500_000_000, 9e9, -16.7, "JPY")) == "Cost -1,500 JPY (-17 %)"
    assert restated.what_changed(_delta("cost", 2_500_000, 0, None, None)) == "Cost +2.50 (from 0)"  # no currency
    assert restated.what_changed(_delta("cost", 1_000, 9e9, 0.00001, "USD")) == "Cost +0.001 USD (+0.0 %)"
    assert restated.what_changed(_delta("cost", None, 5, None, "EUR")) == "Cost unknown"
    assert restated.what_changed(_delta("conversions", 3.5, 10, 35.0, None)) == "Conversions +35 % (+3.5)"


def test_the_tooltip_has_the_value_first_stored_and_now() -> None:
    cost = _delta("cost", 7_300_000, 182_400_000, 4.0, "EUR")
    assert restated.why(cost) == "t\nCost first stored 182.40 EUR, now 189.70 EUR"
    assert restated.why(_delta("conversions", 5.0, 41.0, 12.2, None)) == "t\nConversions first stored 41, now 46"
    assert restated.why(_delta("conversions", None, 41.0, None, None)).startswith("t. Unknown: a campaign's")
