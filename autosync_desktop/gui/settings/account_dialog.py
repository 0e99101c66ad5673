"""Add an account: platform, name, the platform's account id, options, and credentials (to the OS keyring).

Saving calls services.accounts.add in the keyring worker (it may write to the keyring, which can block on an
unlock prompt); errors are shown beside the field they name. Credentials are entered as a JSON object and are
never shown again or written anywhere but the keyring. Before credentials are stored, the keyring's state is read
without prompting and the window says what the desktop is about to ask (`gui/keyring_notice.py`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop.errors import AutoSyncError, one_line
from autosync_desktop.gui import keyring_notice
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.dialogs import split_field
from autosync_desktop.gui.widgets.field_error import FieldError

FIELD_OF = {"--name": "name", "--platform": "platform", "--account-id": "account_id", "--option": "options",
            "--credentials-stdin": "credentials"}


class AccountDialog(QDialog):
    saved = Signal(str)

    def __init__(self, ctx: AppContext, keyring: domain.KeyringState | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Add account")
        self.setAccessibleName("Add account")
        self.setMinimumWidth(560)
        self.platforms = ctx.services.accounts.platforms()
        self.errors = {key: FieldError(key) for key in ("platform", "name", "account_id", "options", "credentials",
                                                         "general")}
        self.platform = QComboBox()
        self.platform.setAccessibleName("Platform")
        for platform in self.platforms:
            label = platform.label + ("" if platform.available else " — connector not in this build yet")
            self.platform.addItem(label, platform.name)
        self.name = QLineEdit()
        self.name.setAccessibleName("Account name")
        self.name.setPlaceholderText("e.g. Acme Google Ads")
        self.account_id = QLineEdit()
        self.account_id.setAccessibleName("Platform account id")
        self.options_box = QWidget()
        self.options_form = QFormLayout(self.options_box)
        self.options_form.setContentsMargins(0, 0, 0, 0)
        self.option_edits: dict[str, QLineEdit] = {}
        self.credentials = QPlainTextEdit()
        self.credentials.setAccessibleName("Credentials as JSON")
        self.credentials.setPlaceholderText('{"access_token": "…", "refresh_token": "…"}')
        self.credentials.setMaximumHeight(90)
        self.keyring_note = muted(
            "Credentials go to the system keyring only." if keyring and keyring.status in (
                domain.KeyringStatus.AVAILABLE, domain.KeyringStatus.NOT_NEEDED)
            else f"Keyring: {keyring.message if keyring else 'checking…'} Accounts that need credentials cannot be "
            "added until it is available.", "Keyring note")
        form = QFormLayout()
        for label, widget, key in (("Platform", self.platform, "platform"), ("Name", self.name, "name"),
                                   ("Account id", self.account_id, "account_id"),
                                   ("Options", self.options_box, "options"),
                                   ("Credentials", self.credentials, "credentials")):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            column.addWidget(self.errors[key])
            column.setAlignment(Qt.AlignmentFlag.AlignTop)
            form.addRow(label, box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Add account")
        self.save_button.setAccessibleName("Add account")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.errors["general"])
        layout.addWidget(self.buttons)
        self.platform.currentIndexChanged.connect(self._platform_changed)
        self.credentials.textChanged.connect(self._check_json)
        self._platform_changed()

    def platform_info(self) -> domain.PlatformInfo:
        return next(p for p in self.platforms if p.name == self.platform.currentData())

    def _platform_changed(self) -> None:
        info = self.platform_info()
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        self.option_edits = {}
        for option in [*info.option_names, "lookback_days"]:
            edit = QLineEdit()
            edit.setAccessibleName(f"Option {option}")
            edit.setPlaceholderText(f"default ({info.default_lookback_days} days)" if option == "lookback_days"
                                    else "default")
            self.option_edits[option] = edit
            self.options_form.addRow(option, edit)
        sandbox = info.sandbox
        self.account_id.setPlaceholderText("optional for the Demo account" if sandbox else "the platform's account id")
        self.credentials.setEnabled(not sandbox)
        self.credentials.setPlaceholderText("The Demo account needs no credentials" if sandbox else
                                            '{"access_token": "…", "refresh_token": "…"}')
        QTimer.singleShot(0, self.adjustSize)  # after the removed option rows are gone

    def _parse_credentials(self) -> tuple[dict[str, str] | None, str | None]:
        """(credentials or None, error message or None) from the JSON field."""
        text = self.credentials.toPlainText().strip()
        if not text or not self.credentials.isEnabled():
            return None, None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            return None, f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        if not isinstance(value, dict):
            return None, 'Expected one JSON object, e.g. {"access_token": "…"}'
        return {str(k): str(v) for k, v in value.items()}, None

    def _check_json(self) -> None:
        self.errors["credentials"].show_error(self._parse_credentials()[1])

    def save(self) -> None:
        for error in self.errors.values():
            error.show_error(None)
        credentials, problem = self._parse_credentials()
        if problem:
            self.errors["credentials"].show_error(problem)
            return
        if not self.name.text().strip():
            self.errors["name"].show_error("An account needs a name, e.g. Acme Google Ads")
            return
        options = {k: e.text().strip() for k, e in self.option_edits.items() if e.text().strip()}
        self.save_button.setEnabled(False)
        submit = partial(self._submit, self.platform.currentData(), self.name.text().strip(),
                         self.account_id.text().strip() or None, options, credentials)
        if not credentials:  # nothing goes to the keyring
            submit()
            return
        # A secret is about to be stored: first say what the desktop will ask (a new keyring, or unlocking it).
        self.ctx.workers.run(partial(self.ctx.services.accounts.keyring_state, True), lane="keyring", owner=self,
                             on_done=lambda state: self._before_keyring(state, submit),
                             on_error=lambda _exc: self._before_keyring(None, submit))

    def _before_keyring(self, state: domain.KeyringState | None, submit: Callable[[], None]) -> None:
        if keyring_notice.go_ahead(self, state, self.ctx.services.accounts.allow_keyring_prompt):
            submit()
        else:
            self.save_button.setEnabled(True)

    def _submit(self, platform: str, name: str, account_id: str | None, options: dict[str, str],
                credentials: dict[str, str] | None) -> None:
        self.ctx.workers.run(self.ctx.services.accounts.add, platform, name, account_id, options, credentials,
                             lane="keyring", owner=self, on_done=self._saved, on_error=self._failed)

    def _saved(self, account: domain.AccountInfo) -> None:
        self.credentials.clear()
        self.saved.emit(account.name)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(exc, AutoSyncError):
            self.errors["general"].show_error(f"Could not add the account: {one_line(exc)}")
            return
        flag, message = split_field(str(exc))
        key = FIELD_OF.get(flag or "")
        if key is None and any(word in message.lower() for word in ("keyring", "credential", "token")):
            key = "credentials"
        self.errors[key or "general"].show_error(message)
