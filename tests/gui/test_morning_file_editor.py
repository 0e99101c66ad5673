"""The schedule editor's "Write a file (morning file)": fields in plain words, messages beside them, Browse…, saving
an export schedule through the services; the Schedules list and pane say what it writes; editing keeps it one."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QFileDialog

from autosync_desktop.gui.scheduler.model import ENTRY_ROLE
from autosync_desktop.store.models import Schedule
from tests.gui.conftest import wait_workers


def _open_new(window: Any, qtbot: Any) -> Any:
    view = window.scheduler
    view.dialog = None
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    return view.dialog


def _visible(dialog: Any, row: Any) -> bool:
    return bool(dialog.forms[row].isRowVisible(row))


def test_the_editor_creates_an_export_schedule(open_window: Any, seeded: Any, qtbot: Any, tmp_path: Path,
                                               monkeypatch: Any) -> None:
    window = open_window(tab="scheduler")
    dialog = _open_new(window, qtbot)
    assert [dialog.what.itemText(i) for i in range(dialog.what.count())] == [
        "Sync an account", "Write a file (morning file)"]
    assert _visible(dialog, dialog.account_row) and not any(_visible(dialog, r) for r in dialog.export_rows)
    dialog.what.setCurrentIndex(dialog.what.findData("export"))
    assert not _visible(dialog, dialog.account_row) and not _visible(dialog, dialog.type_row)
    assert all(_visible(dialog, r) for r in dialog.export_rows) and not _visible(dialog, dialog.lookback_row)
    ranges = [dialog.export.range.itemText(i) for i in range(dialog.export.range.count())]
    assert ranges == ["Yesterday", "Last 7 days", "Last 30 days", "Last 90 days", "Month to date", "Last month"]
    assert dialog.export.range.currentText() == "Last 30 days"
    qtbot.keyClicks(dialog.name, "Morning file")
    dialog.export.output.clear()
    qtbot.keyClicks(dialog.export.output, str(tmp_path / "missing" / "ads.xlsx"))
    # asked off the GUI thread: the message comes when the answer does
    qtbot.waitUntil(lambda: dialog.field_error("--output") == (
        f"File: the folder {tmp_path / 'missing'} does not exist; create it or choose another"), timeout=5000)
    (tmp_path / "missing").mkdir()  # made meanwhile in the file manager: Save asks again, not from memory
    dialog.export.forget_folders()
    dialog.validate()
    assert dialog.field_error("--output") == ""
    wait_workers(qtbot, window)
    assert dialog.export.folders == {str(tmp_path / "missing" / "ads.xlsx"): None}
    picked = tmp_path / "morning.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(picked), ""))
    qtbot.mouseClick(dialog.export.browse, Qt.MouseButton.LeftButton)
    assert dialog.export.output.text() == str(picked) and dialog.export.format.currentData() == "csv"
    assert dialog.field_error("--output") == ""
    dialog.export.format.setCurrentIndex(dialog.export.format.findData("xlsx"))
    assert dialog.export.output.text() == str(tmp_path / "morning.xlsx")  # the extension follows the format
    dialog.export.who.setCurrentIndex(dialog.export.who.findData("chosen"))
    assert dialog.field_error("--accounts") == "Accounts: tick at least one account, or choose All accounts"
    dialog.export.chosen.item(0).setCheckState(Qt.CheckState.Checked)
    assert dialog.field_error("--accounts") == ""
    dialog.export.range.setCurrentIndex(dialog.export.range.findData("month_to_date"))
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("daily"))
    dialog.at.setTime(QTime(7, 0))
    dialog.timezone.setCurrentText("Europe/Berlin")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Schedule.get_or_none(Schedule.name == "Morning file") is not None, timeout=5000)
    schedule = Schedule.get(Schedule.name == "Morning file")
    account = dialog.export.chosen.item(0).text()
    assert (schedule.sync_type, schedule.account_id, schedule.frequency, schedule.at_time, schedule.timezone) == (
        "export", None, "daily", "07:00", "Europe/Berlin")
    assert json.loads(schedule.export_options) == {"output": str(tmp_path / "morning.xlsx"), "format": "xlsx",
                                                   "range": "month_to_date", "accounts": [account]}
    # the list and the pane say what it writes, in words
    view = window.scheduler
    qtbot.waitUntil(lambda: any(view.model.index(i, 0).data(ENTRY_ROLE).name == "Morning file"
                                for i in range(view.model.rowCount())), timeout=5000)
    row = next(i for i in range(view.model.rowCount()) if view.model.index(i, 0).data(ENTRY_ROLE).name ==
               "Morning file")
    entry = view.model.index(row, 0).data(ENTRY_ROLE)
    assert entry.owner == f"Writes morning.xlsx — month to date, {account}"
    assert entry.item.platform_label == "File"
    tip = view.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines()[1] == f"Writes morning.xlsx — month to date, {account}"
    # editing keeps it an export schedule, with its fields filled in
    view.dialog = None
    view.action("Morning file", "edit")
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    dialog = view.dialog
    assert dialog.exporting() and not dialog.what.isEnabled()
    assert dialog.export.output.text() == str(tmp_path / "morning.xlsx") and dialog.export.chosen_names() == [account]
    dialog.export.who.setCurrentIndex(dialog.export.who.findData("all"))
    dialog.export.range.setCurrentIndex(dialog.export.range.findData("yesterday"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: json.loads(Schedule.get(Schedule.name == "Morning file").export_options)["range"]
                    == "yesterday", timeout=5000)
    assert json.loads(Schedule.get(Schedule.name == "Morning file").export_options)["accounts"] is None
    wait_workers(qtbot, window)


def test_history_says_an_export_run_wrote_a_file(open_window: Any, seeded: Any, qtbot: Any, tmp_path: Path) -> None:
    from autosync_desktop.gui.history import detail
    from autosync_desktop.services.export_schedules import make_spec

    window = open_window(tab="history")
    services = window.ctx.services
    services.schedules.add_export("Morning file", make_spec(str(tmp_path / "ads.xlsx"), "last_7_days"), "manual")
    request = services.runs.request("Morning file")
    qtbot.waitUntil(lambda: services.runs.get(request.run_id).status.is_final, timeout=15000)
    run = services.runs.get(request.run_id)
    assert run.status.value == "succeeded" and (tmp_path / "ads.xlsx").exists()
    shown, tooltip = detail.what_text(run)
    assert shown == "Morning file\nFile of All accounts · Manual"
    assert "A file of: All accounts" in tooltip and "(export)" not in shown
    assert detail.counts_text(run) == f"{run.rows:,} rows in the file"
    lines = [detail.log_text(e) for e in services.runs.detail(run.id).events]
    assert any(f"Wrote {run.rows:,} rows to {tmp_path / 'ads.xlsx'}, 2 sheets" in line for line in lines)
    locked = dataclasses.replace(run, status=run.status.__class__("failed"), error_class="FileLocked",
                                 error="ads.xlsx is still open in another program after 4 tries; close it there, "
                                       "then run this schedule again")
    assert detail.explain(locked).startswith("Another program (often Excel) had the file open")
    wait_workers(qtbot, window)
