"""Defects found by looking at the issue-11 screenshots (scripts/screenshots.py), each kept fixed here."""

from __future__ import annotations

from typing import Any

from autosync_desktop.gui.settings.accounts import NO_ACCOUNTS
from tests.gui.conftest import wait_idle


def test_settings_accounts_say_when_there_are_none(open_window: Any, qtbot: Any) -> None:
    """An empty store: the accounts table says so in the middle instead of showing an empty grid; it goes once
    an account is added."""
    window = open_window(tab="settings")
    window.show_tab("settings")
    panel = window.settings.accounts
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: panel.empty.isVisible())
    assert panel.empty.text() == NO_ACCOUNTS
    message, viewport = panel.empty.geometry(), panel.table.viewport().rect()
    assert message.center() == viewport.center()  # centred in the table, not top left
    window.ctx.services.accounts.add("demo", "Demo account", "demo-1", {"latency_ms": "0"})
    panel.refresh_accounts()
    qtbot.waitUntil(lambda: len(panel.accounts) == 1)
    assert not panel.empty.isVisible()
