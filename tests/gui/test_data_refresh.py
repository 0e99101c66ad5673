"""Data: a refresh or a filter change keeps the rows on screen under a thin progress line until the new ones
replace them in one step; an empty result says so in the table."""

from __future__ import annotations

from typing import Any

from tests.gui.conftest import wait_idle


def test_refresh_keeps_the_rows_and_empty_results_say_so(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(tab="data")
    view, model = window.data, window.data.model
    assert model.rowCount() == 200
    counts: list[int] = []
    model.modelReset.connect(lambda: counts.append(model.rowCount()))
    model.rowsRemoved.connect(lambda *_: counts.append(model.rowCount()))
    for _ in range(2):
        view.refresh()
        assert model.rowCount() == 200 and not view.overlay.isVisible()
        assert view.progress.isVisible()
        wait_idle(qtbot, window)
        assert not view.progress.isVisible() and model.rowCount() == 200
    assert counts and min(counts) == 200
    # a custom range with no synced day: the old rows stay until the (empty) answer, then the table says why
    view.set_preset("custom")
    wait_idle(qtbot, window)
    view.date_to.setDate(view.date_from.date().addDays(-400))
    view.date_from.setDate(view.date_to.date())
    assert model.rowCount() > 0
    wait_idle(qtbot, window)
    assert model.rowCount() == 0
    assert view.empty.isVisible() and "No daily stats match these filters" in view.empty.text()
    assert view.count.text() == "No daily stats match these filters"
    assert not view.export_button.isEnabled()
    view.set_preset("all")
    wait_idle(qtbot, window)
    assert model.rowCount() == 200 and not view.empty.isVisible()
