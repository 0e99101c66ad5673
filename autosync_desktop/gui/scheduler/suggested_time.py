"""The schedule editor's suggested time: the line under "Time" of a new daily or weekly sync schedule —
"Suggested: 06:30 Berlin", its reason in words and "Use this time".

The suggestion comes from `services.suggestions.for_account` on the read worker (never on the GUI thread), once per
account (kept for the dialog's life); an answer for an account that is no longer chosen, or for an earlier request,
is dropped. A failure hides the line: the suggestion is a help, never in the way of saving.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from autosync_desktop import domain
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.widgets.card import muted

LOADING = "Looking at past runs for a good time…"


def reason_words(found: domain.TimeSuggestion) -> str:
    """The reason without its leading "06:30 Berlin: " (the headline says it), starting with a capital."""
    reason = found.reason
    if reason.startswith(found.at):
        _head, sep, rest = reason.partition(": ")
        if sep and rest:
            reason = rest
    return reason[:1].upper() + reason[1:]


class SuggestedTime(QWidget):
    """`use(at, timezone)` fires when "Use this time" is pressed; `wanted(account)` asks for an account's time."""

    use = Signal(str, str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.now: datetime | None = None  # the services' "now" (None: the wall clock)
        self.found: dict[str, domain.TimeSuggestion] = {}
        self.account: str | None = None  # the account whose suggestion is wanted now
        self.asked = 0  # the latest request's number: older answers are dropped
        self.failed: set[str] = set()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        self.headline = QLabel(LOADING)
        self.headline.setAccessibleName("Suggested time")
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        theme.set_role(self.headline, "card-title")
        self.button = QPushButton("Use this time")
        self.button.setAccessibleName("Use the suggested time")
        self.button.clicked.connect(self._use)
        top.addWidget(self.headline, 1)
        top.addWidget(self.button)
        column.addLayout(top)
        self.reason = muted("", "Why this time")
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.reason.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        column.addWidget(self.reason)
        self._show(None)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """As tall as the reason's lines at this width (a form row gives a wrapped label a wrong height)."""
        wanted = self.reason.heightForWidth(max(1, self.width())) if self.reason.text() else 0
        if wanted > 0 and self.reason.height() != wanted:
            self.reason.setFixedHeight(wanted)

    def wanted(self, account: str | None) -> None:
        """Show `account`'s suggestion, loading it first if it was not yet."""
        self.account = account
        if account is None or account in self.failed:
            self._show(None)
            return
        if account in self.found:
            self._show(self.found[account])
            return
        self.asked += 1
        number = self.asked
        self._show(None)
        self.headline.setText(LOADING)
        self.ctx.workers.run(self.ctx.services.suggestions.for_account, account, now=self.now, lane="read",
                             owner=self, on_done=lambda found: self._loaded(number, account, found),
                             on_error=lambda exc: self._failed(number, account))

    def has_answer(self) -> bool:
        """True when the chosen account's suggestion is known (or known to be unavailable)."""
        return self.account is not None and (self.account in self.found or self.account in self.failed)

    def _loaded(self, number: int, account: str, found: domain.TimeSuggestion) -> None:
        self.found[account] = found
        if number == self.asked and account == self.account:
            self._show(found)

    def _failed(self, number: int, account: str) -> None:
        self.failed.add(account)
        if number == self.asked and account == self.account:
            self._show(None)
            self.headline.setText("No suggested time for this account")

    def _show(self, found: domain.TimeSuggestion | None) -> None:
        self.button.setVisible(found is not None)
        self.reason.setVisible(found is not None)
        if found is None:
            self.headline.setText("")
            self.reason.setText("")
            return
        when = f"{found.at} {domain.zone_words(found.timezone)}"
        # a default is said as one: only a time measured from past runs is "suggested"
        self.headline.setText(f"Suggested: {when}" if found.measured else f"Usual time: {when} (not measured yet)")
        self.reason.setText(reason_words(found))
        self._fit()
        self.headline.setToolTip(found.reason)

    def current(self) -> domain.TimeSuggestion | None:
        return self.found.get(self.account) if self.account is not None else None

    def _use(self) -> None:
        found = self.current()
        if found is not None:
            self.use.emit(found.at, found.timezone)
