"""The schedule editor's suggested time: a new daily sync schedule shows "Suggested: 06:30 Berlin" with the reason
from a seeded store, "Use this time" sets the time and the zone, changing the account updates it (an answer for the
account chosen before is dropped), and it is not offered for other frequencies, exports or an existing schedule."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Qt, QTime

from autosync_desktop.services import Services
from autosync_desktop.store.models import Account
from tests.gui.conftest import DEMO, SCHEDULE, Seed
from tests.test_time_suggestions import NOW, _seed

USUAL = "Usual time: 07:00 UTC (not measured yet)"  # the Demo account has no history: a default, said so


def _seed_meta(seeded: Seed) -> None:
    services = Services.open(seeded.data_dir)
    try:
        account = Account.create(name="Meta EU", platform="meta_ads", external_id="1", timezone="Europe/Berlin")
        _seed(account)
    finally:
        services.close()


def _open_new(window: Any, qtbot: Any) -> Any:
    view = window.scheduler
    view.dialog = None
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    return view.dialog


def _shown(dialog: Any) -> bool:
    return bool(dialog.when_form.isRowVisible(dialog.suggestion))


def test_the_editor_suggests_a_time_and_uses_it(open_window: Any, seeded: Seed, qtbot: Any) -> None:
    _seed_meta(seeded)
    window = open_window(tab="scheduler")
    dialog = _open_new(window, qtbot)
    dialog.now = NOW
    suggestion = dialog.suggestion
    assert dialog.frequency.currentData() == "daily" and _shown(dialog)
    assert dialog.account.currentData() == DEMO  # the first account: no history yet, the default said as such
    qtbot.waitUntil(lambda: suggestion.has_answer(), timeout=10000)
    assert suggestion.headline.text() == USUAL
    assert "history for Demo" in suggestion.reason.text()
    dialog.account.setCurrentIndex(dialog.account.findData("Meta EU"))
    qtbot.waitUntil(lambda: suggestion.headline.text() == "Suggested: 06:30 Berlin", timeout=10000)
    assert suggestion.reason.text() == ("Meta Ads numbers for yesterday were 99 % final by 06:00 on 100 % of the "
                                        "last 10 days (of 30)")
    assert suggestion.reason.wordWrap() and suggestion.button.isVisible()
    # it fits a 1024x640 window: the dialog is narrower, and the wrapped reason gets the height of all its lines
    window.resize(1024, 640)
    assert dialog.width() <= 1024 and suggestion.width() < dialog.width()
    reason = suggestion.reason
    qtbot.waitUntil(lambda: reason.width() > 0 and reason.height() >= reason.heightForWidth(reason.width()) > 0)
    dialog.timezone.setCurrentText("UTC")
    qtbot.mouseClick(suggestion.button, Qt.MouseButton.LeftButton)
    assert dialog.at.time() == QTime(6, 30) and dialog.timezone.currentText() == "Europe/Berlin"
    assert dialog.values()["at"] == "06:30" and dialog.values()["timezone"] == "Europe/Berlin"
    # back to the Demo account: its own (default) suggestion again
    dialog.account.setCurrentIndex(dialog.account.findData(DEMO))
    assert suggestion.headline.text() == USUAL and "Demo" in suggestion.reason.text()
    # not for an interval, nor for a file
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("interval"))
    assert not _shown(dialog)
    dialog.frequency.setCurrentIndex(dialog.frequency.findData("weekly"))
    assert _shown(dialog)
    dialog.what.setCurrentIndex(dialog.what.findData("export"))
    assert not _shown(dialog)
    dialog.reject()


def test_a_late_answer_for_the_account_chosen_before_is_dropped(open_window: Any, seeded: Seed, qtbot: Any,
                                                                monkeypatch: Any) -> None:
    _seed_meta(seeded)
    window = open_window(tab="scheduler")
    dialog = _open_new(window, qtbot)
    dialog.now = NOW
    suggestion = dialog.suggestion
    qtbot.waitUntil(lambda: window.ctx.workers.pending == 0, timeout=10000)
    suggestion.found.clear()
    service = window.ctx.services.suggestions
    real = service.for_account
    release = threading.Event()

    def slow_for_meta(account: str, now: Any = None) -> Any:
        if account == "Meta EU":
            release.wait(10)  # Meta's answer comes after the Demo account was chosen again
        return real(account, now=now)

    monkeypatch.setattr(service, "for_account", slow_for_meta)
    dialog.account.setCurrentIndex(dialog.account.findData("Meta EU"))
    dialog.account.setCurrentIndex(dialog.account.findData(DEMO))
    qtbot.waitUntil(lambda: DEMO in suggestion.found, timeout=10000)
    assert suggestion.headline.text() == USUAL
    release.set()
    qtbot.waitUntil(lambda: "Meta EU" in suggestion.found, timeout=10000)
    assert suggestion.headline.text() == USUAL and "Demo" in suggestion.reason.text()
    dialog.account.setCurrentIndex(dialog.account.findData("Meta EU"))  # kept: shown at once, not asked again
    assert suggestion.headline.text() == "Suggested: 06:30 Berlin"


def test_no_suggestion_when_editing(open_window: Any, seeded: Seed, qtbot: Any) -> None:
    window = open_window(tab="scheduler")
    view = window.scheduler
    view.dialog = None
    view.action(SCHEDULE, "edit")
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    assert not _shown(view.dialog) and not view.dialog.suggestion.has_answer()
    view.dialog.reject()
