"""Backfill: sync an explicit date range of one schedule now, and follow the run's progress to its end."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import events as ev
from autosync_desktop.domain import RunStatus, SyncRequest
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.scheduler import describe
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.dialogs import split_field
from autosync_desktop.gui.widgets.field_error import FieldError
from autosync_desktop.gui.widgets.status_badge import StatusBadge
from autosync_desktop.services.schedules import BackfillLimits, backfill_estimate


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class BackfillDialog(QDialog):
    def __init__(self, ctx: AppContext, schedule: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.schedule = schedule
        self.run_id: int | None = None
        self.setWindowTitle(f"Backfill {schedule}")
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(460)
        today = date.today()
        self.date_from = QDateEdit(_qdate(today - timedelta(days=30)))
        self.date_to = QDateEdit(_qdate(today - timedelta(days=1)))
        for edit, name in ((self.date_from, "From date"), (self.date_to, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(name)
            edit.dateChanged.connect(self.validate)
        self.error = FieldError("date range")
        self.estimate = QLabel("")
        self.estimate.setAccessibleName("Backfill size")
        self.estimate.setWordWrap(True)
        self.limits: BackfillLimits | None = None
        form = QFormLayout()
        form.addRow("From", self.date_from)
        form.addRow("To", self.date_to)
        self.badge = StatusBadge("idle", "Not started")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Backfill progress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.detail = QLabel("")
        self.detail.setAccessibleName("Backfill result")
        self.detail.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.run_button = self.buttons.addButton("Run backfill", QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setIcon(theme.icon("play"))
        self.run_button.setAccessibleName("Run backfill")
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        self.explanation = muted(f"Fetches every day in the range for the account of “{schedule}” and replaces "
                                 "what is stored for those days (re-running is safe: nothing is duplicated).",
                                 "Backfill explanation")
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        layout.addWidget(self.estimate)
        layout.addWidget(self.error)
        layout.addWidget(self.badge)
        layout.addWidget(self.progress)
        layout.addWidget(self.detail)
        layout.addWidget(self.buttons)
        ctx.workers.run(ctx.services.schedules.backfill_limits, schedule, owner=self, on_done=self._limits,
                        on_error=self._no_limits)
        ctx.bridge.run_started.connect(self._event)
        ctx.bridge.run_progress.connect(self._event)
        ctx.bridge.run_finished.connect(self._event)
        self.validate()

    def validate(self) -> bool:
        start, end = _pydate(self.date_from.date()), _pydate(self.date_to.date())
        message = None
        if start > end:
            message = "'From' is after 'To'; swap them or pick an earlier From date"
        elif end > date.today() + timedelta(days=1):
            message = "'To' is in the future; use today or an earlier date"
        self.error.show_error(message)
        self.run_button.setEnabled(message is None and self.run_id is None)
        self._show_estimate(start, end, message is None)
        return message is None

    def _no_limits(self, _: Exception) -> None:
        """Without the platform's limits the dialog still works; it only cannot say the size."""

    def _limits(self, limits: BackfillLimits) -> None:
        self.limits = limits
        self.validate()

    def _show_estimate(self, start: date, end: date, ok: bool) -> None:
        """'42 days in 2 windows of up to 30 days, about 3 API calls' before it starts."""
        if not ok or self.limits is None:
            self.estimate.setText("")
            self.estimate.setVisible(False)
            return
        size = backfill_estimate(start, end, self.limits)
        self.estimate.setText(describe.backfill_words(size.days, size.windows, size.window_days, size.calls)
                              + f" to {self.limits.platform_label}.")
        self.estimate.setVisible(True)

    def start(self) -> None:
        if not self.validate():
            return
        self.run_button.setEnabled(False)
        self.badge.set_status("queued", "Queuing…")
        # the dialog is the confirmation of its size (the CLI asks for --yes); the platform's retention still applies
        self.ctx.workers.run(partial(self.ctx.services.runs.request, confirmed=True), self.schedule,
                             _pydate(self.date_from.date()), _pydate(self.date_to.date()), lane="write", owner=self,
                             on_done=self._queued, on_error=self._failed)

    def _queued(self, request: SyncRequest) -> None:
        self.run_id = request.run_id
        if request.status == RunStatus.SKIPPED:
            self.badge.set_status("skipped", "Skipped")
            self.detail.setText(f"Run #{request.run_id} was skipped: another run of this schedule is active. "
                                "Try again when it has finished.")
            self.run_id = None
            self.validate()
            return
        self.badge.set_status("queued", f"Run #{request.run_id} queued")
        self.progress.setRange(0, 0)

    def _failed(self, exc: Exception) -> None:
        self.error.show_error(split_field(str(exc))[1])
        self.badge.set_status("failed", "Not started")
        self.run_button.setEnabled(True)

    def _event(self, event: ev.Event) -> None:
        if getattr(event, "run_id", None) != self.run_id or self.run_id is None:
            return
        if isinstance(event, ev.RunStarted):
            self.badge.set_status("running", f"Run #{event.run_id} running")
            self.progress.setRange(0, max(1, event.windows))
            self.progress.setValue(0)
        elif isinstance(event, ev.RunProgress):
            if event.windows_total:
                self.progress.setRange(0, event.windows_total)
                self.progress.setValue(event.windows_done)
            current = min(event.windows_done + 1, event.windows_total)
            self.detail.setText(f"{event.rows:,} rows so far · window {current} of {event.windows_total}")
        elif isinstance(event, ev.RunFinished):
            self.progress.setRange(0, 1)
            self.progress.setValue(1 if event.status == "succeeded" else 0)
            self.badge.set_status(event.status, f"Run #{event.run_id} {theme.label_of(event.status).lower()}")
            text = f"{event.rows:,} rows written"
            if event.error:
                text += f" — {event.error}"
            self.detail.setText(text)
            self.run_id = None
            self.validate()
