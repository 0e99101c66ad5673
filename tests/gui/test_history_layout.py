"""History for a marketer: no sideways scrolling at 1024x640 with long and CJK names, the error column stretches
and shows the whole error on hover, a refresh never blanks the table, the detail pane never clips and its
Re-run / Open schedule act on the shown run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView

from autosync_desktop.gui.history.filters import NAME_COMBO_MAX
from autosync_desktop.gui.history.model import COLUMNS
from autosync_desktop.services import Services
from tests.gui.conftest import SCHEDULE, seed_demo, wait_idle

LONG = "Acme Europe Performance Max Retargeting Q4 Holiday Campaign 206"  # 63 characters
CJK = "東京広告アカウント本番環境二〇二六年第四四半期"
ERROR = list(COLUMNS).index(next(c for c in COLUMNS if c[0] == "error"))


def _names_and_failure(data_dir: Path) -> dict[str, int]:
    """The Demo store plus a 63-character and a CJK account (each with a schedule and a run) and a failed run."""
    assert len(LONG) == 63
    seed_demo(data_dir, runs=1, campaigns=2)
    services = Services.open(data_dir)
    try:
        services.settings.set("retry.max_attempts", 1)
        ids = {}
        for number, name in enumerate((LONG, CJK), start=2):
            services.accounts.add("demo", name, f"demo-{number}", {"latency_ms": "0", "campaigns": "2",
                                                                    "history_days": "3"})
            services.schedules.add(name, name, "both", "interval", every_minutes=60)
            request = services.runs.request(name)
            ids[name] = services.runs.wait(request.run_id, poll_s=0.02, timeout_s=30).id
        services.accounts.add("demo", "Flaky", "flaky-1", {"latency_ms": "0", "failure_rate": "1"})
        failed = services.runs.request("Flaky")
        ids["failed"] = services.runs.wait(failed.run_id, poll_s=0.02, timeout_s=30).id
        return ids
    finally:
        services.close()


def test_no_sideways_scrolling_at_1024_with_long_and_cjk_names(open_window: Any, data_dir: Path,
                                                               qtbot: Any) -> None:
    ids = _names_and_failure(data_dir)
    window = open_window(tab="history")
    window.resize(1024, 640)
    view = window.history
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: view.model.total == 4)
    view.show_run(ids[LONG])
    qtbot.waitUntil(lambda: view.detail.run is not None and view.detail.run.run.id == ids[LONG])
    qtbot.wait(50)  # let the column fitter run after the resize
    table = view.table
    assert table.horizontalScrollBar().maximum() == 0
    assert view.detail.facts_scroll.horizontalScrollBar().maximum() == 0
    assert view.detail.log.horizontalScrollBar().maximum() == 0
    header = table.horizontalHeader()
    shown = sum(header.sectionSize(c) for c in range(len(COLUMNS)) if not header.isSectionHidden(c))
    assert shown <= table.viewport().width()
    # the name filter has a maximum width: the search box keeps its room
    view.filters.account.setCurrentIndex(view.filters.account.findData(LONG))
    wait_idle(qtbot, window)
    assert view.filters.account.width() <= NAME_COMBO_MAX
    assert view.filters.text.width() >= 180
    assert LONG in view.filters.account.toolTip()
    assert table.horizontalScrollBar().maximum() == 0
    # the long name is elided in the detail pane, whole in its tooltip
    what = view.detail.fields["what"]
    assert LONG not in what.text() and "…" in what.text() and LONG in what.toolTip()
    view.filters.account.setCurrentIndex(view.filters.account.findData(CJK))
    wait_idle(qtbot, window)
    assert view.model.ids() == [ids[CJK]]
    # the detail follows the filters: it never describes a run the table no longer lists
    qtbot.waitUntil(lambda: view.detail.run is not None and view.detail.run.run.id == ids[CJK])
    assert table.horizontalScrollBar().maximum() == 0
    # Data too, at the same size, with both names in its rows
    window.show_tab("data")
    wait_idle(qtbot, window)
    qtbot.wait(50)
    data = window.data
    assert {LONG, CJK} <= {row.account for row in data.model.rows}
    assert data.table.horizontalScrollBar().maximum() == 0
    assert data.totals.horizontalScrollBar().maximum() == 0
    data.pages.setCurrentIndex(1)
    qtbot.wait(50)
    assert data.campaigns.horizontalScrollBar().maximum() == 0


def test_error_column_stretches_and_shows_the_whole_error(open_window: Any, data_dir: Path, qtbot: Any) -> None:
    ids = _names_and_failure(data_dir)
    window = open_window(tab="history")
    view = window.history
    qtbot.waitUntil(lambda: view.model.total == 4)
    header = view.table.horizontalHeader()
    assert header.sectionResizeMode(ERROR) == QHeaderView.ResizeMode.Stretch
    width_before = header.sectionSize(ERROR)
    window.resize(1500, 800)
    qtbot.waitUntil(lambda: header.sectionSize(ERROR) > width_before, timeout=3000)  # the error takes the room
    row = view.model.row_of(ids["failed"])
    assert row is not None
    run = view.model.rows[row]
    assert run.error
    tip = view.model.data(view.model.index(row, ERROR), Qt.ItemDataRole.ToolTipRole)
    assert " ".join(tip.split()) == " ".join(run.error.split())  # whole, only wrapped into lines
    assert all(len(line) <= 90 for line in tip.splitlines())
    assert "sandbox" in tip


def test_refresh_keeps_the_rows_on_screen(open_window: Any, data_dir: Path, qtbot: Any) -> None:
    seed_demo(data_dir, runs=3, campaigns=2)
    window = open_window(tab="history")
    view, model = window.history, window.history.model
    qtbot.waitUntil(lambda: model.total == 3)
    counts: list[int] = []
    model.modelReset.connect(lambda: counts.append(model.rowCount()))
    model.rowsRemoved.connect(lambda *_: counts.append(model.rowCount()))
    model.rowsInserted.connect(lambda *_: counts.append(model.rowCount()))
    for _ in range(3):
        view.refresh()
        assert model.rowCount() == 3  # the old rows stay while the new first page is read
        assert not view.overlay.isVisible()
        assert view.progress.isVisible() or not model.refreshing
        wait_idle(qtbot, window)
        assert not view.progress.isVisible()
    # a filter change too: the table shows the old rows until the new ones replace them in one step
    view.filters.set_text_now("no such run")
    assert model.rowCount() == 3
    wait_idle(qtbot, window)
    assert model.rowCount() == 0 and view.count.full_text() == "No runs match these filters"
    assert counts and min(counts[:-1]) > 0 and counts[-1] == 0


def test_detail_pane_rerun_and_open_schedule(open_window: Any, data_dir: Path, qtbot: Any) -> None:
    seed = seed_demo(data_dir, runs=1, campaigns=2)
    window = open_window(tab="history")
    view, detail = window.history, window.history.detail
    first = seed.runs[0].id
    view.show_run(first)
    qtbot.waitUntil(lambda: detail.run is not None and detail.run.run.id == first)
    assert detail.schedule_button.isEnabled() and detail.rerun_button.isEnabled()
    with qtbot.waitSignal(view.open_schedule, timeout=2000) as opened:
        qtbot.mouseClick(detail.schedule_button, Qt.MouseButton.LeftButton)
    assert opened.args == [SCHEDULE]
    qtbot.mouseClick(detail.rerun_button, Qt.MouseButton.LeftButton)
    services = window.ctx.services
    qtbot.waitUntil(lambda: services.runs.total(view.model.filters) == 2, timeout=10000)
    newest = services.runs.page(view.model.filters, None, 1, "newest").rows[0]
    assert newest.id != first and newest.schedule == SCHEDULE and newest.trigger.value == "manual"
    qtbot.waitUntil(lambda: detail.rerun_button.isEnabled(), timeout=5000)
    wait_idle(qtbot, window)
