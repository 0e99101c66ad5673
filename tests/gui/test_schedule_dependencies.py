"""Schedules that wait for each other in the window: the editor's "Runs after" (saved, cycle refused inline), the
list row and pane ("after …", "Runs after", "Starts next" with clickable names, the waiting state), and the delete
confirmation naming the schedules that lose their link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt

from autosync_desktop.store.models import Schedule, utcnow
from tests.gui.conftest import SCHEDULE, wait_idle, wait_workers


def _open_editor(window: Any, qtbot: Any, action: str = "new", name: str = SCHEDULE) -> Any:
    view = window.scheduler
    view.dialog = None
    if action == "new":
        qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    else:
        view.action(name, action)
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    return view.dialog


def _tick(dialog: Any, *names: str) -> None:
    rows = dialog.after_fields.list
    for i in range(rows.count()):
        if rows.item(i).text() in names:
            rows.item(i).setCheckState(Qt.CheckState.Checked)


def test_the_editor_saves_run_after_and_the_list_and_pane_show_it(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(tab="scheduler")
    dialog = _open_editor(window, qtbot)
    assert not dialog.after_form.isRowVisible(dialog.wait_row)  # no upstream ticked: no wait to set
    qtbot.keyClicks(dialog.name, "Morning file")
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("manual"))
    _tick(dialog, SCHEDULE)
    assert not dialog.after_form.isRowVisible(dialog.wait_row)  # dependency-only: it never waits
    assert dialog.preview.text().startswith(f"Runs once {SCHEDULE} has synced successfully")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Schedule.get_or_none(Schedule.name == "Morning file") is not None, timeout=5000)
    view = window.scheduler
    qtbot.waitUntil(lambda: "Morning file" in view.cards and view.cards["Morning file"].item.after == (SCHEDULE,),
                    timeout=5000)
    assert view.cards["Morning file"].when() == f"after {SCHEDULE}"
    view.select("Morning file")
    detail = view.detail
    assert detail.when.text() == f"After {SCHEDULE}" and SCHEDULE in detail.after.text()
    assert detail.form.isRowVisible(detail.after) and not detail.form.isRowVisible(detail.downstream)
    # the upstream's pane names it under "Starts next"; clicking the name shows that schedule
    view.select(SCHEDULE)
    assert detail.form.isRowVisible(detail.downstream) and "Morning file" in detail.downstream.text()
    detail.downstream.linkActivated.emit("0")
    assert view.current == "Morning file"
    wait_workers(qtbot, window)


def test_a_cycle_is_refused_inline_before_saving(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(tab="scheduler")
    services = window.ctx.services
    services.schedules.add("Morning file", "Demo account", "both", "manual", after=[SCHEDULE])
    window.scheduler.refresh()
    wait_idle(qtbot, window)
    dialog = _open_editor(window, qtbot, "edit", SCHEDULE)
    _tick(dialog, "Morning file")
    message = f"Runs after: {SCHEDULE} → Morning file → {SCHEDULE} would wait for itself"
    qtbot.waitUntil(lambda: dialog.after_fields.error.text() == message, timeout=2000)
    assert dialog.after_fields.error.isVisible()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_workers(qtbot, window)
    assert dialog.isVisible() and services.schedules.get(SCHEDULE).after == ()  # nothing saved
    dialog.after_fields.set_chosen([])
    assert dialog.after_fields.error.isHidden()
    dialog.reject()


def test_waiting_state_in_the_row_and_pane(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(tab="scheduler")
    services = window.ctx.services
    services.schedules.add("Late", "Demo account", "both", "daily", at="07:00", timezone="UTC", after=[SCHEDULE],
                           wait_max_minutes=60, if_missing="skip")
    Schedule.update(waiting_since=utcnow().replace(hour=7, minute=0, second=0, microsecond=0) - timedelta(days=1)
                    ).where(Schedule.name == "Late").execute()
    window.scheduler.refresh()
    wait_idle(qtbot, window)
    view = window.scheduler
    entry = view.cards["Late"]
    assert entry.status() == ("queued", "Waiting")
    assert entry.next_text(view.model.now) == f"Waiting for {SCHEDULE} until 08:00 UTC"
    view.select("Late")
    assert "waits up to 1 h after its time, then skips" in view.detail.after.text()


def test_delete_of_an_upstream_names_the_schedules_that_lose_the_link(open_window: Any, seeded: Any, qtbot: Any,
                                                                     confirm_yes: list[str]) -> None:
    window = open_window(tab="scheduler")
    window.ctx.services.schedules.add("Morning file", "Demo account", "both", "manual", after=[SCHEDULE])
    window.scheduler.refresh()
    wait_idle(qtbot, window)
    window.scheduler.select(SCHEDULE)
    qtbot.mouseClick(window.scheduler.detail.buttons["delete"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Schedule.get_or_none(Schedule.name == SCHEDULE) is None, timeout=5000)
    assert f"Morning file runs after {SCHEDULE}; it will no longer wait for it." in confirm_yes[-1]
    assert window.ctx.services.schedules.get("Morning file").after == ()
    wait_workers(qtbot, window)
