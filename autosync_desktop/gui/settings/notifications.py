"""Settings › Notifications: the shared rules, and per channel its switch, what it sends, its fields, its
keyring secret, a "Send test" button and its last delivery.

Every setting is saved through `services.settings.set` in the write worker (validated by its declaration in
store/settings.py); secrets go to the keyring through `services.notifications.set_secret` in the keyring worker;
the channels' readiness and last results come from `services.notifications.channels()` (it reads the keyring, so
it runs in
the keyring worker too); a test message is sent in the slow worker (it may wait for a server up to its timeout).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSystemTrayIcon,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop.domain import ChannelInfo, ChannelStatus, Delivery, NotificationsStatus, SettingSpec, SettingValue
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import keyring_notice, theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.settings import labels
from autosync_desktop.gui.settings.spec_form import SettingsGroup, SpecField, add_field_row, make_form
from autosync_desktop.gui.widgets.card import Card, muted
from autosync_desktop.gui.widgets.field_error import FieldError
from autosync_desktop.services.app_settings import LABELS

CHANNEL_LABELS = {"desktop": "Desktop", "email": "Email", "slack": "Slack", "webhook": "Webhook", "sms": "SMS"}
CHANNEL_INTROS = {
    "desktop": "Shown by this window: from the tray icon, or in a banner at the top of the window where the "
               "desktop has no tray.",
    "email": "Sent through your SMTP server. The password is kept in the system keyring.",
    "slack": "Posted to a Slack channel through an incoming webhook; its URL is a secret, kept in the keyring.",
    "webhook": "A signed JSON POST to your own endpoint (HMAC-SHA256 with the signing secret from the keyring).",
    "sms": "Text messages through Twilio; the auth token is kept in the keyring. Keep SMS for what is urgent.",
}
TOGGLE_LABELS = {"failure": "Failures", "recovery": "Recoveries", "success": "Successes", "stale": "Stale data",
                 "sign_in": "Sign-in needed"}
FIELDS = {
    "desktop": [], "slack": [], "webhook": ["notify.webhook.url"],
    "email": ["notify.email.host", "notify.email.port", "notify.email.security", "notify.email.username",
              "notify.email.from", "notify.email.to", "notify.email.digest", "notify.email.digest_at"],
    "sms": ["notify.sms.account_sid", "notify.sms.from", "notify.sms.to", "notify.sms.api_base"],
}
RULES = ["notify.stale_hours", "notify.min_interval_minutes", "notify.quiet_start", "notify.quiet_end"]


def in_window_words(text: str) -> str:
    """A notify message that names CLI commands and setting keys, in the words of this window."""
    text = re.sub(r"'autosync notify set-secret \w+(?: --url)?'", "the “Set …” button", text)
    text = re.sub(r"autosync notify set-secret \w+(?: --url)?", "the “Set …” button", text)
    text = re.sub(r"turn them on with 'autosync settings set notify\.\w+\.enabled on'", "tick “On” to use them",
                  text)
    text = text.replace(" (autosync settings set KEY VALUE)", "")
    text = re.sub(r"'autosync notify test \w+'", "“Send test”", text)
    text = text.replace("goes to the keyring with the “Set …” button", "goes to the keyring (“Set …” below)")
    text = text.replace("a URL that embeds a token goes to the keyring instead (the “Set …” button)",
                        "a URL that embeds a token goes to the keyring instead (“Set …” below)")
    for key in sorted((k for k in LABELS if k.startswith("notify.")), key=len, reverse=True):
        text = text.replace(key, f"“{LABELS[key]}”")
    return text


def plain_description(field: SpecField) -> None:
    """A field's description line without CLI commands (the keyring secret has its own button here)."""
    for label in field.findChildren(QLabel):
        if label.accessibleName() == f"{field.label} description":
            label.setText(in_window_words(label.text()))


def describe_result(result: Delivery | None) -> str:
    if result is None:
        return "Last delivery: none yet"
    mark = "✓" if result.ok else "✗"
    what = " (test)" if result.kind == "test" else ""
    return f"Last delivery{what} {fmt.fmt_time(result.at)}: {mark} {in_window_words(result.message)}"


class SettingToggle(QCheckBox):
    """A compact bool setting (no description line): saved on click, put back with the reason if refused."""

    failed = Signal(str)
    saved = Signal(str)

    def __init__(self, ctx: AppContext, spec: SettingSpec, text: str) -> None:
        super().__init__(text)
        self.ctx = ctx
        self.key = spec.key
        self.setAccessibleName(text)
        self.setToolTip(in_window_words(labels.setting_help(spec.key, spec.help)))
        self.set_value(spec.value)
        self.toggled.connect(self._save)

    def set_value(self, value: SettingValue) -> None:
        self.blockSignals(True)
        self.setChecked(bool(value))
        self.blockSignals(False)

    def value(self) -> bool:
        return self.isChecked()

    def _save(self, checked: bool) -> None:
        self.ctx.workers.run(self.ctx.services.settings.set, self.key, checked, lane="write", owner=self,
                             on_done=lambda _: self.saved.emit(self.key), on_error=self._refused)

    def _refused(self, exc: Exception) -> None:
        self.set_value(not self.isChecked())
        self.failed.emit(str(exc))


class SecretDialog(QDialog):
    """Asks for one secret (masked); the value never leaves this dialog except to the keyring."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Set the {label}")
        self.setAccessibleName(f"Set the {label}")
        self.remove = False
        layout = QVBoxLayout(self)
        intro = QLabel(f"Paste the {label}. It is stored in the system keyring, never in AutoSync's database "
                       "or files, and never shown again.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(label)
        self.edit.setMinimumWidth(380)
        layout.addWidget(self.edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.remove_button = buttons.addButton("Remove stored", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.remove_button.setAccessibleName(f"Remove the stored {label}")
        self.remove_button.clicked.connect(self._remove)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _remove(self) -> None:
        self.remove = True
        self.accept()

    def value(self) -> str | None:
        return None if self.remove else self.edit.text()


class ChannelPage(QWidget):
    """One channel: On, what it sends, its fields and secrets, Send test, readiness and last delivery."""

    secret_changed = Signal()
    tested = Signal(str, bool, str)  # channel, ok, what happened

    def __init__(self, ctx: AppContext, channel: ChannelInfo, specs: Mapping[str, SettingSpec]) -> None:
        super().__init__()
        self.ctx = ctx
        self.channel = channel
        self.name = name = channel.name
        self.label = CHANNEL_LABELS[name]
        self.setAccessibleName(f"{self.label} notifications")
        self.fields: dict[str, SpecField] = {}
        self.toggles: dict[str, SettingToggle] = {}
        self.secret_buttons: dict[str, QPushButton] = {}
        self.dialog: SecretDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(6)
        layout.addWidget(muted(CHANNEL_INTROS[name], f"{self.label} introduction"))
        self.enabled = SettingToggle(ctx, specs[f"notify.{name}.enabled"],
                                     f"Send notifications by {self.label.lower()}" if name != "desktop"
                                     else "Show desktop notifications")
        self.enabled.setAccessibleName(f"{self.label}: on")
        self.readiness = muted("Checking…", f"{self.label} readiness")
        form = make_form()
        on_box = QWidget()
        on_column = QVBoxLayout(on_box)
        on_column.setContentsMargins(0, 0, 0, 0)
        on_column.setSpacing(2)
        on_column.addWidget(self.enabled)
        on_column.addWidget(self.readiness)
        form.addRow("", on_box)
        sends_box = QWidget()
        sends = QGridLayout(sends_box)
        sends.setContentsMargins(0, 0, 0, 0)
        sends.setHorizontalSpacing(theme.SPACE_L)
        sends.setVerticalSpacing(theme.SPACE_XS)
        for index, toggle in enumerate(channel.toggles):
            key = f"notify.{name}.on_{toggle}"
            box = SettingToggle(ctx, specs[key], TOGGLE_LABELS[toggle])
            box.setAccessibleName(f"{self.label}: {TOGGLE_LABELS[toggle]}")
            self.toggles[key] = box
            sends.addWidget(box, index // 3, index % 3)
        sends.setColumnStretch(3, 1)
        sends_label = QLabel("Send on")
        if self.toggles:
            sends_label.setBuddy(next(iter(self.toggles.values())))
        form.addRow(sends_label, sends_box)
        self.error = FieldError(f"{self.label} setting")
        for box in (self.enabled, *self.toggles.values()):
            box.failed.connect(lambda text: self.error.show_error(in_window_words(text)))
            box.saved.connect(self._saved)
        form.addRow("", self.error)
        for key in FIELDS[name]:
            field = SpecField(ctx, specs[key])
            plain_description(field)
            field.saved.connect(lambda *_: self.secret_changed.emit())
            self.fields[key] = field
            add_field_row(form, field)
        layout.addLayout(form)
        actions = QHBoxLayout()
        for secret in channel.secrets:
            button = QPushButton(f"Set {secret.label}…")
            button.setAccessibleName(f"Set the {secret.label}")
            button.clicked.connect(lambda _=False, w=secret.which: self.ask_secret(w))
            self.secret_buttons[secret.which] = button
            actions.addWidget(button)
        self.test_button = QPushButton("Send test")
        self.test_button.setAccessibleName(f"Send a test {self.label.lower()} notification")
        self.test_button.setToolTip("Send a labelled test message now, even while this channel is off")
        self.test_button.clicked.connect(self.send_test)
        actions.addWidget(self.test_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setAccessibleName(f"{self.label} test result")
        self.result.hide()
        layout.addWidget(self.result)
        self.last = muted("Last delivery: none yet", f"{self.label} last delivery")
        self.last.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.last)
        layout.addStretch(1)

    def _saved(self, _key: str) -> None:
        self.error.show_error(None)
        self.secret_changed.emit()

    def all_fields(self) -> dict[str, Any]:
        """Every setting widget of this page by key (SpecField or SettingToggle)."""
        return {self.enabled.key: self.enabled, **self.toggles, **self.fields}

    def update_values(self, specs: Mapping[str, SettingSpec]) -> None:
        for key, widget in self.all_fields().items():
            if key in specs:
                widget.set_value(specs[key].value)

    def show_status(self, info: ChannelStatus) -> None:
        if info.ready:
            self.readiness.setText(f"✓ Ready: {info.target}" if info.enabled else f"Off (ready: {info.target})")
        else:
            self.readiness.setText(("✗ Not ready: " if info.enabled else "Off. Not set up: ")
                                   + in_window_words(info.problem or ""))
        self.last.setText(describe_result(info.last_result))

    def say(self, text: str) -> None:
        """The result of the last action on this channel (Send test, Set secret), beside it."""
        self.result.setText(text)
        self.result.setVisible(bool(text))

    def ask_secret(self, which: str) -> None:
        label = next(s.label for s in self.channel.secrets if s.which == which)
        self.dialog = SecretDialog(label, self)
        self.dialog.accepted.connect(lambda: self._store_secret(which, label))
        self.dialog.open()

    def _store_secret(self, which: str, label: str) -> None:
        assert self.dialog is not None
        value = self.dialog.value()
        self.dialog.edit.clear()
        self.say(f"Saving the {label}…" if value is not None else f"Removing the {label}…")
        store = partial(self.ctx.workers.run, self.ctx.services.notifications.set_secret, self.name, value, which,
                        lane="keyring", owner=self, on_done=lambda text: self._secret_done(True, text),
                        on_error=lambda exc: self._secret_done(False, str(exc)))
        if value is None:
            store()
            return
        # first say what the desktop will ask (a new keyring, or unlocking it), read without prompting
        self.ctx.workers.run(partial(self.ctx.services.accounts.keyring_state, True), lane="keyring", owner=self,
                             on_done=lambda state: self._before_keyring(state, store),
                             on_error=lambda _exc: self._before_keyring(None, store))

    def _before_keyring(self, state: domain.KeyringState | None, store: Callable[[], object]) -> None:
        if keyring_notice.go_ahead(self, state, self.ctx.services.accounts.allow_keyring_prompt):
            store()
        else:
            self.say("")

    def _secret_done(self, ok: bool, text: str) -> None:
        self.say(("✓ " if ok else "✗ ") + in_window_words(text))
        self.secret_changed.emit()

    def send_test(self) -> None:
        self.test_button.setEnabled(False)
        self.say("Sending a test message…")
        self.ctx.workers.run(self.ctx.services.notifications.test, self.name, lane="slow", owner=self,
                             on_done=lambda text: self._tested(True, text),
                             on_error=lambda exc: self._tested(False, str(exc)))

    def _tested(self, ok: bool, text: str) -> None:
        self.test_button.setEnabled(True)
        text = in_window_words(text.removeprefix(f"{self.name}: "))
        self.say(f"✓ Test sent: {text}" if ok else f"✗ Test failed: {text}")
        self.tested.emit(self.name, ok, text)
        self.secret_changed.emit()  # the last result changed


class NotificationsPanel(QWidget):
    """The "Notification rules" and "Notification channels" cards."""

    def __init__(self, ctx: AppContext, specs: Mapping[str, SettingSpec], tray: bool | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tray = QSystemTrayIcon.isSystemTrayAvailable() if tray is None else tray
        self.setAccessibleName("Notifications settings")
        self.info: NotificationsStatus | None = None
        self._loading = False
        self._again = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.rules = SettingsGroup(ctx, "Notification rules", [specs[key] for key in RULES],
                                   "Failure and recovery, not noise: one message per problem (not per retry), at "
                                   "most one per schedule and channel in the interval, held during quiet hours "
                                   "and then sent as one summary.")
        self.card = Card("Notification channels", accessible="Notification channels")
        self.sender_line = muted("Checking who sends notifications…", "Who sends notifications")
        self.card.outer.addWidget(self.sender_line)
        # A tab bar over a stack (not a QTabWidget, which is as tall as its tallest page, Email)
        self.tabs = QTabBar()
        self.tabs.setAccessibleName("Notification channels")
        self.tabs.setExpanding(False)
        self.stack = QFrame()  # the pages in a box layout, only the current one visible: hidden ones take no room
        self.stack.setFrameShape(QFrame.Shape.StyledPanel)
        stack_layout = QVBoxLayout(self.stack)
        stack_layout.setContentsMargins(0, 0, 0, 0)
        self.pages: dict[str, ChannelPage] = {}
        for channel in ctx.services.notifications.catalog():
            page = ChannelPage(ctx, channel, specs)
            page.secret_changed.connect(self.refresh)
            self.pages[channel.name] = page
            self.tabs.addTab(CHANNEL_LABELS[channel.name])
            stack_layout.addWidget(page)
        self.tabs.currentChanged.connect(self.show_channel_index)
        self.show_channel_index(0)
        self.card.outer.addWidget(self.tabs)
        self.card.outer.addWidget(self.stack)
        layout.addWidget(self.rules)
        layout.addWidget(self.card)

    def show_channel_index(self, index: int) -> None:
        """Show one channel's page (the box takes that page's height)."""
        for page_index, page in enumerate(self.pages.values()):
            page.setVisible(page_index == index)
        if self.tabs.currentIndex() != index:
            self.tabs.setCurrentIndex(index)

    def show_channel(self, name: str) -> ChannelPage:
        self.show_channel_index(list(self.pages).index(name))
        return self.pages[name]

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.rules.fields)
        for page in self.pages.values():
            out.update(page.all_fields())
        return out

    def update_values(self, specs: Mapping[str, SettingSpec]) -> None:
        self.rules.update_values(specs)
        for page in self.pages.values():
            page.update_values(specs)

    def refresh(self) -> None:
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.ctx.workers.run(self.ctx.services.notifications.channels, lane="keyring", owner=self, on_done=self._apply,
                             on_error=self._failed)

    def is_loading(self) -> bool:
        return self._loading

    def _failed(self, exc: Exception) -> None:
        self._loading = False
        self.sender_line.setText(f"Could not read the notification channels: {exc}")

    def _apply(self, info: NotificationsStatus) -> None:
        self._loading = False
        self.info = info
        sender = info.sender
        if sender == "this process":
            text = "This window sends notifications (it runs the scheduler)."
        elif sender:
            text = f"Notifications are sent by the process running the scheduler ({sender})."
        else:
            text = ("Nobody sends notifications right now: the process that runs the scheduler does (this window, "
                    "or 'autosync service').")
        if info.failing:
            text += f" Failing now: {', '.join(info.failing)}."
        if info.held:
            text += f" {info.held} message(s) held for quiet hours or the minimum interval."
        self.sender_line.setText(text)
        for channel in info.channels:
            page = self.pages.get(channel.name)
            if page is None:
                continue
            if channel.name == "desktop" and not self.tray and channel.ready:
                channel = replace(channel, target="a banner at the top of this window (this desktop has no tray)")
            page.show_status(channel)
            mark = " ✓" if channel.enabled and channel.ready else (" ✗" if channel.enabled else "")
            self.tabs.setTabText(list(self.pages).index(channel.name), CHANNEL_LABELS[channel.name] + mark)
        if self._again:
            self._again = False
            self.refresh()
