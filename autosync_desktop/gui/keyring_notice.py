"""Before AutoSync stores a secret, the window says what the desktop is about to ask (issue 14).

A Secret Service without a keyring yet asks the user to invent a password for a new one, and a locked keyring asks
for its password: both come from the desktop, not from AutoSync, and make no sense without a word first. So a page
about to store a secret first reads the keyring's state without prompting (`services.accounts.keyring_state(True)`,
keyring lane) and calls `go_ahead`, which explains what comes and lets the user go on or stop. Going on also lifts a
cancelled prompt's "do not ask again" for this process (the user asked for it now).
Tests replace `ask` to answer without a modal loop.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from autosync_desktop import domain

CREATE = ("Your system will ask you to create a password for its keyring: this protects your ad-platform "
          "credentials. Choose one you will remember; AutoSync never sees it.")
UNLOCK = ("Your system will ask for its keyring password to unlock it: this protects your ad-platform "
          "credentials. AutoSync never sees the password.")
TITLE = "System keyring"


def text_for(state: domain.KeyringState | None) -> str | None:
    """What to tell before storing a secret, or None when the keyring will not ask anything."""
    if state is None:
        return None
    if state.will_ask == "create":
        return CREATE
    if state.will_ask == "unlock" or state.status == domain.KeyringStatus.LOCKED:
        return UNLOCK
    return None


def ask(parent: QWidget | None, text: str) -> bool:
    """The notice, with Continue and Cancel; True to go on."""
    box = QMessageBox(QMessageBox.Icon.Information, TITLE, text, QMessageBox.StandardButton.Cancel, parent)
    ok = box.addButton("Continue", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(ok)
    box.setAccessibleName(TITLE)
    box.exec()
    return box.clickedButton() is ok


def go_ahead(parent: QWidget | None, state: domain.KeyringState | None, allow_prompt: Callable[[], None]) -> bool:
    """Tell what the desktop will ask (if anything) and return whether to store the secret now. When the user goes
    on, `allow_prompt()` (services.accounts.allow_keyring_prompt, no I/O) lets the keyring prompt again."""
    text = text_for(state)
    if text is not None and not ask(parent, text):
        return False
    allow_prompt()
    return True
