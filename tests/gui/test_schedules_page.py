"""The Schedules page with many schedules in mixed states: search, state chips with counts, sort, the last-runs
dots (a click opens that run), the detail pane, and no sideways scrolling at 1024x640 with long and CJK names."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt

from autosync_desktop.gui.scheduler.delegate import dot_rects
from autosync_desktop.services import Services
from autosync_desktop.store.models import Schedule, SyncRun, utcnow
from tests.gui.conftest import wait_idle

LONG = ("Daily Google Ads — Berlin brand campaigns and performance max incl. shopping")[:63]
CJK = "東京キャンペーン 日次同期"
RATE = "platform said: 429 RESOURCE_EXHAUSTED"


def seed_mixed(data_dir: Path, extra: int = 0) -> dict[str, list[int]]:
    """Failing (2, one a rate limit), running (1), paused (1) and ok schedules (3 + `extra`); run ids by schedule."""
    services = Services.open(data_dir)
    runs: dict[str, list[int]] = {}
    try:
        services.accounts.add("demo", "Demo account", "demo-1", {"latency_ms": "0"})
        plan = [("Alpha failing", "failed"), ("Zulu failing", "failed"), ("Mike running", "running"),
                ("Bravo paused", "paused"), ("Charlie ok", "ok"), (LONG, "ok"), (CJK, "ok")]
        plan += [(f"Client {i:02d} daily", "ok") for i in range(extra)]
        now = utcnow()
        for i, (name, state) in enumerate(plan):
            if i % 2:
                services.schedules.add(name, "Demo account", "both", "daily", at="06:00", timezone="Europe/Berlin")
            else:
                services.schedules.add(name, "Demo account", "both", "interval", every_minutes=60 + i)
            schedule = Schedule.get(Schedule.name == name)
            ids = []
            for k in range(12):
                failed = state == "failed" and k >= 10
                when = now - timedelta(hours=24 - k)
                run = SyncRun.create(
                    schedule=schedule, account=schedule.account, schedule_name=name, account_name="Demo account",
                    platform="demo", trigger="scheduled", status="failed" if failed else "succeeded", queued_at=when,
                    started_at=when, finished_at=when + timedelta(seconds=30), duration_s=30.0, rows=100 + k,
                    error_message=(RATE if name.startswith("Alpha") else "KeyError: 'x'") if failed else None)
                ids.append(run.id)
            if state == "running":
                run = SyncRun.create(schedule=schedule, account=schedule.account, schedule_name=name,
                                     account_name="Demo account", platform="demo", trigger="manual", status="running",
                                     queued_at=now, started_at=now, rows=42, owner_pid=os.getpid(),
                                     owner_host="test", heartbeat_at=now)
                ids.append(run.id)
            if state == "paused":
                services.schedules.pause(name)
            runs[name] = ids
        return runs
    finally:
        services.close()


def test_recent_runs_are_the_newest_ten_per_schedule(data_dir: Path) -> None:
    runs = seed_mixed(data_dir)
    services = Services.open(data_dir)
    try:
        recent = services.schedules.recent_runs(10)
        assert [r.id for r in recent["Charlie ok"]] == list(reversed(runs["Charlie ok"]))[:10]
        assert recent["Alpha failing"][0].error == RATE
        limits = services.schedules.backfill_limits("Charlie ok")
        assert (limits.max_window_days, limits.reads_campaigns, limits.reads_stats) == (30, True, True)
    finally:
        services.close()


def test_search_chips_with_counts_and_sort(open_window: Any, data_dir: Path, qtbot: Any) -> None:
    seed_mixed(data_dir)
    window = open_window(tab="scheduler")
    view = window.scheduler
    # failing first, then running, then the rest by name
    assert view.shown_names()[:3] == ["Alpha failing", "Zulu failing", "Mike running"]
    assert {k: c.text() for k, c in view.chips.items()} == {
        "all": "All 7", "failing": "Failing 2", "running": "Running 1", "paused": "Paused 1", "ok": "OK 3"}
    assert view.counts_text() == "2 failing · 1 running · 1 paused · 3 ok"
    # a chip filters; the counts stay
    qtbot.mouseClick(view.chips["failing"], Qt.MouseButton.LeftButton)
    assert view.shown_names() == ["Alpha failing", "Zulu failing"]
    qtbot.mouseClick(view.chips["paused"], Qt.MouseButton.LeftButton)
    assert view.shown_names() == ["Bravo paused"]
    qtbot.mouseClick(view.chips["all"], Qt.MouseButton.LeftButton)
    # search narrows the list and the counts
    view.search.setText("東京")  # (QTest types ASCII only)
    assert view.shown_names() == [CJK] and view.chips["all"].text() == "All 1" and view.chips["ok"].text() == "OK 1"
    view.search.clear()
    qtbot.keyClicks(view.search, "FAILING")
    assert view.shown_names() == ["Alpha failing", "Zulu failing"]
    qtbot.keyClicks(view.search, "x")
    assert view.shown_names() == [] and view.no_match.isVisibleTo(view)
    view.search.clear()
    # sort by name
    view.set_sort("name")
    assert view.shown_names() == sorted(view.shown_names(), key=str.casefold) and len(view.shown_names()) == 7
    # sort by next run: the paused one (no next run) last
    view.set_sort("next")
    assert view.shown_names()[-1] == "Bravo paused"


def test_failure_in_plain_words_with_the_raw_text_in_a_tooltip(open_window: Any, data_dir: Path,
                                                                qtbot: Any) -> None:
    seed_mixed(data_dir)
    window = open_window(tab="scheduler")
    view = window.scheduler
    view.select("Alpha failing")
    assert view.detail.problem.text() == "The platform asked us to slow down (rate limit)"
    assert RATE in view.detail.problem.toolTip()
    index = view.model.index(view.model.row_of("Alpha failing"))
    assert "slow down (rate limit)" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert RATE in index.data(Qt.ItemDataRole.ToolTipRole)
    assert view.cards["Alpha failing"].badge.text() == "Failed"


def test_a_last_runs_dot_and_a_recent_run_open_that_run(open_window: Any, data_dir: Path, qtbot: Any) -> None:
    runs = seed_mixed(data_dir)
    window = open_window(tab="scheduler")
    view = window.scheduler
    row = view.model.row_of("Charlie ok")
    index = view.model.index(row)
    view.list.scrollTo(index)
    rect = view.list.visualRect(index)
    dots = dot_rects(rect, view.model.shown[row])
    assert len(dots) == 10
    newest, newest_run = dots[-1]
    oldest, oldest_run = dots[0]
    assert newest_run.id == runs["Charlie ok"][-1] and oldest_run.id == runs["Charlie ok"][-10]
    with qtbot.waitSignal(view.open_run, timeout=2000) as opened:
        qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=newest.center())
    assert opened.args == [newest_run.id]
    with qtbot.waitSignal(view.open_run, timeout=2000) as opened:
        qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=oldest.center())
    assert opened.args == [oldest_run.id]
    # a click beside the dots selects the schedule instead
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 150, rect.center().y()))
    assert view.current == "Charlie ok" and view.detail.title.full_text() == "Charlie ok"
    assert len(view.detail.run_buttons) == 10
    with qtbot.waitSignal(view.open_run, timeout=2000) as opened:
        qtbot.mouseClick(view.detail.run_buttons[0], Qt.MouseButton.LeftButton)
    assert opened.args == [runs["Charlie ok"][-1]]


def test_sync_now_from_the_pane_requests_a_run(open_window: Any, data_dir: Path, qtbot: Any) -> None:
    seed_mixed(data_dir)
    window = open_window(start_scheduler=True, tab="scheduler")
    view = window.scheduler
    view.select("Charlie ok")
    before = SyncRun.select().where(SyncRun.trigger == "manual").count()
    qtbot.mouseClick(view.detail.buttons["sync"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: SyncRun.select().where((SyncRun.trigger == "manual") &
                                                   (SyncRun.schedule_name == "Charlie ok")).count() == 1,
                    timeout=5000)
    assert SyncRun.select().where(SyncRun.trigger == "manual").count() == before + 1
    qtbot.waitUntil(lambda: SyncRun.select().where((SyncRun.schedule_name == "Charlie ok") &
                                                   SyncRun.status.in_(("queued", "running"))).count() == 0,
                    timeout=15000)
    wait_idle(qtbot, window)


def test_no_sideways_scrolling_at_1024x640_with_35_schedules(open_window: Any, data_dir: Path, qtbot: Any) -> None:
    seed_mixed(data_dir, extra=28)
    window = open_window(tab="scheduler")
    window.resize(1024, 640)
    view = window.scheduler
    qtbot.waitUntil(lambda: len(view.cards) == 35)
    wait_idle(qtbot, window)
    for name in (LONG, CJK):
        view.select(name)
        qtbot.wait(20)
        # the page asks for less than 1024 px minus a wide navigation rail (the other pages are theirs to fit)
        assert view.minimumSizeHint().width() <= 1024 - 180
        assert view.minimumSizeHint().width() <= view.width()
        assert not view.list.horizontalScrollBar().isVisible()
        assert not view.detail.horizontalScrollBar().isVisible()
        assert view.detail.widget().width() <= view.detail.viewport().width()
        assert view.detail.title.full_text() == name
    assert view.splitter.orientation() == Qt.Orientation.Horizontal
    assert view.list.verticalScrollBar().isVisible()  # 35 rows scroll up and down only
