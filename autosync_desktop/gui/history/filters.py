"""The History filter bar: status, trigger, account, schedule, date range and text search."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import clock
from autosync_desktop.domain import RunFilter, RunStatus, Trigger
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme

STATUS_CHOICES: tuple[tuple[str, tuple[RunStatus, ...]], ...] = (
    ("Any status", ()), ("Failed or interrupted", (RunStatus.FAILED, RunStatus.INTERRUPTED)),
    *((s.value.capitalize(), (s,)) for s in RunStatus))
TRIGGER_CHOICES: tuple[tuple[str, tuple[Trigger, ...]], ...] = (
    ("Any trigger", ()), *((t.value.capitalize(), (t,)) for t in Trigger))


NAME_COMBO_MAX = 220  # px: a 63-character account name never squeezes the search box; it is elided instead
FILTER_MIN_CHARS = 7  # a filter shrinks to about this many characters (elided) before the row is too wide
SEARCH_MIN_WIDTH = 120  # px


class ElidingComboBox(QComboBox):
    """A combo box that elides its current text in the middle when narrower than the text (Qt clips it).

    With `min_chars` it asks for its whole text when there is room but may shrink to about that many characters
    when there is not, so a row of filters fits a 1024 px window."""

    def __init__(self, min_chars: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.min_chars = min_chars

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self.min_chars is None:
            return hint
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        text = QSize(self.fontMetrics().averageCharWidth() * self.min_chars, self.fontMetrics().height())
        least = self.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, text, self)
        return QSize(min(hint.width(), least.width()), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        room = field.width() - (option.iconSize.width() + 4 if not option.currentIcon.isNull() else 0)
        option.currentText = self.fontMetrics().elidedText(option.currentText, Qt.TextElideMode.ElideMiddle,
                                                          max(0, room))
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


def _combo(name: str, names: bool = False) -> QComboBox:
    """A filter choice that may shrink (eliding, the whole choice in its tooltip) so the row fits; `names` ones
    (account, schedule) also have a maximum width."""
    combo = ElidingComboBox(min_chars=FILTER_MIN_CHARS)
    combo.setAccessibleName(name)
    combo.setToolTip(name)
    if names:
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        combo.setMaximumWidth(NAME_COMBO_MAX)
        combo.view().setTextElideMode(Qt.TextElideMode.ElideMiddle)
    else:
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.currentIndexChanged.connect(lambda _: combo.setToolTip(f"{name}: {combo.currentText()}"))
    return combo


def day_start_utc(day: date) -> datetime:
    """Midnight of `day` in the display zone, as UTC."""
    return datetime.combine(day, time(), tzinfo=fmt.display_zone()).astimezone(UTC)


class HistoryFilters(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("History filters")
        self.status = _combo("Filter by status")
        for label, statuses in STATUS_CHOICES:
            self.status.addItem(label, statuses)
        self.trigger = _combo("Filter by trigger")
        for label, triggers in TRIGGER_CHOICES:
            self.trigger.addItem(label, triggers)
        self.account = _combo("Filter by account", names=True)
        self.schedule = _combo("Filter by schedule", names=True)
        self.set_names([], [])
        self.use_dates = QCheckBox("Dates")
        self.use_dates.setAccessibleName("Filter by date range")
        today = clock.now().astimezone(fmt.display_zone()).date()
        self.date_from = QDateEdit(QDate(today.year, today.month, today.day).addDays(-7))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        for edit, name in ((self.date_from, "From date"), (self.date_to, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setEnabled(False)
            edit.dateChanged.connect(self._emit)
        self.use_dates.toggled.connect(self._dates_toggled)
        self.text = QLineEdit()
        self.text.setPlaceholderText("Search schedule, account, error…")
        self.text.setAccessibleName("Search runs")
        self.text.setClearButtonEnabled(True)
        self.text.setMinimumWidth(SEARCH_MIN_WIDTH)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(350)
        self._debounce.timeout.connect(self._emit)
        self.text.textChanged.connect(lambda _: self._debounce.start())
        self.clear = QPushButton("Clear")
        self.clear.setAccessibleName("Clear filters")
        self.clear.clicked.connect(self.reset)
        for combo in (self.status, self.trigger, self.account, self.schedule):
            combo.currentIndexChanged.connect(self._emit)
        first, second = QHBoxLayout(), QHBoxLayout()
        first.setSpacing(theme.SPACE_S)
        second.setSpacing(theme.SPACE_S)
        self.first_row = first  # the view puts its page title first
        first.addWidget(self.text, 1)
        for widget in (self.status, self.trigger, self.account, self.schedule):
            first.addWidget(widget)
        for control in (self.use_dates, self.date_from, self.date_to):
            second.addWidget(control)
        second.addWidget(self.clear)
        second.addStretch(1)
        self.second_row = second  # the view adds its count and buttons here (one row less at 640 px high)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(theme.SPACE_S)
        layout.addLayout(first)
        layout.addLayout(second)
        self._muted = False

    def set_names(self, accounts: list[str], schedules: list[str]) -> None:
        """Fill the account and schedule choices, keeping the current choice when it still exists."""
        self._muted = True
        for combo, names, any_text in ((self.account, accounts, "Any account"),
                                       (self.schedule, schedules, "Any schedule")):
            current = combo.currentData()
            combo.clear()
            combo.addItem(any_text, None)
            for name in names:
                combo.addItem(name, name)
                combo.setItemData(combo.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
        self._muted = False

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self._emit()

    def _emit(self) -> None:
        if not self._muted:
            self.changed.emit()

    def reset(self) -> None:
        self._muted = True
        for combo in (self.status, self.trigger, self.account, self.schedule):
            combo.setCurrentIndex(0)
        self.use_dates.setChecked(False)
        self.text.clear()
        self._muted = False
        self._debounce.stop()
        self.changed.emit()

    def values(self) -> RunFilter:
        """The filters in services.runs.page's terms."""
        since = until = None
        if self.use_dates.isChecked():
            start, end = self.date_from.date(), self.date_to.date()
            since = day_start_utc(date(start.year(), start.month(), start.day()))
            until = day_start_utc(date(end.year(), end.month(), end.day()) + timedelta(days=1))
        # Qt hands the combo's data back as plain strings: make them enum members again
        return RunFilter(statuses=tuple(RunStatus(s) for s in self.status.currentData() or ()),
                         triggers=tuple(Trigger(t) for t in self.trigger.currentData() or ()),
                         account=self.account.currentData() or None, schedule=self.schedule.currentData() or None,
                         since=since, until=until, text=self.text.text().strip() or None)

    def set_text_now(self, text: str) -> None:
        """Set the search text and apply it at once (no typing debounce)."""
        self._debounce.stop()
        self.text.blockSignals(True)
        self.text.setText(text)
        self.text.blockSignals(False)
        self._emit()
