"""The schedule editor's fields: the words of its choices, `EditorFields` (ScheduleDialog's base: its widgets as
attributes) and the functions that build its groups (What, When, Runs after, Advanced) onto it. Widgets only; the
dialog (editor.py) connects their signals, checks them and saves. No store access, only the pure services the fields
need (the default time zone, the "Runs after" check).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.history.filters import ElidingComboBox
from autosync_desktop.gui.scheduler import export_fields
from autosync_desktop.gui.scheduler.after_fields import AfterFields
from autosync_desktop.gui.scheduler.export_fields import ExportFields
from autosync_desktop.gui.scheduler.suggested_time import SuggestedTime
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.field_error import FieldError

FREQUENCY_WORDS = (("interval", "Every few minutes or hours"), ("hourly", "Hourly"), ("daily", "Daily"),
                   ("weekly", "Weekly, on chosen days"), ("cron", "Custom (cron expression)"),
                   ("manual", "Manual only"))
TYPE_WORDS = (("both", "Campaigns and performance"), ("performance", "Performance (daily stats) only"),
              ("campaigns", "Campaigns only"))
MISSED_WORDS = (("run_once", "Run once when AutoSync starts or the computer wakes"),
                ("skip", "Skip it (recorded as skipped)"))
ACCOUNT_MIN_CHARS = 24  # the account choice asks for this many characters; longer names are elided (tooltip)
DAY_WORDS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FIELDS = ("--name", "--account", "--type", "--frequency", "--every-minutes", "--at", "--days", "--cron",
          "--timezone", "--lookback-days", "--missed")
LABELS = {"--name": "Name", "--account": "Account", "--type": "What to sync", "--frequency": "Frequency",
          "--every-minutes": "Every", "--at": "Time", "--days": "Days", "--cron": "Cron expression",
          "--timezone": "Time zone", "--lookback-days": "Lookback", "--missed": "Missed runs", **export_fields.LABELS}
WHAT_WORDS = (("sync", "Sync an account"), ("export", "Write a file (morning file)"))


def all_zones() -> list[str]:
    return sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")


class EditorFields(QDialog):
    """The editor's widgets, as `build_fields` sets them on the dialog (ScheduleDialog connects and checks them)."""

    ctx: AppContext
    accounts: Sequence[domain.AccountInfo]
    schedules: Sequence[domain.ScheduleCard]
    original: str | None
    errors: dict[str, FieldError]
    forms: dict[QWidget, QFormLayout]
    preview: QLabel  # the next 5 runs
    platforms: dict[str, domain.PlatformInfo]
    name: QLineEdit
    what: QComboBox
    export: ExportFields
    account: QComboBox
    type: QComboBox
    frequency: QComboBox
    every: QSpinBox
    every_unit: QComboBox
    at: QTimeEdit
    suggestion: SuggestedTime
    minute: QSpinBox
    days: list[QCheckBox]
    cron: QLineEdit
    cron_words: QLabel
    timezone: QComboBox
    lookback: QSpinBox
    missed: QComboBox
    paused: QCheckBox
    after_fields: AfterFields
    account_row: QWidget
    type_row: QWidget
    export_rows: list[QWidget]
    every_row: QWidget
    at_row: QWidget
    minute_row: QWidget
    days_row: QWidget
    cron_row: QWidget
    timezone_row: QWidget
    lookback_row: QWidget
    wait_row: QWidget
    missing_row: QWidget
    when_form: QFormLayout
    after_form: QFormLayout


def add_group(dialog: EditorFields, column: QVBoxLayout, title: str) -> QFormLayout:
    box = QGroupBox(title)
    box.setAccessibleName(f"{title} section")
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    form.setVerticalSpacing(theme.SPACE_S)
    column.addWidget(box)
    return form

def add_row(dialog: EditorFields, form: QFormLayout, label: str, widget: QWidget, field: str | None = None,
         hint: str | None = None) -> QWidget:
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
        column.addWidget(dialog.errors[field])
    widget.setAccessibleName(label)
    form.addRow(label, box)
    dialog.forms[box] = form
    return box

def build_fields(dialog: EditorFields, column: QVBoxLayout) -> None:
    what = add_group(dialog, column, "What")
    dialog.name = QLineEdit()
    dialog.name.setPlaceholderText("e.g. Daily Google Ads")
    add_row(dialog, what, "Name", dialog.name, "--name")
    dialog.what = QComboBox()
    for key, words in WHAT_WORDS:
        dialog.what.addItem(words, key)
    add_row(dialog, what, "What to do", dialog.what)
    dialog.export = ExportFields(dialog.accounts, dialog.ctx.workers)
    dialog.errors.update(dialog.export.errors)
    dialog.account = ElidingComboBox(min_chars=ACCOUNT_MIN_CHARS)  # a 63-character name never widens the dialog
    dialog.account.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    dialog.account.setMinimumContentsLength(ACCOUNT_MIN_CHARS)
    dialog.account.view().setTextElideMode(Qt.TextElideMode.ElideMiddle)
    dialog.account.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)  # the row's width
    for account in dialog.accounts:
        platform = dialog.platforms.get(account.platform)
        words = f"{account.name} · {platform.label if platform else account.platform}"
        dialog.account.addItem(words, account.name)
        dialog.account.setItemData(dialog.account.count() - 1, words, Qt.ItemDataRole.ToolTipRole)
    dialog.account_row = add_row(dialog, what, "Account", dialog.account, "--account")
    dialog.type = QComboBox()
    for key, words in TYPE_WORDS:
        dialog.type.addItem(words, key)
    dialog.type_row = add_row(dialog, what, "What to sync", dialog.type, "--type")
    dialog.export_rows = [add_row(dialog, what, "Accounts", dialog.export.accounts_box(), "--accounts"),
                          add_row(dialog, what, "Range", dialog.export.range, "--range",
                                  "Days in each account's time zone"),
                          add_row(dialog, what, "Format", dialog.export.format, "--format"),
                          add_row(dialog, what, "File", dialog.export.output_box(), "--output")]
    dialog.export.who.setAccessibleName("Accounts")
    dialog.export.output.setAccessibleName("File")
    when = add_group(dialog, column, "When")
    dialog.frequency = QComboBox()
    for key, words in FREQUENCY_WORDS:
        dialog.frequency.addItem(words, key)
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("daily"))
    add_row(dialog, when, "Frequency", dialog.frequency, "--frequency")
    every = QWidget()
    row = QHBoxLayout(every)
    row.setContentsMargins(0, 0, 0, 0)
    dialog.every = QSpinBox()
    dialog.every.setRange(1, 999)
    dialog.every.setValue(15)
    dialog.every_unit = QComboBox()
    dialog.every_unit.addItem("minutes", 1)
    dialog.every_unit.addItem("hours", 60)
    dialog.every_unit.setAccessibleName("Every: unit")
    row.addWidget(dialog.every)
    row.addWidget(dialog.every_unit)
    row.addStretch(1)
    dialog.every_row = add_row(dialog, when, "Every", every, "--every-minutes")
    dialog.every.setAccessibleName("Every")
    dialog.at = QTimeEdit(QTime(6, 0))
    dialog.at.setDisplayFormat("HH:mm")
    dialog.at_row = add_row(dialog, when, "Time", dialog.at, "--at", "24-hour clock, in the time zone below")
    dialog.suggestion = SuggestedTime(dialog.ctx)  # a new daily / weekly sync schedule only (see _suggest)
    when.addRow("", dialog.suggestion)
    dialog.when_form = when
    dialog.minute = QSpinBox()
    dialog.minute.setRange(0, 59)
    dialog.minute.setPrefix(":")
    dialog.minute.setSuffix(" past the hour")
    dialog.minute_row = add_row(dialog, when, "Minute", dialog.minute, None)
    days = QWidget()
    row = QHBoxLayout(days)
    row.setContentsMargins(0, 0, 0, 0)
    dialog.days = []
    for word in DAY_WORDS:
        box = QCheckBox(word)
        box.setAccessibleName(f"Run on {word}")
        box.setChecked(word not in ("Sat", "Sun"))
        dialog.days.append(box)
        row.addWidget(box)
    row.addStretch(1)
    dialog.days_row = add_row(dialog, when, "Days", days, "--days")
    dialog.cron = QLineEdit("0 6 * * 1-5")
    dialog.cron_words = QLabel()
    dialog.cron_words.setAccessibleName("Cron expression in words")
    theme.set_role(dialog.cron_words, "card-title")
    cron_box = QWidget()
    cron_column = QVBoxLayout(cron_box)
    cron_column.setContentsMargins(0, 0, 0, 0)
    cron_column.setSpacing(2)
    cron_column.addWidget(dialog.cron)
    cron_column.addWidget(dialog.cron_words)
    dialog.cron_row = add_row(dialog, when, "Cron expression", cron_box, "--cron",
                              "minute hour day-of-month month day-of-week (0 or 7 = Sunday)")
    dialog.cron.setAccessibleName("Cron expression")
    dialog.timezone = QComboBox()
    dialog.timezone.setEditable(True)
    dialog.timezone.addItems(all_zones())
    dialog.timezone.setCurrentText(dialog.ctx.services.schedules.default_timezone())
    completer = QCompleter(dialog.timezone.model(), dialog.timezone)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    dialog.timezone.setCompleter(completer)
    dialog.timezone_row = add_row(dialog, when, "Time zone", dialog.timezone, "--timezone")
    when.addRow("Next 5 runs", dialog.preview)
    build_after(dialog, column)
    advanced = add_group(dialog, column, "Advanced")
    dialog.lookback = QSpinBox()
    dialog.lookback.setRange(-1, 365)
    dialog.lookback.setSpecialValueText("Account / platform default")
    dialog.lookback.setValue(-1)
    dialog.lookback.setSuffix(" days")
    dialog.lookback_row = add_row(dialog, advanced, "Lookback", dialog.lookback, "--lookback-days",
              "Recent days re-fetched every run (platforms restate them)")
    dialog.missed = QComboBox()
    for key, words in MISSED_WORDS:
        dialog.missed.addItem(words, key)
    add_row(dialog, advanced, "Missed runs", dialog.missed, "--missed")
    dialog.paused = QCheckBox("Paused (no scheduled runs until resumed)")
    add_row(dialog, advanced, "State", dialog.paused)

def build_after(dialog: EditorFields, column: QVBoxLayout) -> None:
    """"Runs after": the schedules this one waits for, how long, and what it does when some are missing."""
    form = add_group(dialog, column, "Runs after")
    dialog.after_fields = AfterFields(dialog.schedules, dialog.original, dialog.ctx.services.schedules.after_problem)
    form.addRow("Run after", dialog.after_fields)
    dialog.after_form = form
    dialog.wait_row, dialog.missing_row = dialog.after_fields.add_rows(form)
