"""Create / edit a schedule: every engine option, validated as you type, with the next 5 runs previewed.

Validation is the engine's own through `services.schedules.validate` (pure, so it runs as you type; its
message is shown beside the field it names) plus the name checks; saving goes through services.schedules.add
/ update in the write worker, and an AutoSyncError it raises is shown beside its field too. The dialog stays open
until it saved.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop.errors import AutoSyncError
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.dialogs import plain, split_field
from autosync_desktop.gui.widgets.field_error import FieldError

FREQUENCY_WORDS = (("interval", "Every N minutes"), ("hourly", "Hourly"), ("daily", "Daily"), ("weekly", "Weekly"),
                   ("cron", "Cron expression"), ("manual", "Manual only"))
TYPE_WORDS = (("both", "Campaigns and performance"), ("performance", "Performance (daily stats) only"),
              ("campaigns", "Campaigns only"))
MISSED_WORDS = (("run_once", "Run once when AutoSync starts or the computer wakes"),
                ("skip", "Skip it (recorded as skipped)"))
DAY_WORDS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FIELDS = ("--name", "--account", "--type", "--frequency", "--every-minutes", "--at", "--days", "--cron",
          "--timezone", "--lookback-days", "--missed")


def _all_zones() -> list[str]:
    return sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")


class ScheduleDialog(QDialog):
    saved = Signal(str)  # the schedule's name

    def __init__(self, ctx: AppContext, accounts: Sequence[domain.AccountInfo], taken: set[str],
                 item: domain.ScheduleCard | None = None, editing: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.accounts = accounts
        self.platforms = {p.name: p for p in ctx.services.accounts.platforms()}
        self.original = item.name if (item and editing) else None
        self.taken = taken - ({self.original} if self.original else set())
        self.anchor = item.created_at if (item and editing) else None
        self.weekdays = ctx.services.schedules.weekdays()
        self.saving = False
        self.setWindowTitle(f"Edit schedule {self.original}" if editing else "New schedule")
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(620)
        self.errors: dict[str, FieldError] = {f: FieldError(f.lstrip("-")) for f in FIELDS}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self._build_fields()
        self.preview = QLabel()
        self.preview.setAccessibleName("Next runs preview")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.general_error = FieldError("general")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save schedule")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(QLabel("Next 5 runs"))
        layout.addWidget(self.preview)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        if item:
            self._fill(item, editing)
        self._frequency_changed()
        self.validate()

    # --- fields ---

    def _row(self, label: str, widget: QWidget, field: str | None = None, hint: str | None = None) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        if hint:
            note = muted(hint, f"{label} hint")
            note.setWordWrap(False)  # (a wrapped label in a form row gets a wrong height and is clipped)
            column.addWidget(note)
        if field:
            column.addWidget(self.errors[field])
        widget.setAccessibleName(label)
        self.form.addRow(label, box)
        return box

    def _build_fields(self) -> None:
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Daily Google Ads")
        self._row("Name", self.name, "--name")
        self.account = QComboBox()
        for account in self.accounts:
            platform = self.platforms.get(account.platform)
            self.account.addItem(f"{account.name} ({platform.label if platform else account.platform})", account.name)
        self._row("Account", self.account, "--account")
        self.type = QComboBox()
        for key, words in TYPE_WORDS:
            self.type.addItem(words, key)
        self._row("What to sync", self.type, "--type")
        self.frequency = QComboBox()
        for key, words in FREQUENCY_WORDS:
            self.frequency.addItem(words, key)
        self._row("Frequency", self.frequency, "--frequency")
        self.every = QLineEdit("15")
        self.every_row = self._row("Every (minutes)", self.every, "--every-minutes")
        self.at = QLineEdit("06:00")
        self.at_row = self._row("Time", self.at, "--at", "24-hour HH:MM (hourly: :MM past the hour)")
        days = QWidget()
        row = QHBoxLayout(days)
        row.setContentsMargins(0, 0, 0, 0)
        self.days = []
        for word in DAY_WORDS:
            box = QCheckBox(word)
            box.setAccessibleName(f"Run on {word}")
            box.setChecked(word not in ("Sat", "Sun"))
            self.days.append(box)
            row.addWidget(box)
        row.addStretch(1)
        self.days_row = self._row("Days", days, "--days")
        self.cron = QLineEdit("0 6 * * 1-5")
        self.cron_row = self._row("Cron", self.cron, "--cron",
                                  "minute hour day-of-month month day-of-week (0 or 7 = Sunday)")
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.addItems(_all_zones())
        self.timezone.setCurrentText(self.ctx.services.schedules.default_timezone())
        completer = QCompleter(self.timezone.model(), self.timezone)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.timezone.setCompleter(completer)
        self.timezone_row = self._row("Time zone", self.timezone, "--timezone")
        self.lookback = QSpinBox()
        self.lookback.setRange(-1, 365)
        self.lookback.setSpecialValueText("Account / platform default")
        self.lookback.setValue(-1)
        self.lookback.setSuffix(" days")
        self._row("Lookback", self.lookback, "--lookback-days",
                  "Recent days re-fetched every run (platforms restate them)")
        self.missed = QComboBox()
        for key, words in MISSED_WORDS:
            self.missed.addItem(words, key)
        self._row("Missed runs", self.missed, "--missed")
        self.paused = QCheckBox("Paused (no scheduled runs until resumed)")
        self._row("State", self.paused)
        for edit in (self.name, self.every, self.at, self.cron):
            edit.textChanged.connect(self.validate)
        self.timezone.editTextChanged.connect(self.validate)
        for combo in (self.account, self.type, self.missed):
            combo.currentIndexChanged.connect(self.validate)
        self.frequency.currentIndexChanged.connect(self._frequency_changed)
        for box in self.days:
            box.toggled.connect(self.validate)
        self.lookback.valueChanged.connect(self.validate)

    def _fill(self, item: domain.ScheduleCard, editing: bool) -> None:
        self.name.setText(item.name if editing else self._copy_name(item.name))
        self.account.setCurrentIndex(max(0, self.account.findData(item.account)))
        self.type.setCurrentIndex(max(0, self.type.findData(item.type.value)))
        self.frequency.setCurrentIndex(max(0, self.frequency.findData(item.frequency.value)))
        if item.every_minutes is not None:
            self.every.setText(str(item.every_minutes))
        if item.at:
            self.at.setText(item.at)
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

    def _copy_name(self, name: str) -> str:
        candidate, n = f"{name} (copy)", 2
        while candidate in self.taken:
            candidate, n = f"{name} (copy {n})", n + 1
        return candidate

    def _frequency_changed(self) -> None:
        frequency = self.frequency.currentData()
        self.form.setRowVisible(self.every_row, frequency == "interval")
        self.form.setRowVisible(self.at_row, frequency in ("hourly", "daily", "weekly"))
        self.form.setRowVisible(self.days_row, frequency == "weekly")
        self.form.setRowVisible(self.cron_row, frequency == "cron")
        self.form.setRowVisible(self.timezone_row, frequency in ("hourly", "daily", "weekly", "cron"))
        if frequency == "hourly" and ":" in self.at.text() and not self.at.text().startswith(":"):
            self.at.setText(":" + self.at.text().split(":")[1])
        elif frequency in ("daily", "weekly") and self.at.text().startswith(":"):
            self.at.setText("06" + self.at.text())
        self.validate()

    # --- validation ---

    def _days(self) -> str:
        return ",".join(day for box, day in zip(self.days, self.weekdays, strict=True) if box.isChecked())

    def check(self) -> domain.SpecCheck:
        """The trigger as typed so far, checked by the services (pure: no store), with its next 5 runs."""
        return self.ctx.services.schedules.validate(
            self.frequency.currentData(), self.timezone.currentText(), every_minutes=self.every.text(),
            at=self.at.text(), days=self._days(), cron=self.cron.text(), platform=self._platform(),
            created_at=self.anchor)

    def _platform(self) -> str | None:
        name = self.account.currentData()
        account = next((a for a in self.accounts if a.name == name), None)
        return account.platform if account else None

    def validate(self) -> bool:
        found: dict[str, str] = {}
        name = self.name.text().strip()
        if not name:
            found["--name"] = "A schedule needs a name, e.g. Daily Google Ads"
        elif name in self.taken:
            found["--name"] = f"A schedule named {name!r} already exists; pick another name"
        if self.account.count() == 0:
            found["--account"] = "Add an account first (Settings › Accounts)"
        check = self.check()
        for field, message in check.errors.items():
            found[field] = plain(message)
        for field, label in self.errors.items():
            label.show_error(found.get(field))
        self.general_error.show_error(None)
        self._preview(check)
        ok = not found
        self.save_button.setEnabled(ok and not self.saving)
        return ok

    def _preview(self, check: domain.SpecCheck) -> None:
        if not check.ok:
            self.preview.setText("Fix the field marked above to see the next runs.")
            return
        note = "Paused: no scheduled runs until resumed. When resumed:\n" if self.paused.isChecked() else ""
        if not check.next_runs:
            self.preview.setText("Manual only: runs when you press Sync now (or from the command line).")
            return
        zone = fmt.zone_label()
        timezone = self.timezone.currentText().strip()
        lines = []
        for moment in check.next_runs:
            line = f"{fmt.fmt_time(moment)} ({zone})"
            if timezone != zone and self.frequency.currentData() != "interval":
                line += f" = {moment.strftime('%a %H:%M')} {timezone}"
            lines.append(line)
        self.preview.setText(note + "\n".join(lines))

    def field_error(self, field: str) -> str:
        label = self.errors[field]
        return label.text() if not label.isHidden() else ""

    # --- saving ---

    def values(self) -> dict[str, Any]:
        """The fields as typed; the services normalise them (and drop those the frequency does not use)."""
        every = self.every.text().strip()
        return {"name": self.name.text().strip(), "account": self.account.currentData(),
                "sync_type": self.type.currentData(), "frequency": self.frequency.currentData(),
                "every_minutes": int(every) if every.isdigit() else None, "at": self.at.text(),
                "days": self._days(), "cron": self.cron.text(), "timezone": self.timezone.currentText(),
                "lookback_days": None if self.lookback.value() < 0 else self.lookback.value(),
                "missed": self.missed.currentData(), "paused": self.paused.isChecked()}

    def save(self) -> None:
        if not self.validate():
            return
        values = self.values()
        self.saving = True
        self.save_button.setEnabled(False)
        services = self.ctx.services
        if self.original is None:
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

    def _saved(self, schedule: domain.ScheduleInfo) -> None:
        self.saving = False
        self.saved.emit(schedule.name)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.saving = False
        field, message = split_field(str(exc)) if isinstance(exc, AutoSyncError) else (None, f"Could not save: {exc}")
        if field in self.errors:
            self.errors[field].show_error(message)
        else:
            self.general_error.show_error(message)
        self.save_button.setEnabled(True)
