"""Settings › Accounts › Remove asks what `accounts remove` asks: an account with schedules or data is removed only
with its data deleted or kept, as the user chooses (issue 10 #4)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from autosync_desktop import clock
from autosync_desktop.gui.widgets import dialogs
from autosync_desktop.store.models import Account, DailyStat, Schedule
from tests.gui.conftest import DEMO, wait_workers


def _answer(monkeypatch: pytest.MonkeyPatch, choice: str | None) -> list[str]:
    asked: list[str] = []

    def choose(parent: Any, title: str, text: str, actions: tuple[str, ...]) -> str | None:
        asked.append(text)
        assert actions == ("Delete data", "Keep data")
        return choice

    monkeypatch.setattr(dialogs, "choose", choose)
    return asked


@pytest.mark.parametrize("choice", [None, "Delete data", "Keep data"])
def test_remove_asks_whether_to_delete_or_keep_the_data(open_window: Any, seeded: Any, qtbot: Any,
                                                        monkeypatch: pytest.MonkeyPatch, choice: str | None) -> None:
    asked = _answer(monkeypatch, choice)
    window = open_window(tab="settings")
    panel = window.settings.accounts
    qtbot.waitUntil(lambda: len(panel.accounts) == 1, timeout=5000)
    rows = DailyStat.select().count()
    assert rows > 0
    panel.select(DEMO)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert f"It has 1 schedule and {rows:,} daily rows" in asked[0] and "Its run history is kept" in asked[0]
    if choice is None:  # cancelled: nothing changes
        wait_workers(qtbot, window)
        assert Account.select().count() == 1 and Schedule.select().count() == 1
        return
    qtbot.waitUntil(lambda: len(panel.accounts) == 0, timeout=5000)
    wait_workers(qtbot, window)
    assert Schedule.select().count() == 0
    if choice == "Delete data":
        assert Account.select().count() == 0 and DailyStat.select().count() == 0
        assert panel.result.text() == f"Removed {DEMO}; its run history is kept."
    else:
        kept = f"{DEMO} (removed {clock.today().isoformat()})"
        assert [a.name for a in Account.select()] == [kept] and DailyStat.select().count() == rows
        assert f"kept as “{kept}”" in panel.result.text()
