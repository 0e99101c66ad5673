"""The window shows each account's platform API version in plain words: on the Dashboard's health card and in
Settings › Accounts ("Demo API v9 · until 15 Mar 2031"), and a "needs update" card says what to do."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from autosync_desktop.connectors import registry
from autosync_desktop.domain import Health
from autosync_desktop.gui.dashboard.health_cards import AccountHealthCard
from tests.gui.conftest import DEMO, seed_demo

SUNSET = date(2031, 3, 15)  # made up: tests only


def test_card_and_settings_show_the_api_version_and_its_sunset(open_window: Any, data_dir: Any, qtbot: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.PLATFORMS, "demo",
                        replace(registry.PLATFORMS["demo"], api_version="v9", api_sunset=SUNSET))
    seed_demo(data_dir, runs=1)
    window = open_window()
    card = window.dashboard.account_card(DEMO)
    assert card is not None and card.api.text() == "Demo API v9 · until 15 Mar 2031"
    assert card.badge.text() == "Healthy"  # years before the sunset
    window.show_tab("settings")
    panel = window.settings.accounts
    qtbot.waitUntil(lambda: len(panel.accounts) == 1, timeout=5000)
    assert panel.table.item(0, 5).text() == "Demo API v9 · until 15 Mar 2031"

    read_model = window.ctx.services.accounts.cards()[0]
    near = AccountHealthCard(DEMO)
    near.update_card(replace(read_model, health=Health.NEEDS_UPDATE))
    assert near.badge.text() == "Needs update"
    assert near.auth.text() == "Demo API v9 is supported until 15 Mar 2031: update AutoSync before then."
    unknown = AccountHealthCard(DEMO)
    unknown.update_card(replace(read_model, api=replace(read_model.api, sunset=None)))
    assert unknown.api.text() == "Demo API v9"
