"""The tray: its state (icon, tooltip, menu) from data, and its actions' effects, without a real tray."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop.domain import RunStatus
from autosync_desktop.gui import tray_model as model
from autosync_desktop.gui.desktop import DesktopIntegration
from autosync_desktop.gui.tray import TrayController, tray_icon
from autosync_desktop.services import Services
from autosync_desktop.store import settings, timed_pause
from autosync_desktop.store.models import SyncRun
from tests.gui.conftest import DEMO, SCHEDULE, wait_workers


def snap(**changes: Any) -> model.TraySnapshot:
    base = model.TraySnapshot(scheduler_owner="this process", paused_all=False, paused_until=None,
                              next_run_at=datetime(2030, 1, 1, 6, tzinfo=UTC), next_schedule="Daily", schedules=2,
                              active_schedules=2)
    return replace(base, **changes)


def actions(state: model.TrayState) -> list[tuple[str, Any]]:
    return [(e.action, e.arg) for e in state.actions()]


def texts(state: model.TrayState) -> list[str]:
    return [e.text for e in state.entries if not e.separator]


# --- the state as a pure function ---

def test_all_good_shows_the_next_sync_and_the_common_actions() -> None:
    state = model.tray_state(snap())
    assert state.icon == "ok"
    assert texts(state)[0] == "All good"
    assert texts(state)[1].startswith("Next sync: Daily at ")
    assert actions(state) == [("sync_all", None), ("pause_hour", None), ("pause", None), ("open", None),
                              ("quit", None)]
    assert state.tooltip.startswith("AutoSync Desktop — All good\nNext sync: Daily")


def test_running_syncs_each_get_a_cancel_action() -> None:
    runs = (model.ActiveRun(7, "Daily", RunStatus.RUNNING, datetime(2030, 1, 1, 5, tzinfo=UTC)),
            model.ActiveRun(8, "Acme", RunStatus.QUEUED, None))
    state = model.tray_state(snap(active_runs=runs))
    assert state.icon == "running"
    assert texts(state)[0] == "2 syncs running"
    assert actions(state)[:2] == [("cancel", 7), ("cancel", 8)]
    assert texts(state)[2].startswith("Cancel “Daily” (running since ") and texts(state)[3] == "Cancel “Acme” (queued)"


def test_attention_wins_over_running_and_names_the_problems() -> None:
    runs = (model.ActiveRun(7, "Daily", RunStatus.RUNNING, None),)
    state = model.tray_state(snap(active_runs=runs, problems=("Acme: needs sign-in", "Weekly: last run failed")))
    assert state.icon == "attention"
    assert texts(state)[0] == "Needs attention: Acme: needs sign-in (and 1 more)"
    assert "  Weekly: last run failed" in texts(state)
    assert "Weekly: last run failed" in state.tooltip
    # nobody runs the scheduler while schedules are active: that needs attention too
    assert model.tray_state(snap(scheduler_owner=None)).icon == "attention"
    assert model.tray_state(snap(scheduler_owner=None, paused_all=True)).icon == "ok"
    starting = model.tray_state(snap(scheduler_owner=None, scheduler_starting=True))  # the window starts it now
    assert starting.icon == "ok" and texts(starting)[1] == "Scheduler starting…"


def test_paused_menus_offer_resume_and_say_until_when() -> None:
    until = datetime(2030, 1, 1, 15, 0, tzinfo=UTC)
    state = model.tray_state(snap(paused_all=True, paused_until=until))
    assert texts(state)[1].startswith("All schedules paused until ") and texts(state)[1].endswith("15:00")
    assert ("resume", None) in actions(state) and ("pause_hour", None) not in actions(state)
    state = model.tray_state(snap(paused_all=True))
    assert texts(state)[1] == "All schedules paused until you resume them"


def test_tray_icons_exist_for_every_state(qapp: Any) -> None:
    for state in ("ok", "running", "attention"):
        assert not tray_icon(state).isNull()


# --- collected from the real services ---

def test_collect_reads_health_runs_and_schedules(seeded: Any, data_dir: Path) -> None:
    services = Services.open(data_dir)
    try:
        snapshot = model.collect(services)
        assert snapshot.problems == () and snapshot.active_runs == ()
        assert (snapshot.schedules, snapshot.active_schedules, snapshot.close_to_tray) == (1, 1, True)
        assert snapshot.next_schedule == SCHEDULE
        # nobody runs the scheduler (no window, no service): an active schedule would not run, which is shown
        assert snapshot.scheduler_owner is None and model.icon_of(snapshot) == "attention"
        assert model.status_text(snapshot) == "Needs attention: the scheduler is not running"
        services.start_scheduler()
        snapshot = model.collect(services)
        assert snapshot.scheduler_owner == "this process" and model.icon_of(snapshot) == "ok"
        services.accounts.add("google_ads", "Acme Google", "123-456-7890")  # no credentials yet: needs sign-in
        snapshot = model.collect(services)
        assert snapshot.problems == ("Acme Google: needs sign-in",)
        assert model.icon_of(snapshot) == "attention"
    finally:
        services.close()


# --- the actions, through the menu of a window's tray controller (no tray needed) ---

@pytest.fixture
def tray_window(open_window: Any, qtbot: Any) -> Any:
    def make(start_scheduler: bool = True) -> tuple[Any, TrayController]:
        window = open_window(start_scheduler=start_scheduler)
        desktop = DesktopIntegration(window, use_tray=False)
        desktop.start()
        qtbot.waitUntil(lambda: desktop.tray.snapshot is not None, timeout=10000)
        window._desktop = desktop  # kept alive with the window
        return window, desktop.tray

    yield make


def menu_texts(tray: TrayController) -> list[str]:
    return [a.text() for a in tray.menu.actions() if not a.isSeparator()]


def test_sync_all_now_queues_a_run_of_every_schedule(seeded: Any, tray_window: Any, qtbot: Any) -> None:
    window, tray = tray_window()
    assert tray.tray is None and not tray.has_tray  # offscreen: no system tray, the menu still works
    before = SyncRun.select().count()
    messages: list[str] = []
    tray.message.connect(messages.append)
    tray.action("sync_all").trigger()
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert messages[0] == "Queued 1 sync"
    assert SyncRun.select().count() == before + 1
    qtbot.waitUntil(lambda: SyncRun.select().where(SyncRun.status.in_(("queued", "running"))).count() == 0,
                    timeout=15000)
    wait_workers(qtbot, window)


def test_pause_for_an_hour_stores_the_end_and_resumes_when_due(seeded: Any, tray_window: Any, qtbot: Any) -> None:
    window, tray = tray_window()
    tray.action("pause_hour").trigger()
    qtbot.waitUntil(lambda: settings.get("scheduler.paused_all") is True
                    and settings.get("scheduler.paused_until") != "", timeout=10000)
    until = timed_pause.parse(settings.get("scheduler.paused_until"))
    assert until is not None and abs((until - datetime.now(UTC)) - timedelta(hours=1)) < timedelta(seconds=30)
    qtbot.waitUntil(lambda: tray.action("resume") is not None, timeout=10000)
    assert any(t.startswith("All schedules paused until ") for t in menu_texts(tray))
    assert tray.action("pause_hour") is None
    assert tray._resume.isActive() and tray._resume.interval() == 60_000  # re-checked at least every minute
    # the hour passes (the clock is moved instead of waiting): the controller resumes by itself
    window.ctx.services.settings.set("scheduler.paused_until",
                                     timed_pause.fmt(datetime.now(UTC) - timedelta(seconds=1)))
    qtbot.waitUntil(lambda: settings.get("scheduler.paused_all") is False, timeout=10000)
    assert settings.get("scheduler.paused_until") == ""
    qtbot.waitUntil(lambda: tray.action("pause_hour") is not None, timeout=10000)
    wait_workers(qtbot, window)


def test_pause_until_resumed_and_resume_all(seeded: Any, tray_window: Any, qtbot: Any) -> None:
    window, tray = tray_window()
    tray.action("pause").trigger()
    qtbot.waitUntil(lambda: tray.action("resume") is not None, timeout=10000)
    assert settings.get("scheduler.paused_all") is True and settings.get("scheduler.paused_until") == ""
    assert "All schedules paused until you resume them" in menu_texts(tray)
    assert not tray._resume.isActive()
    tray.action("resume").trigger()
    qtbot.waitUntil(lambda: tray.action("pause_hour") is not None, timeout=10000)
    assert settings.get("scheduler.paused_all") is False
    wait_workers(qtbot, window)


def test_a_pause_that_ended_while_closed_is_resumed_at_start(seeded: Any, data_dir: Path, tray_window: Any,
                                                             qtbot: Any) -> None:
    services = Services.open(data_dir)
    model.pause_all(services, hours=1, now=datetime.now(UTC) - timedelta(hours=2))
    assert settings.get("scheduler.paused_all") is True
    services.close()
    window, _tray = tray_window()
    qtbot.waitUntil(lambda: settings.get("scheduler.paused_all") is False, timeout=10000)
    assert settings.get("scheduler.paused_until") == ""
    wait_workers(qtbot, window)


def test_another_pause_or_resume_clears_a_timed_end(data_dir: Path) -> None:
    services = Services.open(data_dir)
    try:
        model.pause_all(services, hours=1)
        assert settings.get("scheduler.paused_until") != ""
        services.settings.set("scheduler.paused_all", True)  # e.g. the Settings checkbox or the CLI
        assert settings.get("scheduler.paused_until") == ""
        assert model.resume_if_due(services, now=datetime.now(UTC) + timedelta(days=1)) is False
        assert settings.get("scheduler.paused_all") is True  # an open-ended pause is never resumed by a timer
    finally:
        services.close()


def test_cancel_in_the_menu_cancels_the_run(open_window: Any, data_dir: Path, tray_window: Any, qtbot: Any) -> None:
    services = Services.open(data_dir)
    services.accounts.add("demo", DEMO, "slow", {"latency_ms": "150", "page_size": "50"})
    services.schedules.add("Slow sync", DEMO, "both", "manual")
    services.close()
    window, tray = tray_window()
    window.ctx.services.runs.request("Slow sync")
    qtbot.waitUntil(lambda: tray.action("cancel") is not None and tray.snapshot.active_runs
                    and tray.snapshot.active_runs[0].status == "running", timeout=10000)
    assert tray.state.icon == "running"
    run_id = tray.snapshot.active_runs[0].run_id
    assert tray.action("cancel", run_id).text().startswith("Cancel “Slow sync” (running since ")
    with qtbot.waitSignal(window.ctx.bridge.run_finished, timeout=10000) as finished:
        tray.action("cancel", run_id).trigger()
    assert finished.args[0].status == "cancelled"
    qtbot.waitUntil(lambda: tray.action("cancel") is None and tray.state.icon == "ok", timeout=10000)
    assert SyncRun.select().count() == 1  # cancel means cancel: nothing re-ran it
    wait_workers(qtbot, window)


def test_open_and_quit_in_the_menu(seeded: Any, tray_window: Any, qtbot: Any) -> None:
    window, tray = tray_window()
    window.showMinimized()
    tray.action("open").trigger()
    assert window.isVisible() and not window.isMinimized()
    desktop = window._desktop
    with qtbot.waitSignal(desktop.quit_requested, timeout=5000):
        tray.action("quit").trigger()
    assert window.ctx.closed  # the scheduler stopped, the store closed


def test_with_a_tray_closing_hides_to_it_and_says_so_once(open_window: Any, seeded: Any, qtbot: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from autosync_desktop.notify.messages import Notification

    window = open_window(start_scheduler=True)
    desktop = DesktopIntegration(window, use_tray=True)  # offscreen has none; the icon object still works
    desktop.start()
    qtbot.waitUntil(lambda: desktop.tray.snapshot is not None
                    and desktop.tray.snapshot.scheduler_owner == "this process", timeout=10000)
    assert desktop.tray.has_tray and desktop.tray.tray.toolTip().startswith("AutoSync Desktop — All good")
    assert desktop.tray.tray.contextMenu() is desktop.tray.menu
    shown: list[tuple[Any, ...]] = []
    monkeypatch.setattr(desktop.tray.tray, "showMessage", lambda *args: shown.append(args))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("no question when closing to the tray"))
    assert window.close() is False
    assert not window.isVisible() and not window.ctx.closed  # still running, in the tray
    assert [s[0] for s in shown] == ["AutoSync is still running"]
    window.show()
    assert window.close() is False and len(shown) == 1  # said once (remembered per data dir)
    # desktop notifications go to the tray, not the banner
    desktop.show_notification(Notification(kind="failure", subject="s", title="Demo sync failed", summary="Why.",
                                           at=datetime.now(UTC)))
    assert shown[-1][:2] == ("Demo sync failed", "Why.") and window.notices.notices == []
    # with "close to tray" off, closing quits (after asking, since a schedule is active)
    window.ctx.services.settings.set("general.close_to_tray", False)
    qtbot.waitUntil(lambda: desktop.tray.snapshot.close_to_tray is False, timeout=5000)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    window.show()
    with qtbot.waitSignal(desktop.quit_requested, timeout=5000):
        assert window.close() is True
    assert window.ctx.closed
    desktop.shutdown()
