"""The Dashboard tab: metric cards for a period (with the change vs the previous one), charts, health cards for
accounts, the database and the scheduler, and the live activity feed.

Everything comes from one `services.metrics.dashboard()` snapshot read in a worker; finished runs (and other changes)
trigger a debounced refresh. Nothing is estimated or invented: a period without runs says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop.domain import AccountCard, ActivityLine, DashboardSnapshot, PeriodComparison
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.dashboard.charts import DurationChart, RowsChart, RunsChart, apply_series
from autosync_desktop.gui.dashboard.feed import ActivityFeed
from autosync_desktop.gui.dashboard.health_cards import HEALTH_ORDER, AccountHealthCard, DatabaseCard, SchedulerCard
from autosync_desktop.gui.widgets.base_view import BaseView
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.countdown import Ticker
from autosync_desktop.gui.widgets.metric_card import MetricCard

PERIODS = (("24h", "24 h", "last 24 hours"), ("7d", "7 d", "last 7 days"), ("30d", "30 d", "last 30 days"))
CHART_DAYS = {"24h": 14, "7d": 14, "30d": 30}
SPAN_WORDS = {"24h": "24 h", "7d": "7 days", "30d": "30 days"}
REFRESH_DEBOUNCE_MS = 1000
HEALTH_COLUMNS = 3


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    label.setAccessibleName(text)
    return label


class DashboardView(BaseView):
    open_run = Signal(int)
    title = "Dashboard"
    key = "dashboard"
    subject = "the dashboard"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent, debounce_ms=REFRESH_DEBOUNCE_MS, busy_text="Refreshing…")
        self.ctx = ctx
        self.setAccessibleName("Dashboard view")
        self.period = ctx.prefs.period()
        self.snapshot: DashboardSnapshot | None = None
        self.scheduler_error: str | None = None
        self._history_loaded = False
        self._integrity_started = False
        self._account_cards: dict[str, AccountHealthCard] = {}
        self._build()
        bridge = ctx.bridge
        for signal in (bridge.run_finished, bridge.run_queued, bridge.schedule_changed, bridge.account_changed,
                       bridge.scheduler_state, bridge.retention_pruned, bridge.setting_changed):
            signal.connect(self.schedule_refresh)
        bridge.any_event.connect(self.feed.on_event)
        Ticker.instance().tick.connect(self._tick)

    # --- layout ---

    def _build(self) -> None:
        header = QHBoxLayout()
        header.addWidget(_heading("Overview"))
        header.addSpacing(12)
        self.period_group = QButtonGroup(self)
        self.period_buttons: dict[str, QPushButton] = {}
        for key, text, words in PERIODS:
            button = QPushButton(text)
            button.setCheckable(True)
            button.setProperty("segment", True)
            button.setChecked(key == self.period)
            button.setAccessibleName(f"Period: {words}")
            button.setToolTip(f"Show metrics for the {words}")
            self.period_group.addButton(button)
            self.period_buttons[key] = button
            button.clicked.connect(lambda _=False, k=key: self.set_period(k))
            header.addWidget(button)
        header.addStretch(1)
        self.updated = muted("Not loaded yet", "Last updated")
        self.updated.setWordWrap(False)
        self.refresh_button = QPushButton(theme.icon("sync"), "Refresh")
        self.refresh_button.setAccessibleName("Refresh dashboard")
        self.refresh_button.setToolTip("Reload everything on this page (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        header.addWidget(self.busy)
        header.addWidget(self.updated)
        header.addWidget(self.refresh_button)

        self.success = MetricCard("Success rate", good_when_up=True)
        self.total = MetricCard("Total syncs", good_when_up=None)
        self.duration = MetricCard("Average duration", good_when_up=False)
        self.rows = MetricCard("Data points processed", good_when_up=None)
        metrics = QHBoxLayout()
        for card in (self.success, self.total, self.duration, self.rows):
            metrics.addWidget(card, 1)

        self.charts_heading = _heading("Last 14 days")
        self.runs_chart, self.duration_chart, self.rows_chart = RunsChart(), DurationChart(), RowsChart()
        charts = QHBoxLayout()
        for chart in (self.runs_chart, self.duration_chart, self.rows_chart):
            charts.addWidget(chart, 1)

        self.scheduler_card = SchedulerCard()
        self.scheduler_card.pause_all_requested.connect(self._pause_all)
        self.database_card = DatabaseCard()
        self.database_card.check_requested.connect(self.check_integrity)
        self.accounts_empty = muted("No accounts yet: add one in Settings › Accounts, or try the Demo account.",
                                    "No accounts")
        self.health_grid = QGridLayout()
        self.health_grid.setSpacing(8)

        left = QWidget()
        left.setAccessibleName("Dashboard overview")
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 6, 0)
        column.addLayout(header)
        column.addLayout(metrics)
        column.addWidget(self.charts_heading)
        column.addLayout(charts, 1)
        column.addWidget(_heading("System health"))
        column.addLayout(self.health_grid)
        column.addWidget(self.accounts_empty)
        column.addStretch(0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(left)
        scroll.setAccessibleName("Dashboard scroll area")

        self.feed = ActivityFeed()
        self.feed.open_run.connect(self.open_run)
        self.feed.setMinimumWidth(300)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(self.feed)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 340])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(splitter)
        self._layout_health([])

    # --- loading ---

    def set_period(self, period: str) -> None:
        self.period = period
        self.period_buttons[period].setChecked(True)
        self.ctx.prefs.set_period(period)
        self.refresh()

    def load(self) -> None:
        self.ctx.workers.run(self.ctx.services.metrics.dashboard, self.period, fmt.utc_offset_minutes(),
                             CHART_DAYS[self.period], on_done=self._apply, on_error=self.load_failed, owner=self)
        if not self._history_loaded:
            self.ctx.workers.run(self.ctx.services.runs.recent_activity, 100, on_done=self._history, owner=self)
        if not self._integrity_started:
            self.check_integrity()

    def loading_changed(self, loading: bool) -> None:
        self.refresh_button.setEnabled(not loading)
        self._tick()

    def show_error(self, text: str) -> None:
        self._tick()  # "Refresh failed: …" beside the Refresh button

    def _history(self, rows: tuple[ActivityLine, ...]) -> None:
        self._history_loaded = True
        self.feed.load_history(rows)

    def check_integrity(self) -> None:
        self._integrity_started = True
        self.database_card.set_checking()
        self.ctx.workers.run(self.ctx.services.metrics.integrity_check, lane="slow", owner=self,
                             on_done=self.database_card.set_integrity,
                             on_error=lambda exc: self.database_card.set_integrity(None, str(exc)))

    def _pause_all(self, paused: bool) -> None:
        schedules = self.ctx.services.schedules
        self.ctx.workers.run(schedules.pause_all if paused else schedules.resume_all, lane="write", owner=self,
                             on_done=lambda _: self.refresh())

    def set_scheduler_error(self, message: str | None) -> None:
        self.scheduler_error = message
        if self.snapshot is not None:
            self.scheduler_card.update_info(self.snapshot.scheduler, message)

    # --- applying a snapshot ---

    def _apply(self, snap: DashboardSnapshot) -> None:
        self.snapshot = snap
        self._apply_metrics(snap.metrics)
        days = len(snap.charts.days)
        self.charts_heading.setText(f"Last {days} days (times in {fmt.zone_label()})")
        apply_series(self.runs_chart, self.duration_chart, self.rows_chart, snap.charts)
        self.scheduler_card.update_info(snap.scheduler, self.scheduler_error)
        self.database_card.update_info(snap.database)
        self._layout_health(snap.accounts)
        self.load_finished()
        self._tick()

    def _apply_metrics(self, metrics: PeriodComparison) -> None:
        cur, prev = metrics.current, metrics.previous
        words = dict((k, w) for k, _, w in PERIODS)[metrics.period]
        span = SPAN_WORDS[metrics.period]

        def change(now: float | None, before: float | None, kind: str = "relative") -> tuple[str, int]:
            if prev.total_runs == 0:
                return f"no runs in the previous {span}", 0
            if before is None or now is None:
                return f"not measured in the previous {span}", 0
            text, direction = fmt.fmt_change(now, before, kind)
            return f"{text} vs previous {span}", direction

        runs = change(cur.total_runs, prev.total_runs)
        if cur.total_runs == 0:
            for card in (self.success, self.duration, self.rows):
                card.set_metric("—", detail=f"No runs yet in the {words}")
            self.total.set_metric("0", *runs, detail=f"No runs yet in the {words}")
            return
        decided = cur.succeeded + cur.failed
        self.success.set_metric(fmt.fmt_pct(cur.success_rate), *change(cur.success_rate, prev.success_rate, "points"),
                                detail=f"{cur.succeeded:,} of {decided:,} finished runs succeeded" if decided
                                else "No finished runs yet")
        self.total.set_metric(fmt.fmt_int(cur.total_runs), *runs,
                              detail=f"{cur.failed:,} failed · {cur.cancelled:,} cancelled · {cur.skipped:,} skipped")
        self.duration.set_metric(fmt.fmt_duration(cur.avg_duration_s), *change(cur.avg_duration_s, prev.avg_duration_s),
                                 detail="per run that started")
        self.rows.set_metric(fmt.fmt_int(cur.rows_processed), *change(cur.rows_processed, prev.rows_processed),
                             detail="daily-stat rows written")

    def _layout_health(self, accounts: Sequence[AccountCard]) -> None:
        names = {a.name for a in accounts}
        for name in list(self._account_cards):
            if name not in names:
                self._account_cards.pop(name).deleteLater()
        while self.health_grid.count():
            self.health_grid.takeAt(0)
        ordered = sorted(accounts, key=lambda a: (HEALTH_ORDER.index(a.health), a.name.lower()))
        widgets: list[QWidget] = [self.scheduler_card, self.database_card]
        for account in ordered:
            card = self._account_cards.get(account.name)
            if card is None:
                card = self._account_cards[account.name] = AccountHealthCard(account.name)
            card.update_card(account)
            widgets.append(card)
        for index, widget in enumerate(widgets):
            self.health_grid.addWidget(widget, index // HEALTH_COLUMNS, index % HEALTH_COLUMNS)
        for column in range(HEALTH_COLUMNS):
            self.health_grid.setColumnStretch(column, 1)
        self.accounts_empty.setVisible(not accounts and self.snapshot is not None)

    def account_card(self, name: str) -> AccountHealthCard | None:
        return self._account_cards.get(name)

    def _tick(self) -> None:
        self.updated.setText(self.updated_text())
