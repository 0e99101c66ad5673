"""Defects found by looking at the issue-11 screenshots (scripts/screenshots.py), each kept fixed here."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtGui import QFontMetrics

from autosync_desktop.domain import RunStatus, RunWindows
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui.data.chart import DayPoint, Series, SpendChart, axis_titles
from autosync_desktop.gui.history.detail import EXPLAIN, STATUS_EXPLAIN, duration_text, plain_log, windows_text
from autosync_desktop.gui.history.model import COLUMNS
from autosync_desktop.gui.settings.accounts import NO_ACCOUNTS
from autosync_desktop.gui.settings.view import PAGES
from tests.gui.conftest import SCHEDULE, wait_idle


def test_settings_accounts_say_when_there_are_none(open_window: Any, qtbot: Any) -> None:
    """An empty store: the accounts table says so in the middle instead of showing an empty grid; it goes once
    an account is added."""
    window = open_window(tab="settings")
    window.show_tab("settings")
    panel = window.settings.accounts
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: panel.empty.isVisible())
    assert panel.empty.text() == NO_ACCOUNTS
    message, viewport = panel.empty.geometry(), panel.table.viewport().rect()
    assert message.center() == viewport.center()  # centred in the table, not top left
    window.ctx.services.accounts.add("demo", "Demo account", "demo-1", {"latency_ms": "0"})
    panel.refresh_accounts()
    qtbot.waitUntil(lambda: len(panel.accounts) == 1)
    assert not panel.empty.isVisible()


def test_history_shows_the_duration_column_at_1280x800(open_window: Any, seeded: Any, qtbot: Any) -> None:
    """With the run's detail pane beside it, History still has room for each run's duration ('4.5 s',
    '12 min 34 s'); the run number and the trigger give way first."""
    window = open_window(tab="history")
    window.resize(1280, 800)
    wait_idle(qtbot, window)
    qtbot.wait(50)  # the column fitter runs after the resize
    keys = [key for key, _ in COLUMNS]
    header = window.history.table.horizontalHeader()
    shown = {key for column, key in enumerate(keys) if not header.isSectionHidden(column)}
    assert {"queued_at", "schedule", "account", "status", "duration_s", "error"} <= shown
    assert "id" not in shown  # the least useful column went first
    model = window.history.model
    run = model.rows[0]
    assert model.data(model.index(0, keys.index("duration_s"))) == fmt.duration(run.duration_s)
    assert sum(header.sectionSize(c) for c in range(len(keys)) if not header.isSectionHidden(c)) \
        <= window.history.table.viewport().width()


def test_data_chart_has_a_title_under_its_days(qtbot: Any) -> None:
    """The spend-and-conversions chart titles all three axes with their units (the days had none)."""
    chart = SpendChart()
    qtbot.addWidget(chart)
    chart.resize(600, 300)
    first = date(2026, 9, 5)
    points = tuple(DayPoint(first + timedelta(days=i), Decimal(100 + i), float(i % 7)) for i in range(40))
    series = Series("USD", points)
    assert axis_titles(series) == ("Day (each account's own calendar days)", "Spend (USD)", "Conversions (count)")
    chart.set_series(series)
    image = chart.grab().toImage()
    line = QFontMetrics(chart.font()).height()
    background = image.pixelColor(2, image.height() - 2)
    band = range(image.height() - line - 4, image.height() - 6)  # the line under the day labels
    inked = [(x, y) for x in range(200, 400) for y in band if image.pixelColor(x, y) != background]
    assert inked, "nothing is written under the day labels"


def test_history_dates_say_parts_not_windows() -> None:
    """The run's dates in words: no engine word ('window') on screen."""
    first, last = date(2026, 9, 6), date(2026, 12, 5)
    assert windows_text(RunWindows(first=first, last=last, count=4, backfill=False)) == \
        "2026-09-06 to 2026-12-05, fetched in 4 parts"
    assert windows_text(RunWindows(first=first, last=first, count=1, backfill=False)) == "2026-09-06 to 2026-09-06"
    assert windows_text(RunWindows(first=first, last=last, count=None, backfill=True)) == \
        "2026-09-06 to 2026-12-05 (backfill)"
    words = (*EXPLAIN.values(), *STATUS_EXPLAIN.values())  # no engine words, setting keys or policy names
    assert not [text for text in words if "window" in text or "setting " in text or re.search(r"'\w+'", text)]


def test_history_duration_of_a_run_still_going(open_window: Any, seeded: Any, qtbot: Any) -> None:
    """The run detail's duration: '12 min 34 s' when done, 'Still running' / 'Not started yet' instead of a dash."""
    window = open_window(tab="history")
    wait_idle(qtbot, window)
    run = window.history.model.rows[0]
    assert duration_text(dataclasses.replace(run, duration_s=754.0)) == "12 min 34 s"
    assert duration_text(dataclasses.replace(run, duration_s=None, status=RunStatus.RUNNING)) == "Still running"
    assert duration_text(dataclasses.replace(run, duration_s=None, status=RunStatus.QUEUED)) == "Not started yet"
    assert duration_text(dataclasses.replace(run, duration_s=None, status=RunStatus.CANCELLED)) == "—"


def test_history_log_lines_in_the_windows_words() -> None:
    """The engine's log lines as the run's log shows them: no 'window(s)', no '..' ranges, no error class names."""
    assert plain_log("4 window(s): 2026-09-06 to 2026-12-05 (Etc/UTC)") == \
        "Fetching 2026-09-06 to 2026-12-05 (UTC) in 4 parts"
    assert plain_log("1 window(s): 2026-12-02 to 2026-12-05 (UTC)") == \
        "Fetching 2026-12-02 to 2026-12-05 (UTC) in one part"
    assert plain_log("Window 2026-12-02..2026-12-05: 38 rows") == "2026-12-02 to 2026-12-05: 38 rows"
    assert plain_log("window 2026-09-06..2026-10-05: Transient (The demo sandbox had a temporary server error "
                     "(simulated).); attempt 1 of 2, retrying in 2.7 s") == \
        "2026-09-06 to 2026-10-05: The demo sandbox had a temporary server error (simulated).; try 1 of 2, trying " \
        "again in 2.7 s"
    assert plain_log("Campaigns: 40 written") == "Campaigns: 40 written"  # anything else as recorded


def test_history_rerun_waits_for_a_run_still_going(open_window: Any, seeded: Any, qtbot: Any) -> None:
    """Re-run is off (with the reason on hover) while the shown run is queued or running, on once it has ended."""
    window = open_window(tab="history")
    wait_idle(qtbot, window)
    detail = window.history.detail
    window.history.show_run(window.history.model.rows[0].id)
    qtbot.waitUntil(lambda: detail.run is not None)
    assert detail.run is not None
    done = detail.run
    assert detail.rerun_button.isEnabled()
    detail.show_run(dataclasses.replace(done, run=dataclasses.replace(done.run, status=RunStatus.RUNNING,
                                                                       duration_s=None)))
    assert not detail.rerun_button.isEnabled() and "still going" in detail.rerun_button.toolTip()
    detail.show_run(done)
    assert detail.rerun_button.isEnabled()


def test_backfill_names_the_schedule_in_quotes(open_window: Any, seeded: Any, qtbot: Any) -> None:
    """'for the account of “Demo sync”', not 'for Demo sync's account' (awkward after a 63-character name)."""
    window = open_window(tab="scheduler")
    view = window.scheduler
    view.dialog = None
    view.action(SCHEDULE, "backfill")
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    assert f"for the account of “{SCHEDULE}”" in view.dialog.explanation.text()
    assert "'s account" not in view.dialog.explanation.text()
    view.dialog.reject()


def test_settings_sidebar_is_as_wide_as_its_words(open_window: Any, seeded: Any, qtbot: Any) -> None:
    """The page list takes the width of its longest name (whole), the rest goes to the page."""
    window = open_window(tab="settings")
    sidebar = window.settings.sidebar
    widest = max(sidebar.fontMetrics().horizontalAdvance(sidebar.item(i).text()) for i in range(sidebar.count()))
    assert widest + 16 <= sidebar.width() <= widest + 48


def test_settings_fields_have_no_gaps(open_window: Any, seeded: Any, qtbot: Any) -> None:
    """Every setting on every page is exactly as tall as its lines: a checkbox row (Pause all schedules, Local REST
    API) was given about twice its height, a gap above and below the box."""
    window = open_window(tab="settings")
    window.resize(1024, 640)
    settings = window.settings
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: bool(settings.groups) and settings.advanced is not None)
    gaps = {}
    for key, _ in PAGES:
        settings.show_page(key)
        qtbot.wait(30)
        fields = [field for group in settings.groups.values() for field in group.fields.values()]
        fields += list(settings.advanced.fields.values())
        for field in fields:
            wanted = field.heightForWidth(field.width())  # -1: a one-line field without its description
            if field.isVisible() and field.height() > (wanted if wanted > 0 else field.sizeHint().height()) + 2:
                gaps[field.key] = (field.height(), wanted)
    assert gaps == {}
