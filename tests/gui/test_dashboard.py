"""The Dashboard shows exactly what the store holds after real Demo syncs, and follows runs live."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from autosync_desktop import events as ev
from autosync_desktop.domain import Period
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui.dashboard import text as words
from autosync_desktop.services import Services
from autosync_desktop.store.models import SyncRun, utcnow
from tests.gui.conftest import DEMO, SCHEDULE, seed_demo, wait_idle


def test_cards_and_charts_show_the_synced_numbers(open_window: Any, data_dir: Any) -> None:
    seed = seed_demo(data_dir, runs=2)
    rows = sum(run.rows for run in seed.runs)
    window = open_window()
    dash = window.dashboard
    assert dash.total.value.text() == "2"
    assert dash.success.value.text() == "100.0 %"
    assert dash.rows.value.text() == f"{rows:,}"
    # nothing to compare with: said once, on the first card only (no misleading comparison under the others)
    assert dash.success.change.text() == "no runs in the previous 24 h to compare with"
    assert [card.change.text() for card in (dash.total, dash.duration, dash.rows)] == ["", "", ""]
    assert dash.success.detail.text() == "2 of 2 finished runs succeeded"
    expected = window.ctx.services.metrics.period_comparison("24h").current.avg_duration_s
    assert dash.duration.value.text() == fmt.fmt_duration(expected) != "—"
    card = dash.account_card(DEMO)
    assert card is not None and card.badge.text() == "Healthy"
    assert not card.reason.isVisibleTo(card) and not card.retry.isVisibleTo(card)  # nothing to fix
    through = window.ctx.services.accounts.cards()[0].data_through
    assert through is not None
    assert f"Data through {words.day_label(through)}, last 4 days still settling" in card.freshness.text()
    assert card.errors.text() == "Errors (24 h): 0 of 2 runs"  # the response time is a detail, on hover
    assert "response time" in card.errors.toolTip()
    assert card.last_success.text() in ("Last success: just now", *(f"Last success: {n} s ago" for n in range(60)))
    assert card.last_success.toolTip().endswith(f"({fmt.zone_label()})")  # the exact time on hover
    # the database in plain words; the file, schema version and the check's own words only on hover
    database = dash.database_card
    assert database.integrity.text() == "Checked: no damage found"
    assert database.summary.text().startswith("Healthy · ")
    assert database.summary.text().endswith("· last cleanup never")
    shown = " ".join(label.text() for label in database.findChildren(QLabel) if label.isVisibleTo(database))
    assert "schema" not in shown.lower() and "integrity" not in shown.lower() and str(data_dir) not in shown
    visible = " ".join(label.text() for label in dash.findChildren(QLabel) if label.isVisibleTo(dash)).lower()
    assert not [word for word in ("schema", "integrity", "latency", "lookback", "daily-stat", "etc/", "prune")
                if word in visible]  # no developer words on the page (issue 11)
    assert "Schema version" in database.summary.toolTip() and "Integrity check: ok" in database.summary.toolTip()
    assert dash.scheduler_card.next_name.text() == f"Next: {SCHEDULE}"
    # charts: the last day holds both runs and all their rows; hovering says so, with the day as "Dec 4"
    last = len(dash.rows_chart.days) - 1
    day = words.day_label(dash.rows_chart.dates[last])
    assert dash.rows_chart.values[-1] == rows
    assert dash.runs_chart.per_day[-1] == {"succeeded": 2}
    assert dash.runs_chart.show_day(last) == f"{day}: 2 succeeded"
    assert dash.rows_chart.show_day(last) == f"{day}: {rows:,} rows"
    assert dash.rows_chart.values[:-1] == [0] * last  # no invented history
    # one day of data: the charts draw the last three days (wide bars), labelled like "Dec 4"
    assert dash.rows_chart.first == last - 2 and dash.charts_heading.text() == "Last 3 days"
    assert dash.rows_chart.day_tick_labels()[-1] == day
    # the feed: one row per run, newest first
    texts = dash.feed.texts()
    assert len(texts) == 2
    assert texts[0].startswith(f"{SCHEDULE} | {DEMO} | Succeeded · {seed.runs[1].rows:,} rows")
    assert [row.run_id for row in dash.feed.ordered()] == [seed.runs[1].id, seed.runs[0].id]
    assert "Updated" in dash.updated.text()


def test_empty_store_says_no_runs_yet(open_window: Any, data_dir: Any) -> None:
    window = open_window()
    dash = window.dashboard
    assert dash.success.value.text() == "—"
    assert dash.success.detail.text() == "No runs yet"
    assert dash.total.value.text() == "0"
    assert dash.runs_chart.stack.currentWidget() is dash.runs_chart.empty
    assert dash.runs_chart.empty.text() == "No runs yet"
    # the charts area says so once, centred, with no hover hint or "Last 14 days" over nothing
    assert dash.charts_empty.isVisibleTo(dash) and dash.charts_empty.text().startswith("No runs yet")
    assert dash.charts_empty.alignment() & Qt.AlignmentFlag.AlignCenter
    assert not dash.charts_grid.isVisibleTo(dash) and not dash.charts_heading.isVisibleTo(dash)
    assert not dash.runs_chart.hover.isVisibleTo(dash.runs_chart)
    assert not dash.feed.rows and dash.feed.stack.currentWidget() is dash.feed.empty
    assert dash.feed.empty.text().startswith("No runs yet")
    assert dash.feed.empty.alignment() & Qt.AlignmentFlag.AlignCenter


def test_a_period_without_runs_says_so_when_the_store_has_runs(open_window: Any, data_dir: Any) -> None:
    seed_demo(data_dir, runs=1)
    services = Services.open(data_dir)
    try:  # the run happened long ago: outside every period and every chart day
        long_ago = utcnow() - timedelta(days=60)
        SyncRun.update(queued_at=long_ago, started_at=long_ago, finished_at=long_ago).execute()
    finally:
        services.close()
    window = open_window()
    dash = window.dashboard
    assert dash.total.value.text() == "0"
    assert dash.success.detail.text() == "No runs in the last 24 hours"
    assert dash.runs_chart.empty.text() == "No runs in the last 14 days"
    assert dash.charts_empty.isVisibleTo(dash) and dash.charts_empty.text() == "No runs in the last 14 days"
    assert len(dash.feed.rows) == 1  # the feed still shows the newest run


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


def test_feed_has_one_row_per_run_that_follows_it_live(open_window: Any, data_dir: Any, qtbot: Any) -> None:
    services = Services.open(data_dir)
    try:  # slow enough (simulated latency) to be seen running
        services.accounts.add("demo", DEMO, "demo-1", {"latency_ms": "120", "campaigns": "8", "page_size": "20"})
        services.schedules.add(SCHEDULE, DEMO, "both", "interval", every_minutes=5)
    finally:
        services.close()
    window = open_window(start_scheduler=True)
    dash = window.dashboard
    progress: list[ev.RunProgress] = []
    window.ctx.bridge.any_event.connect(lambda e: progress.append(e) if isinstance(e, ev.RunProgress) else None)
    window.scheduler.action(SCHEDULE, "sync")
    qtbot.waitUntil(lambda: any(r.entry.status == "running" for r in dash.feed.rows.values()), timeout=15000)
    (row,) = dash.feed.rows.values()
    assert row.progress.isVisibleTo(row) and row.status.text().startswith("Running")
    qtbot.waitUntil(lambda: row.entry.rows > 0, timeout=15000)  # progress reached the row
    assert re.fullmatch(r"Running · window \d+ of \d+ · [\d,]+ rows", row.status.text()) and progress
    assert row.progress.maximum() == max(row.entry.windows_total, 1)
    assert len(dash.feed.rows) == 1  # queued, started, progress: still one row
    with qtbot.waitSignal(window.ctx.bridge.run_finished, timeout=30000) as finished:
        pass
    event = finished.args[0]
    assert event.run_id == row.run_id and len(dash.feed.rows) == 1
    assert row.status.text() == f"Succeeded · {event.rows:,} rows · {fmt.fmt_duration(event.duration_s)}"
    assert not row.progress.isVisibleTo(row)
    assert row.when.text() in ("just now",) or row.when.text().endswith("s ago")
    assert row.when.toolTip().startswith(fmt.fmt_time(row.entry.at, seconds=True))
    # the refresh after the run keeps one row per run
    qtbot.waitUntil(lambda: dash.total.value.text() == "1", timeout=5000)
    assert len(dash.feed.rows) == 1
    # the arrow opens the run's window log (readable dates); "Open in History" opens the run there
    row.expand.click()
    qtbot.waitUntil(lambda: "Loading" not in row.log.text(), timeout=5000)
    assert row.details.isVisibleTo(row) and ": " in row.log.text() and "Window 20" not in row.log.text()
    qtbot.mouseClick(row.history_button, Qt.MouseButton.LeftButton)
    assert window.current_key() == "history"
    qtbot.waitUntil(lambda: window.history.detail.run is not None and window.history.detail.run.run.id == event.run_id)
    wait_idle(qtbot, window)


def test_pause_all_from_the_scheduler_card(open_window: Any, seeded: Any, qtbot: Any) -> None:
    from autosync_desktop.store import settings

    window = open_window(start_scheduler=True)
    card = window.dashboard.scheduler_card
    qtbot.waitUntil(lambda: card.badge.text() == "Running", timeout=5000)
    assert card.uptime.text().startswith("Running since ") and "(uptime " in card.uptime.text()
    assert card.wake.text().startswith("Last wake-up ")
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


def test_feed_merges_the_store_page_with_live_events(qtbot: Any) -> None:
    from datetime import UTC, datetime

    from autosync_desktop.domain import RunRow, RunStatus, Trigger
    from autosync_desktop.gui.dashboard.feed import ActivityFeed

    feed = ActivityFeed()
    qtbot.addWidget(feed)
    feed.on_event(ev.RunQueued(run_id=7, schedule="Demo sync", account="Demo account", trigger="manual"))
    feed.on_event(ev.RunFinished(run_id=7, schedule="Demo sync", account="Demo account", trigger="manual",
                                 status="failed", rows=5, duration_s=0.1, error_class="RateLimited",
                                 error="platform said: 429 RESOURCE_EXHAUSTED",
                                 retry_at=datetime(2026, 11, 29, 14, 5, tzinfo=UTC)))
    at = datetime(2026, 11, 29, 1, tzinfo=UTC)
    stale = RunRow(id=7, schedule="Demo sync", account="Demo account", platform="demo", trigger=Trigger.MANUAL,
                   status=RunStatus.RUNNING, queued_at=at, started_at=at, finished_at=None, duration_s=None,
                   rows=2, campaigns=0, pages=0, api_calls=0, attempt=1, error_class=None, error=None, reason=None,
                   window_from=None, window_to=None)
    feed.load_runs([stale])  # read before the run ended: the live end wins
    (row,) = feed.rows.values()
    assert row.entry.status == "failed"
    assert row.reason.text().startswith("The platform asked us to slow down; it will retry at ")
    assert "429" not in row.reason.text() and row.reason.toolTip() == "platform said: 429 RESOURCE_EXHAUSTED"
    assert row.icon.toolTip() == "Failed" and row.status.text().startswith("Failed")  # icon and word
