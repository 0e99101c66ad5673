"""The Data tab: the synced daily metrics (paged, filtered, with totals per currency) and campaigns; export."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop.domain import CampaignRow, StatsFilter, StatsSummary
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.data.model import NUMERIC, STAT_COLUMNS, CampaignsModel, StatsModel, money_text
from autosync_desktop.gui.widgets.base_view import BaseView
from autosync_desktop.gui.widgets.busy import BusyOverlay
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.export import ExportJob, ask_export_path

COLUMN_WIDTHS = (185, 140, 240, 110, 90, 130, 100)  # the date with its zone: "2026-11-20 (Buenos Aires)"


def _table(name: str) -> QTableView:
    table = QTableView()
    table.setAccessibleName(name)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(24)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class DataView(BaseView):
    title = "Data"
    key = "data"
    subject = "data"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Data view")
        self.summary: StatsSummary | None = None
        self.export_job: ExportJob | None = None
        self._pending = 0  # reads in flight (the stats model's pages aside)
        self._failure: Exception | str | None = None  # the first failed read since the last complete load
        self.account = QComboBox()
        self.account.setAccessibleName("Filter data by account")
        self.account.addItem("Any account", None)
        self.campaign = QComboBox()
        self.campaign.setAccessibleName("Filter data by campaign")
        self.campaign.addItem("Any campaign", None)
        self.campaign.setMinimumWidth(200)
        self.use_dates = QCheckBox("Dates")
        self.use_dates.setAccessibleName("Filter data by date range")
        today = QDate.currentDate()
        self.date_from, self.date_to = QDateEdit(today.addDays(-30)), QDateEdit(today)
        for edit, name in ((self.date_from, "Data from date"), (self.date_to, "Data to date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setEnabled(False)
            edit.dateChanged.connect(self.reload)
        self.use_dates.toggled.connect(self._dates_toggled)
        self.account.currentIndexChanged.connect(self._account_changed)
        self.campaign.currentIndexChanged.connect(self.reload)
        self.export_button = QPushButton(theme.icon("export"), "Export…")
        self.export_button.setAccessibleName("Export the filtered daily stats")
        self.export_button.clicked.connect(lambda: self.export())
        self.refresh_button = QPushButton(theme.icon("sync"), "Refresh")
        self.refresh_button.setAccessibleName("Refresh data")
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        for widget in (self.account, self.campaign, self.use_dates, self.date_from, self.date_to):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.busy)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.export_button)

        self.model = StatsModel(ctx, self)
        self.model.page_loaded.connect(self._page_loaded)
        self.model.load_failed.connect(self._read_failed)
        self.table = _table("Daily stats table")
        self.table.setModel(self.model)
        self.overlay = BusyOverlay(self.table, "Loading daily stats…")
        self.totals = QTableWidget(0, len(STAT_COLUMNS))
        self.totals.setAccessibleName("Totals")
        self.totals.horizontalHeader().hide()
        self.totals.verticalHeader().hide()
        self.totals.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.totals.horizontalHeader().setStretchLastSection(True)
        self.totals.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(lambda i, _old, new: self.totals.setColumnWidth(i, new))
        for column, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(column, width)
            self.totals.setColumnWidth(column, width)
        self.count = muted("", "Daily stats count")
        stats_page = QWidget()
        stats_layout = QVBoxLayout(stats_page)
        stats_layout.setContentsMargins(0, 6, 0, 0)
        stats_layout.addWidget(self.count)
        stats_layout.addWidget(self.table, 1)
        stats_layout.addWidget(self.totals)

        self.campaigns_model = CampaignsModel(self)
        self.campaigns = _table("Campaigns table")
        self.campaigns.setModel(self.campaigns_model)
        for column, width in enumerate((160, 300, 200, 90, 80)):
            self.campaigns.horizontalHeader().resizeSection(column, width)
        self.pages = QTabWidget()
        self.pages.setAccessibleName("Data pages")
        self.pages.addTab(stats_page, "Daily metrics")
        self.pages.addTab(self.campaigns, "Campaigns")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)

    # --- filters ---

    def filters(self) -> StatsFilter:
        since = until = None
        if self.use_dates.isChecked():
            start, end = self.date_from.date(), self.date_to.date()
            since = date(start.year(), start.month(), start.day())
            until = date(end.year(), end.month(), end.day())
        return StatsFilter(account=self.account.currentData() or None, campaign_id=self.campaign.currentData() or None,
                           since=since, until=until)

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.reload()

    def _account_changed(self) -> None:
        self.campaign.blockSignals(True)
        self.campaign.clear()
        self.campaign.addItem("Any campaign", None)
        self.campaign.blockSignals(False)
        self._load_campaigns()
        self.reload()

    # --- loading ---

    def is_loading(self) -> bool:
        return super().is_loading() or self._pending > 0 or self.model.loading

    def load(self) -> None:
        self._task(lambda s: [a.name for a in s.accounts.list()], self._accounts)
        self._load_campaigns()
        self.reload()

    def _task(self, fn: Any, done: Any, *args: Any) -> None:
        self._pending += 1
        self.busy.start()

        def finish(result: Any) -> None:
            self._pending -= 1
            self.busy.stop()
            done(result)
            self._maybe_loaded()

        def failed(exc: Exception) -> None:
            self._pending -= 1
            self.busy.stop()
            self._read_failed(exc)
            self._maybe_loaded()

        self.ctx.workers.run(fn, self.ctx.services, *args, owner=self, on_done=finish, on_error=failed)

    def _accounts(self, names: list[str]) -> None:
        current = self.account.currentData()
        self.account.blockSignals(True)
        self.account.clear()
        self.account.addItem("Any account", None)
        for name in names:
            self.account.addItem(name, name)
        self.account.setCurrentIndex(max(0, self.account.findData(current)) if current else 0)
        self.account.blockSignals(False)

    def _load_campaigns(self) -> None:
        self._task(lambda s, a: s.data.campaigns(a), self._campaigns, self.account.currentData())

    def _campaigns(self, rows: tuple[CampaignRow, ...]) -> None:
        self.campaigns_model.set_rows(rows)
        current = self.campaign.currentData()
        self.campaign.blockSignals(True)
        self.campaign.clear()
        self.campaign.addItem("Any campaign", None)
        for row in rows:
            self.campaign.addItem(f"{row.name or row.campaign_id} · {row.account}", row.campaign_id)
        self.campaign.setCurrentIndex(max(0, self.campaign.findData(current)) if current else 0)
        self.campaign.blockSignals(False)
        self.pages.setTabText(1, f"Campaigns ({len(rows):,})")

    def reload(self) -> None:
        filters = self.filters()
        self.overlay.show_over("Loading daily stats…")
        self.model.load(filters)
        self._task(lambda s, f: s.data.summary(f), self._summary, filters)

    def _page_loaded(self) -> None:
        self.overlay.hide()
        self._update_count()
        self._maybe_loaded()

    def _read_failed(self, error: Exception | str) -> None:
        if self._failure is None:
            self._failure = error

    def _maybe_loaded(self) -> None:
        if self._pending or self.model.loading:
            return
        failure, self._failure = self._failure, None
        if failure is None:
            self.load_finished()
        else:
            self.load_failed(failure)

    def _summary(self, summary: StatsSummary) -> None:
        self.summary = summary
        self._update_count()
        totals = summary.totals
        self.totals.setRowCount(len(totals))
        for row, total in enumerate(totals):
            values = {"date": "Total", "account": f"{total.rows:,} rows", "campaign": total.currency or "",
                      "impressions": fmt.fmt_int(total.impressions), "clicks": fmt.fmt_int(total.clicks),
                      "cost": money_text(total.cost, empty="—"), "conversions": fmt.fmt_number(total.conversions),
                      "conversion_value": money_text(total.conversion_value, empty="—")}
            for column, (key, _) in enumerate(STAT_COLUMNS):
                item = QTableWidgetItem(values[key])
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                if key in NUMERIC:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.totals.setItem(row, column, item)
        height = self.totals.verticalHeader().defaultSectionSize()
        self.totals.setFixedHeight(max(1, len(totals)) * height + 4)
        self.totals.setVisible(bool(totals))

    def _update_count(self) -> None:
        total = self.summary.rows if self.summary else None
        shown = len(self.model.rows)
        if total == 0:
            self.count.setText("No daily stats yet: they appear after the first successful sync"
                               if self.filters().is_empty else "No daily stats match these filters")
        elif total is None:
            self.count.setText(f"{shown:,} rows loaded")
        else:
            self.count.setText(f"{total:,} daily rows match (newest day first) · {shown:,} loaded · money is exact, "
                               "in the account's currency")
        self.export_button.setEnabled(total != 0)

    def totals_texts(self) -> list[list[str]]:
        columns = range(self.totals.columnCount())
        items = [[self.totals.item(r, c) for c in columns] for r in range(self.totals.rowCount())]
        return [[item.text() if item is not None else "" for item in row] for row in items]

    # --- export ---

    def export(self, path: str | None = None, fmt_: str | None = None) -> ExportJob | None:
        if path is None:
            chosen = ask_export_path(self, "Export daily stats", "autosync-daily-stats.csv")
            if chosen is None:
                return None
            path, fmt_ = chosen
        filters, services = self.filters(), self.ctx.services
        job = ExportJob(self.ctx.workers, self, "daily stats", self.summary.rows if self.summary else None)
        job.finished.connect(lambda p, n: self.message.emit(f"Exported {n:,} daily stats rows to {p}"))
        job.failed.connect(self.message)
        job.start(path, fmt_ or "csv",
                  lambda f, out, progress: services.exports.stats(filters, f, out, progress).rows)
        self.export_job = job
        return job
