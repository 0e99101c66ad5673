"""Add account, a guided flow: 1) choose the platform, 2) sign in with the browser (where the platform has it) or
paste its tokens into named fields, with the account's name and id, 3) options under "Advanced", in words with
units, 4) the keyring's state in one sentence, then "Add account".

The fields are the platform's credential declarations (`connectors/credentials.py` RULES: the keys it reads and
which sets suffice) in the words of `labels.CREDENTIALS`; secrets are password fields, never echoed, never
written anywhere but the keyring: saving calls services.accounts.add in the keyring worker (it may block on an
unlock prompt), after `keyring_notice` said what the desktop will ask. An error is one line beside the field it
names, with the fix. Choosing "Sign in with the browser" adds the account with what the sign-in cannot fetch (e.g.
Google's developer token) and then the Accounts page opens the sign-in (OAuth, or X's PIN: `sign_in.py`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop.errors import AutoSyncError, one_line
from autosync_desktop.gui import keyring_notice, theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.settings import badges, labels
from autosync_desktop.gui.settings.sign_in import pin_platforms
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.dialogs import plain, split_field
from autosync_desktop.gui.widgets.field_error import FieldError

FIELD_OF = {"--name": "name", "--platform": "platform", "--account-id": "account_id", "--option": "options",
            "--credentials-stdin": "credentials"}
KEYRING_SENTENCE = {
    domain.KeyringStatus.AVAILABLE: "Tokens go to the system keyring ({backend}), never to AutoSync's files.",
    domain.KeyringStatus.NOT_NEEDED: "Tokens go to the system keyring; your system may first ask you to create or "
                                     "unlock it.",
    domain.KeyringStatus.LOCKED: "The system keyring is locked: your system asks for its password when you add the "
                                 "account.",
    domain.KeyringStatus.MISSING: "No system keyring is running: install and start one (e.g. GNOME Keyring or "
                                  "KeePassXC), then restart AutoSync; only the Demo account works without one.",
    domain.KeyringStatus.ERROR: "The system keyring reported a problem ({message}); tokens cannot be stored until "
                                "it works.",
}
DIALOG_WIDTH = (560, 760)


def keyring_sentence(state: domain.KeyringState | None, sandbox: bool) -> str:
    """The keyring's state for this account in one sentence, with the fix."""
    if sandbox:
        return "The Demo account makes up its data: nothing goes to the keyring."
    if state is None:
        return "Tokens go to the system keyring, never to AutoSync's files."
    text = KEYRING_SENTENCE.get(state.status, "{message}")
    return text.format(backend=state.backend or "system", message=state.message.rstrip("."))


@dataclass(frozen=True, slots=True)
class Route:
    """What the platform asks for: the credential keys shown, those required, and the choice of sufficient sets."""

    keys: tuple[str, ...]
    required: tuple[str, ...]
    needs: tuple[tuple[str, ...], ...]


def route(platform: str, browser: bool) -> Route:
    """The credential fields for `platform`: with the browser sign-in, only what it cannot fetch (e.g. Google's
    developer token); else every key the connector reads."""
    from autosync_desktop.services.accounts import AccountsService

    rule = AccountsService.credential_rule(platform)
    if rule is None:
        return Route((), (), ())
    if browser:
        keys = tuple(key for key in rule.keys if key not in labels.FROM_SIGN_IN)
        required = tuple(key for key in keys if all(key in needs for needs in rule.needs))
        return Route(keys, required, ())
    return Route(tuple(rule.keys), (), tuple(rule.needs))


def needs_words(needs: tuple[tuple[str, ...], ...]) -> str:
    """'Paste an access token, or the app ID, app secret and authorization code.'"""
    def one(keys: tuple[str, ...]) -> str:
        names = [labels.credential(key).label.removesuffix(" (optional)") for key in keys]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    if not needs:
        return ""
    choices = [one(keys) for keys in needs]
    return "Give " + (choices[0] if len(choices) == 1 else ", or ".join(choices)) + "."


class PlatformButton(QToolButton):
    """A platform in the chooser: its badge and its name."""

    def __init__(self, info: domain.PlatformInfo) -> None:
        super().__init__()
        self.info = info
        words = labels.badge(info.name, info.label).label
        self.setText(words if info.available else f"{words}\n(not in this build yet)")
        self.setIcon(badges.icon(info.name, info.label))
        self.setIconSize(QSize(32, 32))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setCheckable(True)
        self.setAutoRaise(False)
        self.setMinimumHeight(52)
        self.setSizePolicy(self.sizePolicy().horizontalPolicy().Expanding, self.sizePolicy().verticalPolicy())
        self.setAccessibleName(words)
        self.setAccessibleDescription("Choose this platform")
        self.setEnabled(info.available)


class LabelledEdit(QWidget):
    """A named field: its line edit, its help under it and its one-line error."""

    def __init__(self, label: str, help_text: str, secret: bool = False, placeholder: str = "",
                 unit: str = "") -> None:
        super().__init__()
        self.label = label
        self.edit = QLineEdit()
        self.edit.setAccessibleName(label)
        if help_text:
            self.edit.setAccessibleDescription(help_text)
        self.edit.setPlaceholderText(placeholder)
        if secret:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.edit.setInputMethodHints(Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhNoPredictiveText)
        self.error = FieldError(label)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(theme.SPACE_S)
        line.addWidget(self.edit, 1)
        if unit:
            unit_label = QLabel(unit)
            unit_label.setAccessibleName(f"{label} unit")
            line.addWidget(unit_label)
        column.addLayout(line)
        self.help = muted(help_text, f"{label} help")
        self.help.setVisible(bool(help_text))
        column.addWidget(self.help)
        column.addWidget(self.error)

    def set_help(self, text: str) -> None:
        self.help.setText(text)
        self.help.setVisible(bool(text))

    def text(self) -> str:
        return self.edit.text().strip()


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    form.setVerticalSpacing(theme.SPACE_M)
    form.setHorizontalSpacing(theme.SPACE_M)
    return form


def _caption(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setBuddy(buddy)
    return label


class AccountDialog(QDialog):
    saved = Signal(str, bool)  # the account's name; whether the browser sign-in comes next

    def __init__(self, ctx: AppContext, keyring: domain.KeyringState | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.keyring = keyring
        self.setWindowTitle("Add account")
        self.setAccessibleName("Add account")
        self.setMinimumWidth(DIALOG_WIDTH[0])
        self.setMaximumWidth(DIALOG_WIDTH[1])
        order = {name: index for index, name in enumerate(labels.PLATFORM_ORDER)}
        self.platforms = sorted(ctx.services.accounts.platforms(), key=lambda p: order.get(p.name, len(order)))
        self.pin = set(pin_platforms())
        self.info: domain.PlatformInfo | None = None
        self.cred_fields: dict[str, LabelledEdit] = {}
        self.option_fields: dict[str, LabelledEdit] = {}
        self.general = FieldError("Add account")
        self.stack = QStackedWidget()
        self.stack.addWidget(self._chooser())
        self.details = QWidget()
        self.details.setAccessibleName("Account details")
        self.stack.addWidget(self._details_page())
        self.back_button = QPushButton("Back")
        self.back_button.setAccessibleName("Back to the platforms")
        self.back_button.clicked.connect(self.back)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton("Add account")
        self.save_button.setAccessibleName("Add account")
        theme.make_primary(self.save_button)
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.setSpacing(theme.SPACE_S)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.SPACE_L, theme.SPACE_L, theme.SPACE_L, theme.SPACE_L)
        layout.setSpacing(theme.SPACE_M)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.general)
        layout.addLayout(buttons)
        self._show_step(0)
        if keyring is None or keyring.status == domain.KeyringStatus.NOT_NEEDED:
            self.ctx.workers.run(partial(self.ctx.services.accounts.keyring_state, True), lane="keyring", owner=self,
                                 on_done=self._keyring_read, on_error=lambda _exc: None)

    # --- step 1: the platform ---

    def _chooser(self) -> QWidget:
        page = QWidget()
        page.setAccessibleName("Choose the platform")
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(theme.SPACE_M)
        title = QLabel("Which platform is the account on?")
        theme.set_role(title, "section")
        column.addWidget(title)
        column.addWidget(muted("Not sure yet? Try the Demo account: it makes up sample data and needs no sign-in.",
                               "Platform help"))
        grid = QGridLayout()
        grid.setSpacing(theme.SPACE_S)
        self.platform_group = QButtonGroup(self)
        self.platform_group.setExclusive(True)
        self.platform_buttons: dict[str, PlatformButton] = {}
        for index, info in enumerate(self.platforms):
            button = PlatformButton(info)
            button.clicked.connect(partial(self.choose, info.name))
            self.platform_group.addButton(button)
            self.platform_buttons[info.name] = button
            grid.addWidget(button, index // 2, index % 2)
        column.addLayout(grid)
        column.addStretch(1)
        return page

    def choose(self, platform: str) -> None:
        """Go on with `platform` (step 2)."""
        info = next(p for p in self.platforms if p.name == platform)
        self.platform_buttons[platform].setChecked(True)
        if self.info is None or self.info.name != platform:
            self.info = info
            self._fill_details(info)
        self._show_step(1)

    def back(self) -> None:
        self._show_step(0)

    def _show_step(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.back_button.setVisible(index == 1)
        self.save_button.setVisible(index == 1)
        self.save_button.setDefault(index == 1)
        self.general.show_error(None)
        if index == 0:
            button = self.platform_buttons.get(self.info.name) if self.info else None
            (button or next(iter(self.platform_buttons.values()))).setFocus()
        else:
            self.name.edit.setFocus()
        self.adjustSize()
        if index == 1:  # room for the fields without scrolling where the screen allows
            screen = self.screen().availableGeometry().height() if self.screen() else 640
            self.resize(max(self.width(), 600), min(max(self.height(), 600), screen - 40))

    # --- step 2: sign-in or tokens, name and id; step 3: Advanced ---

    def _details_page(self) -> QScrollArea:
        column = QVBoxLayout(self.details)
        column.setContentsMargins(0, 0, theme.SPACE_S, 0)
        column.setSpacing(theme.SPACE_M)
        head = QHBoxLayout()
        head.setSpacing(theme.SPACE_S)
        self.badge = QLabel()
        self.badge.setAccessibleName("Platform badge")
        self.heading = QLabel()
        theme.set_role(self.heading, "section")
        self.heading.setAccessibleName("Platform")
        head.addWidget(self.badge)
        head.addWidget(self.heading, 1)
        column.addLayout(head)
        self.name = LabelledEdit("Account name", "How the account is called in AutoSync; any name you like",
                                 placeholder="e.g. Acme Google Ads")
        self.name.edit.setMaxLength(200)
        self.account_id = LabelledEdit("Account ID", "")
        self.account_id_caption = _caption("Account ID", self.account_id.edit)
        self.main_form = _form()
        self.main_form.addRow(_caption("Account name", self.name.edit), self.name)
        self.main_form.addRow(self.account_id_caption, self.account_id)
        column.addLayout(self.main_form)
        # how to connect: the browser first, where the platform has it
        self.how = QWidget()
        how = QVBoxLayout(self.how)
        how.setContentsMargins(0, 0, 0, 0)
        how.setSpacing(2)
        self.use_browser = QRadioButton("Sign in with the browser (recommended)")
        self.use_browser.setAccessibleName("Sign in with the browser")
        self.use_tokens = QRadioButton("Paste tokens instead")
        self.use_tokens.setAccessibleName("Paste tokens instead")
        self.how_group = QButtonGroup(self)
        self.how_group.addButton(self.use_browser)
        self.how_group.addButton(self.use_tokens)
        self.use_browser.toggled.connect(self._route_changed)
        self.how_note = muted("", "Sign-in help")
        how.addWidget(self.use_browser)
        how.addWidget(self.how_note)
        how.addWidget(self.use_tokens)
        column.addWidget(self.how)
        self.needs_note = muted("", "Which tokens to give")
        column.addWidget(self.needs_note)
        self.cred_box = QWidget()
        self.cred_box.setAccessibleName("Credentials")
        self.cred_form = _form()
        self.cred_form.setContentsMargins(0, 0, 0, 0)
        self.cred_box.setLayout(self.cred_form)
        column.addWidget(self.cred_box)
        self.credentials_error = FieldError("Credentials")
        column.addWidget(self.credentials_error)
        # ACCOUNT DISCOVERY HOOK (issue 16): when `services.accounts.discover(...)` exists, the accounts the given
        # credentials reach are listed here with checkboxes instead of typing the id (see `discovery_available`).
        self.discovered = QWidget()
        self.discovered.setAccessibleName("Accounts found")
        self.discovered.hide()
        column.addWidget(self.discovered)
        self.advanced_button = QToolButton()
        self.advanced_button.setText("Advanced options")
        self.advanced_button.setCheckable(True)
        self.advanced_button.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setAutoRaise(True)
        self.advanced_button.setAccessibleName("Advanced options")
        self.advanced_button.toggled.connect(self._advanced_toggled)
        column.addWidget(self.advanced_button)
        self.advanced = QWidget()
        self.advanced.setAccessibleName("Advanced options fields")
        self.options_form = _form()
        self.options_form.setContentsMargins(0, 0, 0, 0)
        self.advanced.setLayout(self.options_form)
        self.advanced.hide()
        column.addWidget(self.advanced)
        self.options_error = FieldError("Options")
        column.addWidget(self.options_error)
        self.keyring_note = muted("", "Keyring note")
        column.addWidget(self.keyring_note)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.details)
        scroll.setAccessibleName("Account details scroll area")
        return scroll

    def discovery_available(self) -> bool:
        """Whether this build can list the accounts the credentials reach (issue 16's accounts discover)."""
        return callable(getattr(self.ctx.services.accounts, "discover", None))

    def _fill_details(self, info: domain.PlatformInfo) -> None:
        words = labels.badge(info.name, info.label).label
        self.badge.setPixmap(badges.pixmap(info.name, 32, info.label))
        self.heading.setText(f"Connect {words}" if not info.sandbox else "Add a Demo account (sample data)")
        self.heading.setAccessibleName(f"Platform: {words}")
        what, example, where = labels.account_id_words(info.name)
        self.account_id_caption.setText(what)
        self.account_id.label = what
        self.account_id.edit.setAccessibleName(what)
        self.account_id.edit.setPlaceholderText(f"e.g. {example}" if example else "")
        self.account_id.error.field = what
        self.account_id.set_help(where)
        # required options beside the id
        while self.main_form.rowCount() > 2:
            self.main_form.removeRow(2)
        self.option_fields = {}
        for option in labels.REQUIRED_OPTIONS.get(info.name, ()):
            words_of = labels.option(option)
            field = LabelledEdit(words_of.label, words_of.help, unit=words_of.unit)
            self.option_fields[option] = field
            self.main_form.addRow(_caption(words_of.label, field.edit), field)
        # how to connect
        browser = info.browser_sign_in or info.name in self.pin
        self.how.setVisible(browser and not info.sandbox)
        self.use_browser.blockSignals(True)
        self.use_browser.setChecked(browser)
        self.use_tokens.setChecked(not browser)
        self.use_browser.blockSignals(False)
        self.how_note.setText(
            f"After “Add account”, {words} opens in your browser; approve AutoSync there"
            + (" and type the PIN it shows." if info.name in self.pin else "; AutoSync keeps the sign-in in the "
               "system keyring."))
        self._route_changed()
        # Advanced: every other option, labelled, with its unit
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        required = set(labels.REQUIRED_OPTIONS.get(info.name, ()))
        for option in [*info.option_names, "lookback_days"]:
            if option in required or option in self.option_fields:
                continue
            words_of = labels.option(option)
            placeholder = f"default: {info.default_lookback_days}" if option == "lookback_days" else "default"
            field = LabelledEdit(words_of.label, words_of.help, placeholder=placeholder, unit=words_of.unit)
            self.option_fields[option] = field
            self.options_form.addRow(_caption(words_of.label, field.edit), field)
        self.advanced_button.setChecked(False)
        self._show_keyring()
        from autosync_desktop.gui.settings import discover  # the accounts the credentials reach, when it can list

        discover.install(self)
        self._tab_order()

    def _route_changed(self, *_: object) -> None:
        info = self.info
        if info is None:
            return
        browser = self.how.isVisibleTo(self.details) and self.use_browser.isChecked()
        keys = Route((), (), ()) if info.sandbox else route(info.name, browser)
        while self.cred_form.rowCount():
            self.cred_form.removeRow(0)
        self.cred_fields = {}
        self.required = keys.required
        for key in keys.keys:
            words = labels.credential(key)
            field = LabelledEdit(words.label, words.help, secret=words.secret)
            self.cred_fields[key] = field
            self.cred_form.addRow(_caption(words.label, field.edit), field)
        self.cred_box.setVisible(bool(self.cred_fields))
        self.needs_note.setText(needs_words(keys.needs))
        self.needs_note.setVisible(bool(keys.needs) and len(keys.needs) > 1)
        self.credentials_error.show_error(None)
        self._tab_order()

    def _advanced_toggled(self, on: bool) -> None:
        self.advanced.setVisible(on)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

    def _tab_order(self) -> None:
        chain: list[QWidget] = [self.name.edit, self.account_id.edit]
        chain += [f.edit for k, f in self.option_fields.items() if k in labels.REQUIRED_OPTIONS.get(
            self.info.name if self.info else "", ())]
        chain += [self.use_browser, self.use_tokens]
        chain += [f.edit for f in self.cred_fields.values()]
        chain.append(self.advanced_button)
        chain += [f.edit for k, f in self.option_fields.items() if k not in labels.REQUIRED_OPTIONS.get(
            self.info.name if self.info else "", ())]
        chain += [self.back_button, self.cancel_button, self.save_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- step 4: the keyring, then Add account ---

    def _keyring_read(self, state: domain.KeyringState) -> None:
        self.keyring = state
        self._show_keyring()

    def _show_keyring(self) -> None:
        sandbox = bool(self.info and self.info.sandbox)
        self.keyring_note.setText(keyring_sentence(self.keyring, sandbox))

    def browser_route(self) -> bool:
        return bool(self.info and not self.info.sandbox and self.how.isVisibleTo(self.details)
                    and self.use_browser.isChecked())

    def _clear_errors(self) -> None:
        for field in (self.name, self.account_id, *self.cred_fields.values(), *self.option_fields.values()):
            field.error.show_error(None)
        for error in (self.credentials_error, self.options_error, self.general):
            error.show_error(None)

    def save(self) -> None:
        info = self.info
        if info is None:
            return
        self._clear_errors()
        if not self.name.text():
            self.name.error.show_error("Account name: give it a name, e.g. Acme Google Ads")
            self.name.edit.setFocus()
            return
        if not info.sandbox and not self.account_id.text():
            what, example, _where = labels.account_id_words(info.name)
            self.account_id.error.show_error(f"{what}: paste the account's {what}, e.g. {example}")
            self.account_id.edit.setFocus()
            return
        for key in self.required:
            field = self.cred_fields[key]
            if not field.text():
                field.error.show_error(f"{field.label}: needed — {labels.credential(key).help}")
                field.edit.setFocus()
                return
        credentials = {key: field.edit.text().strip() for key, field in self.cred_fields.items() if field.text()}
        if not info.sandbox and not self.browser_route() and not credentials and self.cred_fields:
            first = next(iter(self.cred_fields.values()))
            first.error.show_error(f"{first.label}: paste the platform's tokens. "
                                   + needs_words(route(info.name, False).needs))
            first.edit.setFocus()
            return
        options = {key: field.text() for key, field in self.option_fields.items() if field.text()}
        self.save_button.setEnabled(False)
        sign_in = self.browser_route()
        submit = partial(self._submit, info.name, self.name.text(), self.account_id.text() or None, options,
                         credentials or None, sign_in)
        if not credentials:  # nothing goes to the keyring now
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
                credentials: dict[str, str] | None, sign_in: bool) -> None:
        self.ctx.workers.run(self.ctx.services.accounts.add, platform, name, account_id, options, credentials,
                             lane="keyring", owner=self, on_done=lambda account: self._saved(account, sign_in),
                             on_error=self._failed)

    def _saved(self, account: domain.AccountInfo, sign_in: bool) -> None:
        for field in self.cred_fields.values():
            field.edit.clear()
        self.saved.emit(account.name, sign_in)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(exc, AutoSyncError):
            self.general.show_error(f"Could not add the account: {one_line(exc)}")
            return
        text = str(exc)
        flag, message = split_field(text)
        option = re.match(r"^--option (\w+)", text)
        if option and option.group(1) in self.option_fields:
            field = self.option_fields[option.group(1)]
            self._field_error(field, self._words(message))
            return
        key = FIELD_OF.get(flag or "")
        if key == "name":
            self._field_error(self.name, self._words(message))
        elif key == "account_id":
            self._field_error(self.account_id, self._words(message))
        elif key == "credentials" or (key is None and any(word in message.lower() for word in (
                "keyring", "credential", "token"))):
            lacking = re.search(r"\black (\w+)", message) or re.search(r"^'?(\w+)'? ", message)
            named = self.cred_fields.get(lacking.group(1)) if lacking else None
            if named is not None and "keyring" not in message.lower():
                self._field_error(named, self._words(message))
            else:
                self.credentials_error.show_error(self._words(message))
        elif key == "options":
            self.advanced_button.setChecked(True)
            self.options_error.show_error(self._words(message))
        else:
            self.general.show_error(self._words(message))

    @staticmethod
    def _field_error(field: LabelledEdit, message: str) -> None:
        field.error.show_error(f"{field.label}: {message}" if not message.startswith(field.label) else message)
        field.edit.setFocus()

    @staticmethod
    def _words(message: str) -> str:
        """A service message in the window's words: credential and option keys as their labels, no CLI examples."""
        message = re.sub(r";? ?(?:give|e\.g\.) \{.*$", "", message)
        message = re.sub(r"; it reads [\w, ]+$", "", message)
        for key, words in labels.CREDENTIALS.items():
            message = re.sub(rf"(?<![\w“]){re.escape(key)}(?![\w”])", f"“{words.label}”", message)
        for key, option_words in labels.OPTIONS.items():
            message = re.sub(rf"(?<![\w“]){re.escape(key)}(?![\w”])", f"“{option_words.label}”", message)
        return plain(message).strip().rstrip(";,")
