"""A failing account's health card says why in plain words and offers the action right there: "Retry now"
requests a run, "View log" opens the failed run in History, "Open settings" / "Sign in again" ask the window
for Settings › Accounts (the view's `open_account` signal)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt

from autosync_desktop.domain import Health, SchedulerInfo
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.dashboard.health_cards import AccountHealthCard, SchedulerCard
from autosync_desktop.services import Services
from tests.gui.conftest import wait_idle

BROKEN = "Broken sandbox"


def seed_failing(data_dir: Any) -> int:
    """A Demo account whose every request is throttled, with one attempt per window: its run fails at once."""
    services = Services.open(data_dir)
    try:
        services.settings.set("retry.max_attempts", "1")
        services.accounts.add("demo", BROKEN, "demo-9", {"latency_ms": "0", "failure_rate": "1.0"})
        request = services.runs.request(BROKEN)
        run = services.runs.wait(request.run_id, poll_s=0.02, timeout_s=30)
        assert run.status == "failed"
        return run.id
    finally:
        services.close()


def test_failing_card_says_why_and_its_buttons_act(open_window: Any, data_dir: Any, qtbot: Any) -> None:
    failed_id = seed_failing(data_dir)
    window = open_window()
    dash = window.dashboard
    card = dash.account_card(BROKEN)
    assert card is not None and card.badge.text() == "Failing"
    assert card.reason.text() == "The platform asked us to slow down; the next sync tries again"
    assert theme.status_color("failing").name() in card.reason.styleSheet()  # the problem in the status colour
    assert "429 RESOURCE_EXHAUSTED" in card.reason.toolTip()  # the platform's words stay one hover away
    assert [b.text() for b in (card.retry, card.view_log, card.settings) if b.isVisibleTo(card)] == [
        "Retry now", "View log", "Open settings"]
    assert not card.sign_in.isVisibleTo(card)
    for button in (card.retry, card.view_log, card.settings):
        assert button.accessibleName() and button.focusPolicy() & Qt.FocusPolicy.TabFocus
    # Open settings: the window is asked for the account's settings
    with qtbot.waitSignal(dash.open_account, timeout=2000) as asked:
        qtbot.mouseClick(card.settings, Qt.MouseButton.LeftButton)
    assert asked.args == [BROKEN]
    # Retry now: a new run of the account is requested (on the write lane) and runs
    with qtbot.waitSignal(window.ctx.bridge.run_finished, timeout=15000) as finished:
        qtbot.mouseClick(card.retry, Qt.MouseButton.LeftButton)
        assert not card.retry.isEnabled() and card.retry.text() == "Retry requested"
    assert finished.args[0].run_id > failed_id and finished.args[0].account == BROKEN
    new_id = finished.args[0].run_id
    qtbot.waitUntil(lambda: (c := dash.account_card(BROKEN)) is not None and c.failed_run is not None
                    and c.failed_run.id == new_id, timeout=10000)  # the refresh shows the newest failure
    wait_idle(qtbot, window)
    card = dash.account_card(BROKEN)
    assert card is not None and card.retry.isEnabled() and card.retry.text() == "Retry now"
    assert len(dash.feed.rows) == 2 and all(r.entry.status == "failed" for r in dash.feed.rows.values())
    # View log: History shows that run
    qtbot.mouseClick(card.view_log, Qt.MouseButton.LeftButton)
    assert window.current_key() == "history"
    qtbot.waitUntil(lambda: window.history.detail.run is not None
                    and window.history.detail.run.run.id == card.failed_run.id, timeout=5000)
    wait_idle(qtbot, window)


def test_an_expired_sign_in_offers_sign_in_again(open_window: Any, data_dir: Any, qtbot: Any) -> None:
    seed_failing(data_dir)
    window = open_window()
    model = window.ctx.services.accounts.cards()[0]
    card = AccountHealthCard(BROKEN)
    qtbot.addWidget(card)
    card.update_card(replace(model, health=Health.NEEDS_SIGN_IN, auth_message="invalid_grant: token revoked"))
    assert card.badge.text() == "Needs sign-in"
    assert card.reason.text() == "The sign-in has expired"
    assert card.sign_in.isVisibleTo(card) and not card.retry.isVisibleTo(card)
    with qtbot.waitSignal(card.open_account, timeout=2000) as asked:
        card.sign_in.click()
    assert asked.args == [BROKEN]
    healthy = AccountHealthCard(BROKEN)
    qtbot.addWidget(healthy)
    healthy.update_card(replace(model, health=Health.HEALTHY))
    assert not healthy.reason.isVisibleTo(healthy)
    assert not any(b.isVisibleTo(healthy) for b in (healthy.sign_in, healthy.retry, healthy.view_log,
                                                      healthy.settings))


def test_scheduler_card_says_since_when_and_the_last_wake_up(qtbot: Any) -> None:
    fmt.set_display_zone("UTC")  # the conftest puts it back to local
    card = SchedulerCard()
    qtbot.addWidget(card)
    since = datetime(2030, 6, 1, 11, 0, tzinfo=UTC)
    info = SchedulerInfo(running=True, owner="this process", paused_all=False, active_runs=0, next_run_at=None,
                         next_schedule=None, schedules=3, running_since=since,
                         last_wake_at=datetime(2030, 6, 1, 14, 11, 48, tzinfo=UTC))
    card.update_info(info)
    card.tick(datetime(2030, 6, 1, 14, 12, tzinfo=UTC))
    assert card.uptime.text() == "Running since 11:00 (uptime 3 h 12 min)"
    assert card.wake.text() == "Last wake-up 12 s ago"
    card.tick(datetime(2030, 6, 3, 14, 12, tzinfo=UTC))
    assert card.uptime.text() == "Running since Jun 1 11:00 (uptime 2 d 3 h)"
    card.update_info(replace(info, running=False, owner=None, running_since=None, last_wake_at=None))
    assert not card.uptime.isVisibleTo(card) and not card.wake.isVisibleTo(card)
    assert card.badge.text() == "Not running"
