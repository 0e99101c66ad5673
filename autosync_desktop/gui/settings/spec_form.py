"""Settings fields built from the services' `SettingSpec`s (type, bounds, label, unit, help).

Each change is saved through services.settings.set in the write worker (which validates it against the same
declaration); the field then says "Saved", or shows the error beside itself. The engine reads settings when
it uses them, so changes apply to the next request / run without a restart (exceptions are noted per field).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop.domain import SettingSpec, SettingType, SettingValue
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.widgets.card import Card, muted
from autosync_desktop.gui.widgets.dialogs import split_field
from autosync_desktop.gui.widgets.field_error import FieldError


class SpecField(QWidget):
    """One setting: its input, its description, and a Saved / error line."""

    saved = Signal(str, object)

    def __init__(self, ctx: AppContext, spec: SettingSpec, label: str | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.spec = spec
        self.key = spec.key
        self.label = label or spec.label
        self.input = self._make_input(spec)
        self.input.setAccessibleName(self.label)
        self.input.setToolTip(f"{spec.help}\nSetting: {spec.key}")
        self.status = muted("", f"{self.label} save status")
        self.status.setWordWrap(False)
        self.error = FieldError(self.label)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.input)
        row.addWidget(self.status, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addLayout(row)
        column.addWidget(muted(spec.help + (f". {spec.note}" if spec.note else ""), f"{self.label} description"))
        column.addWidget(self.error)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(700)
        self._debounce.timeout.connect(self.save)
        self._clear = QTimer(self)
        self._clear.setSingleShot(True)
        self._clear.setInterval(4000)
        self._clear.timeout.connect(lambda: self.status.setText(""))
        self.set_value(spec.value)
        self._connect()

    def _make_input(self, spec: SettingSpec) -> QWidget:
        if spec.type == SettingType.BOOL:
            return QCheckBox()
        if spec.choices:
            combo = QComboBox()
            combo.addItems(list(spec.choices))
            return combo
        if spec.type == SettingType.TEXT:
            edit = QLineEdit()
            edit.setMinimumWidth(220)
            return edit
        box: QSpinBox | QDoubleSpinBox = QSpinBox() if spec.type == SettingType.INT else QDoubleSpinBox()
        low = spec.minimum if spec.minimum is not None else 0
        high = spec.maximum if spec.maximum is not None else 1_000_000_000
        if isinstance(box, QDoubleSpinBox):
            box.setDecimals(1)
            box.setRange(float(low), float(high))
        else:
            box.setRange(int(low), int(min(high, 2_000_000_000)))
        box.setKeyboardTracking(False)
        box.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        box.setMinimumWidth(130)
        box.setSuffix(spec.unit)
        return box

    def _connect(self) -> None:
        widget = self.input
        if isinstance(widget, QCheckBox):
            widget.toggled.connect(lambda _: self.save())
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(lambda _: self.save())
        elif isinstance(widget, QLineEdit):
            widget.editingFinished.connect(self.save)
        elif isinstance(widget, QSpinBox | QDoubleSpinBox):
            widget.valueChanged.connect(lambda _: self._debounce.start())
            widget.editingFinished.connect(self.save)

    def value(self) -> Any:
        widget = self.input
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QComboBox):
            return widget.currentText()
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, QSpinBox | QDoubleSpinBox):
            return widget.value()
        raise TypeError(f"unexpected input widget {type(widget).__name__}")

    def set_value(self, value: SettingValue) -> None:
        self._stored = value
        widget = self.input
        widget.blockSignals(True)
        if isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            widget.setCurrentText(str(value))
        elif isinstance(widget, QLineEdit):
            widget.setText("" if value is None else str(value))
        elif isinstance(widget, QSpinBox):
            widget.setValue(int(value or 0))
        elif isinstance(widget, QDoubleSpinBox):
            widget.setValue(float(value or 0))
        widget.blockSignals(False)

    def save(self) -> None:
        self._debounce.stop()
        value = self.value()
        if value == self._stored:
            return
        self.status.setText("Saving…")
        self.ctx.workers.run(self.ctx.services.settings.set, self.key, value, lane="write", owner=self,
                             on_done=self._saved, on_error=self._failed)

    def _saved(self, stored: SettingValue) -> None:
        self._stored = stored
        self.error.show_error(None)
        self.status.setText("✓ Saved")
        self._clear.start()
        self.saved.emit(self.key, stored)

    def _failed(self, exc: Exception) -> None:
        self.status.setText("")
        message = split_field(str(exc))[1]
        self.error.show_error(message.removeprefix(f"{self.key}: "))


class SettingsGroup(Card):
    """A card of SpecFields for some setting keys, with room for extra rows (e.g. a Prune button)."""

    def __init__(self, ctx: AppContext, title: str, specs: Sequence[SettingSpec], intro: str = "") -> None:
        super().__init__(title, accessible=f"{title} settings")
        self.ctx = ctx
        self.fields: dict[str, SpecField] = {}
        if intro:
            self.outer.addWidget(muted(intro, f"{title} introduction"))
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.outer.addLayout(self.form)
        for spec in specs:
            self.add_spec(spec)

    def add_spec(self, spec: SettingSpec, label: str | None = None) -> SpecField:
        field = SpecField(self.ctx, spec, label)
        self.fields[spec.key] = field
        caption = QLabel(field.label)
        caption.setBuddy(field.input)
        self.form.addRow(caption, field)
        return field

    def update_values(self, specs: Mapping[str, SettingSpec]) -> None:
        for key, field in self.fields.items():
            if key in specs:
                field.set_value(specs[key].value)

