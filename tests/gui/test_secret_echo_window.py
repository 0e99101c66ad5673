"""The window's History (table model and run detail) never shows a secret that a platform echoed in its error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from autosync_desktop.domain import RunStatus
from autosync_desktop.services import Services
from tests.fakes.google_ads import CREDENTIALS, SECRETS, FakeGoogleAds


@pytest.fixture
def fake() -> Iterator[FakeGoogleAds]:
    with FakeGoogleAds() as api:
        yield api


def test_history_shows_the_echoed_error_masked(open_window: Any, data_dir: Path, qtbot: Any, fake: FakeGoogleAds,
                                               memory_keyring: dict[tuple[str, str], str]) -> None:
    services = Services.open(data_dir)
    try:
        services.accounts.add("google_ads", "Acme Google", "123-456-7890",
                              {"api_base_url": fake.base_url, "token_url": f"{fake.base_url}/token"}, dict(CREDENTIALS))
        fake.echo_secrets(1)
        end = fake.today - timedelta(days=3)
        request = services.runs.request("Acme Google", end - timedelta(days=1), end)
        run = services.runs.wait(request.run_id, poll_s=0.02, timeout_s=30)
        assert run.status == RunStatus.FAILED and "invalid argument" in (run.error or "")
    finally:
        services.close()
    window = open_window(tab="history")
    model, detail = window.history.model, window.history.detail
    qtbot.waitUntil(lambda: model.total == 1)
    window.history.show_run(request.run_id)
    qtbot.waitUntil(lambda: detail.run is not None and detail.run.run.id == request.run_id)
    cells = [str(model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole))
             for row in range(model.rowCount()) for column in range(model.columnCount())]
    shown = "\n".join([*cells, repr(model.rows), repr(detail.run), detail.error.text(), *detail.log_lines()])
    assert "invalid argument" in shown and "[redacted]" in shown
    for secret in (*SECRETS, *fake.issued_tokens):
        assert secret not in shown
