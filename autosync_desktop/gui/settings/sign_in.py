"""Sign in to an account in the system browser: OAuth (loopback + PKCE) or, for X, the PIN flow; the tokens go to
the keyring (services.accounts.connect).

accounts.connect blocks until the browser comes back, so it runs in the keyring worker with a cancel event.
It reports the sign-in address through `on_url` from that worker thread; `_UrlRelay` (a GUI-thread QObject)
carries it to the GUI thread, which opens the browser and shows the address to copy if none opens.
X shows a PIN after the user authorizes the app: the worker's `read_pin` waits (on an event, never the GUI
thread) until the user types it here and presses "Finish sign-in", or cancels.
An OAuth app that is a public client (Microsoft's desktop apps) has no secret: no secret field is shown for it.
"""

from __future__ import annotations

import threading
from functools import partial

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop.errors import UserError
from autosync_desktop.gui import keyring_notice, theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.dialogs import plain
from autosync_desktop.gui.widgets.field_error import FieldError
from autosync_desktop.gui.widgets.status_badge import StatusBadge


class _UrlRelay(QObject):
    url = Signal(str)


def pin_platforms() -> tuple[str, ...]:
    """The platforms that sign in with a PIN (X)."""
    from autosync_desktop.services import pin_sign_in

    return tuple(pin_sign_in.PLATFORMS)


def public_client(platform: str) -> bool:
    """Whether the platform's OAuth app has no secret (its declaration in connectors/oauth.py)."""
    from autosync_desktop.services.accounts import AccountsService

    return AccountsService.public_client(platform)


class PinWait:
    """The worker side of the PIN: `read()` blocks until `give(pin)` or `cancel()` (from the GUI thread)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._pin: str | None = None

    def give(self, pin: str) -> None:
        self._pin = pin
        self._event.set()

    def cancel(self) -> None:
        self._pin = None
        self._event.set()

    def read(self) -> str:
        self._event.wait()
        if self._pin is None:
            raise UserError("Sign-in cancelled")
        return self._pin


def _stop(cancel: threading.Event | None, pin: PinWait | None) -> None:
    """Make a waiting sign-in return (any thread; holds no Qt object)."""
    if cancel is not None:
        cancel.set()
    if pin is not None:
        pin.cancel()


class SignInDialog(QDialog):
    signed_in = Signal(str)

    def __init__(self, ctx: AppContext, account: str, platform_label: str, parent: QWidget | None = None,
                 platform: str = "") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.account = account
        self.platform = platform
        self.pin_flow = platform in pin_platforms()
        self.cancel_event: threading.Event | None = None
        self.pin_wait: PinWait | None = None
        self.setWindowTitle(f"Sign in to {self.account}")
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(520)
        self.setMaximumWidth(760)
        self.relay = _UrlRelay(self)
        self.relay.url.connect(self._open_url)
        self.client_id = QLineEdit()
        self.client_secret = QLineEdit()
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(theme.SPACE_M)
        if self.pin_flow:
            self.client_id.setAccessibleName("API key")
            self.client_id.setPlaceholderText("only the first time; leave empty if already given")
            self.client_secret.setAccessibleName("API key secret")
            self.client_secret.setPlaceholderText("only with a new API key")
            form.addRow("API key", self.client_id)
            form.addRow("API key secret", self.client_secret)
            intro = (f"Opens {platform_label} in your browser: approve AutoSync there, and {platform_label} shows a "
                     "PIN. Type the PIN below. The API key and secret of your X developer app are needed once; "
                     "everything goes to the system keyring.")
            start = "Open X in the browser"
        else:
            self.client_id.setAccessibleName("OAuth client ID")
            self.client_id.setPlaceholderText("only the first time for this platform")
            self.client_secret.setAccessibleName("OAuth client secret")
            self.client_secret.setPlaceholderText("if your OAuth client has one")
            form.addRow("OAuth client ID", self.client_id)
            if not public_client(platform):
                form.addRow("OAuth client secret", self.client_secret)
            intro = (f"Opens {platform_label}'s sign-in page in your browser; after you allow access, AutoSync "
                     "keeps the refresh token in the system keyring. Your OAuth app's client ID is needed once per "
                     "platform.")
            start = "Sign in with browser"
        self.pin = QLineEdit()
        self.pin.setAccessibleName("PIN")
        self.pin.setPlaceholderText("the digits X shows after you approve")
        self.pin.setMaxLength(16)
        self.finish_button = QPushButton("Finish sign-in")
        self.finish_button.setAccessibleName("Finish sign-in with the PIN")
        self.finish_button.clicked.connect(self.finish_pin)
        self.finish_button.setEnabled(False)
        self.pin.returnPressed.connect(self.finish_pin)
        self.pin_row = QWidget()
        pin_line = QHBoxLayout(self.pin_row)
        pin_line.setContentsMargins(0, 0, 0, 0)
        pin_line.addWidget(QLabel("PIN"))
        pin_line.addWidget(self.pin, 1)
        pin_line.addWidget(self.finish_button)
        self.pin_row.setVisible(False)
        self.badge = StatusBadge("idle", "Not started")
        self.address = QLabel()
        self.address.setAccessibleName("Sign-in address")
        self.address.setWordWrap(True)
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = FieldError("sign-in")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.start_button = self.buttons.addButton(start, QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setAccessibleName(start)
        theme.make_primary(self.start_button)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(theme.SPACE_M)
        layout.addWidget(muted(intro, "Sign-in explanation"))
        layout.addLayout(form)
        layout.addWidget(self.badge)
        layout.addWidget(self.address)
        layout.addWidget(self.pin_row)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def start(self) -> None:
        """First read the keyring's state (never prompting) and say what the desktop will ask, then sign in."""
        self.error.show_error(None)
        if self.pin_flow and self.client_id.text().strip() and not self.client_secret.text():
            self.error.show_error("API key secret: give it with a new API key (developer.x.com › your app › Keys "
                                  "and tokens)")
            return
        self.start_button.setEnabled(False)
        self.ctx.workers.run(partial(self.ctx.services.accounts.keyring_state, True), lane="keyring", owner=self,
                             on_done=self._before_keyring, on_error=lambda _exc: self._before_keyring(None))

    def _before_keyring(self, state: domain.KeyringState | None) -> None:
        if not keyring_notice.go_ahead(self, state, self.ctx.services.accounts.allow_keyring_prompt):
            self.start_button.setEnabled(True)
            return
        self.badge.set_status("running", "Waiting for the browser…")
        self.cancel_event = threading.Event()
        connect = self.ctx.services.accounts.connect
        if self.pin_flow:
            self.pin_wait = PinWait()
            connect = partial(connect, read_pin=self.pin_wait.read)
        secret = self.client_secret.text() if self.client_secret.isVisibleTo(self) or self.pin_flow else ""
        self.ctx.workers.run(connect, self.account, on_url=self.relay.url.emit,
                             client_id=self.client_id.text().strip() or None,
                             client_secret=secret or None, cancel=self.cancel_event,
                             lane="keyring", owner=self, on_done=self._done, on_error=self._failed,
                             on_cancel=partial(_stop, self.cancel_event, self.pin_wait))

    def _cancel_worker(self) -> None:
        _stop(self.cancel_event, self.pin_wait)

    def _open_url(self, url: str) -> None:  # GUI thread
        self.address.setText(f"If no browser opened, open this address: {url}")
        if self.pin_flow:
            self.badge.set_status("running", "Waiting for the PIN…")
            self.pin_row.setVisible(True)
            self.finish_button.setEnabled(True)
            self.pin.setFocus()
        QDesktopServices.openUrl(QUrl(url))

    def finish_pin(self) -> None:
        pin = self.pin.text().strip()
        if not pin.isdigit():
            self.error.show_error("PIN: type the digits X shows after you approve AutoSync")
            return
        if self.pin_wait is None:
            return
        self.error.show_error(None)
        self.finish_button.setEnabled(False)
        self.badge.set_status("running", "Checking the PIN…")
        self.pin_wait.give(pin)

    def _done(self, message: str) -> None:
        self.cancel_event = None
        self.pin_wait = None
        self.badge.set_status("ok", "Signed in")
        self.address.setText(message)
        self.client_secret.clear()
        self.pin.clear()
        self.pin_row.setVisible(False)
        self.signed_in.emit(self.account)

    def _failed(self, exc: Exception) -> None:
        self.cancel_event = None
        self.pin_wait = None
        self.badge.set_status("failed", "Not signed in")
        self.error.show_error(plain(str(exc).removeprefix("--client-id: ").removeprefix("--client-secret-stdin: ")))
        self.pin.clear()
        self.pin_row.setVisible(False)
        self.start_button.setEnabled(True)

    def reject(self) -> None:
        self._cancel_worker()  # the worker stops waiting for the browser or the PIN
        super().reject()
