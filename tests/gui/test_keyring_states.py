"""The window and the keyring (issue 14): with only the Demo account nothing opens the keyring, Settings says "not
needed yet" until the page is looked at, storing credentials is announced before the desktop's prompt, and a
cancelled prompt leaves the account "keyring locked — unlock" with a button that asks again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from PySide6.QtWidgets import QPushButton

from autosync_desktop import domain, secrets
from autosync_desktop.gui import keyring_notice
from autosync_desktop.gui.settings.accounts import LOCKED_CELL
from autosync_desktop.services import keyring_use
from tests.gui.conftest import wait_workers
from tests.test_keyring_first_start import CountingKeyring

TOKEN = "dev-token-window-0123456789"


@pytest.fixture
def counting() -> Iterator[CountingKeyring]:
    previous = keyring.get_keyring()
    backend = CountingKeyring()
    keyring.set_keyring(backend)
    secrets.ask_again()
    yield backend
    secrets.ask_again()
    keyring.set_keyring(previous)


def test_demo_only_the_window_does_not_open_the_keyring(open_window: Any, seeded: Any, qtbot: Any,
                                                        counting: CountingKeyring) -> None:
    window = open_window(start_scheduler=True)
    panel = window.settings.accounts
    window.settings.refresh()
    qtbot.waitUntil(lambda: panel.keyring is not None, timeout=5000)
    wait_workers(qtbot, window)
    assert panel.keyring.status == domain.KeyringStatus.NOT_NEEDED
    assert "Not needed yet" in panel.keyring_text.text() and "not needed yet" in panel.keyring_badge.text().lower()
    assert window.ctx.services.notifications._secret_values() == []
    assert counting.calls == 0
    window.show_tab("settings")  # the user looks at the accounts: checked for real (this backend: one lookup)
    qtbot.waitUntil(lambda: panel.keyring.status == domain.KeyringStatus.AVAILABLE, timeout=5000)
    assert counting.calls == 1 and not counting.store


def _fill(dialog: Any, credentials: dict[str, str]) -> None:
    dialog.choose("google_ads")
    dialog.name.edit.setText("Acme Google")
    dialog.account_id.edit.setText("123-456-7890")
    for key, value in credentials.items():
        dialog.cred_fields[key].edit.setText(value)


@pytest.mark.parametrize("go_on", [True, False])
def test_storing_credentials_first_says_what_the_desktop_will_ask(open_window: Any, seeded: Any, qtbot: Any,
                                                                  counting: CountingKeyring,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  go_on: bool) -> None:
    no_keyring_yet = secrets.KeyringState("available", "keyring.backends.SecretService.Keyring", "no keyring yet",
                                          "create")
    monkeypatch.setattr(secrets, "peek", lambda: no_keyring_yet)
    asked: list[tuple[str, int]] = []

    def ask(parent: Any, text: str) -> bool:
        asked.append((text, len(counting.store)))
        return go_on

    monkeypatch.setattr(keyring_notice, "ask", ask)
    window = open_window(tab="settings")
    panel = window.settings.accounts
    panel.add_account()
    _fill(panel.dialog, {"developer_token": TOKEN})
    panel.dialog.save()
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert asked == [(keyring_notice.CREATE, 0)]  # said before anything went to the keyring
    assert "create a password for its keyring: this protects your ad-platform credentials" in asked[0][0]
    if not go_on:
        wait_workers(qtbot, window)
        assert not counting.store and panel.dialog.save_button.isEnabled()
        assert window.ctx.services.accounts.list()[0].name != "Acme Google"
        return
    qtbot.waitUntil(lambda: any(a.name == "Acme Google" for a in panel.accounts), timeout=5000)
    assert TOKEN in next(iter(counting.store.values()))
    assert keyring_use.entries() == {"account:Acme Google"}


def test_a_cancelled_prompt_leaves_the_account_locked_with_an_unlock_button(open_window: Any, seeded: Any,
                                                                            qtbot: Any,
                                                                            counting: CountingKeyring) -> None:
    window = open_window(tab="settings")
    window.ctx.services.accounts.add("google_ads", "Acme Google", account_id="123-456-7890",
                                     credentials={"developer_token": TOKEN})
    panel = window.settings.accounts
    counting.locked = True  # the keyring is locked and the user cancels its unlock prompt
    panel.check_keyring(real=True)
    qtbot.waitUntil(lambda: panel.keyring is not None and panel.keyring.status == domain.KeyringStatus.LOCKED,
                    timeout=5000)
    panel.refresh_accounts()
    qtbot.waitUntil(lambda: any(a.name == "Acme Google" for a in panel.accounts) and bool(panel.credentialed),
                    timeout=5000)
    row = next(i for i, a in enumerate(panel.accounts) if a.name == "Acme Google")
    button = panel.table.cellWidget(row, 3)
    assert isinstance(button, QPushButton) and button.text() == LOCKED_CELL
    assert panel.unlock_button.isVisibleTo(panel)
    calls = counting.calls
    panel.check_keyring(real=True)  # checking again does not reopen the prompt by itself
    wait_workers(qtbot, window)
    window.ctx.services.notifications._secret_values()
    assert counting.calls == calls and secrets.declined()
    counting.locked = False  # this time the user unlocks it
    button = panel.table.cellWidget(row, 3)  # the row is drawn again with each state
    assert isinstance(button, QPushButton) and button.text() == LOCKED_CELL
    button.click()
    qtbot.waitUntil(lambda: panel.keyring.status == domain.KeyringStatus.AVAILABLE, timeout=5000)
    assert counting.calls == calls + 1 and not secrets.declined()
    assert panel.table.cellWidget(row, 3) is None and not panel.unlock_button.isVisibleTo(panel)
    assert panel.result.text() == "✓ The keyring is unlocked."
