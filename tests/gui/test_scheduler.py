"""Creating, editing, pausing, triggering, duplicating and deleting schedules through the widgets changes the
store and the running scheduler; invalid input is rejected with the message beside its field."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTime

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
    # pristine: no message anywhere, though the empty name is not valid yet
    assert all(dialog.field_error(field) == "" for field in dialog.errors)
    assert dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.name, SCHEDULE)  # taken
    assert dialog.field_error("--name") == f"Name: a schedule named {SCHEDULE!r} already exists; pick another name"
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, "Morning")
    assert dialog.field_error("--name") == ""
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("interval"))
    dialog.every.setValue(2)
    dialog.every_unit.setCurrentIndex(dialog.every_unit.findData(60))
    assert dialog.values()["every_minutes"] == 120 and dialog.field_error("--every-minutes") == ""
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("weekly"))
    dialog.at.setTime(QTime(6, 30))
    for box in dialog.days:
        box.setChecked(False)
    assert dialog.field_error("--days").startswith("Days: weekly schedules need at least one day")
    dialog.days[0].setChecked(True)
    dialog.days[2].setChecked(True)
    dialog.timezone.setCurrentText("Mars/Olympus")
    assert dialog.field_error("--timezone").startswith("Time zone: 'Mars/Olympus' is not a known IANA time zone")
    assert "Fix the field" in dialog.preview.text()
    dialog.timezone.setCurrentText("Europe/Berlin")
    assert dialog.field_error("--timezone") == ""
    preview = dialog.preview.text().splitlines()
    assert len(preview) == 5 and all((line.startswith(("Mon ", "Wed ")) and ", 06:30 Berlin · in " in line)
                                     for line in preview)
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("cron"))
    dialog.cron.clear()
    qtbot.keyClicks(dialog.cron, "0 6 1 * 1")
    assert "restricts both day-of-month and day-of-week" in dialog.field_error("--cron")
    dialog.cron.clear()
    qtbot.keyClicks(dialog.cron, "30 7 * * 1-5")
    assert dialog.field_error("--cron") == "" and dialog.cron_words.text() == "At 07:30, Monday to Friday"
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("weekly"))
    dialog.lookback.setValue(7)
    dialog.missed.setCurrentIndex(dialog.missed.findData("skip"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    saved = Schedule.get(Schedule.name == "Morning")
    assert (saved.frequency, saved.at_time, saved.days, saved.timezone, saved.lookback_days, saved.missed_policy) == \
        ("weekly", "06:30", "mon,wed", "Europe/Berlin", 7, "skip")
    assert _job(window, "Morning") is not None
    view = window.scheduler
    qtbot.waitUntil(lambda: "Morning" in view.cards and view.current == "Morning", timeout=5000)
    assert view.cards["Morning"].when() == "Mon, Wed at 06:30 (Berlin)"
    assert view.cards["Morning"].badge.text() == "Never run"
    assert view.detail.title.full_text() == "Morning"


def test_save_on_a_pristine_invalid_form_names_the_field(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(tab="scheduler")
    dialog = _open_editor(window, qtbot)
    assert dialog.field_error("--name") == ""
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.field_error("--name") == "Name: a schedule needs a name, e.g. Daily Google Ads"
    assert [f for f in dialog.errors if dialog.field_error(f)] == ["--name"]  # one line, for the one bad field
    assert dialog.isVisible() and Schedule.select().count() == 1
    dialog.reject()


def test_a_service_error_is_shown_beside_its_field(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(tab="scheduler")
    dialog = _open_editor(window, qtbot)
    qtbot.keyClicks(dialog.name, "Other")
    dialog.taken.discard("Other")
    window.ctx.services.schedules.add("Other", "Demo account", "both", "manual")  # created meanwhile elsewhere
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.field_error("--name") != "", timeout=5000)
    assert dialog.field_error("--name") == "Name: a schedule named 'Other' already exists; pick another name"
    assert dialog.isVisible()
    dialog.reject()


def test_edit_pause_resume_sync_duplicate_delete(open_window: Any, seeded: Any, qtbot: Any,
                                                  confirm_yes: list[str]) -> None:
    window = open_window(start_scheduler=True, tab="scheduler")
    view = window.scheduler
    view.select(SCHEDULE)
    detail = view.detail
    entry = view.cards[SCHEDULE]
    qtbot.waitUntil(lambda: _job(window, SCHEDULE) is not None, timeout=5000)  # the scheduler starts in a worker
    # pause / resume through the pane's labelled button: store and APScheduler follow
    assert detail.buttons["pause"].text() == "Pause"
    qtbot.mouseClick(detail.buttons["pause"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Schedule.get(Schedule.name == SCHEDULE).paused, timeout=5000)
    wait_idle(qtbot, window)
    assert _job(window, SCHEDULE) is None
    entry = view.cards[SCHEDULE]
    assert entry.badge.text() == "Paused" and detail.next_runs.text() == "Paused: no scheduled runs"
    assert detail.buttons["pause"].text() == "Resume"
    qtbot.mouseClick(detail.buttons["pause"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not Schedule.get(Schedule.name == SCHEDULE).paused, timeout=5000)
    qtbot.waitUntil(lambda: _job(window, SCHEDULE) is not None, timeout=5000)  # the store first, then the job
    # edit: daily at 07:15 in New York
    dialog = _open_editor(window, qtbot, "edit")
    assert dialog.name.text() == SCHEDULE and dialog.every.value() == 5
    assert all(dialog.field_error(field) == "" for field in dialog.errors)
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("daily"))
    dialog.at.setTime(QTime(7, 15))
    dialog.timezone.setCurrentText("America/New_York")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Schedule.get(Schedule.name == SCHEDULE).frequency == "daily", timeout=5000)
    qtbot.waitUntil(lambda: "hour='7', minute='15', timezone='America/New_York'" in repr(
        getattr(_job(window, SCHEDULE), "trigger", None)), timeout=5000)
    # Sync now (the pane's button) requests a real run of the Demo account; its result reaches the pane
    wait_idle(qtbot, window)
    with qtbot.waitSignal(window.ctx.bridge.run_finished, timeout=15000) as finished:
        qtbot.mouseClick(detail.buttons["sync"], Qt.MouseButton.LeftButton)
    assert finished.args[0].status == "succeeded"
    rows = finished.args[0].rows
    qtbot.waitUntil(lambda: detail.last.text().startswith(f"Succeeded just now · {rows:,} rows"), timeout=5000)
    assert SyncRun.select().where(SyncRun.trigger == "manual").count() == 2
    # duplicate: a copy with the same options
    dialog = _open_editor(window, qtbot, "duplicate")
    assert dialog.name.text() == f"{SCHEDULE} (copy)"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Schedule.get_or_none(Schedule.name == f"{SCHEDULE} (copy)") is not None, timeout=5000)
    copy = Schedule.get(Schedule.name == f"{SCHEDULE} (copy)")
    assert (copy.frequency, copy.at_time, copy.timezone) == ("daily", "07:15", "America/New_York")
    # delete from the pane: asks, then the schedule goes and its runs stay
    view.select(SCHEDULE)
    runs_before = SyncRun.select().count()
    qtbot.mouseClick(detail.buttons["delete"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Schedule.get_or_none(Schedule.name == SCHEDULE) is None, timeout=5000)
    assert "Its run history is kept" in confirm_yes[-1] and SCHEDULE in confirm_yes[-1]
    assert SyncRun.select().count() == runs_before
    qtbot.waitUntil(lambda: SCHEDULE not in view.cards, timeout=5000)
    wait_workers(qtbot, window)


def test_delete_asks_and_keeps_the_schedule_when_cancelled(open_window: Any, seeded: Any, qtbot: Any,
                                                           monkeypatch: Any) -> None:
    from autosync_desktop.gui.widgets import dialogs

    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text, action="Delete": asked.append(text) or False)
    window = open_window(tab="scheduler")
    window.scheduler.select(SCHEDULE)
    qtbot.mouseClick(window.scheduler.detail.buttons["delete"], Qt.MouseButton.LeftButton)
    assert asked and SCHEDULE in asked[0]
    wait_workers(qtbot, window)
    assert Schedule.get_or_none(Schedule.name == SCHEDULE) is not None


def test_bulk_pause_resume_and_sync(open_window: Any, seeded: Any, qtbot: Any, confirm_yes: list[str]) -> None:
    window = open_window(start_scheduler=True)
    window.ctx.services.schedules.add("Second", "Demo account", "campaigns", "hourly", at=":10")
    window.show_tab("scheduler")
    view = window.scheduler
    qtbot.waitUntil(lambda: "Second" in view.cards, timeout=5000)
    wait_idle(qtbot, window)
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
    qtbot.waitUntil(lambda: dialog.limits is not None)
    assert dialog.estimate.text() == "10 days in one request window, about 2 API calls to Demo (sandbox data)."
    dialog.date_from.setDate(dialog.date_to.date().addDays(-59))
    assert dialog.estimate.text().startswith("60 days in 2 windows of up to 30 days, about 3 API calls")
    dialog.date_from.setDate(dialog.date_to.date().addDays(-9))
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.badge.text().endswith("succeeded"), timeout=15000)
    run = SyncRun.select().order_by(SyncRun.id.desc()).get()
    assert (run.trigger, run.status) == ("backfill", "succeeded")
    assert (run.window_to - run.window_from).days == 9
    assert dialog.detail.text().startswith(f"{run.rows:,} rows written")
    dialog.reject()
    wait_workers(qtbot, window)


def test_progress_and_cancel_in_the_list_and_pane(open_window: Any, data_dir: Any, qtbot: Any) -> None:
    from autosync_desktop.services import Services

    services = Services.open(data_dir)
    services.accounts.add("demo", "Slow demo", "slow", {"latency_ms": "150", "page_size": "50"})
    services.schedules.add("Slow sync", "Slow demo", "both", "manual")
    services.close()
    window = open_window(start_scheduler=True, tab="scheduler")
    view = window.scheduler
    view.select("Slow sync")
    detail = view.detail
    assert detail.next_runs.text() == "Runs only when you start it"
    qtbot.mouseClick(detail.buttons["sync"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.running.isVisibleTo(detail) and "rows so far" in detail.progress_text.text()
                    and not detail.progress_text.text().startswith("0 rows"), timeout=10000)
    entry = view.cards["Slow sync"]
    assert entry.badge.text() == "Running" and entry.state() == "running" and not detail.buttons["sync"].isEnabled()
    assert view.chips["running"].text() == "Running 1"
    with qtbot.waitSignal(window.ctx.bridge.run_finished, timeout=10000) as finished:
        qtbot.mouseClick(detail.cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].status == "cancelled"
    qtbot.waitUntil(lambda: view.cards["Slow sync"].badge.text() == "Cancelled", timeout=5000)
    assert not detail.running.isVisibleTo(detail) and detail.buttons["sync"].isEnabled()
    assert SyncRun.select().where(SyncRun.status == "cancelled").count() == 1
    assert SyncRun.select().count() == 1  # cancel means cancel: nothing re-ran it
