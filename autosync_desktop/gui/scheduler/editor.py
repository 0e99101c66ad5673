"""Create / edit a schedule in three groups (What / When / Advanced): a time picker and spin boxes instead of
free text, the cron expression read back in words, and the next 5 runs as "Sat 5 Dec, 06:00 Berlin · in 14 h".

Validation is the engine's own through `services.schedules.validate` (pure, so it runs as you type) plus the name
checks. A field's message (one line under it, naming the field) appears once the field was touched or Save was
pressed, never on a pristine form. Saving goes through services.schedules.add / update in the write worker, and an
AutoSyncError it raises is shown beside its field too. The dialog stays open until it saved. The fields themselves
are built in editor_fields.py; the suggested time under "Time" is suggested_time.py's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop.errors import AutoSyncError
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.scheduler import describe, editor_fields
from autosync_desktop.gui.scheduler.editor_fields import (  # the words of the choices live with the fields
    ACCOUNT_MIN_CHARS,
    DAY_WORDS,
    FIELDS,
    FREQUENCY_WORDS,
    LABELS,
    MISSED_WORDS,
    TYPE_WORDS,
    WHAT_WORDS,
    EditorFields,
)
from autosync_desktop.gui.widgets.dialogs import plain, split_field
from autosync_desktop.gui.widgets.field_error import FieldError

__all__ = ["ACCOUNT_MIN_CHARS", "DAY_WORDS", "FIELDS", "FREQUENCY_WORDS", "LABELS", "MISSED_WORDS", "TYPE_WORDS",
           "WHAT_WORDS", "ScheduleDialog"]


class ScheduleDialog(EditorFields):
    saved = Signal(str)  # the schedule's name

    def __init__(self, ctx: AppContext, accounts: Sequence[domain.AccountInfo], taken: set[str],
                 item: domain.ScheduleCard | None = None, editing: bool = False,
                 parent: QWidget | None = None, schedules: Sequence[domain.ScheduleCard] = ()) -> None:
        """`schedules`: every schedule as stored now (the "Runs after" choices and the links checked for cycles)."""
        super().__init__(parent)
        self.ctx = ctx
        self.schedules = schedules
        self.accounts = accounts
        self.platforms = {p.name: p for p in ctx.services.accounts.platforms()}
        self.original = item.name if (item and editing) else None
        self.taken = taken - ({self.original} if self.original else set())
        self.anchor = item.created_at if (item and editing) else None
        self.weekdays = ctx.services.schedules.weekdays()
        self.saving = False
        self.touched: set[str] = set()  # fields whose message may show (edited, or Save pressed)
        self.show_all = False
        self._filling = True
        self.now: datetime | None = None  # the previews' "now" (None: the wall clock)
        self.setWindowTitle(f"Edit schedule {self.original}" if editing else "New schedule")
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(560)
        self.errors: dict[str, FieldError] = {f: FieldError(LABELS[f]) for f in FIELDS}
        self.forms: dict[QWidget, QFormLayout] = {}
        self.preview = QLabel()
        self.preview.setAccessibleName("Next runs preview")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.general_error = FieldError("general")
        body = QWidget()
        column = QVBoxLayout(body)
        column.setSpacing(theme.SPACE_M)
        editor_fields.build_fields(self, column)
        self._connect()
        column.addWidget(self.general_error)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save schedule")
        theme.make_primary(self.save_button)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        if item:
            self._fill(item, editing)
        self._filling = False
        self._what_changed()
        self._frequency_changed()
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        wanted = body.sizeHint().height() + self.buttons.sizeHint().height() + 4 * theme.SPACE_M
        height = min(wanted, 760, screen.height() - 60) if screen is not None else min(wanted, 700)
        self.resize(640, max(420, height))  # as tall as its fields (never taller than the screen: they scroll)

    def _connect(self) -> None:
        """Each field, once edited, may show its message; some change which rows show."""
        touch = self._touch
        self.name.textEdited.connect(lambda _: touch("--name"))
        self.name.editingFinished.connect(lambda: touch("--name"))
        self.cron.textEdited.connect(lambda _: touch("--cron"))
        self.every.valueChanged.connect(lambda _: touch("--every-minutes"))
        self.every_unit.currentIndexChanged.connect(lambda _: touch("--every-minutes"))
        self.at.timeChanged.connect(lambda _: touch("--at"))
        self.minute.valueChanged.connect(lambda _: touch("--at"))
        self.timezone.editTextChanged.connect(lambda _: touch("--timezone"))
        self.account.currentIndexChanged.connect(lambda _: touch("--account", "--every-minutes"))
        self.type.currentIndexChanged.connect(lambda _: touch("--type"))
        self.missed.currentIndexChanged.connect(lambda _: touch("--missed"))
        self.lookback.valueChanged.connect(lambda _: touch("--lookback-days"))
        self.paused.toggled.connect(lambda _: self.validate())
        self.frequency.currentIndexChanged.connect(self._frequency_changed)
        self.what.currentIndexChanged.connect(self._what_changed)
        self.account.currentIndexChanged.connect(lambda _: self._suggest())
        self.export.changed.connect(touch)
        for box in self.days:
            box.toggled.connect(lambda _: touch("--days"))
        self.suggestion.use.connect(self._use_suggestion)
        self.after_fields.changed.connect(self._after_changed)

    def _after_changed(self) -> None:
        self._show_wait_rows()
        self._touch("--after")

    def _show_wait_rows(self) -> None:
        timed = self.frequency.currentData() != "manual" and bool(self.after_fields.chosen())
        self.after_form.setRowVisible(self.wait_row, timed)
        self.after_form.setRowVisible(self.missing_row, timed)

    def _touch(self, *fields: str) -> None:
        if self._filling:
            return
        self.touched.update(fields)
        self.validate()

    def _fill(self, item: domain.ScheduleCard, editing: bool) -> None:
        self.name.setText(item.name if editing else self._copy_name(item.name))
        if item.export is not None:
            self.what.setCurrentIndex(self.what.findData("export"))
            self.what.setEnabled(not editing)  # a sync schedule stays one, an export stays one
            self.export.fill(item.export)
        elif editing:
            self.what.setEnabled(False)
        self.account.setCurrentIndex(max(0, self.account.findData(item.account)))
        self.type.setCurrentIndex(max(0, self.type.findData(item.type.value)))
        self.frequency.setCurrentIndex(max(0, self.frequency.findData(item.frequency.value)))
        if item.every_minutes is not None:
            hours = item.every_minutes >= 60 and item.every_minutes % 60 == 0
            self.every_unit.setCurrentIndex(1 if hours else 0)
            self.every.setValue(item.every_minutes // 60 if hours else item.every_minutes)
        if item.at:
            hour, _, minute = item.at.partition(":")
            if hour:
                self.at.setTime(QTime(int(hour), int(minute or 0)))
            self.minute.setValue(int(minute or 0))
        if item.days:
            chosen = item.days.split(",")
            for box, day in zip(self.days, self.weekdays, strict=True):
                box.setChecked(day in chosen)
        if item.cron:
            self.cron.setText(item.cron)
        self.timezone.setCurrentText(item.timezone or self.ctx.services.schedules.default_timezone())
        self.lookback.setValue(item.lookback_days if item.lookback_days is not None else -1)
        self.missed.setCurrentIndex(max(0, self.missed.findData(item.missed.value)))
        self.paused.setChecked(item.own_paused if editing else False)
        self.after_fields.fill(item)

    def _copy_name(self, name: str) -> str:
        candidate, n = f"{name} (copy)", 2
        while candidate in self.taken:
            candidate, n = f"{name} (copy {n})", n + 1
        return candidate

    def exporting(self) -> bool:
        return bool(self.what.currentData() == "export")

    def _what_changed(self) -> None:
        exporting = self.exporting()
        for row in (self.account_row, self.type_row, self.lookback_row):
            self.forms[row].setRowVisible(row, not exporting)
        for row in self.export_rows:
            self.forms[row].setRowVisible(row, exporting)
        self._suggest()
        self.validate()

    def _frequency_changed(self) -> None:
        frequency = self.frequency.currentData()
        for row, visible in ((self.every_row, frequency == "interval"),
                             (self.at_row, frequency in ("daily", "weekly")),
                             (self.minute_row, frequency == "hourly"),
                             (self.days_row, frequency == "weekly"),
                             (self.cron_row, frequency == "cron"),
                             (self.timezone_row, frequency in ("hourly", "daily", "weekly", "cron"))):
            self.forms[row].setRowVisible(row, visible)
        self._show_wait_rows()
        self._suggest()
        self.validate()

    def _suggest(self) -> None:
        """The suggested time shows for a new daily or weekly sync schedule, for the chosen account."""
        if self._filling:
            return
        wanted = (self.original is None and not self.exporting()
                  and self.frequency.currentData() in ("daily", "weekly") and self.account.count() > 0)
        self.when_form.setRowVisible(self.suggestion, wanted)
        if wanted:
            self.suggestion.now = self.now
            self.suggestion.wanted(self.account.currentData())

    def _use_suggestion(self, at: str, timezone: str) -> None:
        hour, _, minute = at.partition(":")
        self.at.setTime(QTime(int(hour), int(minute or 0)))
        self.timezone.setCurrentText(timezone)
        self._touch("--at", "--timezone")

    # --- validation ---

    def _days(self) -> str:
        return ",".join(day for box, day in zip(self.days, self.weekdays, strict=True) if box.isChecked())

    def every_minutes(self) -> int:
        return int(self.every.value()) * int(self.every_unit.currentData() or 1)

    def at_text(self) -> str:
        if self.frequency.currentData() == "hourly":
            return f":{self.minute.value():02d}"
        return self.at.time().toString("HH:mm")

    def check(self) -> domain.SpecCheck:
        """The trigger as set so far, checked by the services (pure: no store), with its next 5 runs."""
        return self.ctx.services.schedules.validate(
            self.frequency.currentData(), self.timezone.currentText(), every_minutes=self.every_minutes(),
            at=self.at_text(), days=self._days(), cron=self.cron.text(), platform=self._platform(),
            created_at=self.anchor)

    def _platform(self) -> str | None:
        if self.exporting():
            return None
        name = self.account.currentData()
        account = next((a for a in self.accounts if a.name == name), None)
        return account.platform if account else None

    def validate(self) -> bool:
        """Check every field; show the messages of touched fields (all once Save was pressed). True: no error."""
        found: dict[str, str] = {}
        name = self.name.text().strip()
        if not name:
            found["--name"] = "a schedule needs a name, e.g. Daily Google Ads"
        elif name in self.taken:
            found["--name"] = f"a schedule named {name!r} already exists; pick another name"
        if self.exporting():
            found.update(self.export.check()[1])
        elif self.account.count() == 0:
            found["--account"] = "add an account first (Settings › Accounts)"
        check = self.check()
        for field, message in check.errors.items():
            found[field] = plain(message)
        cycle = self.after_fields.problem(name)  # shown at once: ticking a schedule is a deliberate choice
        if cycle:
            found["--after"] = cycle
        for field, label in self.errors.items():
            shown = found.get(field) if (self.show_all or field in self.touched) else None
            label.show_error(f"{LABELS[field]}: {shown}" if shown else None)
        self.general_error.show_error(None)
        self._cron_words("--cron" not in check.errors)
        self._preview(check)
        self.save_button.setEnabled(not self.saving)
        return not found

    def _cron_words(self, valid: bool) -> None:
        words = describe.cron_in_words(self.cron.text()) if valid else None
        self.cron_words.setText(words or (f"{describe.CUSTOM}: see the next runs below" if valid else ""))
        self.cron_words.setVisible(bool(self.cron_words.text()))

    def _preview(self, check: domain.SpecCheck) -> None:
        if not check.ok:
            self.preview.setText("Fix the field marked above to see the next runs." if (
                self.show_all or self.touched & set(check.errors)) else "—")
            return
        after = self.after_fields.chosen()
        if not check.next_runs and after:
            self.preview.setText(f"{describe.runs_once_words(after)} (and when you press Sync now).")
            return
        if not check.next_runs:
            self.preview.setText("Manual only: runs when you press Sync now (or from the command line).")
            return
        note = "Paused: no scheduled runs until resumed. When resumed:\n" if self.paused.isChecked() else ""
        zone = self.timezone.currentText().strip()
        if self.frequency.currentData() == "interval":
            zone = fmt.zone_label()
        now = self.now or datetime.now(UTC)
        self.preview.setText(note + "\n".join(describe.next_run_text(moment, zone, now)
                                              for moment in check.next_runs))

    def field_error(self, field: str) -> str:
        label = self.errors[field]
        return label.text() if not label.isHidden() else ""

    # --- saving ---

    def values(self) -> dict[str, Any]:
        """The fields as set; the services normalise them (and drop those the frequency does not use)."""
        return {"name": self.name.text().strip(), "account": self.account.currentData(),
                "sync_type": self.type.currentData(), "frequency": self.frequency.currentData(),
                "every_minutes": self.every_minutes(), "at": self.at_text(),
                "days": self._days(), "cron": self.cron.text(), "timezone": self.timezone.currentText(),
                "lookback_days": None if self.lookback.value() < 0 else self.lookback.value(),
                "missed": self.missed.currentData(), "paused": self.paused.isChecked(),
                "after": self.after_fields.chosen(), "wait_max_minutes": self.after_fields.wait_minutes(),
                "if_missing": self.after_fields.if_missing.currentData()}

    def save(self) -> None:
        self.show_all = True
        self.export.forget_folders()  # a folder created since is not refused from memory
        if not self.validate():
            first = next((label for label in self.errors.values() if not label.isHidden()), None)
            if first is not None:
                first.setFocus()
            return
        values = self.values()
        self.saving = True
        self.save_button.setEnabled(False)
        services = self.ctx.services
        if self.exporting():
            self._save_export(values)
        elif self.original is None:
            name = values.pop("name")
            account = values.pop("account")
            sync_type = values.pop("sync_type")
            frequency = values.pop("frequency")
            self.ctx.workers.run(services.schedules.add, name, account, sync_type, frequency, **values,
                                 lane="write", owner=self, on_done=self._saved, on_error=self._failed)
        else:
            values["new_name"] = values.pop("name")
            self.ctx.workers.run(services.schedules.update, self.original, **values, lane="write", owner=self,
                                 on_done=self._saved, on_error=self._failed)

    def _save_export(self, values: dict[str, Any]) -> None:
        spec, _ = self.export.check()
        for key in ("account", "sync_type", "lookback_days"):
            values.pop(key)
        schedules = self.ctx.services.schedules
        if self.original is None:
            name, frequency = values.pop("name"), values.pop("frequency")
            self.ctx.workers.run(schedules.add_export, name, spec, frequency, **values, lane="write", owner=self,
                                 on_done=self._saved, on_error=self._failed)
        else:
            values["new_name"] = values.pop("name")
            self.ctx.workers.run(schedules.update, self.original, **values, export=spec, lane="write", owner=self,
                                 on_done=self._saved, on_error=self._failed)

    def _saved(self, schedule: domain.ScheduleInfo) -> None:
        self.saving = False
        self.saved.emit(schedule.name)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.saving = False
        field: str | None = None
        message = f"Could not save: {exc}"
        if isinstance(exc, AutoSyncError):
            field, message = split_field(str(exc))
        if field == "--after":
            self.after_fields.error.show_error(f"Runs after: {message}")
        elif field in self.errors:
            self.errors[field].show_error(f"{LABELS[field]}: {message}")
        else:
            self.general_error.show_error(message)
        self.save_button.setEnabled(True)
