"""The Dashboard shows exactly what the store holds after real Demo syncs, and follows runs live."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt

from autosync_desktop.domain import ActivityLine, Period, RunStatus, Trigger
from autosync_desktop.gui import formatting as fmt
from tests.gui.conftest import DEMO, SCHEDULE, seed_demo, wait_idle


def test_cards_and_charts_show_the_synced_numbers(open_window: Any, data_dir: Any) -> None:
    seed = seed_demo(data_dir, runs=2)
    rows = sum(run.rows for run in seed.runs)
    window = open_window()
    dash = window.dashboard
    assert dash.total.value.text() == "2"
    assert dash.success.value.text() == "100.0 %"
    assert dash.rows.value.text() == f"{rows:,}"
    assert "no runs in the previous 24 h" in dash.total.change.text()
    assert dash.success.detail.text() == "2 of 2 finished runs succeeded"
    expected = window.ctx.services.metrics.period_comparison("24h").current.avg_duration_s
    assert dash.duration.value.text() == fmt.fmt_duration(expected) != "—"
    card = dash.account_card(DEMO)
    assert card is not None and card.badge.text() == "Healthy"
    today = window.ctx.services.accounts.cards()[0].data_through
    assert f"Data through {today}, last 4 days still settling" in card.freshness.text()  # Demo lookback: 3 days
    assert "Errors (24 h): 0 of 2 runs" in card.errors.text()
    assert dash.database_card.integrity.text() == "Integrity check: ok"
    assert dash.scheduler_card.next_name.text() == f"Next: {SCHEDULE}"
    # charts: the last day holds both runs and all their rows; hovering says so
    assert dash.rows_chart.values[-1] == rows
    assert dash.runs_chart.per_day[-1] == {"succeeded": 2}
    assert dash.runs_chart.show_day(len(dash.runs_chart.days) - 1).endswith(": 2 succeeded")
    assert dash.rows_chart.show_day(len(dash.rows_chart.days) - 1).endswith(f": {rows:,} rows")
    assert dash.rows_chart.values[:-1] == [0] * (len(dash.rows_chart.days) - 1)  # no invented history
    # the feed starts with the stored log lines of those runs, newest first
    texts = dash.feed.texts()
    assert any(f"#{seed.runs[-1].id} {SCHEDULE}: Window" in t for t in texts)
    assert f"#{seed.runs[0].id}" in texts[-1]
    assert "Updated" in dash.updated.text()


def test_empty_store_says_no_runs_yet(open_window: Any, data_dir: Any) -> None:
    window = open_window()
    dash = window.dashboard
    assert dash.success.value.text() == "—"
    assert dash.success.detail.text() == "No runs yet in the last 24 hours"
    assert dash.total.value.text() == "0"
    assert dash.runs_chart.stack.currentWidget() is dash.runs_chart.empty
    assert dash.runs_chart.empty.text() == "No runs yet"
    assert dash.feed.list.count() == 0 and not dash.feed.empty.isHidden()


def test_period_switch_and_refresh_loading_state(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window()
    dash = window.dashboard
    qtbot.mouseClick(dash.period_buttons["30d"], Qt.MouseButton.LeftButton)
    assert dash.is_loading() and not dash.refresh_button.isEnabled() and dash.busy.isVisibleTo(dash)
    wait_idle(qtbot, window)
    assert dash.snapshot is not None and dash.snapshot.metrics.period == Period.MONTH
    assert len(dash.runs_chart.days) == 30
    assert window.ctx.prefs.period() == "30d"
    assert dash.refresh_button.isEnabled() and not dash.busy.isVisibleTo(dash)


def test_feed_and_cards_follow_a_run_live(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(start_scheduler=True)
    dash = window.dashboard
    with qtbot.waitSignal(window.ctx.bridge.run_finished, timeout=15000) as finished:
        window.scheduler.action(SCHEDULE, "sync")
    event = finished.args[0]
    texts = "\n".join(dash.feed.texts())
    assert f"#{event.run_id} {SCHEDULE}: queued (manual)" in texts
    assert f"#{event.run_id} {SCHEDULE}: started (4 date windows, demo)" in texts or \
        f"#{event.run_id} {SCHEDULE}: started (" in texts
    assert f"#{event.run_id} {SCHEDULE}: succeeded, {event.rows:,} rows" in dash.feed.texts()[0]
    # the dashboard refreshes itself (debounced) and counts the new run
    qtbot.waitUntil(lambda: dash.total.value.text() == "2", timeout=5000)
    # clicking the entry opens the run in History
    item = dash.feed.list.item(0)
    dash.feed.list.itemClicked.emit(item)
    assert window.current_key() == "history"
    qtbot.waitUntil(lambda: window.history.detail.run is not None and window.history.detail.run.run.id == event.run_id)


def test_pause_all_from_the_scheduler_card(open_window: Any, seeded: Any, qtbot: Any) -> None:
    from autosync_desktop.store import settings

    window = open_window(start_scheduler=True)
    card = window.dashboard.scheduler_card
    qtbot.waitUntil(lambda: card.badge.text() == "Running", timeout=5000)
    qtbot.mouseClick(card.pause_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.badge.text() == "All paused", timeout=5000)
    assert settings.get("scheduler.paused_all") is True
    assert card.next.text() == "Next run: none scheduled" and card.pause_all.text() == "Resume all"
    window.show_tab("scheduler")
    qtbot.waitUntil(lambda: SCHEDULE in window.scheduler.cards and
                    window.scheduler.cards[SCHEDULE].badge.text() == "All paused", timeout=5000)
    qtbot.mouseClick(card.pause_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.badge.text() == "Running", timeout=5000)
    assert settings.get("scheduler.paused_all") is False
    wait_idle(qtbot, window)


def test_feed_does_not_repeat_what_it_already_showed_live(qtbot) -> None:
    from autosync_desktop import events as ev
    from autosync_desktop.gui.dashboard.feed import ActivityFeed

    feed = ActivityFeed()
    qtbot.addWidget(feed)
    feed.on_event(ev.RunQueued(run_id=7, schedule="Demo sync", account="Demo account", trigger="manual"))
    feed.on_event(ev.RunFinished(run_id=7, schedule="Demo sync", account="Demo account", trigger="manual",
                                 status="succeeded", rows=5, duration_s=0.1))
    stored = ActivityLine(event_id=0, run_id=7, at=datetime(2026, 11, 29, 0, 59, 59, tzinfo=UTC), level="info",
                          message="", run_status=RunStatus.SUCCEEDED, schedule="Demo sync", account="Demo account",
                          trigger=Trigger.MANUAL, run_rows=5, run_duration_s=0.1,
                          run_finished_at=datetime(2026, 11, 29, 1, tzinfo=UTC), run_error=None)
    feed.load_history((replace(stored, event_id=2, message="Window 2026-11-28..2026-11-29: 5 rows"),
                       replace(stored, event_id=1, message="Queued (manual)")))
    texts = feed.texts()
    assert sum("queued" in t.lower() for t in texts) == 1
    assert sum("succeeded" in t for t in texts) == 1
    assert any("Window 2026-11-28" in t for t in texts)
