"""The History tab: filters, the lazily paged run table, the selected run's detail, and export.

A refresh keeps the rows on screen (a thin progress line runs above the table) until the new first page replaces
them; the columns always fit the table's width (history/columns.py). `open_schedule(name)` asks the window to
show a schedule (the detail pane's "Open schedule").
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop import events as ev
from autosync_desktop.errors import one_line
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.history.columns import Column, ColumnFitter
from autosync_desktop.gui.history.detail import RunDetail
from autosync_desktop.gui.history.empty import TableMessage
from autosync_desktop.gui.history.filters import HistoryFilters
from autosync_desktop.gui.history.model import COLUMNS, SORTABLE, RunsModel
from autosync_desktop.gui.widgets.base_view import BaseView
from autosync_desktop.gui.widgets.busy import BusyOverlay
from autosync_desktop.gui.widgets.elided_label import ElidedLabel
from autosync_desktop.gui.widgets.export import ExportJob, ask_export_path

# the columns of COLUMNS in order: widths from sample texts; names capped and elided; the error takes the rest.
# Hidden first when the table is narrow: the run number, then the trigger, the rows, the duration (at 1280x800
# with the detail pane the duration still shows; the detail pane has them all).
FIT = (Column("0000000", priority=5), Column("2026-12-31 23:59:59", floor=130),
       Column(cap=220, floor=110, sample="Demo sync"), Column(cap=220, floor=110, sample="Demo account"),
       Column("catch-up", priority=4), Column("Interrupted", icon=20), Column("12 min 34 s", priority=2),
       Column("1,234,567", priority=3), Column(stretch=True, floor=140))


def progress_line(name: str) -> QProgressBar:
    """A 3 px indeterminate bar: something is loading, while what is shown stays in place (its room is kept
    when hidden, so the table never jumps)."""
    bar = QProgressBar()
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setFixedHeight(3)
    bar.setAccessibleName(name)
    policy = bar.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
    bar.setSizePolicy(policy)
    bar.hide()
    return bar


class HistoryView(BaseView):
    title = "History"
    key = "history"
    subject = "the history"
    open_schedule = Signal(str)  # a schedule's name: the window shows it on the Schedules page

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent, busy_text="")  # the bar alone: the count beside it says what is loading
        self.ctx = ctx
        self.setAccessibleName("History view")
        self.export_job: ExportJob | None = None
        self._detail_id: int | None = None
        self._pending_select: int | None = None  # a run asked for (activity feed) before its row is loaded
        self._reselect: tuple[int, bool] | None = None  # (shown run, filters changed) across a reload
        self.model = RunsModel(ctx, self)
        self.model.page_loaded.connect(self._page_loaded)
        self.model.total_changed.connect(self._total_changed)
        self.model.load_failed.connect(self._load_failed)
        self.filters = HistoryFilters()
        self.filters.changed.connect(self.reload)
        self.table = QTableView()
        self.table.setAccessibleName("Runs table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)
        header.sectionClicked.connect(self._header_clicked)
        self.fitter = ColumnFitter(self.table, FIT, self._column_texts)
        self.model.modelReset.connect(self.fitter.schedule)
        self.model.rowsInserted.connect(self.fitter.schedule)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.progress = progress_line("Refreshing runs")
        self.overlay = BusyOverlay(self.table, "Loading runs…")
        self.empty = TableMessage(self.table, "No runs")
        self.detail = RunDetail()
        self.detail.setMinimumWidth(280)
        self.detail.rerun_requested.connect(self.rerun)
        self.detail.open_schedule_requested.connect(self.open_schedule)
        self.count = ElidedLabel(min_chars=12)  # its whole text when there is room; elided (tooltip) when not
        self.count.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.count.setProperty("role", "muted")
        self.new_runs = QPushButton("New runs — show")
        self.new_runs.setAccessibleName("Show new runs")
        self.new_runs.clicked.connect(self.reload)
        self.new_runs.hide()
        self.export_button = QPushButton(theme.icon("export"), "Export…")
        self.export_button.setAccessibleName("Export the filtered runs")
        self.export_button.setToolTip("Save the runs matching the filters as CSV or JSON")
        self.export_button.clicked.connect(lambda: self.export())
        self.refresh_button = QPushButton(theme.icon("sync"), "Refresh")
        self.refresh_button.setAccessibleName("Refresh history")
        self.refresh_button.clicked.connect(self.refresh)
        self.page_title = QLabel("History")
        theme.set_role(self.page_title, "page-title")
        self.page_title.setAccessibleName("History title")
        self.filters.first_row.insertWidget(0, self.page_title)
        self.filters.first_row.insertSpacing(1, theme.SPACE_S)
        bar = self.filters.second_row  # after the dates and Clear: the count, then the page's buttons
        bar.insertWidget(bar.count() - 1, self.count)  # its whole text; the stretch after it takes the rest
        bar.insertWidget(bar.count() - 1, self.busy)
        for widget in (self.new_runs, self.refresh_button, self.export_button):
            bar.addWidget(widget)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.setSpacing(0)
        table_layout.addWidget(self.progress)
        table_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setAccessibleName("Runs and the selected run's details")
        splitter.addWidget(table_box)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 7)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([700, 300])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.SPACE_M, theme.SPACE_M, theme.SPACE_M, theme.SPACE_M)
        layout.setSpacing(theme.SPACE_S)
        layout.addWidget(self.filters)
        layout.addWidget(splitter, 1)
        self._live = QTimer(self)
        self._live.setSingleShot(True)
        self._live.setInterval(1500)
        self._live.timeout.connect(self._new_runs_arrived)
        ctx.bridge.run_finished.connect(self._run_finished)
        ctx.bridge.run_queued.connect(lambda _: self._live.start())
        ctx.bridge.schedule_changed.connect(lambda e: self._load_names() if e.change != "next_run" else None)
        ctx.bridge.account_changed.connect(lambda _: self._load_names())

    # --- loading ---

    def is_loading(self) -> bool:
        return super().is_loading() or self.model.loading

    def load(self) -> None:
        self._load_names()
        self.reload()

    def reload(self) -> None:
        self.new_runs.hide()
        self.busy.set_busy(True)
        if self.model.rows:
            self.progress.show()  # the rows stay until the new ones replace them
        else:
            self.overlay.show_over("Loading runs…")
        filters = self.filters.values()
        if self._detail_id is not None and self._pending_select is None:
            self._reselect = (self._detail_id, filters != self.model.filters)
        order = "newest" if self.table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder \
            else "oldest"
        self.model.load(filters, order)

    def _load_names(self) -> None:
        def names(s: Any) -> tuple[list[str], list[str]]:
            return [a.name for a in s.accounts.list()], [x.name for x in s.schedules.list()]

        self.ctx.workers.run(names, self.ctx.services, owner=self,
                             on_done=lambda found: self.filters.set_names(*found))

    def _page_loaded(self) -> None:
        self.overlay.hide()
        self.progress.hide()
        self.busy.set_busy(False)
        self._update_count()
        if self._pending_select is not None:
            self._select_run(self._pending_select, keep_pending=False)
        elif self._reselect is not None and self.model.pages_loaded == 1:
            self._keep_or_move_selection(*self._reselect)
        elif self.model.pages_loaded == 1 and self._detail_id is None and self.model.rows:
            self.table.selectRow(0)  # show the newest run's detail right away
        self.load_finished()

    def _keep_or_move_selection(self, run_id: int, filters_changed: bool) -> None:
        """After a reload: the shown run stays selected if listed; new filters that leave it out show the first
        matching run instead (or nothing), so the detail never describes a run the table does not list."""
        self._reselect = None
        row = self.model.row_of(run_id)
        if row is not None:
            self.table.selectRow(row)
        elif filters_changed and self.model.rows:
            self.table.selectRow(0)
        elif filters_changed:
            self._detail_id = None
            self.detail.show_run(None)

    def _load_failed(self, text: str) -> None:
        self.overlay.hide()
        self.progress.hide()
        self.busy.set_busy(False)
        self.load_failed(text)

    def _total_changed(self, total: int | None) -> None:
        self._update_count()

    def _update_count(self) -> None:
        total = self.model.total
        shown = len(self.model.rows)
        if total is None:
            self.count.setText(f"{shown:,} runs loaded, counting…" if shown else "Counting…")
        elif total == 0:
            self.count.setText("No runs yet" if self.filters.values().is_empty else "No runs match these filters")
        else:
            self.count.setText(f"{total:,} run{'s' if total != 1 else ''} match · {shown:,} loaded")
        if total == 0 and not shown:
            self.empty.say("No runs yet. Each sync (scheduled or started with Sync now) is listed here with its "
                           "status, duration and any error." if self.filters.values().is_empty else
                           "No runs match these filters. Clear them to see every run.")
        else:
            self.empty.say("")
        self.export_button.setEnabled(total != 0)

    def _header_clicked(self, section: int) -> None:
        header = self.table.horizontalHeader()
        if section not in SORTABLE:
            header.setSortIndicator(1, (self.model.order == "newest" and Qt.SortOrder.DescendingOrder)
                                    or Qt.SortOrder.AscendingOrder)
            self.message.emit("Runs are sorted by time; use the filters to narrow them down")
            return
        order = Qt.SortOrder.AscendingOrder if self.model.order == "newest" else Qt.SortOrder.DescendingOrder
        header.setSortIndicator(section, order)
        self.reload()

    # --- live ---

    def _run_finished(self, event: ev.RunFinished) -> None:
        self.model.update_run(event.run_id, status=domain.RunStatus(event.status), rows=event.rows,
                              duration_s=None if event.duration_s is None else round(event.duration_s, 3),
                              error=event.error if event.status == "failed" else None,
                              reason=event.error if event.status != "failed" else None)
        if self._detail_id == event.run_id:
            self.show_run(event.run_id)
        self._live.start()

    def _new_runs_arrived(self) -> None:
        if not self.has_loaded:
            return
        top = self.table.verticalScrollBar().value() == 0
        if self.model.order == "newest" and top and self.model.pages_loaded <= 1 and \
                not self.table.selectionModel().hasSelection():
            self.reload()
        else:
            self.new_runs.show()

    # --- selection and detail ---

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            run = self.model.run_at(rows[0].row())
            if run is not None and run.id != self._detail_id:
                self.show_run(run.id, select=False)

    def show_run(self, run_id: int, select: bool = True) -> None:
        """Show a run's detail (and select its row when loaded) - e.g. from a click in the activity feed."""
        self._detail_id = run_id
        self.detail.show_loading(run_id)
        if select:
            self._select_run(run_id)
        self.ctx.workers.run(self.ctx.services.runs.detail, run_id, owner=self, on_done=self._detail_loaded,
                             on_error=lambda exc: self.message.emit(f"Could not load run #{run_id}: {one_line(exc)}"))

    def _detail_loaded(self, detail: domain.RunDetail) -> None:
        if detail.run.id == self._detail_id:
            self.detail.show_run(detail)

    def _select_run(self, run_id: int, keep_pending: bool = True) -> None:
        row = self.model.row_of(run_id)
        if row is None or self.model.refreshing:
            self._pending_select = run_id if keep_pending and (not self.has_loaded or self.model.refreshing) \
                else None
            return
        self._pending_select = None
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))

    def selected_run(self) -> domain.RunRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.run_at(rows[0].row()) if rows else None

    def sync_selected(self) -> bool:
        """Ctrl+R on History: run the selected run's schedule again. False when nothing is selected."""
        run = self.selected_run()
        if run is None:
            return False
        self.rerun(run, same_dates=False)
        return True

    def rerun(self, run: domain.RunRow, same_dates: bool = True) -> None:
        """Queue the run's schedule (or account) again, on the write lane; a backfill again for its dates."""
        name = run.who
        dates: tuple[Any, ...] = ()
        if same_dates and run.trigger == domain.Trigger.BACKFILL and run.window_from and run.window_to:
            dates = (run.window_from, run.window_to)
        self.detail.rerun_button.setEnabled(False)

        def done(request: Any) -> None:
            self.detail.rerun_button.setEnabled(True)
            self.message.emit(f"{name}: run #{request.run_id} {request.status}")
            self._live.start()

        def failed(exc: Exception) -> None:
            self.detail.rerun_button.setEnabled(True)
            self.message.emit(f"Could not re-run {name}: {one_line(exc)}")

        self.ctx.workers.run(self.ctx.services.runs.request, name, *dates, lane="write", owner=self,
                             on_done=done, on_error=failed)

    def _column_texts(self, column: int) -> list[str]:
        key = COLUMNS[column][0]
        return [RunsModel.text(run, key) for run in self.model.rows[:400]]

    # --- export ---

    def export(self, path: str | None = None, fmt_: str | None = None) -> ExportJob | None:
        """Export the runs matching the current filters (in the table's order); asks for a file if none given."""
        if path is None:
            chosen = ask_export_path(self, "Export runs", "autosync-runs.csv")
            if chosen is None:
                return None
            path, fmt_ = chosen
        filters, order = self.model.filters, self.model.order
        services = self.ctx.services
        job = ExportJob(self.ctx.workers, self, "runs", self.model.total)
        job.finished.connect(lambda p, n: self.message.emit(f"Exported {n:,} runs to {p}"))
        job.failed.connect(self.message)
        job.start(path, fmt_ or "csv", lambda f, out, progress: services.exports.history(
            filters, f, out, progress, order=order).rows)
        self.export_job = job
        return job


__all__ = ["COLUMNS", "HistoryView"]
