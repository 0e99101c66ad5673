"""The local REST API served by the window's process: a schedule created through the API appears on the
Scheduler page, and Settings › Advanced shows the API on, its URL and the token (read from the keyring lane) with
a working Copy button."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtWidgets import QApplication

from autosync_desktop.api.server import ApiService
from autosync_desktop.services import Services
from tests.api_support import FAST, free_port


def test_schedule_created_through_the_api_appears_in_the_window(open_window: Any, data_dir: Path, qtbot: Any,
                                                                 memory_keyring: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    services = Services.open(data_dir)
    try:
        services.accounts.add("demo", "Demo fast", options=FAST)
        services.settings.set("api.port", port)
        services.settings.set("api.enabled", True)
    finally:
        services.close()
    monkeypatch.setattr("autosync_desktop.services.core.SCHEDULER_COMPANIONS", [ApiService.attach])
    window = open_window(start_scheduler=True, tab="scheduler")
    token = window.ctx.services.api_access.token()
    url = f"http://127.0.0.1:{port}"

    def serving() -> bool:
        try:
            return requests.get(f"{url}/sync/schedules", headers={"Authorization": f"Bearer {token}"},
                                timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    qtbot.waitUntil(serving, timeout=15000)
    response = requests.post(f"{url}/sync/schedules", timeout=10, headers={"Authorization": f"Bearer {token}"},
                             json={"name": "From the API", "account": "Demo fast", "type": "both",
                                   "frequency": "interval", "every_minutes": 30})
    assert response.status_code == 201, response.text
    qtbot.waitUntil(lambda: "From the API" in window.scheduler.cards, timeout=10000)

    window.show_tab("settings")
    qtbot.waitUntil(lambda: window.settings.advanced is not None, timeout=10000)
    advanced = window.settings.advanced
    qtbot.waitUntil(lambda: advanced.token.text() == token and "served by pid" in advanced.status.text(),
                    timeout=10000)
    assert advanced.url.text() == url
    assert advanced.fields["api.enabled"].value() is True and advanced.fields["api.port"].value() == port
    advanced.copy.click()
    assert QApplication.clipboard().text() == token
