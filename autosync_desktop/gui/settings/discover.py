"""Add account: the accounts the typed credentials reach, with checkboxes, to add several at once (issue 16).

`DiscoverPanel(ctx, platform, credentials, options)` is a self-contained widget for the Add-account dialog's
"Accounts found" slot: "Find my accounts" runs `services.accounts.discover` on a worker (the network: time-bounded,
cancelled when the panel goes away), lists what came back as checkable lines (managers and hidden accounts are
shown but not checked: a manager has no metrics of its own), and "Add checked accounts" adds them all through
`services.accounts.add_discovered`, then emits `added` with their names. Errors are one line, secrets masked.
`install(dialog)` puts a panel for the dialog's platform in the Add-account dialog's "Accounts found" slot
(`dialog.discovered`), reading the credentials and options typed there; adding closes the dialog as a save does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from autosync_desktop import domain
from autosync_desktop.errors import one_line
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.widgets.card import muted

TIMEOUT_S = 60.0


def line_text(account: domain.DiscoveredAccount) -> str:
    """How one discovered account reads in the list: indented by level, then id and what is known about it."""
    facts = [account.external_id, *(v for v in (account.currency, account.timezone) if v)]
    flags = [word for word, on in (("manager", account.is_manager), ("hidden", account.hidden)) if on]
    if account.status and account.status.upper() not in ("ENABLED", "ACTIVE"):
        flags.append(account.status.lower())
    via = f" · via manager {account.login_customer_id}" if account.login_customer_id else ""
    suffix = f" ({', '.join(flags)})" if flags else ""
    return f"{'    ' * account.level}{account.name or account.external_id}{suffix} — {' · '.join(facts)}{via}"


def checkable(account: domain.DiscoveredAccount) -> bool:
    """A manager has no metrics of its own: it is listed for the tree, never added."""
    return not account.is_manager


class DiscoverPanel(QWidget):
    """Find the accounts that `credentials()` reach on `platform`; add the checked ones."""

    added = Signal(list)  # the names of the accounts added

    def __init__(self, ctx: AppContext, platform: str, credentials: Callable[[], dict[str, str]],
                 options: Callable[[], dict[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.platform = platform
        self.credentials = credentials
        self.options = options
        self.found: list[domain.DiscoveredAccount] = []
        self._cancel = threading.Event()
        self.setAccessibleName("Accounts found")
        self.find_button = QPushButton("Find my accounts")
        self.find_button.setAccessibleName("Find my accounts")
        self.find_button.setToolTip("List the accounts these credentials can open, to add several at once")
        self.find_button.clicked.connect(self.find_accounts)
        self.note = muted("Or let AutoSync list the accounts these credentials can open.", "Accounts found note")
        self.list = QListWidget()
        self.list.setAccessibleName("Accounts found list")
        self.list.itemChanged.connect(self._update_add)
        self.list.hide()
        self.add_button = QPushButton("Add checked accounts")
        self.add_button.setAccessibleName("Add checked accounts")
        self.add_button.clicked.connect(self.add_checked)
        self.add_button.setEnabled(False)
        self.add_button.hide()
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.find_button)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        layout.addWidget(self.list)
        self.available = ctx.services.accounts.can_discover(platform)  # False: never shown (add by id)
        if not self.available:
            self.hide()

    def setVisible(self, visible: bool) -> None:  # Qt API: a platform without listing stays hidden
        super().setVisible(visible and self.available)

    def find_accounts(self) -> None:
        self._cancel.set()  # a listing still running for earlier credentials is dropped
        self._cancel = threading.Event()
        cancel = self._cancel
        self.find_button.setEnabled(False)
        self.note.setText("Asking the platform which accounts these credentials can open…")
        self.ctx.workers.run(self.ctx.services.accounts.discover, self.platform, self.credentials(),
                             self.options(), cancel=cancel, timeout_s=TIMEOUT_S, lane="slow", owner=self,
                             on_done=lambda found: self._found(found, cancel),
                             on_error=lambda exc: self._failed(exc, cancel), on_cancel=cancel.set)

    def _found(self, found: list[domain.DiscoveredAccount], cancel: threading.Event) -> None:
        if cancel is not self._cancel:
            return
        self.find_button.setEnabled(True)
        self.found = list(found)
        self.list.blockSignals(True)
        self.list.clear()
        for account in self.found:
            item = QListWidgetItem(line_text(account))
            item.setData(Qt.ItemDataRole.UserRole, account.external_id)
            if checkable(account):
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            else:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip("A manager account has no metrics of its own; add its clients")
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.list.setVisible(bool(self.found))
        self.add_button.setVisible(bool(self.found))
        self.note.setText(f"{len(self.found)} account(s) found: check the ones to add." if self.found
                          else "These credentials open no accounts.")
        self._update_add()

    def _failed(self, exc: Exception, cancel: threading.Event) -> None:
        if cancel is not self._cancel:
            return
        self.find_button.setEnabled(True)
        self.note.setText(f"Could not list the accounts: {one_line(exc)}")

    def checked(self) -> list[domain.DiscoveredAccount]:
        by_id = {a.external_id: a for a in self.found}
        return [by_id[str(item.data(Qt.ItemDataRole.UserRole))] for item in
                (self.list.item(i) for i in range(self.list.count()))
                if item.checkState() == Qt.CheckState.Checked]

    def set_checked(self, external_ids: list[str]) -> None:
        """Check these accounts (as a click would)."""
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in external_ids
                                   else Qt.CheckState.Unchecked)

    def _update_add(self, *_args: object) -> None:
        count = len(self.checked())
        self.add_button.setEnabled(count > 0)
        self.add_button.setText(f"Add {count} checked account{'s' if count != 1 else ''}" if count
                                else "Add checked accounts")

    def add_checked(self) -> None:
        picked = self.checked()
        if not picked:
            return
        self.add_button.setEnabled(False)
        self.note.setText(f"Adding {len(picked)} account(s)…")
        self.ctx.workers.run(self.ctx.services.accounts.add_discovered, picked, self.credentials(), self.options(),
                             lane="keyring", owner=self, on_done=self._added, on_error=self._add_failed)

    def _added(self, accounts: list[domain.AccountInfo]) -> None:
        names = [a.name for a in accounts]
        self.note.setText(f"Added {', '.join(names)}.")
        self.added.emit(names)

    def _add_failed(self, exc: Exception) -> None:
        self._update_add()
        self.note.setText(f"Could not add the accounts: {one_line(exc)}")


def install(dialog: Any) -> DiscoverPanel | None:
    """Show a DiscoverPanel for `dialog.info` (the chosen platform) in `dialog.discovered`, replacing the last one.

    The dialog is the Settings page's AccountDialog: its `cred_fields` / `option_fields` (LabelledEdit: `.text()`)
    are read when the user asks, and the accounts added end it like a save (`saved(name, False)`, `accept()`).
    """
    slot: QWidget = dialog.discovered
    layout = slot.layout() or QVBoxLayout(slot)
    layout.setContentsMargins(0, 0, 0, 0)
    while layout.count():
        item = layout.takeAt(0)
        old = item.widget() if item is not None else None
        if old is not None:
            old.deleteLater()
    info = dialog.info
    if info is None or info.sandbox or not dialog.ctx.services.accounts.can_discover(info.name):
        slot.hide()
        return None

    def credentials() -> dict[str, str]:
        return {key: field.text() for key, field in dialog.cred_fields.items() if field.text()}

    def options() -> dict[str, str]:
        return {key: field.text() for key, field in dialog.option_fields.items() if field.text()}

    def added(names: list[str]) -> None:
        if names:
            dialog.saved.emit(names[-1], False)
            dialog.accept()

    panel = DiscoverPanel(dialog.ctx, info.name, credentials, options, slot)
    panel.added.connect(added)
    layout.addWidget(panel)
    slot.show()
    return panel
