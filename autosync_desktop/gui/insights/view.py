"""The Insights page: sync analytics of the last 24 hours, 7 days or 30 days, per platform, account and schedule.

Above the tables, four charts of the same period per hour (24h) or day (7d, 30d) (charts.py, from
`services.insights.series`, read in the same worker call), or one plain line when the period has no runs.
One read on the slow lane (`services.insights.period`) fills four tables (tabs): success rate, p50/p95 duration,
rows written, API calls a day, time waited on rate limits and, per account, how far its data is behind, how many
days are still settling and how many are still changing; and the restated days (restated.py's words: which day's
cost, clicks or conversions a platform changed after the day was over, by how much, between which ages).
Every figure has its unit in words; unknown is "—" with a tooltip saying why. Columns fit the width
(history/columns.py: low-priority columns hide first, never a sideways scroll bar). Runs finishing and accounts
or schedules changing refresh it (debounced; while hidden, once it shows again). It reads on the slow
lane, so a 30-day read of a big store never delays the other pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop.domain import Insights, InsightSeries, RunFigures
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.dashboard.flow import ReflowGrid
from autosync_desktop.gui.history.columns import Column, ColumnFitter
from autosync_desktop.gui.history.empty import TableMessage
from autosync_desktop.gui.insights import charts, restated, text
from autosync_desktop.gui.insights.charts import CallsChart, RunsSlotChart, SlotChart, SlowestChart, WaitChart
from autosync_desktop.gui.widgets.base_view import BaseView
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.empty_state import EmptyState

PERIODS = (("24h", "Last 24 hours"), ("7d", "Last 7 days"), ("30d", "Last 30 days"))
FIGURE_HEADERS = ("Runs", "Success", "Typical", "Slowest", "Rows", "API calls", "Rate-limit wait")
FIGURE_TIPS = ("Runs queued in the period", "Share of finished runs that succeeded",
               "Median duration of the finished runs (p50)", "95th percentile duration of the finished runs (p95)",
               "Daily-stat rows written", "API calls a day over the period",
               "Time spent waiting on the platforms' rate limits")
# the figure columns' usual widest content; the least useful hide first when the table is narrow
FIGURE_FIT = (Column("1,234 runs", priority=3), Column("100 % succeeded"), Column("p50 12 min 34 s", priority=4),
              Column("p95 12 min 34 s"), Column("123,456 rows", priority=2), Column("1,234 a day", priority=5),
              Column("1 h 02 min", priority=1))
NAME = Column(stretch=True, floor=120)
ACCOUNT_NAME = Column(cap=180, floor=80, sample="Demo account")


def _figure_cells(f: RunFigures, days: float) -> list[text.Cell]:
    return [text.runs_cell(f), text.success_cell(f), text.duration_cell(f.p50_duration_s, "p50"),
            text.duration_cell(f.p95_duration_s, "p95"), text.rows_cell(f), text.calls_cell(f, days),
            text.wait_cell(f)]


class CellsModel(QAbstractTableModel):
    """Rows of (text, tooltip) cells under fixed headers; the first `names` columns are names (left aligned)."""

    def __init__(self, headers: Sequence[str], tips: Sequence[str], names: int, parent: QObject) -> None:
        super().__init__(parent)
        self.headers = tuple(headers)
        self.tips = tuple(tips)
        self.names = names
        self.rows: list[list[text.Cell]] = []

    def set_rows(self, rows: list[list[text.Cell]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def texts(self, column: int) -> list[str]:
        return [row[column][0] for row in self.rows]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cell_text, tip = self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{cell_text}\n{tip}" if tip and index.column() < self.names else tip or cell_text
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= self.names:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tips[section]
        return None


class Table:
    """One tab: a named table, its model, its column fitter and its empty message."""

    def __init__(self, parent: QWidget, name: str, headers: Sequence[str], tips: Sequence[str],
                 fit: Sequence[Column], names: int | None = None) -> None:
        names = len(headers) - len(FIGURE_HEADERS) if names is None else names
        self.model = CellsModel(headers, tips, names, parent)
        self.view = QTableView(parent)
        self.view.setAccessibleName(name)
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.fitter = ColumnFitter(self.view, fit, self.model.texts)
        self.model.modelReset.connect(self.fitter.schedule)
        self.empty = TableMessage(self.view, f"{name}: nothing to show")

    def show(self, rows: list[list[text.Cell]], empty: str) -> None:
        self.model.set_rows(rows)
        self.empty.say("" if rows else empty)


class InsightsView(BaseView):
    title = "Insights"
    key = "insights"
    subject = "insights"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.insights: Insights | None = None
        self.series: InsightSeries | None = None
        self.setAccessibleName("Insights view")
        self.page_title = QLabel("Insights")
        theme.set_role(self.page_title, "page-title")
        self.page_title.setAccessibleName("Insights title")
        self.period = QComboBox()
        self.period.setAccessibleName("Insights period")
        self.period.setToolTip("Which runs to look at: those queued in this period")
        for key, label in PERIODS:
            self.period.addItem(label, key)
        self.period.currentIndexChanged.connect(lambda _: self.refresh())
        bar = QHBoxLayout()
        bar.setSpacing(theme.SPACE_S)
        bar.addWidget(self.page_title)
        bar.addSpacing(theme.SPACE_S)
        bar.addWidget(self.period)
        bar.addStretch(1)
        bar.addWidget(self.busy)
        self.summary = muted("", "Insights summary")
        self.summary.setProperty("role", "body")
        self.note = muted("“—” is unknown: hover it for why. Restated days: how much a platform changed a day's "
                          "cost, clicks or conversions after the day was over (the latest value against the first "
                          "one stored). Still changing: recent days whose last fetch changed them, so not final yet.",
                          "About these figures")
        self.note.setWordWrap(True)
        self.platforms = Table(self, "Insights per platform", ("Platform", *FIGURE_HEADERS),
                               ("The ad platform", *FIGURE_TIPS), (NAME, *FIGURE_FIT))
        self.accounts = Table(
            self, "Insights per account", ("Account", *FIGURE_HEADERS, "Data behind", "Settling", "Still changing"),
            ("The account (its runs, and its daily data in its own time zone)", *FIGURE_TIPS,
             "Now minus the end of the last complete day of data, in the account's time zone",
             "Recent days every run fetches again, because platforms may still restate them",
             "Days in the platform's restatement window whose last fetch changed them: not final yet"),
            (NAME, *FIGURE_FIT, Column("12 d 23 h behind"), Column("99 days"), Column("99 days")), names=1)
        self.schedules = Table(self, "Insights per schedule", ("Schedule", "Account", *FIGURE_HEADERS),
                               ("The schedule that started the runs", "Its account", *FIGURE_TIPS),
                               (NAME, ACCOUNT_NAME, *FIGURE_FIT))
        self.restated = Table(self, "Restated days", restated.HEADERS, restated.TIPS,
                              (ACCOUNT_NAME, Column("Nov 30"), Column(stretch=True, floor=200),
                               Column("day 28 → day 30")), names=len(restated.HEADERS))
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Insights tables")
        for table, label in ((self.platforms, "Platforms"), (self.accounts, "Accounts"),
                             (self.schedules, "Schedules"), (self.restated, "Restated days")):
            self.tabs.addTab(table.view, label)
        self.tabs.setMinimumHeight(150)  # a few rows stay readable; below that the page scrolls
        self.runs_chart, self.slowest_chart = RunsSlotChart(), SlowestChart()
        self.calls_chart, self.wait_chart = CallsChart(), WaitChart()
        self.charts: tuple[SlotChart, ...] = (self.runs_chart, self.slowest_chart, self.calls_chart, self.wait_chart)
        self.charts_grid = ReflowGrid(210, (4, 2, 1), theme.SPACE_S, name="Insights charts")
        self.charts_grid.set_widgets(list(self.charts))
        self.charts_grid.hide()  # until the first read
        self.charts_note = muted("", "Insights charts note")
        self.charts_note.hide()
        self.charts_empty = EmptyState("", name="Insights charts empty state")
        self.charts_empty.hide()
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(theme.SPACE_S)
        column.addWidget(self.summary)
        column.addWidget(self.charts_grid, 1)  # room to spare goes to the charts and the tables alike
        column.addWidget(self.charts_note)
        column.addWidget(self.charts_empty)
        column.addWidget(self.tabs, 2)
        column.addWidget(self.note)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.SPACE_M, theme.SPACE_M, theme.SPACE_M, theme.SPACE_M)
        layout.setSpacing(theme.SPACE_S)
        layout.addLayout(bar)
        layout.addWidget(self.scroll_area, 1)
        self._stale = False  # something changed while the page was hidden: read again when it shows
        bridge = ctx.bridge
        for signal in (bridge.run_finished, bridge.schedule_changed, bridge.account_changed):
            signal.connect(self._changed)

    def _changed(self, *_: object) -> None:
        """Runs, schedules or accounts changed: re-read now if the page shows, else when it next does (30 days of
        a million runs take most of a second, on the slow lane)."""
        if self.isVisible():
            self.schedule_refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.has_loaded:
            self._stale = False
            self.schedule_refresh()

    def period_key(self) -> str:
        return str(self.period.currentData())

    def set_period(self, key: str) -> None:
        self.period.setCurrentIndex(self.period.findData(key))

    def load(self) -> None:
        period = self.period_key()
        offset = fmt.utc_offset_minutes()  # the display zone's, for the charts' hours and days

        def read(services: Any) -> tuple[Insights, dict[str, str], InsightSeries]:
            found = services.insights.period(period)
            series = services.insights.series(period, offset, now=found.until)  # the same moment as the tables
            return found, {p.name: p.label for p in services.accounts.platforms()}, series

        self.ctx.workers.run(read, self.ctx.services, lane="slow", owner=self, on_done=self._show,
                             on_error=self.load_failed)  # never delays the other pages' reads

    def _show(self, result: tuple[Insights, dict[str, str], InsightSeries]) -> None:
        found, labels, series = result
        self.insights, self.series = found, series
        days = found.days
        label = dict(PERIODS)[found.period.value]
        self.summary.setText(text.summary(found.total, label))
        self._show_charts(series, label)
        empty = "No runs in this period"
        self.platforms.show([[(p.platform_label, ""), *_figure_cells(p.figures, days)] for p in found.platforms],
                            empty)
        self.accounts.show([[(a.account, labels.get(a.platform, a.platform)), *_figure_cells(a.figures, days),
                             text.behind_cell(a), text.settling_cell(a),
                             restated.still_changing_cell(a, labels.get(a.platform, a.platform))]
                            for a in found.accounts], "No accounts yet")
        self.schedules.show([[(s.schedule or "(no schedule)",
                               "Runs started without a schedule" if s.schedule is None else ""),
                              (s.account, labels.get(s.platform, s.platform)), *_figure_cells(s.figures, days)]
                             for s in found.schedules], empty)
        self.restated.show(restated.rows(found.restatements, labels), restated.empty_message(found.accounts, label))
        self.load_finished()

    def _show_charts(self, series: InsightSeries, label: str) -> None:
        """The four charts, or one plain line when the period has no runs ("No runs in the last 7 days")."""
        nothing = not any(slot.runs for slot in series.slots)
        self.charts_empty.setText(f"No runs in the {label[0].lower()}{label[1:]}")
        self.charts_empty.setVisible(nothing)
        self.charts_grid.setVisible(not nothing)
        for chart in self.charts:
            chart.update_series(series)
        self.charts_note.setText(charts.unmeasured_note(series))
        self.charts_note.setVisible(not nothing and bool(self.charts_note.text()))
