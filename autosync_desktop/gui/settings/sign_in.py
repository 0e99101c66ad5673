"""Sign in to an account in the system browser (services.accounts.connect: loopback + PKCE, token to the keyring).

accounts.connect blocks until the browser comes back, so it runs in the keyring worker with a cancel event.
It reports the sign-in address through `on_url` from that worker thread; `_UrlRelay` (a GUI-thread QObject)
carries it to the GUI thread, which opens the browser and shows the address to copy if none opens.
"""

from __future__ import annotations

import threading
from functools import partial

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from autosync_desktop import domain
from autosync_desktop.gui import keyring_notice
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.dialogs import plain
from autosync_desktop.gui.widgets.field_error import FieldError
from autosync_desktop.gui.widgets.status_badge import StatusBadge


class _UrlRelay(QObject):
    url = Signal(str)


class SignInDialog(QDialog):
    signed_in = Signal(str)

    def __init__(self, ctx: AppContext, account: str, platform_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.account = account
        self.cancel_event: threading.Event | None = None
        self.setWindowTitle(f"Sign in to {self.account}")
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(520)
        self.relay = _UrlRelay(self)
        self.relay.url.connect(self._open_url)
        self.client_id = QLineEdit()
        self.client_id.setAccessibleName("OAuth client id")
        self.client_id.setPlaceholderText("only the first time for this platform")
        self.client_secret = QLineEdit()
        self.client_secret.setAccessibleName("OAuth client secret")
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.client_secret.setPlaceholderText("if your OAuth client has one")
        form = QFormLayout()
        form.addRow("OAuth client id", self.client_id)
        form.addRow("Client secret", self.client_secret)
        self.badge = StatusBadge("idle", "Not started")
        self.address = QLabel()
        self.address.setAccessibleName("Sign-in address")
        self.address.setWordWrap(True)
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = FieldError("sign-in")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.start_button = self.buttons.addButton("Sign in with browser", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setAccessibleName("Sign in with browser")
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(muted(f"Opens {platform_label}'s sign-in page in your browser; after you allow access, "
                               "AutoSync keeps the refresh token in the system keyring. The client id and secret "
                               "of your OAuth app are needed once per platform.", "Sign-in explanation"))
        layout.addLayout(form)
        layout.addWidget(self.badge)
        layout.addWidget(self.address)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def start(self) -> None:
        """First read the keyring's state (never prompting) and say what the desktop will ask, then sign in."""
        self.error.show_error(None)
        self.start_button.setEnabled(False)
        self.ctx.workers.run(partial(self.ctx.services.accounts.keyring_state, True), lane="keyring", owner=self,
                             on_done=self._before_keyring, on_error=lambda _exc: self._before_keyring(None))

    def _before_keyring(self, state: domain.KeyringState | None) -> None:
        if not keyring_notice.go_ahead(self, state, self.ctx.services.accounts.allow_keyring_prompt):
            self.start_button.setEnabled(True)
            return
        self.badge.set_status("running", "Waiting for the browser…")
        self.cancel_event = threading.Event()
        self.ctx.workers.run(self.ctx.services.accounts.connect, self.account, on_url=self.relay.url.emit,
                             client_id=self.client_id.text().strip() or None,
                             client_secret=self.client_secret.text() or None, cancel=self.cancel_event,
                             lane="keyring", owner=self, on_done=self._done, on_error=self._failed,
                             on_cancel=self.cancel_event.set)

    def _open_url(self, url: str) -> None:  # GUI thread
        self.address.setText(f"If no browser opened, open this address: {url}")
        QDesktopServices.openUrl(QUrl(url))

    def _done(self, message: str) -> None:
        self.cancel_event = None
        self.badge.set_status("ok", "Signed in")
        self.address.setText(message)
        self.client_secret.clear()
        self.signed_in.emit(self.account)

    def _failed(self, exc: Exception) -> None:
        self.cancel_event = None
        self.badge.set_status("failed", "Not signed in")
        self.error.show_error(plain(str(exc).removeprefix("--client-id: ")))
        self.start_button.setEnabled(True)

    def reject(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()  # the worker stops waiting for the browser
        super().reject()
