"""No page scrolls sideways at 1024x640, with 63-character and CJK account and schedule names in the store.

A store is seeded once per module through the real services (Demo accounts, real syncs, one failing) and copied
for every test. For each page the window is opened at 1024x640 and every visible scroll area on that page must
have no horizontal range; the window must not be wider than asked, nor need more than 1024 px.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from autosync_desktop.gui.main_window import TAB_KEYS
from autosync_desktop.services import Services
from tests.gui.conftest import wait_idle

LONG_SCHEDULE = "Performance Max · Spring Sale 2026 · EMEA Retargeting Audiences"
CJK_SCHEDULE = "東京キャンペーン 日次同期"
LONG_ACCOUNT = "Acme Europe GmbH – Performance Max & Search – Brand Protections"
CJK_ACCOUNT = "株式会社サンプル 広告アカウント"
FAILING_SCHEDULE = "Nightly import (always fails)"
FAST = {"latency_ms": "0", "campaigns": "6"}


def seed_names(data_dir: Path) -> None:
    """Accounts and schedules with long and CJK names, synced once; one more schedule whose sync fails."""
    services = Services.open(data_dir)
    try:
        services.settings.set("retry.max_attempts", 1)  # the failing sync fails at once
        services.accounts.add("demo", LONG_ACCOUNT, "demo-1", FAST)
        services.accounts.add("demo", CJK_ACCOUNT, "demo-2", FAST)
        services.accounts.add("demo", "Flaky sandbox", "demo-3", {"latency_ms": "0", "failure_rate": "1"})
        services.schedules.add(LONG_SCHEDULE, CJK_ACCOUNT, "both", "interval", every_minutes=30)
        services.schedules.add(CJK_SCHEDULE, LONG_ACCOUNT, "both", "daily", at="06:00", timezone="Asia/Tokyo")
        services.schedules.add(FAILING_SCHEDULE, "Flaky sandbox", "both", "daily", at="02:00")
        for name in (LONG_SCHEDULE, CJK_SCHEDULE, FAILING_SCHEDULE):
            services.runs.wait(services.runs.request(name).run_id, poll_s=0.02, timeout_s=60)
    finally:
        services.close()


@pytest.fixture(scope="module")
def names_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    template = tmp_path_factory.mktemp("names") / "data"
    seed_names(template)
    return template


@pytest.fixture
def data_dir(tmp_path: Path, names_store: Path) -> Path:  # overrides conftest's: a copy of the seeded store
    target = tmp_path / "data"
    shutil.copytree(names_store, target)
    return target


def sideways(view: QWidget) -> list[str]:
    """The visible scroll areas on `view` that can scroll horizontally, with what they are."""
    found = []
    for area in view.findChildren(QAbstractScrollArea):
        if area.isVisibleTo(view) and area.horizontalScrollBar().maximum() > 0:
            name = area.accessibleName() or area.objectName() or type(area).__name__
            found.append(f"{name}: {area.horizontalScrollBar().maximum()} px")
    return found


@pytest.mark.parametrize("key", TAB_KEYS)
def test_no_page_scrolls_sideways_at_1024x640(open_window: Any, qtbot: Any, key: str) -> None:
    window = open_window(tab=key, wait=False)
    window.resize(1024, 640)
    wait_idle(qtbot, window, timeout=30000)
    qtbot.wait(50)  # layouts settle after the last load
    assert not window.showing_welcome()
    assert window.current_key() == key
    assert window.width() == 1024, f"the window was widened to {window.width()} px"
    assert window.minimumSizeHint().width() <= 1024
    assert window.rail.compact  # labels under the icons: the pages keep their width
    assert sideways(window.current_view()) == []


def test_the_rail_widens_only_where_there_is_room(open_window: Any, qtbot: Any) -> None:
    window = open_window(tab="scheduler")
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: not window.rail.compact)
    wide = window.rail.width()
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.rail.compact)
    assert window.width() == 1024
    assert window.rail.width() < wide
    assert sideways(window.current_view()) == []


def test_settings_accounts_give_the_names_the_room(open_window: Any, qtbot: Any) -> None:
    """At 1024x640 the account column takes what the short facts leave: a short name is never elided, a
    63-character one is (whole in its tooltip), and the columns fit the table."""
    window = open_window(tab="settings", wait=False)
    window.resize(1024, 640)
    wait_idle(qtbot, window, timeout=30000)
    panel = window.settings.accounts
    qtbot.waitUntil(lambda: len(panel.accounts) == 3)
    qtbot.wait(50)
    table = panel.table
    widths = [table.columnWidth(column) for column in range(table.columnCount())]
    assert sum(widths) <= table.viewport().width()
    assert widths[0] == max(widths)  # the name, not the platform or the health, gets the room
    short = table.fontMetrics().horizontalAdvance("Flaky sandbox") + table.iconSize().width() + 16
    assert widths[0] >= short, widths
    platform = table.fontMetrics().horizontalAdvance("Demo (sample data)") + 8
    assert widths[1] >= platform, widths  # the platform's words fit too
    row = next(r for r, account in enumerate(panel.accounts) if account.name == LONG_ACCOUNT)
    assert LONG_ACCOUNT in table.item(row, 0).toolTip()
    local = window.settings.zone.itemText(0)  # "Show times in": the zone in words, never an IANA key
    assert local.startswith("Local time (") and "/" not in local
    window.settings.show_page("advanced")
    qtbot.waitUntil(lambda: "api.port" in window.settings.advanced.fields)
    port = window.settings.advanced.fields["api.port"]
    assert port.input.text() == f"{port.value()}" and "," not in port.input.text()  # '8765', not '8,765'


def test_going_through_every_page_never_widens_the_window(open_window: Any, qtbot: Any) -> None:
    """A page's widest moment (loading, with its dates shown) still fits 1024 px: the window is never pushed
    wider while the user goes from page to page."""
    window = open_window(tab="scheduler", wait=False)
    window.resize(1024, 640)
    wait_idle(qtbot, window, timeout=30000)
    widths = {}
    for key in TAB_KEYS:
        window.show_tab(key)
        view = window.current_view()
        view.busy.start()  # "Loading…" beside the filters and buttons
        qtbot.wait(20)
        widths[key] = (window.width(), window.minimumSizeHint().width())
        view.busy.stop()
        wait_idle(qtbot, window, timeout=30000)
    assert all(width == 1024 and hint <= 1024 for width, hint in widths.values()), widths
    data = window.data
    data.preset.setCurrentIndex(data.preset.findData("custom"))  # the two date fields appear
    window.history.filters.use_dates.setChecked(True)
    for key in ("data", "history"):
        window.show_tab(key)
        window.current_view().busy.start()
        qtbot.wait(20)
        assert window.width() == 1024 and window.minimumSizeHint().width() <= 1024, key
        window.current_view().busy.stop()
        wait_idle(qtbot, window, timeout=30000)


def test_schedule_editor_fits_a_63_character_account(open_window: Any, qtbot: Any) -> None:
    """New schedule with a 63-character account: the account choice is elided (whole in its tooltip) instead of
    widening the form past the dialog's right edge, where the group boxes were cut off."""
    window = open_window(tab="scheduler", wait=False)
    window.resize(1024, 640)
    wait_idle(qtbot, window, timeout=30000)
    view = window.scheduler
    view.dialog = None
    view.new_schedule()
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    dialog = view.dialog
    dialog.account.setCurrentIndex(dialog.account.findData(LONG_ACCOUNT))
    qtbot.wait(50)
    scroll = dialog.findChild(QAbstractScrollArea)
    assert scroll is not None
    assert scroll.widget().width() <= scroll.viewport().width()  # nothing cut at the right
    assert scroll.horizontalScrollBar().maximum() == 0
    words = dialog.account.currentText()
    assert words.startswith(LONG_ACCOUNT) and " · Demo" in words and "((" not in words and "))" not in words
    assert dialog.account.itemData(dialog.account.currentIndex(), Qt.ItemDataRole.ToolTipRole) == words
    assert dialog.height() <= window.screen().availableGeometry().height()
    dialog.reject()
