"""The Dashboard never scrolls sideways (1024 x 640 and up), with a 63-character and a CJK account name: the
cards reflow (4 -> 2 columns by width) and names are elided with the full text in a tooltip."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from autosync_desktop.gui.dashboard.view import DashboardView
from autosync_desktop.services import Services
from tests.gui.conftest import wait_idle

LONG = "Acme Worldwide Performance Marketing Northern Europe Region 001"
CJK = "東京本社デジタル広告アカウント検索とディスプレイ広告キャンペーン"


@pytest.fixture
def long_names(data_dir: Any) -> None:
    assert len(LONG) == 63
    services = Services.open(data_dir)
    try:
        for index, name in enumerate((LONG, CJK)):
            services.accounts.add("demo", name, f"demo-{index}", {"latency_ms": "0", "campaigns": "2"})
            services.schedules.add(name, name, "both", "interval", every_minutes=60)
            request = services.runs.request(name)
            services.runs.wait(request.run_id, poll_s=0.02, timeout_s=30)
    finally:
        services.close()


RAIL = 96  # the navigation rail's width beside the page


@pytest.mark.parametrize("size", [(1024, 640), (1280, 800)])
def test_no_sideways_scrolling_and_names_elided(open_window: Any, long_names: None, qtbot: Any,
                                                 size: tuple[int, int]) -> None:
    window = open_window()
    window.resize(*size)
    wait_idle(qtbot, window)
    QApplication.processEvents()
    dash = window.dashboard
    qtbot.waitUntil(lambda: dash.scroll_area.horizontalScrollBar().maximum() == 0, timeout=3000)
    assert dash.feed.scroll_area.horizontalScrollBar().maximum() == 0
    content = dash.scroll_area.widget()
    assert content.width() <= dash.scroll_area.viewport().width()
    # the Dashboard never asks for more than fits beside the navigation at 1024 px (other pages answer for theirs)
    assert dash.minimumSizeHint().width() <= 1024 - 200
    # and on its own, at exactly the width it gets in a 1024 (1280) px window: still no sideways scrolling
    alone = DashboardView(window.ctx)
    qtbot.addWidget(alone)
    alone.resize(size[0] - RAIL, size[1])
    alone.show()
    alone.refresh()
    qtbot.waitUntil(lambda: alone.has_loaded and window.ctx.workers.pending == 0, timeout=10000)
    QApplication.processEvents()
    assert alone.width() == size[0] - RAIL
    assert alone.scroll_area.horizontalScrollBar().maximum() == 0
    assert alone.feed.scroll_area.horizontalScrollBar().maximum() == 0
    inner = alone.scroll_area.widget()
    assert inner is not None and inner.width() <= alone.scroll_area.viewport().width()
    card = alone.account_card(LONG)
    assert card is not None and card.name_label.is_elided() and card.name_label.toolTip() == LONG
    for name in (LONG, CJK):
        card = dash.account_card(name)
        assert card is not None and card.name_label.toolTip() == name
        assert card.geometry().right() <= content.width()
    long_card = dash.account_card(LONG)
    assert long_card is not None and long_card.name_label.is_elided()
    shown = long_card.name_label.shown_text()
    assert "…" in shown and shown.startswith("Acme") and shown.endswith("001")  # elided in the middle
    titles = {row.title.toolTip() for row in dash.feed.rows.values()}
    assert titles == {f"{LONG} · {LONG}", f"{CJK} · {CJK}"}
    for row in dash.feed.rows.values():  # the schedule on its own, elided at its end: its beginning stays readable
        schedule = row.entry.schedule or ""
        assert row.title.text() == schedule and row.account.text() == row.entry.account
        shown = row.title.shown_text()
        assert shown == schedule or (shown.endswith("…") and schedule.startswith(shown[:-1]) and len(shown) > 4)
    # metric cards: 4 columns when they fit, 2 otherwise - never wider than the page
    assert dash.metrics_grid.columns in (2, 4)
    if dash.metrics_grid.width() >= 4 * 200:
        assert dash.metrics_grid.columns == 4


def test_cards_reflow_to_the_width(open_window: Any, long_names: None, qtbot: Any) -> None:
    window = open_window()
    dash = window.dashboard
    grid = dash.metrics_grid
    grid.resize(900, grid.height())
    assert grid.columns == 4
    grid.resize(420, grid.height())
    assert grid.columns == 2
    grid.resize(200, grid.height())
    assert grid.columns == 1
    assert grid.minimumSizeHint().width() <= 200  # it never asks the page for more
