"""Settings fields built from the services' `SettingSpec`s (type, bounds, label, unit, help), in human units.

A field shows its value in words ("Unlimited" for a 0 that switches a limit off, "1 h" for 3600 seconds, "2 h" for
120 minutes, never "0.0" or "3600.0 s"), its label and help from the declaration (the window's wording from
`labels.HELP` where a declaration names keys or commands; the key itself never, except on Settings › Advanced).
A change marks the field "Not saved yet"; the page's Save (`save()` of each changed field) stores it through
services.settings.set in the write worker, which validates it against the same declaration; the field then says
"Saved", or shows the error beside itself. The engine reads settings when it uses them, so changes apply to the
next request / run without a restart (exceptions are noted per field).
Checkboxes are laid out one way everywhere: the box with its label as its text in the field column, the help under.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop.domain import SettingSpec, SettingType, SettingValue
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.settings import labels
from autosync_desktop.gui.widgets.card import Card, muted
from autosync_desktop.gui.widgets.dialogs import split_field
from autosync_desktop.gui.widgets.field_error import FieldError

COMBO_MAX_WIDTH = 320
NUMBER_WIDTH = 170
SHORT_TEXT = ("quiet_start", "quiet_end", "digest_at")  # HH:MM
CHOICE_WORDS = {"none": "None", "starttls": "STARTTLS", "ssl": "SSL/TLS"}


class NumberBox(QDoubleSpinBox):
    """A number in words: whole numbers without ".0", durations as "30 s" / "1 h" / "1 h 30 min" (stored in the
    setting's own unit), and the setting's "Unlimited" / "Never" text at 0 where 0 switches the limit off."""

    def __init__(self, spec: SettingSpec) -> None:
        super().__init__()
        self.whole = spec.type == SettingType.INT
        self.grouped = spec.key not in labels.PLAIN_NUMBERS
        self.unit_seconds = labels.duration_unit(spec.key)
        self.setDecimals(0 if self.whole else 2)
        low = spec.minimum if spec.minimum is not None else 0
        high = spec.maximum if spec.maximum is not None else 1_000_000_000
        self.setRange(float(low), float(min(high, 2_000_000_000)))
        zero = labels.zero_text(spec.key)
        if zero and low == 0:
            self.setSpecialValueText(zero)
        if self.unit_seconds is None and spec.unit:
            self.setSuffix(spec.unit)
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self.setMinimumWidth(NUMBER_WIDTH)
        self.setMaximumWidth(NUMBER_WIDTH + 60)

    def textFromValue(self, value: float) -> str:
        if self.unit_seconds is not None:
            return labels.duration_words(value * self.unit_seconds)
        return labels.number_words(round(value) if self.whole else value, self.grouped)

    def valueFromText(self, text: str) -> float:
        text = text.strip()
        if self.specialValueText() and text == self.specialValueText():
            return self.minimum()
        if self.suffix():
            text = text.removesuffix(self.suffix().strip()).strip()
        if self.unit_seconds is not None:
            seconds = labels.parse_duration(text)
            if seconds is not None:
                return seconds / self.unit_seconds
        try:
            return float(text.replace(",", "").split()[0])
        except (ValueError, IndexError):
            return self.value()

    def validate(self, text: str, pos: int) -> Any:
        if self.specialValueText() and text.strip() == self.specialValueText():
            return QValidator.State.Acceptable
        body = text.strip().removesuffix(self.suffix().strip()).strip() if self.suffix() else text.strip()
        if not body:
            return QValidator.State.Intermediate
        if self.unit_seconds is not None and labels.parse_duration(body) is not None:
            return QValidator.State.Acceptable
        try:
            float(body.replace(",", ""))
        except ValueError:
            return QValidator.State.Intermediate
        return QValidator.State.Acceptable

    def stepBy(self, steps: int) -> None:
        if self.unit_seconds is None:
            super().stepBy(steps)
            return
        seconds = self.value() * self.unit_seconds
        step = 5 if seconds < 60 else 60 if seconds < 3600 else 900
        if self.unit_seconds >= 60:
            step = max(step, self.unit_seconds)
        self.setValue(max(self.minimum(), (seconds + steps * step) / self.unit_seconds))

    def typed(self) -> float | int:
        return round(self.value()) if self.whole else self.value()


class SpecField(QWidget):
    """One setting: its input, its description, and a "Not saved yet" / Saved / error line."""

    saved = Signal(str, object)
    dirty_changed = Signal(bool)

    def __init__(self, ctx: AppContext, spec: SettingSpec, label: str | None = None, show_key: bool = False,
                 compact: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        self.spec = spec
        self.key = spec.key
        self.label = label or spec.label
        self.help = labels.setting_help(spec.key, spec.help)
        self.input = self._make_input(spec)
        self.input.setAccessibleName(self.label)
        self.input.setAccessibleDescription(self.help)
        self.input.setToolTip(self.help + (f"\nSetting: {spec.key}" if show_key else ""))
        self.status = muted("", f"{self.label} save status")
        self.status.setWordWrap(False)
        self.error = FieldError(self.label)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(theme.SPACE_S)
        row.addWidget(self.input)
        row.addWidget(self.status, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(row)
        self.description = muted(self.help + (f". {spec.note}" if spec.note else ""), f"{self.label} description")
        column.addWidget(self.description)
        self.description.setVisible(not compact)
        column.addWidget(self.error)
        self._clear = QTimer(self)
        self._clear.setSingleShot(True)
        self._clear.setInterval(4000)
        self._clear.timeout.connect(self._clear_status)
        self._dirty = False
        self.set_value(spec.value)
        self._connect()

    def _make_input(self, spec: SettingSpec) -> QWidget:
        if spec.type == SettingType.BOOL:
            return QCheckBox(self.label)
        if spec.choices:
            combo = QComboBox()
            for choice in spec.choices:
                combo.addItem(CHOICE_WORDS.get(choice, choice), choice)
            combo.setMaximumWidth(COMBO_MAX_WIDTH)
            return combo
        if spec.type == SettingType.TEXT:
            edit = QLineEdit()
            short = spec.key.endswith(SHORT_TEXT)
            edit.setMinimumWidth(90 if short else 160)
            edit.setMaximumWidth(120 if short else 460)
            return edit
        return NumberBox(spec)

    def _connect(self) -> None:
        widget = self.input
        if isinstance(widget, QCheckBox):
            widget.toggled.connect(self._edited)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(self._edited)
        elif isinstance(widget, QLineEdit):
            widget.textEdited.connect(self._edited)
        elif isinstance(widget, NumberBox):
            widget.valueChanged.connect(self._edited)

    def _edited(self, *_: object) -> None:
        self.set_dirty(self.value() != self._stored)

    def set_dirty(self, dirty: bool) -> None:
        if dirty:
            self._clear.stop()
            self.status.setText("Not saved yet")
        elif self.status.text() == "Not saved yet":
            self.status.setText("")
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def _clear_status(self) -> None:
        if not self._dirty:
            self.status.setText("")

    def value(self) -> Any:
        widget = self.input
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, NumberBox):
            return widget.typed()
        raise TypeError(f"unexpected input widget {type(widget).__name__}")

    def set_value(self, value: SettingValue) -> None:
        self._stored = value
        widget = self.input
        widget.blockSignals(True)
        if isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            index = widget.findData(str(value))
            widget.setCurrentIndex(max(index, 0))
        elif isinstance(widget, QLineEdit):
            widget.setText("" if value is None else str(value))
        elif isinstance(widget, NumberBox):
            widget.setValue(float(value or 0))
        widget.blockSignals(False)
        self.set_dirty(False)

    def save(self) -> None:
        value = self.value()
        if value == self._stored:
            self.set_dirty(False)
            return
        self.status.setText("Saving…")
        self.ctx.workers.run(self.ctx.services.settings.set, self.key, value, lane="write", owner=self,
                             on_done=self._saved, on_error=self._failed)

    def _saved(self, stored: SettingValue) -> None:
        self.error.show_error(None)
        self.set_value(stored)
        self.status.setText("✓ Saved")
        self._clear.start()
        self.saved.emit(self.key, stored)

    def _failed(self, exc: Exception) -> None:
        self.status.setText("Not saved yet")
        message = split_field(str(exc))[1]
        self.error.show_error(message.removeprefix(f"{self.key}: "))


def add_field_row(form: QFormLayout, field: SpecField) -> None:
    """A field in a form: a checkbox carries its own label (field column, nothing on the left); others get a
    label in the left column, the field's buddy."""
    if isinstance(field.input, QCheckBox):
        form.addRow(QWidget(), field)  # an empty label: a "" row was given twice its height (a gap on screen)
        return
    caption = QLabel(field.label)
    caption.setBuddy(field.input)
    form.addRow(caption, field)


def make_form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setHorizontalSpacing(theme.SPACE_M)
    form.setVerticalSpacing(theme.SPACE_M)
    return form


class SettingsGroup(Card):
    """A card of SpecFields for some setting keys, with room for extra rows (e.g. a Prune button)."""

    def __init__(self, ctx: AppContext, title: str, specs: Sequence[SettingSpec], intro: str = "",
                 show_keys: bool = False, compact: bool = False) -> None:
        super().__init__(title, accessible=f"{title} settings")
        self.ctx = ctx
        self.show_keys = show_keys
        self.compact = compact  # one line per field: no help under it (the group's intro says it once)
        self.fields: dict[str, SpecField] = {}
        if intro:
            self.outer.addWidget(muted(intro, f"{title} introduction"))
        self.form = make_form()
        self.outer.addLayout(self.form)
        for spec in specs:
            self.add_spec(spec)

    def add_spec(self, spec: SettingSpec, label: str | None = None) -> SpecField:
        field = SpecField(self.ctx, spec, label, show_key=self.show_keys, compact=self.compact)
        self.fields[spec.key] = field
        add_field_row(self.form, field)
        return field

    def update_values(self, specs: Mapping[str, SettingSpec]) -> None:
        for key, field in self.fields.items():
            if key in specs and not field.dirty:
                field.set_value(specs[key].value)
