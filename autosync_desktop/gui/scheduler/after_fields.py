"""The schedule editor's "Runs after" group: a checkable list of the other schedules, "Wait at most" and
"If some are missing" (run anyway / skip), and the inline message when the choice would make a schedule wait for
itself (checked as you tick, from the schedules the editor was opened with: no store access on the GUI thread).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop.gui import theme
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.field_error import FieldError

IF_MISSING_WORDS = (("run", "Run anyway (the run records what was missing)"), ("skip", "Skip this run"))
LIST_ROWS = 4  # visible rows of the list before it scrolls


Check = Callable[[str, Sequence[str], Mapping[str, Sequence[str]]], "str | None"]


class AfterFields(QWidget):
    """Lives in the editor's "Runs after" group; `changed` fires when a choice changes."""

    changed = Signal()

    def __init__(self, schedules: Sequence[domain.ScheduleCard], original: str | None, check: Check,
                 parent: QWidget | None = None) -> None:
        """`check`: `SchedulesService.after_problem` (pure), run on the links the editor was opened with."""
        super().__init__(parent)
        self.check = check
        self.edges: dict[str, Sequence[str]] = {s.name: s.after for s in schedules}
        self.original = original
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(theme.SPACE_XS)
        self.list = QListWidget()
        self.list.setAccessibleName("Run after these schedules")
        self.list.setUniformItemSizes(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        for schedule in schedules:
            if schedule.name == original:
                continue
            item = QListWidgetItem(schedule.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(f"{schedule.name} · {schedule.account}")
            self.list.addItem(item)
        row_height = max(self.list.sizeHintForRow(0), 22) if self.list.count() else 22
        self.list.setFixedHeight(row_height * min(max(self.list.count(), 1), LIST_ROWS) + 8)
        self.list.itemChanged.connect(lambda _: self.changed.emit())
        self.empty = muted("No other schedules yet.", "No other schedules")
        self.error = FieldError("Runs after")
        self.hint = muted("Runs once all the ticked schedules have synced successfully since its last run.",
                          "Runs after hint")
        self.hint.setWordWrap(True)
        column.addWidget(self.list)
        column.addWidget(self.empty)
        column.addWidget(self.error)
        column.addWidget(self.hint)
        self.list.setVisible(self.list.count() > 0)
        self.empty.setVisible(self.list.count() == 0)
        # wait at most / if some are missing
        self.wait = QSpinBox()
        self.wait.setRange(1, 7 * 24 * 60)
        self.wait.setAccessibleName("Wait at most")
        self.wait_unit = QComboBox()
        self.wait_unit.setAccessibleName("Wait at most: unit")
        for words, minutes in (("minutes", 1), ("hours", 60)):
            self.wait_unit.addItem(words, minutes)
        self.wait_unit.setCurrentIndex(1)
        self.wait.setValue(2)
        self.wait_box = QWidget()
        row = QHBoxLayout(self.wait_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.wait)
        row.addWidget(self.wait_unit)
        row.addStretch(1)
        self.if_missing = QComboBox()
        self.if_missing.setAccessibleName("If some are missing")
        for key, words in IF_MISSING_WORDS:
            self.if_missing.addItem(words, key)
        self.wait.valueChanged.connect(lambda _: self.changed.emit())
        self.wait_unit.currentIndexChanged.connect(lambda _: self.changed.emit())
        self.if_missing.currentIndexChanged.connect(lambda _: self.changed.emit())

    def add_rows(self, form: QFormLayout) -> tuple[QWidget, QWidget]:
        """The "Wait at most" and "If some are missing" rows, added to the editor's form (shown by the editor only
        for a schedule with a time trigger and some schedules ticked)."""
        form.addRow("Wait at most", self.wait_box)
        form.addRow("If some are missing", self.if_missing)
        return self.wait_box, self.if_missing

    def fill(self, item: domain.ScheduleCard) -> None:
        self.set_chosen(item.after)
        hours = item.wait_max_minutes % 60 == 0
        self.wait_unit.setCurrentIndex(1 if hours else 0)
        self.wait.setValue(item.wait_max_minutes // 60 if hours else item.wait_max_minutes)
        self.if_missing.setCurrentIndex(max(0, self.if_missing.findData(item.if_missing.value)))

    def chosen(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def set_chosen(self, names: Sequence[str]) -> None:
        for i in range(self.list.count()):
            row = self.list.item(i)
            row.setCheckState(Qt.CheckState.Checked if row.text() in names else Qt.CheckState.Unchecked)

    def wait_minutes(self) -> int:
        return int(self.wait.value()) * int(self.wait_unit.currentData() or 1)

    def problem(self, name: str) -> str | None:
        """The message when these choices would make a schedule wait for itself (shown at once, under the list)."""
        message = self.check(self.original or name, self.chosen(), self.edges) if (self.original or name) else None
        message = message.replace("--after: ", "", 1) if message else None
        self.error.show_error(f"Runs after: {message}" if message else None)
        return message
