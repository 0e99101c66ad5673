"""Add account's discovered-accounts checklist (gui/settings/discover.py) against the Google Ads fake: the manager
tree listed with levels, a manager shown but not checkable, several checked accounts added at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.settings.discover import DiscoverPanel, line_text
from tests.fakes.google_ads import CREDENTIALS, CUSTOMER_ID, MANAGER_ID, TREE, FakeGoogleAds


@pytest.fixture
def fake() -> Iterator[FakeGoogleAds]:
    api = FakeGoogleAds()
    with api:
        yield api


@pytest.fixture
def ctx(data_dir: Path) -> Iterator[AppContext]:
    context = AppContext.open(data_dir)
    yield context
    context.close()


def test_find_check_and_add_several(qtbot: Any, fake: FakeGoogleAds, ctx: AppContext, memory_keyring: dict) -> None:
    options = {"api_base_url": fake.base_url, "token_url": f"{fake.base_url}/token"}
    panel = DiscoverPanel(ctx, "google_ads", lambda: dict(CREDENTIALS), lambda: dict(options))
    qtbot.addWidget(panel)
    panel.show()
    assert panel.isVisible() and not panel.add_button.isVisible()
    qtbot.mouseClick(panel.find_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.list.count() == len(TREE), timeout=15000)
    texts = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert texts[0].startswith("Acme Agency (MCC) (manager) — 9876543210")
    assert any(t.startswith("        Boots Ltd — 5550003333 · GBP · Europe/London · via manager") for t in texts)
    assert any("Old Shop (hidden, canceled)" in t for t in texts)
    manager = panel.list.item(0)
    assert not manager.flags() & Qt.ItemFlag.ItemIsUserCheckable  # a manager has no metrics of its own
    assert not panel.add_button.isEnabled()

    panel.set_checked([CUSTOMER_ID, "5550003333", MANAGER_ID])
    assert [a.external_id for a in panel.checked()] == [CUSTOMER_ID, "5550003333"]
    assert panel.add_button.text() == "Add 2 checked accounts"
    with qtbot.waitSignal(panel.added, timeout=15000) as added:
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert added.args == [["Acme Shoes", "Boots Ltd"]]
    accounts = {a.name: a for a in ctx.services.accounts.list()}
    assert accounts["Boots Ltd"].options["login_customer_id"] == MANAGER_ID


def test_an_error_is_one_line_and_a_platform_without_listing_hides_it(qtbot: Any, fake: FakeGoogleAds,
                                                                      ctx: AppContext) -> None:
    panel = DiscoverPanel(ctx, "google_ads", lambda: {**CREDENTIALS, "refresh_token": "1//wrong-token-x"},
                          lambda: {"api_base_url": fake.base_url, "token_url": f"{fake.base_url}/token"})
    qtbot.addWidget(panel)
    panel.show()
    qtbot.mouseClick(panel.find_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.note.text().startswith("Could not list"), timeout=15000)
    assert "\n" not in panel.note.text() and "wrong-token" not in panel.note.text()
    assert panel.find_button.isEnabled()
    demo = DiscoverPanel(ctx, "demo", dict, dict)
    qtbot.addWidget(demo)
    demo.show()
    assert not demo.available and not demo.isVisible()


def test_line_text_reads_the_facts() -> None:
    from autosync_desktop.domain import DiscoveredAccount

    account = DiscoveredAccount("meta_ads", "123", "Shop", "EUR", "Europe/Paris", status="DISABLED")
    assert line_text(account) == "Shop (disabled) — 123 · EUR · Europe/Paris"


def test_install_in_the_add_account_dialog(qtbot: Any, fake: FakeGoogleAds, ctx: AppContext,
                                           memory_keyring: dict) -> None:
    from autosync_desktop.gui.settings import discover
    from autosync_desktop.gui.settings.account_dialog import AccountDialog

    dialog = AccountDialog(ctx, None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.choose("demo")
    assert discover.install(dialog) is None and not dialog.discovered.isVisible()
    dialog.choose("google_ads")
    panel = dialog.discovered.findChild(DiscoverPanel) or discover.install(dialog)  # wired, or installed here
    assert panel is not None and dialog.discovered.isVisible()
    dialog.use_tokens.setChecked(True)
    for key, value in CREDENTIALS.items():
        if key in dialog.cred_fields:
            dialog.cred_fields[key].edit.setText(value)
    dialog.advanced_button.setChecked(True)
    dialog.option_fields["api_base_url"].edit.setText(fake.base_url)
    dialog.option_fields["token_url"].edit.setText(f"{fake.base_url}/token")
    assert set(panel.credentials()) >= {"client_id", "client_secret", "refresh_token", "developer_token"}
    qtbot.mouseClick(panel.find_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.list.count() == len(TREE), timeout=15000)
    panel.set_checked(["5550003333"])
    with qtbot.waitSignal(dialog.saved, timeout=15000) as saved:
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert saved.args == ["Boots Ltd", False] and not dialog.isVisible()
