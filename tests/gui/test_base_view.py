"""BaseView's refresh bookkeeping: debounce, one load in flight (a refresh meanwhile runs once after it),
`loaded`, and a failed load that leaves the page usable. A fake page whose loads the test finishes by hand."""

from __future__ import annotations

from typing import Any

import pytest

from autosync_desktop.gui.widgets.base_view import BaseView


class FakePage(BaseView):
    title = "Fake"
    subject = "the fakes"

    def __init__(self, debounce_ms: int = 50) -> None:
        super().__init__(debounce_ms=debounce_ms)
        self.loads = 0
        self.changes: list[bool] = []
        self.fail_to_start = False

    def load(self) -> None:
        self.loads += 1
        if self.fail_to_start:
            raise RuntimeError("store is closed")

    def loading_changed(self, loading: bool) -> None:
        self.changes.append(loading)


@pytest.fixture
def page(qtbot: Any) -> FakePage:
    view = FakePage()
    qtbot.addWidget(view)
    return view


def test_debounce_coalesces_a_burst_of_requests_into_one_load(page: FakePage, qtbot: Any) -> None:
    for _ in range(10):
        page.schedule_refresh("an event")
    assert page.loads == 0  # nothing yet: waiting for the burst to end
    qtbot.waitUntil(lambda: page.loads == 1, timeout=2000)
    qtbot.wait(200)  # four debounce intervals later: still one
    assert page.loads == 1 and page.is_loading()


def test_a_refresh_during_a_load_runs_once_after_it(page: FakePage) -> None:
    page.refresh()
    page.refresh()
    page.refresh()
    assert page.loads == 1 and page.is_loading()  # not doubled
    page.load_finished()
    assert page.loads == 2 and page.is_loading()  # not lost: one more, right after
    page.load_finished()
    assert page.loads == 2 and not page.is_loading()
    assert page.changes == [True, False, True, False]


def test_a_debounced_refresh_that_fires_during_a_load_waits_for_it(page: FakePage, qtbot: Any) -> None:
    page.refresh()
    page.schedule_refresh()
    qtbot.wait(150)
    assert page.loads == 1
    page.load_finished()
    assert page.loads == 2


def test_a_direct_refresh_cancels_a_pending_debounced_one(page: FakePage, qtbot: Any) -> None:
    page.schedule_refresh()
    page.refresh()
    page.load_finished()
    qtbot.wait(150)
    assert page.loads == 1


def test_loaded_is_set_by_the_first_load_and_signalled_each_time(page: FakePage, qtbot: Any) -> None:
    assert not page.has_loaded and page.updated_text() == "Not loaded yet"
    page.refresh()
    assert not page.has_loaded and page.busy.busy and page.updated_text() == "Refreshing…"
    with qtbot.waitSignal(page.loaded, timeout=1000):
        page.load_finished()
    assert page.has_loaded and not page.busy.busy
    assert page.updated_text() == "Updated just now"
    page.refresh()
    assert page.updated_text() == "Refreshing… (last just now)"
    with qtbot.waitSignal(page.loaded, timeout=1000):
        page.load_finished()


def test_a_failed_load_leaves_the_page_usable(page: FakePage, qtbot: Any) -> None:
    page.refresh()
    page.refresh()  # asked for during the load that will fail: still runs
    with qtbot.waitSignal(page.message, timeout=1000) as said:
        page.load_failed(OSError("disk I/O error"))
    assert said.args == ["Could not load the fakes: disk I/O error"]
    assert page.loads == 2 and page.is_loading()
    page.load_failed(ValueError())
    assert not page.is_loading() and not page.busy.busy and not page.has_loaded
    assert page.updated_text() == "Refresh failed: ValueError"
    page.refresh()
    page.load_finished()
    assert page.loads == 3 and page.has_loaded and page.updated_text() == "Updated just now"


def test_a_load_that_cannot_start_is_a_failed_load(page: FakePage, qtbot: Any) -> None:
    page.fail_to_start = True
    with qtbot.waitSignal(page.message, timeout=1000) as said:
        page.refresh()
    assert said.args == ["Could not load the fakes: store is closed"]
    assert not page.is_loading() and not page.busy.busy
    page.fail_to_start = False
    page.refresh()
    assert page.loads == 2 and page.is_loading()


def test_a_load_the_page_started_itself_only_records_the_time(page: FakePage, qtbot: Any) -> None:
    with qtbot.waitSignal(page.loaded, timeout=1000):
        page.load_finished()  # e.g. a filter change reloaded the table
    assert page.has_loaded and page.changes == [] and not page.busy.busy


def test_the_scheduler_page_makes_one_read_of_a_burst_and_survives_a_failed_one(
        open_window: Any, seeded: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(tab="scheduler")
    view = window.scheduler
    schedules = window.ctx.services.schedules
    real_cards = schedules.cards
    calls: list[int] = []
    failing = [False]

    def cards(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if failing[0]:
            raise OSError("database is locked")
        return real_cards(*args, **kwargs)

    monkeypatch.setattr(schedules, "cards", cards)
    for _ in range(5):
        view.schedule_refresh()
    qtbot.waitUntil(lambda: len(calls) == 1 and not view.is_loading(), timeout=5000)
    qtbot.wait(500)  # longer than the debounce: nothing more
    assert len(calls) == 1
    failing[0] = True
    with qtbot.waitSignal(view.message, timeout=5000) as said:
        view.refresh()
    assert said.args == ["Could not load the schedules: database is locked"]
    assert not view.is_loading() and not view.busy.busy and view.cards  # the cards shown before stay
    failing[0] = False
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.refresh()
    assert len(calls) == 3


def test_a_page_that_fails_to_load_says_so_in_the_status_bar(
        open_window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window()
    assert window.current_key() == "dashboard" and not window.settings.has_loaded

    def broken() -> None:
        raise OSError("disk I/O error")

    monkeypatch.setattr(window.settings, "load", broken)
    window.show_tab("settings")  # not loaded yet, so showing it loads it
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Could not load the settings: disk I/O error",
                    timeout=5000)
    assert not window.settings.is_loading() and not window.settings.has_loaded


def test_a_failed_load_shows_one_line_with_echoed_secrets_masked(page: FakePage) -> None:
    from autosync_desktop import redaction
    from autosync_desktop.gui.widgets import dialogs

    secret = "dev-token-Zx81QmPw33lk"
    redaction.remember([secret])
    page.refresh()
    page.load_failed(RuntimeError(f"platform said: bad developer token {secret}\nsecond line"))
    assert secret not in page.last_error and "second line" not in page.last_error
    assert "bad developer token" in page.last_error
    assert secret not in dialogs.plain(f"--account-id: refused {secret}")
    assert secret not in dialogs.split_field(f"--name: echo {secret}")[1]
