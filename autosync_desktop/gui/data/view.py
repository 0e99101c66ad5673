"""The Data tab: the synced daily metrics (paged, filtered, with totals per currency), a spend-and-conversions
chart, and campaigns; export.

Filters: account, campaign and a date preset (gui/data/presets.py, from today in the display zone). Columns
always fit the width (no sideways scrolling); the totals row is never elided. A refresh keeps the rows on
screen under a thin progress line. Room below the tabs: `add_bottom_panel(widget)` puts a panel there (in a
splitter with the tabs), e.g. a per-action conversions breakdown.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import clock
from autosync_desktop.domain import CampaignRow, StatsFilter, StatsSummary
from autosync_desktop.errors import one_line
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.data import presets
from autosync_desktop.gui.data.chart import Series, SpendChart, read_series
from autosync_desktop.gui.data.conversions_panel import ConversionsPanel
from autosync_desktop.gui.data.model import (
    CAMPAIGN_COLUMNS,
    NUMERIC,
    STAT_COLUMNS,
    CampaignsModel,
    StatsModel,
    money_text,
    money_tooltip,
    stat_text,
)
from autosync_desktop.gui.history.columns import Column, ColumnFitter
from autosync_desktop.gui.history.empty import TableMessage
from autosync_desktop.gui.history.filters import FILTER_MIN_CHARS, ElidingComboBox
from autosync_desktop.gui.history.view import progress_line
from autosync_desktop.gui.widgets.base_view import BaseView
from autosync_desktop.gui.widgets.busy import BusyOverlay
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.export import ExportJob, ask_export_path

# STAT_COLUMNS in order: the date with its zone, names capped, numbers and money as wide as their widest loaded
# value or total (never elided), the campaign takes the rest
STAT_FIT = (Column("2026-11-20 (Tokyo)", measure=True), Column(cap=160, floor=80, sample="Demo account"),
            Column(stretch=True, floor=110), Column("Impressions", measure=True, priority=2),
            Column("Clicks", measure=True, priority=1), Column("0.00 USD", measure=True),
            Column("Conversions", measure=True, priority=3), Column("0.00 USD", measure=True))
CAMPAIGN_FIT = (Column(cap=200, floor=90, sample="Demo account"), Column(stretch=True, floor=140),
                Column(cap=160, floor=80, sample="1234567890", priority=2), Column("Enabled", priority=1),
                Column("Currency"), Column("2026-12-31 23:59", priority=3))
COMBO_MAX = 220  # px: long account / campaign names are elided (full name in the tooltip)


def _table(name: str) -> QTableView:
    table = QTableView()
    table.setAccessibleName(name)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(24)
    return table


def _name_combo(name: str, any_text: str) -> QComboBox:
    combo = ElidingComboBox(min_chars=FILTER_MIN_CHARS)
    combo.setAccessibleName(name)
    combo.setToolTip(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(10)
    combo.setMaximumWidth(COMBO_MAX)
    combo.view().setTextElideMode(Qt.TextElideMode.ElideMiddle)
    combo.addItem(any_text, None)
    combo.currentIndexChanged.connect(lambda _: combo.setToolTip(f"{name}: {combo.currentText()}"))
    return combo


def theme_button(icon: str, text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(theme.icon(icon), text)
    button.setAccessibleName(name)
    button.setToolTip(tip)
    return button


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


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
        self.series: Series | None = None
        self._chart_generation = 0
        self._chart_stale = True
        self._pending = 0  # reads in flight (the stats model's pages aside)
        self._failure: Exception | str | None = None  # the first failed read since the last complete load
        self.account = _name_combo("Filter data by account", "Any account")
        self.campaign = _name_combo("Filter data by campaign", "Any campaign")
        self.preset = ElidingComboBox(min_chars=FILTER_MIN_CHARS)
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.preset.setAccessibleName("Filter data by dates")
        self.preset.setToolTip("Which days to show (the platforms' own days)")
        for key, label in presets.PRESETS:
            self.preset.addItem(label, key)
        today = _qdate(self.today())
        self.date_from, self.date_to = QDateEdit(today.addDays(-30)), QDateEdit(today)
        for edit, name in ((self.date_from, "Data from date"), (self.date_to, "Data to date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setEnabled(False)
            edit.dateChanged.connect(self._dates_edited)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.account.currentIndexChanged.connect(self._account_changed)
        self.campaign.currentIndexChanged.connect(self.reload)
        self.export_button = theme_button("export", "Export…", "Export the filtered daily stats",
                                          "Save the rows matching the filters as CSV or JSON (exact amounts)")
        self.export_button.clicked.connect(lambda: self.export())
        self.refresh_button = theme_button("sync", "Refresh", "Refresh data", "Read the synced data again")
        self.refresh_button.clicked.connect(self.refresh)
        theme.make_primary(self.export_button)  # the page's one primary action: the file to open every morning
        self.page_title = QLabel("Data")
        theme.set_role(self.page_title, "page-title")
        self.page_title.setAccessibleName("Data title")
        bar = QHBoxLayout()
        bar.setSpacing(theme.SPACE_S)
        bar.addWidget(self.page_title)
        bar.addSpacing(theme.SPACE_S)
        for widget in (self.account, self.campaign, self.preset, self.date_from, self.date_to):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.export_button)

        self.model = StatsModel(ctx, self)
        self.model.page_loaded.connect(self._page_loaded)
        self.model.load_failed.connect(self._read_failed)
        self.table = _table("Daily stats table")
        self.table.setModel(self.model)
        self.overlay = BusyOverlay(self.table, "Loading daily stats…")
        self.empty = TableMessage(self.table, "No daily stats")
        self.progress = progress_line("Refreshing daily stats")
        self.totals = QTableWidget(0, len(STAT_COLUMNS))
        self.totals.setAccessibleName("Totals per currency")
        self.totals.horizontalHeader().hide()
        self.totals.verticalHeader().hide()
        self.totals.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.totals.setWordWrap(False)
        self.totals.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.totals.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.totals.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.totals.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.fitter = ColumnFitter(self.table, STAT_FIT, self._stat_texts)
        self.fitter.fitted.connect(self._sync_totals_columns)
        self.model.modelReset.connect(self.fitter.schedule)
        self.model.rowsInserted.connect(self.fitter.schedule)
        self.count = muted("", "Daily stats count")
        stats_page = QWidget()
        stats_layout = QVBoxLayout(stats_page)
        stats_layout.setContentsMargins(0, 6, 0, 0)
        stats_layout.setSpacing(0)
        stats_layout.addWidget(self.count)
        stats_layout.addSpacing(4)
        stats_layout.addWidget(self.progress)
        stats_layout.addWidget(self.table, 1)
        stats_layout.addWidget(self.totals)

        self.chart = SpendChart()
        self.chart_note = muted("", "Chart note")
        chart_page = QWidget()
        chart_layout = QVBoxLayout(chart_page)
        chart_layout.setContentsMargins(0, 6, 0, 0)
        chart_layout.addWidget(self.chart_note)
        chart_layout.addWidget(self.chart, 1)

        self.campaigns_model = CampaignsModel(self)
        self.campaigns = _table("Campaigns table")
        self.campaigns.setModel(self.campaigns_model)
        self.campaign_fitter = ColumnFitter(self.campaigns, CAMPAIGN_FIT, self._campaign_texts)
        self.campaigns_model.modelReset.connect(self.campaign_fitter.schedule)
        self.pages = QTabWidget()
        self.pages.setAccessibleName("Data pages")
        self.pages.addTab(stats_page, "Daily metrics")
        self.pages.addTab(self.campaigns, "Campaigns")
        self.pages.addTab(chart_page, "Spend && conversions")
        self.pages.setTabToolTip(2, "Spend per day (bars) and conversions per day (line) for the filtered rows")
        self.pages.currentChanged.connect(self._page_changed)
        self.pages.setCornerWidget(self.busy, Qt.Corner.TopRightCorner)  # "Loading…" beside the tabs, not the filters
        self.bottom = QWidget()
        self.bottom.setAccessibleName("Data details")
        self.bottom_layout = QVBoxLayout(self.bottom)
        self.bottom_layout.setContentsMargins(0, 0, 0, 0)
        self.bottom.hide()
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setAccessibleName("Data and details")
        self.split.addWidget(self.pages)
        self.split.addWidget(self.bottom)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.SPACE_M, theme.SPACE_M, theme.SPACE_M, theme.SPACE_M)
        layout.setSpacing(theme.SPACE_S)
        layout.addLayout(bar)
        layout.addWidget(self.split, 1)
        # issue 16: the selected rows' conversions by action, below the tabs (gui/data/conversions_panel.py)
        self.add_bottom_panel(ConversionsPanel(ctx, self.table, lambda rows: [
            self.model.rows[i] for i in rows if i < len(self.model.rows)]))

    def add_bottom_panel(self, panel: QWidget) -> None:
        """Show `panel` below the tabs (resizable); it follows the filters through its own signals."""
        self.bottom_layout.addWidget(panel)
        self.bottom.show()

    # --- filters ---

    @staticmethod
    def today() -> date:
        """Today in the display zone (the presets' reference)."""
        return clock.now().astimezone(fmt.display_zone()).date()

    def filters(self) -> StatsFilter:
        since = until = None
        key = self.preset.currentData()
        if key == presets.CUSTOM:
            start, end = self.date_from.date(), self.date_to.date()
            since = date(start.year(), start.month(), start.day())
            until = date(end.year(), end.month(), end.day())
        elif key != presets.ALL:
            since, until = presets.preset_range(key, self.today()) or (None, None)
        return StatsFilter(account=self.account.currentData() or None, campaign_id=self.campaign.currentData() or None,
                           since=since, until=until)

    def set_preset(self, key: str) -> None:
        self.preset.setCurrentIndex(self.preset.findData(key))

    def _preset_changed(self) -> None:
        key = self.preset.currentData()
        custom = key == presets.CUSTOM
        shown = presets.preset_range(key, self.today()) if key not in (presets.ALL, presets.CUSTOM) else None
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(True)
        if shown is not None:  # the edits show the preset's days; Custom starts from them
            self.date_from.setDate(_qdate(shown[0]))
            self.date_to.setDate(_qdate(shown[1]))
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(False)
            edit.setEnabled(custom)
            edit.setVisible(key != presets.ALL)
        self.preset.setToolTip(presets.range_text(*shown) if shown else "Which days to show (the platforms' own days)")
        self.reload()

    def _dates_edited(self) -> None:
        if self.preset.currentData() == presets.CUSTOM:
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
        if self.preset.currentData() == presets.ALL:
            self.date_from.hide()
            self.date_to.hide()
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
            self.account.setItemData(self.account.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
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
            label = f"{row.name or row.campaign_id} · {row.account}"
            self.campaign.addItem(label, row.campaign_id)
            self.campaign.setItemData(self.campaign.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        self.campaign.setCurrentIndex(max(0, self.campaign.findData(current)) if current else 0)
        self.campaign.blockSignals(False)
        self.pages.setTabText(1, f"Campaigns ({len(rows):,})")

    def reload(self) -> None:
        filters = self.filters()
        if self.model.rows:
            self.progress.show()  # the rows stay until the new ones replace them
        else:
            self.overlay.show_over("Loading daily stats…")
        self.model.load(filters)
        self._task(lambda s, f: s.data.summary(f), self._summary, filters)
        self._chart_stale = True
        if self.pages.currentIndex() == 2:
            self._load_chart()

    def _page_changed(self, index: int) -> None:
        if index == 2 and self._chart_stale and self.has_loaded:
            self._load_chart()

    def _load_chart(self) -> None:
        """Read the chart's series (one totals query per day) only while the chart is shown."""
        self._chart_stale = False
        self._chart_generation += 1
        generation = self._chart_generation
        filters = self.filters()
        totals = self.summary.totals if self.summary else ()
        hint = max(totals, key=lambda t: t.rows).currency if totals else None  # the currency with most rows
        self.chart.set_series(None, "Loading…")

        def done(series: Series) -> None:
            if generation == self._chart_generation:
                self.series = series
                self.chart_note.setText(series.note or ("Days without synced rows are gaps, not zeros."
                                                        if series.points else ""))
                self.chart.set_series(series)

        def failed(exc: Exception) -> None:
            if generation == self._chart_generation:
                self.chart.set_series(None, f"Could not read the chart's data: {one_line(exc)}")

        # one totals query per day (~1-2 s on 200,000 rows): the slow lane, so pages of rows never wait for it
        self.ctx.workers.run(read_series, self.ctx.services, filters, hint, lane="slow", owner=self, on_done=done,
                             on_error=failed)

    def _page_loaded(self) -> None:
        self.overlay.hide()
        self.progress.hide()
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
            values = {"date": "Total", "account": f"{total.rows:,} rows", "campaign": total.currency or "no currency",
                      "impressions": fmt.fmt_int(total.impressions), "clicks": fmt.fmt_int(total.clicks),
                      "cost": money_text(total.cost), "conversions": fmt.fmt_number(total.conversions),
                      "conversion_value": money_text(total.conversion_value)}
            tips = {"cost": money_tooltip(total.cost), "conversion_value": money_tooltip(total.conversion_value),
                    "campaign": f"Totals of the rows in {total.currency or 'no currency'} (currencies are never "
                                "added together)"}
            for column, (key, _) in enumerate(STAT_COLUMNS):
                item = QTableWidgetItem(values[key])
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                if key in tips:
                    item.setToolTip(tips[key])
                if key in NUMERIC:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.totals.setItem(row, column, item)
        height = self.totals.verticalHeader().defaultSectionSize()
        self.totals.setFixedHeight(max(1, len(totals)) * height + 4)
        self.totals.setVisible(bool(totals))
        self.fitter.schedule()

    def _stat_texts(self, column: int) -> list[str]:
        """A column's loaded texts and its totals, for the widths (totals are never elided)."""
        key = STAT_COLUMNS[column][0]
        texts = [stat_text(row, key) for row in self.model.rows[:400]]
        totals = self.totals
        texts += [item.text() for r in range(totals.rowCount()) if (item := totals.item(r, column)) is not None]
        return texts

    def _campaign_texts(self, column: int) -> list[str]:
        key = CAMPAIGN_COLUMNS[column][0]
        index = self.campaigns_model.index
        return [str(self.campaigns_model.data(index(r, column)) or "") for r in range(min(400, len(
            self.campaigns_model.rows)))] if key else []

    def _sync_totals_columns(self) -> None:
        header = self.table.horizontalHeader()
        for column in range(len(STAT_COLUMNS)):
            self.totals.setColumnHidden(column, header.isSectionHidden(column))
            self.totals.setColumnWidth(column, header.sectionSize(column))

    def _update_count(self) -> None:
        total = self.summary.rows if self.summary else None
        shown = len(self.model.rows)
        if total == 0:
            self.count.setText("No daily stats yet: they appear after the first successful sync"
                               if self.filters().is_empty else "No daily stats match these filters")
        elif total is None:
            self.count.setText(f"{shown:,} rows loaded")
        else:
            self.count.setText(f"{total:,} daily rows match (newest day first) · {shown:,} loaded · money in the "
                               "account's currency, rounded to its smallest unit (hover for the exact amount)")
        self.empty.say("" if total != 0 or shown else
                       "No daily stats yet. After an account's first successful sync, its campaigns' spend, clicks "
                       "and conversions per day are listed here." if self.filters().is_empty else
                       "No daily stats match these filters. Try another date range or “Any account”.")
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

