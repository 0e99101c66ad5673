"""Settings › Accounts: the accounts (platform badge, name elided with the whole name as its tooltip, state in
words with an icon), Add account (the page's primary action), Test / Sign in again / Remove (confirmed), and the
keyring's state in plain words."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem, QWidget

from autosync_desktop import domain
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.history.empty import TableMessage
from autosync_desktop.gui.settings import badges, labels
from autosync_desktop.gui.widgets import dialogs
from autosync_desktop.gui.widgets.card import Card, muted
from autosync_desktop.gui.widgets.status_badge import StatusBadge

COLUMNS = ("Account", "Platform", "Account ID", "Sign-in", "Health", "Platform API")
SIGN_IN_WORDS = {domain.AuthState.OK: "Signed in"}
KEYRING_ADVICE = {
    domain.KeyringStatus.AVAILABLE: "Credentials are stored in the system keyring, never in the database or in "
                                    "files.",
    domain.KeyringStatus.MISSING: "Accounts that need credentials cannot be added or synced until one is running "
                                  "(restart AutoSync after installing it); the Demo account works without one.",
    domain.KeyringStatus.LOCKED: "Press “Unlock keyring…” and your system asks for its password, or unlock it in "
                                 "your keyring app and press Check keyring.",
    domain.KeyringStatus.ERROR: "The keyring reported an error; see the message above.",
    domain.KeyringStatus.NOT_NEEDED: "",
}
LOCKED_CELL = "Keyring locked — unlock"
NO_ACCOUNTS = "No accounts yet. Connect one with “Add account”, or try the Demo account (sample data) first."
FACT_MAX = 170  # px: a fact column (platform, account id, sign-in, health, API) is never wider than this


class AccountsPanel(Card):
    changed = Signal()
    message = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Accounts", parent, accessible="Accounts settings")
        self.ctx = ctx
        self.accounts: Sequence[domain.AccountInfo] = ()
        self._pending_select: str | None = None  # asked for before the list had loaded
        self.keyring: domain.KeyringState | None = None
        self.credentialed: frozenset[str] = frozenset()  # accounts whose credentials are in the keyring (the store)
        self.opened = False  # the page was shown: the keyring is checked for real (never prompting)
        self.dialog: Any = None
        self.keyring_badge = StatusBadge("idle", "Keyring: checking…")
        self.keyring_text = muted("Checking the system keyring…", "Keyring state")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Accounts table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()  # the name takes the room, the short facts fit their words
        header.setMinimumSectionSize(60)
        header.setMaximumSectionSize(FACT_MAX)
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == 0
                                        else QHeaderView.ResizeMode.ResizeToContents)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setIconSize(QSize(20, 20))
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setMinimumHeight(120)
        self.table.itemSelectionChanged.connect(self._selection)
        self.empty = TableMessage(self.table, "No accounts")
        self.add_button = QPushButton(theme.icon("add"), "Add account")
        self.add_button.setAccessibleName("Add account")
        theme.make_primary(self.add_button)
        self.add_button.clicked.connect(self.add_account)
        self.test_button = QPushButton(theme.icon("check"), "Test")
        self.test_button.setAccessibleName("Test the selected account's connection")
        self.test_button.clicked.connect(self.test_selected)
        self.sign_in_button = QPushButton(theme.icon("sign-in"), "Sign in again…")
        self.sign_in_button.setAccessibleName("Sign in to the selected account")
        self.sign_in_available = hasattr(ctx.services.accounts, "connect")
        self.platforms = {p.name: p for p in ctx.services.accounts.platforms()}
        from autosync_desktop.gui.settings.sign_in import pin_platforms  # X: the PIN sign-in

        self.pin_platforms = frozenset(pin_platforms())
        self.sign_in_button.setToolTip("Sign in with the platform in your browser" if self.sign_in_available else
                                       "Browser sign-in (OAuth) is not available in this build yet; paste tokens "
                                       "as credentials instead")
        self.sign_in_button.clicked.connect(self.sign_in_selected)
        self.remove_button = QPushButton(theme.icon("delete"), "Remove…")
        self.remove_button.setAccessibleName("Remove the selected account")
        self.remove_button.clicked.connect(self.remove_selected)
        self.check_button = QPushButton("Check keyring")
        self.check_button.setAccessibleName("Check the keyring again")
        self.check_button.clicked.connect(lambda: self.check_keyring(real=True))
        self.unlock_button = QPushButton("Unlock keyring…")
        self.unlock_button.setAccessibleName("Unlock the keyring")
        self.unlock_button.setToolTip("Your system asks for its keyring password")
        self.unlock_button.clicked.connect(self.unlock_keyring)
        self.unlock_button.hide()
        self.result = muted("", "Account action result")
        self.header.addWidget(self.add_button)
        buttons = QHBoxLayout()
        buttons.setSpacing(theme.SPACE_S)
        selected = QLabel("Selected account:")
        buttons.addWidget(selected)
        for button in (self.test_button, self.sign_in_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.outer.addWidget(self.table)
        self.outer.addLayout(buttons)
        self.outer.addWidget(self.result)
        keyring_row = QHBoxLayout()
        keyring_row.setSpacing(theme.SPACE_S)
        keyring_row.addWidget(self.keyring_badge)
        keyring_row.addStretch(1)
        keyring_row.addWidget(self.unlock_button)
        keyring_row.addWidget(self.check_button)
        self.outer.addSpacing(theme.SPACE_S)
        self.outer.addLayout(keyring_row)
        self.outer.addWidget(self.keyring_text)
        self._selection()
        ctx.bridge.account_changed.connect(lambda _: self.refresh_accounts())

    # --- loading ---

    def refresh(self) -> None:
        self.refresh_accounts()
        self.check_keyring()

    def refresh_accounts(self) -> None:
        self.ctx.workers.run(self.ctx.services.accounts.list, owner=self, on_done=self._apply)
        self.ctx.workers.run(self.ctx.services.accounts.with_credentials, owner=self, on_done=self._credentials)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.opened:  # the user looks at the accounts: check the keyring for real (it never prompts)
            self.opened = True
            self.check_keyring()

    def check_keyring(self, real: bool = False) -> None:
        """The keyring's state, never prompting; until the page was shown (or `real`), "not needed yet" comes from
        the store alone while no secret is stored, without opening the keyring."""
        self.opened = self.opened or real
        self.ctx.workers.run(partial(self.ctx.services.accounts.keyring_state, self.opened), lane="keyring",
                             owner=self, on_done=self._keyring, on_error=lambda exc: self._keyring(
                                 domain.KeyringState(status=domain.KeyringStatus.ERROR, backend="?", message=str(exc))))

    def unlock_keyring(self) -> None:
        """Asks the desktop again (create or unlock its keyring), also after a cancelled prompt."""
        self.unlock_button.setEnabled(False)
        self.result.setText("Your system asks for its keyring password…")
        self.ctx.workers.run(self.ctx.services.accounts.unlock_keyring, lane="keyring", owner=self,
                             on_done=self._unlocked, on_error=lambda exc: self._unlocked(domain.KeyringState(
                                 status=domain.KeyringStatus.ERROR, backend="?", message=str(exc))))

    def _unlocked(self, state: domain.KeyringState) -> None:
        self.unlock_button.setEnabled(True)
        self.result.setText("✓ The keyring is unlocked." if state.status == domain.KeyringStatus.AVAILABLE
                            else f"✗ {dialogs.plain(state.message)}")
        self._keyring(state)

    def _keyring(self, state: domain.KeyringState) -> None:
        self.keyring = state
        self.keyring_badge.set_status(state.status.value, f"Keyring: {theme.label_of(state.status.value).lower()}")
        advice = KEYRING_ADVICE.get(state.status, "")
        self.keyring_text.setText(f"{state.message} {advice}".strip()
                                  if state.status != domain.KeyringStatus.AVAILABLE or state.will_ask
                                  else f"{advice} ({state.backend})")
        self.unlock_button.setVisible(state.status == domain.KeyringStatus.LOCKED)
        self._apply(self.accounts)

    def _credentials(self, names: frozenset[str]) -> None:
        self.credentialed = names
        self._apply(self.accounts)

    def _apply(self, accounts: Sequence[domain.AccountInfo]) -> None:
        selected = self.selected()
        self.accounts = accounts
        locked = self.keyring is not None and self.keyring.status == domain.KeyringStatus.LOCKED
        self.table.setRowCount(len(accounts))
        for row, account in enumerate(accounts):
            platform = self.platforms.get(account.platform)
            sandbox = bool(platform and platform.sandbox)
            ok = account.auth_state == domain.AuthState.OK
            auth = ("Not needed" if sandbox else "Signed in") if ok else theme.label_of(account.auth_state.value)
            words = labels.badge(account.platform, platform.label if platform else None).label
            values = (account.name, words, account.account_id, auth, theme.label_of(account.health.value),
                      fmt.fmt_api(account.api, "—"))
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if column == 0:
                    item.setIcon(badges.icon(account.platform, platform.label if platform else None))
                    item.setToolTip(f"{account.name}\n{words} · {account.account_id}")
                if column == 5 and account.health == domain.Health.NEEDS_UPDATE:
                    item.setIcon(theme.status_icon("needs_update"))
                    item.setToolTip("The platform retires this API version soon: update AutoSync before then.")
                if column == 4:
                    item.setIcon(theme.status_icon(account.health.value))
                if column == 3:
                    item.setIcon(theme.status_icon("ok" if ok else "needs_sign_in"))
                self.table.setItem(row, column, item)
            self.table.removeCellWidget(row, 3)
            if locked and account.name in self.credentialed:  # its credentials cannot be read until unlocked
                button = QPushButton(theme.status_icon("locked"), LOCKED_CELL)
                button.setFlat(True)
                button.setAccessibleName(f"Unlock the keyring for {account.name}")
                button.clicked.connect(self.unlock_keyring)
                self.table.setCellWidget(row, 3, button)
            if account.name == (self._pending_select or (selected.name if selected else None)):
                self.table.selectRow(row)
        if any(account.name == self._pending_select for account in accounts):
            self._pending_select = None
        self.table.setFixedHeight(min(360, 36 + 34 * max(2, len(accounts))))
        self.empty.say("" if accounts else NO_ACCOUNTS)
        self._selection()

    # --- selection and actions ---

    def selected(self) -> domain.AccountInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.accounts[rows[0].row()] if rows and rows[0].row() < len(self.accounts) else None

    def select(self, name: str) -> None:
        """Select `name`'s row, or remember it until the list that holds it has loaded."""
        for row, account in enumerate(self.accounts):
            if account.name == name:
                self.table.selectRow(row)
                return
        self._pending_select = name

    def _selection(self) -> None:
        has = self.selected() is not None
        for button in (self.test_button, self.remove_button):
            button.setEnabled(has)
        account = self.selected()
        platform = self.platforms.get(account.platform) if account else None
        browser = bool(platform and (platform.browser_sign_in or platform.name in self.pin_platforms))
        self.sign_in_button.setEnabled(has and self.sign_in_available and browser)
        if account is not None and not browser:
            label = platform.label if platform else "This platform"
            self.sign_in_button.setToolTip(f"{label} has no browser sign-in; its credentials are entered when "
                                           "adding it")
        elif self.sign_in_available:
            self.sign_in_button.setToolTip("Sign in with the platform in your browser")

    def add_account(self) -> None:
        from autosync_desktop.gui.settings.account_dialog import AccountDialog  # connectors' declarations: on demand

        self.dialog = AccountDialog(self.ctx, self.keyring, self)
        self.dialog.saved.connect(self._added)
        self.dialog.open()

    def _added(self, name: str, sign_in: bool = False) -> None:
        self.result.setText(f"Added {name}." + (" Sign in with the browser to finish." if sign_in else ""))
        self.changed.emit()
        self.refresh()
        if sign_in:
            self.refresh_accounts()
            self._sign_in(name)

    def test_selected(self) -> None:
        account = self.selected()
        if account is None:
            return
        name = account.name
        self.result.setText(f"Testing {name}…")
        self.test_button.setEnabled(False)
        self.ctx.workers.run(self.ctx.services.accounts.test, name, lane="keyring", owner=self,
                             on_done=lambda text: self._tested(f"✓ {name}: {text}"),
                             on_error=lambda exc: self._tested(f"✗ {name}: {dialogs.plain(str(exc))}"))

    def _tested(self, text: str) -> None:
        self.result.setText(text)
        self._selection()

    def sign_in_selected(self) -> None:
        account = self.selected()
        if account is None or not self.sign_in_available:
            return
        self._sign_in(account.name, account.platform)

    def _sign_in(self, name: str, platform_name: str | None = None) -> None:
        from autosync_desktop.gui.settings.sign_in import SignInDialog

        if platform_name is None:
            platform_name = next((a.platform for a in self.accounts if a.name == name), "")
        platform = self.platforms.get(platform_name)
        self.dialog = SignInDialog(self.ctx, name, platform.label if platform else platform_name, self,
                                   platform=platform_name)
        self.dialog.signed_in.connect(self._signed_in)
        self.dialog.open()

    def _signed_in(self, name: str) -> None:
        self.result.setText(f"✓ Signed in to {name}")
        self.refresh()

    def remove_selected(self) -> None:
        account = self.selected()
        if account is None:
            return
        name = account.name
        self.ctx.workers.run(self.ctx.services.accounts.contents, name, lane="read", owner=self,
                             on_done=lambda contents: self._ask_remove(name, contents),
                             on_error=lambda exc: self.result.setText(f"✗ {dialogs.plain(str(exc))}"))

    def _ask_remove(self, name: str, contents: domain.AccountContents) -> None:
        """The same question as `accounts remove`: with schedules or data, delete them or keep the data."""
        data = domain.DataOnRemove.DELETE
        if contents.empty:
            if not dialogs.confirm(self, "Remove account", f"Remove the account {name!r}?\n\nIts credentials are "
                                   "deleted from the keyring. Its run history is kept.", action="Remove"):
                return
        else:
            choice = dialogs.choose(
                self, "Remove account", f"Remove the account {name!r}?\n\nIt has {contents.describe()}. "
                "“Delete data” removes them from this computer; “Keep data” removes only the account and its "
                f"schedules and keeps the synced data in Data and exports (as “{name} (removed DATE)”). "
                "Its credentials are deleted from the keyring. Its run history is kept.", ("Delete data", "Keep data"))
            if choice is None:
                return
            data = domain.DataOnRemove.DELETE if choice == "Delete data" else domain.DataOnRemove.KEEP
        self.ctx.workers.run(partial(self.ctx.services.accounts.remove, data=data), name, lane="keyring", owner=self,
                             on_done=self._removed,
                             on_error=lambda exc: self.result.setText(f"✗ {dialogs.plain(str(exc))}"))

    def _removed(self, removal: domain.AccountRemoval) -> None:
        self.result.setText(_removed_text(removal))
        self.changed.emit()
        self.refresh()


def _removed_text(removal: domain.AccountRemoval) -> str:
    if removal.kept_as is not None:
        return f"Removed {removal.name}; its synced data is kept as “{removal.kept_as}”. Its run history is kept."
    return f"Removed {removal.name}; its run history is kept."
