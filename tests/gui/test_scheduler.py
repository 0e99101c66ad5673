"""Creating, editing, pausing, triggering, duplicating and deleting schedules through the widgets changes the
store and the running scheduler; invalid input is rejected with the message beside its field."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from autosync_desktop.store.models import Schedule, SyncRun
from tests.gui.conftest import SCHEDULE, wait_idle, wait_workers


def _job(window: Any, name: str) -> Any:
    schedule = Schedule.get(Schedule.name == name)
    return window.ctx.services.scheduler._aps.get_job(f"schedule:{schedule.id}")


def _open_editor(window: Any, qtbot: Any, action: str = "new", name: str = SCHEDULE) -> Any:
    view = window.scheduler
    view.dialog = None
    if action == "new":
        qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    else:
        view.action(name, action)
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    return view.dialog


def test_create_validates_inline_then_saves_to_store_and_scheduler(open_window: Any, seeded: Any,
                                                                    qtbot: Any) -> None:
    window = open_window(start_scheduler=True, tab="scheduler")
    dialog = _open_editor(window, qtbot)
    qtbot.keyClicks(dialog.name, SCHEDULE)  # taken
    assert dialog.field_error("--name") == f"A schedule named {SCHEDULE!r} already exists; pick another name"
    assert not dialog.save_button.isEnabled()
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, "Morning")
    assert dialog.field_error("--name") == ""
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("interval"))
    dialog.every.clear()
    qtbot.keyClicks(dialog.every, "abc")
    assert dialog.field_error("--every-minutes") == "'abc' is not a whole number of minutes; use e.g. 15"
    assert dialog.errors["--every-minutes"].isVisibleTo(dialog) and not dialog.save_button.isEnabled()
    dialog.every.setText("0")
    assert dialog.field_error("--every-minutes").startswith("must be at least 1 for this platform (got 0)")
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("weekly"))
    assert dialog.field_error("--every-minutes") == ""
    dialog.at.setText("25:00")
    assert dialog.field_error("--at") == "'25:00' is not a valid time; use 24-hour HH:MM, e.g. 06:00"
    dialog.at.setText("06:30")
    for box in dialog.days:
        box.setChecked(False)
    assert dialog.field_error("--days").startswith("weekly schedules need at least one day")
    dialog.days[0].setChecked(True)
    dialog.days[2].setChecked(True)
    dialog.timezone.setCurrentText("Mars/Olympus")
    assert dialog.field_error("--timezone").startswith("'Mars/Olympus' is not a known IANA time zone")
    assert "Fix the field" in dialog.preview.text()
    dialog.timezone.setCurrentText("Europe/Berlin")
    assert dialog.save_button.isEnabled()
    preview = dialog.preview.text().splitlines()
    assert len(preview) == 5 and all(("Mon 06:30 Europe/Berlin" in line or "Wed 06:30 Europe/Berlin" in line)
                                     for line in preview)
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("cron"))
    dialog.cron.setText("0 6 1 * 1")
    assert "restricts both day-of-month and day-of-week" in dialog.field_error("--cron")
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("weekly"))
    dialog.lookback.setValue(7)
    dialog.missed.setCurrentIndex(dialog.missed.findData("skip"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    saved = Schedule.get(Schedule.name == "Morning")
    assert (saved.frequency, saved.at_time, saved.days, saved.timezone, saved.lookback_days, saved.missed_policy) == \
        ("weekly", "06:30", "mon,wed", "Europe/Berlin", 7, "skip")
    assert _job(window, "Morning") is not None
    qtbot.waitUntil(lambda: "Morning" in window.scheduler.cards)
    card = window.scheduler.cards["Morning"]
    assert card.frequency.text().startswith("Weekly on Mon, Wed at 06:30 (Europe/Berlin)")
    assert card.badge.text() == "Never run"


def test_a_service_error_is_shown_beside_its_field(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(tab="scheduler")
    dialog = _open_editor(window, qtbot)
    qtbot.keyClicks(dialog.name, "Other")
    dialog.taken.discard("Other")
    window.ctx.services.schedules.add("Other", "Demo account", "both", "manual")  # created meanwhile elsewhere
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.field_error("--name") != "", timeout=5000)
    assert dialog.field_error("--name") == "a schedule named 'Other' already exists; pick another name"
    assert dialog.isVisible()
    dialog.reject()


def test_edit_pause_resume_sync_duplicate_delete(open_window: Any, seeded: Any, qtbot: Any,
                                                  confirm_yes: list[str]) -> None:
    window = open_window(start_scheduler=True, tab="scheduler")
    view = window.scheduler
    card = view.cards[SCHEDULE]
    assert _job(window, SCHEDULE) is not None
    # pause / resume through the card's button: store and APScheduler follow
    qtbot.mouseClick(card.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Schedule.get(Schedule.name == SCHEDULE).paused, timeout=5000)
    wait_idle(qtbot, window)
    assert _job(window, SCHEDULE) is None
    assert card.badge.text() == "Paused" and card.next.text() == "Next run: paused"
    qtbot.mouseClick(card.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not Schedule.get(Schedule.name == SCHEDULE).paused, timeout=5000)
    assert _job(window, SCHEDULE) is not None
    # edit: daily at 07:15 in New York
    dialog = _open_editor(window, qtbot, "edit")
    assert dialog.name.text() == SCHEDULE and dialog.every.text() == "5"
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("daily"))
    dialog.at.setText("07:15")
    dialog.timezone.setCurrentText("America/New_York")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Schedule.get(Schedule.name == SCHEDULE).frequency == "daily", timeout=5000)
    qtbot.waitUntil(lambda: "hour='7', minute='15', timezone='America/New_York'" in repr(
        getattr(_job(window, SCHEDULE), "trigger", None)), timeout=5000)
    # sync now: a real run of the Demo account, progress then the result on the card
    with qtbot.waitSignal(window.ctx.bridge.run_finished, timeout=15000) as finished:
        qtbot.mouseClick(card.sync_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].status == "succeeded"
    rows = finished.args[0].rows
    qtbot.waitUntil(lambda: card.last.text().startswith(f"Last run: succeeded just now — {rows:,} rows"),
                    timeout=5000)
    # duplicate: a copy with the same options
    dialog = _open_editor(window, qtbot, "duplicate")
    assert dialog.name.text() == f"{SCHEDULE} (copy)"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Schedule.get_or_none(Schedule.name == f"{SCHEDULE} (copy)") is not None, timeout=5000)
    copy = Schedule.get(Schedule.name == f"{SCHEDULE} (copy)")
    assert (copy.frequency, copy.at_time, copy.timezone) == ("daily", "07:15", "America/New_York")
    # delete: confirmed, the schedule goes, its runs stay
    runs_before = SyncRun.select().count()
    view.action(SCHEDULE, "delete")
    qtbot.waitUntil(lambda: Schedule.get_or_none(Schedule.name == SCHEDULE) is None, timeout=5000)
    assert "Its run history is kept" in confirm_yes[-1]
    assert SyncRun.select().count() == runs_before
    qtbot.waitUntil(lambda: SCHEDULE not in view.cards, timeout=5000)
    wait_workers(qtbot, window)


def test_bulk_pause_resume_and_sync(open_window: Any, seeded: Any, qtbot: Any, confirm_yes: list[str]) -> None:
    window = open_window(start_scheduler=True)
    window.ctx.services.schedules.add("Second", "Demo account", "campaigns", "hourly", at=":10")
    window.show_tab("scheduler")
    view = window.scheduler
    qtbot.waitUntil(lambda: "Second" in view.cards, timeout=5000)
    assert not view.bulk["pause"].isEnabled()
    qtbot.mouseClick(view.select_all, Qt.MouseButton.LeftButton)
    assert view.selected_label.text() == "2 selected" and view.bulk["pause"].isEnabled()
    qtbot.mouseClick(view.bulk["pause"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Schedule.select().where(Schedule.paused).count() == 2, timeout=5000)
    qtbot.mouseClick(view.bulk["resume"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Schedule.select().where(Schedule.paused).count() == 0, timeout=5000)
    qtbot.mouseClick(view.bulk["sync"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: SyncRun.select().where(SyncRun.trigger == "manual").count() == 3, timeout=5000)
    qtbot.waitUntil(lambda: SyncRun.select().where(SyncRun.status.in_(("queued", "running"))).count() == 0,
                    timeout=15000)
    qtbot.mouseClick(view.bulk["delete"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Schedule.select().count() == 0, timeout=5000)
    assert "Delete 2 schedule(s)" in confirm_yes[-1]
    wait_workers(qtbot, window)


def test_backfill_dialog_runs_the_range_and_follows_it(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(tab="scheduler")
    window.scheduler.action(SCHEDULE, "backfill")
    dialog = window.scheduler.dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.date_from.setDate(dialog.date_to.date().addDays(3))
    assert dialog.error.text().startswith("'From' is after 'To'") and not dialog.run_button.isEnabled()
    dialog.date_from.setDate(dialog.date_to.date().addDays(-9))
    assert dialog.run_button.isEnabled()
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.badge.text().endswith("succeeded"), timeout=15000)
    run = SyncRun.select().order_by(SyncRun.id.desc()).get()
    assert (run.trigger, run.status) == ("backfill", "succeeded")
    assert (run.window_to - run.window_from).days == 9
    assert dialog.detail.text().startswith(f"{run.rows:,} rows written")
    dialog.reject()
    wait_workers(qtbot, window)


def test_progress_and_cancel_on_the_card(open_window: Any, data_dir: Any, qtbot: Any) -> None:
    from autosync_desktop.services import Services

    services = Services.open(data_dir)
    services.accounts.add("demo", "Slow demo", "slow", {"latency_ms": "150", "page_size": "50"})
    services.schedules.add("Slow sync", "Slow demo", "both", "manual")
    services.close()
    window = open_window(start_scheduler=True, tab="scheduler")
    card = window.scheduler.cards["Slow sync"]
    assert card.next.text() == "Next run: only when you start it"
    qtbot.mouseClick(card.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.running_row.isVisibleTo(card) and "rows so far" in card.progress_text.text()
                    and card.progress_text.text() != "0 rows so far", timeout=10000)
    assert card.badge.text() == "Running" and not card.sync_button.isEnabled()
    with qtbot.waitSignal(window.ctx.bridge.run_finished, timeout=10000) as finished:
        qtbot.mouseClick(card.cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].status == "cancelled"
    qtbot.waitUntil(lambda: card.badge.text() == "Cancelled", timeout=5000)
    assert not card.running_row.isVisibleTo(card) and card.sync_button.isEnabled()
    assert SyncRun.select().where(SyncRun.status == "cancelled").count() == 1
    assert SyncRun.select().count() == 1  # cancel means cancel: nothing re-ran it
