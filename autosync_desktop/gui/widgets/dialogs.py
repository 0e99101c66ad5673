"""Confirmation prompts in one place (tests replace `confirm` to answer without a modal loop)."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QMessageBox, QWidget

from autosync_desktop import redaction

_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*\s?")


def confirm(parent: QWidget | None, title: str, text: str, action: str = "Delete") -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Cancel, parent)
    ok = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAccessibleName(title)
    box.exec()
    return box.clickedButton() is ok


def choose(parent: QWidget | None, title: str, text: str, actions: tuple[str, ...]) -> str | None:
    """Ask with one button per action (and Cancel, the default); the action chosen, or None."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Cancel, parent)
    buttons = {box.addButton(action, QMessageBox.ButtonRole.DestructiveRole): action for action in actions}
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAccessibleName(title)
    box.exec()
    return next((action for button, action in buttons.items() if box.clickedButton() is button), None)


# flags that name a whole field (no value follows): said in the window's words
_FIELD_WORDS = {"--credentials-stdin": "the Credentials field", "--option": "the Options fields"}


def plain(message: str) -> str:
    """A service/CLI message for the window: without CLI flag names ("use e.g. --at 06:00" -> "use e.g. 06:00"),
    secrets masked (a platform may echo a token in its error text; the window is a door out too)."""
    message = redaction.clean(message)
    for flag, words in _FIELD_WORDS.items():
        message = re.sub(rf"(?<![\w-]){re.escape(flag)}(?![\w-])(?!:)", words, message)
    return _FLAG.sub("", message).strip()


def split_field(message: str) -> tuple[str | None, str]:
    """'--name: a schedule named ...' -> ('--name', 'a schedule named ...'); other messages -> (None, message)."""
    match = re.match(r"^(--[a-z][a-z-]*)(?: [^:]*)?: (.*)$", message, re.DOTALL)
    if match:
        return match.group(1), plain(match.group(2))
    return None, plain(message)
