"""The window's shell: the navigation rail (pages, labels, icons, keyboard, compact form), the failing schedules'
badge, the page keys and shortcuts kept from the tabs, and `--theme` for screenshots."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QToolButton

from autosync_desktop.domain import RunStatus
from autosync_desktop.gui.main_window import TAB_KEYS, failing_count
from autosync_desktop.gui.widgets.elided_label import ElidedLabel
from autosync_desktop.services import Services
from tests import travel_launch
from tests.gui.conftest import DEMO, SCHEDULE, seed_demo, wait_idle

ROOT = Path(__file__).resolve().parents[2]


def add_failing(data_dir: Path, name: str = "Always fails") -> None:
    services = Services.open(data_dir)
    try:
        services.settings.set("retry.max_attempts", 1)
        services.accounts.add("demo", "Flaky sandbox", "demo-9", {"latency_ms": "0", "failure_rate": "1"})
        services.schedules.add(name, "Flaky sandbox", "both", "interval", every_minutes=60)
        run = services.runs.wait(services.runs.request(name).run_id, poll_s=0.02, timeout_s=60)
        assert run.status == RunStatus.FAILED
    finally:
        services.close()


def test_the_rail_lists_the_pages_with_icons_and_opens_them(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window()
    rail = window.rail
    assert rail.keys() == list(TAB_KEYS)
    assert [item.text() for item in rail.items.values()] == [
        "Dashboard", "Schedules", "History", "Data", "Settings", "Insights"]
    assert all(not item.icon().isNull() for item in rail.items.values())
    assert [item.toolTip().splitlines()[0] for item in rail.items.values()] == [
        "Dashboard (Ctrl+1)", "Schedules (Ctrl+2)", "History (Ctrl+3)", "Data (Ctrl+4)", "Settings (Ctrl+5)",
        "Insights (Ctrl+6)"]
    for key in reversed(TAB_KEYS):
        qtbot.mouseClick(rail.items[key], Qt.MouseButton.LeftButton)
        assert window.current_key() == key
        assert window.current_view() is window.views[key]
        assert rail.current_key() == key
        assert [item.isChecked() for item in rail.items.values()].count(True) == 1
    window.show_tab("history")  # in code: the rail follows
    assert rail.current_key() == "history"
    window.open_schedule(SCHEDULE)
    assert rail.current_key() == "scheduler" and window.current_key() == "scheduler"
    window.open_run(seeded.runs[0].id)
    assert rail.current_key() == "history"


def test_shortcuts_and_arrow_keys_move_the_rail(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window()
    for index, key in enumerate(TAB_KEYS):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + index), Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == key and window.rail.current_key() == key
    item = window.rail.items["history"]
    window.show_tab("history")
    item.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(item, Qt.Key.Key_Down)
    assert window.current_key() == "data"
    qtbot.keyClick(window.rail.items["data"], Qt.Key.Key_Up)
    qtbot.keyClick(window.rail.items["history"], Qt.Key.Key_Up)
    assert window.current_key() == "scheduler"
    assert window.rail.items["scheduler"].hasFocus()


def test_the_rail_is_compact_below_1200_px(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window()
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: not window.rail.compact)
    item = window.rail.items["dashboard"]
    assert item.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    assert window.rail.brand.isVisible()
    window.resize(1100, 700)
    qtbot.waitUntil(lambda: window.rail.compact)
    assert item.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextUnderIcon
    assert not window.rail.brand.isVisible()
    assert window.width() == 1100
    # the compact labels are not cut: each fits its item
    for nav in window.rail.items.values():
        assert nav.fontMetrics().horizontalAdvance(nav.text()) <= nav.width() - 8, nav.text()


def test_failing_count_counts_failed_and_interrupted_last_runs() -> None:
    class Row:
        def __init__(self, status: str | None) -> None:
            self.last_status = RunStatus(status) if status else None

    rows: Any = [Row("failed"), Row("interrupted"), Row("succeeded"), Row(None), Row("cancelled"), Row("failed")]
    assert failing_count(rows) == 3
    assert failing_count([]) == 0


def test_the_badge_counts_failing_schedules_and_follows_events(open_window: Any, data_dir: Path,
                                                               qtbot: Any) -> None:
    seed_demo(data_dir)
    add_failing(data_dir)
    window = open_window(tab="dashboard")
    item = window.rail.items["scheduler"]
    qtbot.waitUntil(lambda: window.failing == 1, timeout=10000)
    assert item.badge_count() == 1
    assert not item.badge.isHidden()
    assert item.badge.number.text() == "1"
    assert item.badge.icon.pixmap() is not None and not item.badge.icon.pixmap().isNull()  # icon + number
    assert item.accessibleName() == "Schedules, 1 failing"
    assert "1 failing" in item.toolTip()
    # the failing schedule is removed (a bus event): the badge goes away without a refresh
    window.ctx.workers.run(window.ctx.services.schedules.remove, "Always fails", lane="write", owner=window)
    qtbot.waitUntil(lambda: window.failing == 0, timeout=10000)
    assert item.badge.isHidden()
    assert item.accessibleName() == "Schedules"
    wait_idle(qtbot, window)


def test_the_window_keeps_its_api_for_other_callers(open_window: Any, seeded: Any) -> None:
    window = open_window(tab="data")
    assert window.tabs is window.pages
    assert window.tabs.currentIndex() == TAB_KEYS.index("data")
    window.tabs.setCurrentIndex(TAB_KEYS.index("settings"))
    assert window.current_key() == "settings" and window.rail.current_key() == "settings"
    assert set(window.views) == set(TAB_KEYS)


def test_a_page_is_built_when_first_shown_and_keeps_its_links(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(tab="dashboard")
    assert [key for key in TAB_KEYS if window.is_built(key)] == ["dashboard"]  # the window starts with one page
    window.tabs.setCurrentIndex(TAB_KEYS.index("history"))  # an older caller's way in builds it too
    assert window.is_built("history") and window.current_view() is window.history
    assert window.history.isVisible() and window.rail.current_key() == "history"
    qtbot.waitUntil(lambda: window.history.has_loaded, timeout=10000)  # and loads it, once shown
    wait_idle(qtbot, window)
    assert not window.is_built("scheduler")
    window.history.open_schedule.emit(SCHEDULE)  # the page's links work from its first build
    assert window.current_key() == "scheduler" and window.scheduler.isVisible()
    window.scheduler.message.emit("Saved the schedule")
    assert window.statusBar().currentMessage() == "Saved the schedule"
    wait_idle(qtbot, window)


def test_elided_label_keeps_the_whole_text_in_its_tooltip(qtbot: Any) -> None:
    name = "Performance Max · Spring Sale 2026 · EMEA Retargeting Audiences"
    label = ElidedLabel(name)
    qtbot.addWidget(label)
    label.resize(120, 20)
    label.show()
    assert label.text() != name and label.text().endswith("…")
    assert label.toolTip() == name and label.full_text() == name and label.accessibleName() == name
    label.setText("短い")
    label.resize(400, 20)
    assert label.text() == "短い" and label.toolTip() == ""
    assert label.minimumSizeHint().width() < 120


def test_screenshot_honours_the_dark_theme(data_dir: Path, tmp_path: Path) -> None:
    seed_demo(data_dir)
    shots = {}
    for theme in ("light", "dark"):
        shot = tmp_path / f"{theme}.png"
        result = subprocess.run(travel_launch.command("--data-dir", str(data_dir), "gui", "--screenshot", str(shot),
                                                      "--tab", "scheduler", "--size", "1024x640", "--theme", theme),
                                cwd=ROOT, env=travel_launch.env(QT_QPA_PLATFORM="offscreen"), capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        shots[theme] = QImage(str(shot))
        assert (shots[theme].width(), shots[theme].height()) == (1024, 640)
    # the rail's background, low in its column (below the items)
    assert shots["light"].pixelColor(40, 600).lightness() > 200
    assert shots["dark"].pixelColor(40, 600).lightness() < 60


def test_rail_items_are_tool_buttons_reached_by_tab(open_window: Any, seeded: Any) -> None:
    window = open_window()
    for item in window.rail.items.values():
        assert isinstance(item, QToolButton)
        assert item.focusPolicy() & Qt.FocusPolicy.TabFocus
        assert not item.hasFocus()  # the window starts with the focus on the page, not on a rail item


def test_the_welcome_panel_checks_no_rail_item(open_window: Any, qtbot: Any) -> None:
    window = open_window()
    qtbot.waitUntil(window.showing_welcome)
    assert window.rail.current_key() is None
    assert window.welcome.demo_button.property("primary")
    qtbot.mouseClick(window.rail.items["settings"], Qt.MouseButton.LeftButton)
    assert not window.showing_welcome()
    assert window.current_key() == "settings" and window.rail.current_key() == "settings"
    wait_idle(qtbot, window)


def test_links_between_pages_open_the_named_run_schedule_and_account(open_window: Any, seeded: Any,
                                                                      qtbot: Any) -> None:
    window = open_window()
    wait_idle(qtbot, window)
    run_id = seeded.runs[-1].id
    window.scheduler.open_run.emit(run_id)  # a last-runs dot on the Schedules page
    assert window.current_key() == "history" and window.history._detail_id == run_id
    window.history.open_schedule.emit(SCHEDULE)  # the schedule named in a run's detail
    assert window.current_key() == "scheduler"
    qtbot.waitUntil(lambda: window.scheduler.current == SCHEDULE, timeout=15000)
    window.dashboard.open_account.emit(DEMO)  # "Open settings" on a health card
    assert window.current_key() == "settings" and window.settings.current_page() == "accounts"
    qtbot.waitUntil(lambda: getattr(window.settings.accounts.selected(), "name", None) == DEMO, timeout=15000)
