"""Data for a marketer: money in each currency's minor units with the exact amount on hover (and in exports),
totals per currency never elided, unknown values as "—", date presets, and the spend-and-conversions chart."""

from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from autosync_desktop.domain import Money, StatRow
from autosync_desktop.gui.data import presets
from autosync_desktop.gui.data.model import STAT_COLUMNS, stat_text
from autosync_desktop.services import Services
from autosync_desktop.store.models import DailyStat
from tests.gui.conftest import seed_demo, wait_idle

COLUMN = {key: i for i, (key, _) in enumerate(STAT_COLUMNS)}


def _currencies(data_dir: Path) -> None:
    """The USD Demo account plus a JPY (0 decimals) and a KWD (3 decimals) one, each synced once."""
    seed_demo(data_dir, runs=1, campaigns=2)
    services = Services.open(data_dir)
    try:
        for number, currency in enumerate(("JPY", "KWD"), start=2):
            name = f"Demo {currency}"
            services.accounts.add("demo", name, f"demo-{number}", {"latency_ms": "0", "campaigns": "2",
                                                                    "currency": currency, "history_days": "20"})
            request = services.runs.request(name)
            services.runs.wait(request.run_id, poll_s=0.02, timeout_s=30)
    finally:
        services.close()


def _exact(micros: int) -> Decimal:
    return Decimal(micros).scaleb(-6)


def test_money_per_currency_with_exact_tooltips_and_totals(open_window: Any, data_dir: Path, tmp_path: Path,
                                                           qtbot: Any) -> None:
    _currencies(data_dir)
    window = open_window(tab="data")
    view = window.data
    totals = {row[COLUMN["campaign"]]: row for row in view.totals_texts()}
    assert set(totals) == {"USD", "JPY", "KWD"}
    for currency, places in (("USD", 2), ("JPY", 0), ("KWD", 3)):
        query = DailyStat.select().where(DailyStat.currency == currency)
        cost = _exact(sum(s.cost_micros for s in query))
        shown = totals[currency][COLUMN["cost"]]
        assert shown.endswith(f" {currency}")
        number = shown.removesuffix(f" {currency}")
        assert len(number.partition(".")[2]) == places  # 2 decimals for USD, none for JPY, 3 for KWD
        assert Decimal(number.replace(",", "")) == cost.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    # the totals row is never elided: each total fits its column
    metrics = view.totals.fontMetrics()
    for row in range(view.totals.rowCount()):
        for column in (COLUMN["cost"], COLUMN["conversion_value"], COLUMN["impressions"]):
            item = view.totals.item(row, column)
            assert metrics.horizontalAdvance(item.text()) * 1.1 < view.totals.columnWidth(column)
    tip = view.totals.item(0, COLUMN["cost"]).toolTip()
    assert tip.startswith("Exact: ")
    # a row: rounded in the cell, exact in the tooltip
    model = view.model
    row = next(i for i, r in enumerate(model.rows) if r.currency == "JPY" and r.cost is not None)
    cost_money = model.rows[row].cost
    assert cost_money is not None
    cell = model.data(model.index(row, COLUMN["cost"]))
    assert cell.endswith(" JPY") and "." not in cell
    exact = model.data(model.index(row, COLUMN["cost"]), Qt.ItemDataRole.ToolTipRole)
    assert exact.startswith("Exact: ") and exact.endswith(" JPY")
    assert Decimal(exact.removeprefix("Exact: ").removesuffix(" JPY").replace(",", "")) == cost_money.amount
    # exports keep the exact stored value
    view.account.setCurrentIndex(view.account.findData("Demo KWD"))
    wait_idle(qtbot, window)
    out = tmp_path / "kwd.csv"
    job = view.export(str(out), "csv")
    qtbot.waitUntil(lambda: job.done, timeout=10000)
    with out.open(newline="") as handle:
        exported = list(csv.DictReader(handle))
    cost_field = next(k for k in exported[0] if k.startswith("cost"))
    stored = {(s.date.isoformat(), s.campaign_id): s.cost_micros
              for s in DailyStat.select().where(DailyStat.currency == "KWD")}
    assert {Decimal(r[cost_field]) for r in exported} == {_exact(m) for m in stored.values()}


def test_unknown_values_are_a_dash_never_zero() -> None:
    row = StatRow(account="A", platform="demo", campaign_id="1", campaign=None, day=date(2026, 12, 4),
                  date_tz="Asia/Tokyo", impressions=None, clicks=None, cost=None, conversions=None,
                  conversion_value=None, currency=None)
    for key in ("impressions", "clicks", "cost", "conversions", "conversion_value"):
        assert stat_text(row, key) == "—"
    assert stat_text(row, "date") == "2026-12-04 (Tokyo)"
    assert stat_text(row, "campaign") == "1"
    known = StatRow(account="A", platform="demo", campaign_id="1", campaign="C", day=row.day, date_tz="UTC",
                    impressions=0, clicks=0, cost=Money(0, "USD"), conversions=0.0,
                    conversion_value=Money(-1_234_567_890, "EUR"), currency="USD")
    assert [stat_text(known, k) for k in ("impressions", "clicks", "cost", "conversions", "conversion_value")] \
        == ["0", "0", "0.00 USD", "0.00", "-1,234.57 EUR"]


def test_date_presets_filter_the_rows_and_the_chart_follows(open_window: Any, data_dir: Path, qtbot: Any) -> None:
    seed_demo(data_dir, runs=1, campaigns=2)
    window = open_window(tab="data")
    view = window.data
    everything = view.summary.rows if view.summary else 0
    assert everything > 0 and not view.date_from.isVisible()
    view.set_preset("last_7")
    wait_idle(qtbot, window)
    first, last = presets.preset_range("last_7", view.today()) or (None, None)
    assert first is not None and last is not None
    assert view.filters().since == first and view.filters().until == last
    assert all(first <= r.day <= last for r in view.model.rows)
    expected = DailyStat.select().where(DailyStat.date >= first, DailyStat.date <= last).count()
    assert view.summary is not None and view.summary.rows == expected < everything
    assert view.date_from.isVisible() and not view.date_from.isEnabled()
    view.set_preset("custom")
    assert view.date_from.isEnabled()
    view.date_from.setDate(view.date_to.date())  # one day
    wait_idle(qtbot, window)
    assert view.filters().since == view.filters().until == last
    # the chart reads the filtered rows' days only when shown
    assert view.series is None
    view.pages.setCurrentIndex(2)
    qtbot.waitUntil(lambda: view.series is not None, timeout=10000)
    wait_idle(qtbot, window)
    series = view.series
    assert series is not None and series.currency == "USD"
    assert [p.day for p in series.points] == [last]
    spend = sum(s.cost_micros for s in DailyStat.select().where(DailyStat.date == last))
    assert series.points[0].spend == _exact(spend)
    view.set_preset("last_30")
    qtbot.waitUntil(lambda: view.series is not None and len(view.series.points) == 30, timeout=10000)
    wait_idle(qtbot, window)
    assert view.chart.grab().width() > 0


def test_chart_charts_one_currency_and_says_which_others_exist(open_window: Any, data_dir: Path,
                                                                qtbot: Any) -> None:
    _currencies(data_dir)
    window = open_window(tab="data")
    view = window.data
    view.pages.setCurrentIndex(2)
    qtbot.waitUntil(lambda: view.series is not None, timeout=15000)
    wait_idle(qtbot, window)
    series = view.series
    assert series is not None and series.currency == "USD"  # the currency with the most rows
    assert "JPY" in series.note and "KWD" in series.note and view.chart_note.text() == series.note
    assert view.chart.accessibleDescription().startswith(f"{len(series.points)} days from ")
    assert re.search(r"spend [\d,]+\.\d\d USD", view.chart.accessibleDescription())
    view.account.setCurrentIndex(view.account.findData("Demo JPY"))
    qtbot.waitUntil(lambda: view.series is not None and view.series.currency == "JPY", timeout=15000)
    wait_idle(qtbot, window)
    assert view.series is not None and view.series.note == ""
    assert re.search(r"spend [\d,]+ JPY", view.chart.accessibleDescription())  # yen: no decimals
