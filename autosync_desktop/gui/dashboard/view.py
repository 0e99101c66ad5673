"""The Dashboard tab: metric cards for a period (with the change vs the previous one), charts, health cards for
accounts, the database and the scheduler, and the live activity feed (one row per run).

Everything comes from one read in a worker (`read_dashboard`: the `services.metrics.dashboard()` snapshot, the
newest page of runs for the feed, and the newest failed run of each unhealthy account); finished runs (and other
changes) trigger a debounced refresh. Nothing is estimated or invented: a period without runs says so, and says
whether the store has runs at all. The cards reflow to the width (4 -> 2 -> 1 columns) and every name is elided
with the full text in a tooltip, so the page never scrolls sideways (1024 x 640 and up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import errors
from autosync_desktop import events as ev
from autosync_desktop.domain import (
    AccountCard,
    DashboardSnapshot,
    Health,
    PeriodComparison,
    RunDetail,
    RunFilter,
    RunRow,
    RunStatus,
    SchedulerInfo,
)
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.dashboard.charts import DurationChart, RowsChart, RunsChart, apply_series
from autosync_desktop.gui.dashboard.elided import ElidedLabel
from autosync_desktop.gui.dashboard.feed import PAGE, ActivityFeed
from autosync_desktop.gui.dashboard.flow import ReflowGrid
from autosync_desktop.gui.dashboard.health_cards import HEALTH_ORDER, AccountHealthCard, DatabaseCard, SchedulerCard
from autosync_desktop.gui.widgets.base_view import BaseView
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.countdown import Ticker
from autosync_desktop.gui.widgets.empty_state import EmptyState
from autosync_desktop.gui.widgets.metric_card import MetricCard
from autosync_desktop.services import Services

PERIODS = (("24h", "24 h", "last 24 hours"), ("7d", "7 d", "last 7 days"), ("30d", "30 d", "last 30 days"))
CHART_DAYS = {"24h": 14, "7d": 14, "30d": 30}
SPAN_WORDS = {"24h": "24 h", "7d": "7 days", "30d": "30 days"}
REFRESH_DEBOUNCE_MS = 1000
SCHEDULER_POLL_MS = 10_000  # "last wake-up N s ago" stays true between refreshes
PROBLEM_HEALTH = (Health.FAILING, Health.DEGRADED, Health.NEEDS_SIGN_IN)
FEED_MIN_WIDTH = 300


@dataclass(frozen=True, slots=True)
class DashboardData:
    snapshot: DashboardSnapshot
    runs: tuple[RunRow, ...]  # the newest runs, newest first (the feed)
    failed: dict[str, RunRow]  # an unhealthy account's newest failed run


def read_dashboard(services: Services, period: str, utc_offset: int, chart_days: int) -> DashboardData:
    """Everything the Dashboard shows except the integrity check (runs in a worker)."""
    snapshot = services.metrics.dashboard(period, utc_offset, chart_days)
    runs = services.runs.page(limit=PAGE).rows
    failed: dict[str, RunRow] = {}
    for account in snapshot.accounts:
        if account.health in PROBLEM_HEALTH:
            try:
                page = services.runs.page(RunFilter(account=account.name,
                                                    statuses=(RunStatus.FAILED, RunStatus.INTERRUPTED)), limit=1)
            except errors.UserError:  # removed meanwhile: its card goes at the next refresh
                continue
            if page.rows:
                failed[account.name] = page.rows[0]
    return DashboardData(snapshot, runs, failed)


def _heading(text: str, role: str = "section") -> QLabel:
    label = QLabel(text)
    theme.set_role(label, role)
    label.setAccessibleName(text)
    return label


class DashboardView(BaseView):
    open_run = Signal(int)
    open_account = Signal(str)  # "Sign in again" / "Open settings" on a health card: Settings › Accounts › name
    title = "Dashboard"
    key = "dashboard"
    subject = "the dashboard"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent, debounce_ms=REFRESH_DEBOUNCE_MS, busy_text="Refreshing…")
        self.ctx = ctx
        self.setAccessibleName("Dashboard view")
        self.period = ctx.prefs.period()
        self.snapshot: DashboardSnapshot | None = None
        self.store_has_runs: bool | None = None
        self.scheduler_error: str | None = None
        self._integrity_started = False
        self._account_cards: dict[str, AccountHealthCard] = {}
        self._failed: dict[str, RunRow] = {}
        self._retry_at: dict[str, datetime] = {}
        self._build()
        bridge = ctx.bridge
        for signal in (bridge.run_finished, bridge.run_queued, bridge.schedule_changed, bridge.account_changed,
                       bridge.scheduler_state, bridge.retention_pruned, bridge.setting_changed):
            signal.connect(self.schedule_refresh)
        bridge.run_finished.connect(self._run_finished)
        bridge.any_event.connect(self.feed.on_event)
        Ticker.instance().tick.connect(self._tick)
        self._scheduler_timer = QTimer(self)
        self._scheduler_timer.setInterval(SCHEDULER_POLL_MS)
        self._scheduler_timer.timeout.connect(self._poll_scheduler)
        self._scheduler_timer.start()

    # --- layout ---

    def _build(self) -> None:
        header = QHBoxLayout()
        header.setSpacing(theme.SPACE_S)
        header.addWidget(_heading("Dashboard", "page-title"))
        header.addSpacing(theme.SPACE_M)
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
        self.updated = ElidedLabel("Not loaded yet", name="Last updated", role="muted")
        self.updated.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.updated.setMinimumWidth(120)  # "Updated 12 s ago" stays readable; longer texts elide
        self.refresh_button = QPushButton(theme.icon("sync"), "Refresh")
        self.refresh_button.setAccessibleName("Refresh dashboard")
        self.refresh_button.setToolTip("Reload everything on this page (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        header.addWidget(self.busy)
        header.addWidget(self.updated, 1)
        header.addWidget(self.refresh_button)

        self.success = MetricCard("Success rate", good_when_up=True)
        self.total = MetricCard("Total syncs", good_when_up=None)
        self.duration = MetricCard("Average duration", good_when_up=False)
        self.rows = MetricCard("Data points processed", good_when_up=None)
        for card in (self.success, self.total, self.duration, self.rows):
            card.change.setWordWrap(True)  # "no runs in the previous 30 days" wraps in a narrow column
            card.title.setWordWrap(True)
        self.metrics_grid = ReflowGrid(135, (4, 2, 1), theme.SPACE_M, name="Metrics")
        self.metrics_grid.set_widgets([self.success, self.total, self.duration, self.rows])

        self.charts_heading = ElidedLabel("Last 14 days", name="Charts", role="section")
        self.runs_chart, self.duration_chart, self.rows_chart = RunsChart(), DurationChart(), RowsChart()
        self.charts_grid = ReflowGrid(250, (3, 2, 1), theme.SPACE_M, name="Charts", span_last=True)
        self.charts_grid.set_widgets([self.runs_chart, self.duration_chart, self.rows_chart])
        # no runs in the charts' days at all: one plain centred line instead of three empty charts
        self.charts_empty = EmptyState("No runs yet", name="Charts empty state")
        self.charts_empty.setMinimumHeight(120)
        self.charts_empty.hide()

        self.scheduler_card = SchedulerCard()
        self.scheduler_card.pause_all_requested.connect(self._pause_all)
        self.database_card = DatabaseCard()
        self.database_card.check_requested.connect(self.check_integrity)
        self.accounts_empty = muted("No accounts yet: add one in Settings › Accounts, or try the Demo account.",
                                    "No accounts")
        self.health_grid = ReflowGrid(260, (4, 3, 2, 1), theme.SPACE_M, name="System health cards")

        left = QWidget()
        left.setAccessibleName("Dashboard overview")
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, theme.SPACE_S, 0)
        column.setSpacing(theme.SPACE_M)
        column.addLayout(header)
        column.addWidget(self.metrics_grid)
        column.addWidget(self.charts_heading)
        column.addWidget(self.charts_grid)
        column.addWidget(self.charts_empty)
        column.addWidget(_heading("System health"))
        column.addWidget(self.health_grid)
        column.addWidget(self.accounts_empty)
        column.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scroll_area.setWidget(left)
        self.scroll_area.setAccessibleName("Dashboard scroll area")

        self.feed = ActivityFeed()
        self.feed.open_run.connect(self.open_run)
        self.feed.log_requested.connect(self._load_log)
        self.feed.setMinimumWidth(FEED_MIN_WIDTH)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.scroll_area)
        self.splitter.addWidget(self.feed)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 340])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.SPACE_M, theme.SPACE_M, theme.SPACE_M, theme.SPACE_M)
        layout.addWidget(self.splitter)
        self._layout_health([])

    # --- loading ---

    def set_period(self, period: str) -> None:
        self.period = period
        self.period_buttons[period].setChecked(True)
        self.ctx.prefs.set_period(period)
        self.refresh()

    def load(self) -> None:
        self.ctx.workers.run(read_dashboard, self.ctx.services, self.period, fmt.utc_offset_minutes(),
                             CHART_DAYS[self.period], on_done=self._apply, on_error=self.load_failed, owner=self)
        if not self._integrity_started:
            self.check_integrity()

    def loading_changed(self, loading: bool) -> None:
        self.refresh_button.setEnabled(not loading)
        self._tick()

    def show_error(self, text: str) -> None:
        self._tick()  # "Refresh failed: …" beside the Refresh button

    def check_integrity(self) -> None:
        self._integrity_started = True
        self.database_card.set_checking()
        self.ctx.workers.run(self.ctx.services.metrics.integrity_check, lane="slow", owner=self,
                             on_done=self.database_card.set_integrity,
                             on_error=lambda exc: self.database_card.set_integrity(None, errors.one_line(exc)))

    def _pause_all(self, paused: bool) -> None:
        schedules = self.ctx.services.schedules
        self.ctx.workers.run(schedules.pause_all if paused else schedules.resume_all, lane="write", owner=self,
                             on_done=lambda _: self.refresh())

    def set_scheduler_error(self, message: str | None) -> None:
        self.scheduler_error = message
        if self.snapshot is not None:
            self.scheduler_card.update_info(self.snapshot.scheduler, message)

    def _poll_scheduler(self) -> None:
        """Re-read the scheduler's state now and then (cheap) while the page is shown."""
        if self.snapshot is None or self.is_loading() or not self.isVisible():
            return
        self.ctx.workers.run(self.ctx.services.metrics.scheduler_info, owner=self, on_done=self._scheduler_info)

    def _scheduler_info(self, info: SchedulerInfo) -> None:
        self.scheduler_card.update_info(info, self.scheduler_error)

    def _load_log(self, run_id: int) -> None:
        self.ctx.workers.run(self.ctx.services.runs.detail, run_id, owner=self,
                             on_done=lambda detail: self._log_loaded(run_id, detail),
                             on_error=lambda exc: self.feed.set_log(run_id, None, errors.one_line(exc)))

    def _log_loaded(self, run_id: int, detail: RunDetail) -> None:
        self.feed.set_log(run_id, detail.events)

    # --- health card actions ---

    def retry(self, account: str, target: str) -> None:
        """"Retry now" on `account`'s card: request a run of `target` (its failed run's schedule, or itself)."""
        self.ctx.workers.run(self.ctx.services.runs.request, target, lane="write", owner=self,
                             on_done=lambda _request: self._retry_done(account, None),
                             on_error=lambda exc: self._retry_done(account, errors.one_line(exc)))

    def _retry_done(self, account: str, error: str | None) -> None:
        card = self._account_cards.get(account)
        if card is not None:
            card.retry_done(error)

    def _run_finished(self, event: ev.RunFinished) -> None:
        if event.retry_at is not None:
            self._retry_at[event.account] = event.retry_at
        elif event.status == RunStatus.SUCCEEDED:
            self._retry_at.pop(event.account, None)

    # --- applying what was read ---

    def _apply(self, data: DashboardData) -> None:
        snap = data.snapshot
        self.snapshot = snap
        self.store_has_runs = bool(data.runs)
        self._failed = data.failed
        self.feed.load_runs(data.runs)
        self._apply_metrics(snap.metrics)
        shown = apply_series(self.runs_chart, self.duration_chart, self.rows_chart, snap.charts)
        self.charts_heading.setText(f"Last {shown} days")
        empty = f"No runs in the last {shown} days" if self.store_has_runs else "No runs yet"
        for chart in (self.runs_chart, self.duration_chart, self.rows_chart):
            chart.set_empty_text(empty)
        nothing = not any(day.runs for day in snap.charts.days)
        self.charts_empty.setText(empty + ("" if self.store_has_runs else ": the charts fill in as syncs run"))
        self.charts_empty.setVisible(nothing)
        self.charts_grid.setVisible(not nothing)
        self.charts_heading.setVisible(not nothing)
        self.scheduler_card.update_info(snap.scheduler, self.scheduler_error)
        self.database_card.update_info(snap.database)
        self._layout_health(snap.accounts)
        self.load_finished()
        self._tick()

    def _apply_metrics(self, metrics: PeriodComparison) -> None:
        cur, prev = metrics.current, metrics.previous
        words = dict((k, w) for k, _, w in PERIODS)[metrics.period]
        span = SPAN_WORDS[metrics.period]

        # nothing to compare with: said once, on the first card, never as a comparison under every card
        alone = (f"no runs in the previous {span} to compare with", 0)

        def change(now: float | None, before: float | None, kind: str = "relative") -> tuple[str, int]:
            if prev.total_runs == 0:
                return "", 0
            if before is None or now is None:
                return f"not measured in the previous {span}", 0
            text, direction = fmt.fmt_change(now, before, kind)
            return f"{text} vs previous {span}", direction

        runs = change(cur.total_runs, prev.total_runs)
        if cur.total_runs == 0:
            none = f"No runs in the {words}" if self.store_has_runs else "No runs yet"
            for card in (self.success, self.duration, self.rows):
                card.set_metric("—", detail=none)
            self.total.set_metric("0", *runs, detail=none)
            return
        decided = cur.succeeded + cur.failed
        rate = alone if prev.total_runs == 0 else change(cur.success_rate, prev.success_rate, "points")
        self.success.set_metric(fmt.fmt_pct(cur.success_rate), *rate,
                                detail=f"{cur.succeeded:,} of {decided:,} finished runs succeeded" if decided
                                else "No finished runs yet")
        self.total.set_metric(fmt.fmt_int(cur.total_runs), *runs,
                              detail=f"{cur.failed:,} failed · {cur.cancelled:,} cancelled · {cur.skipped:,} skipped")
        self.duration.set_metric(fmt.fmt_duration(cur.avg_duration_s), *change(cur.avg_duration_s, prev.avg_duration_s),
                                 detail="per run that started")
        self.rows.set_metric(fmt.fmt_int(cur.rows_processed), *change(cur.rows_processed, prev.rows_processed),
                             detail="rows of daily figures saved")

    def _layout_health(self, accounts: Sequence[AccountCard]) -> None:
        names = {a.name for a in accounts}
        for name in list(self._account_cards):
            if name not in names:
                self._account_cards.pop(name).deleteLater()
        ordered = sorted(accounts, key=lambda a: (HEALTH_ORDER.index(a.health), a.name.lower()))
        widgets: list[QWidget] = [self.scheduler_card, self.database_card]
        for account in ordered:
            card = self._account_cards.get(account.name)
            if card is None:
                card = self._account_cards[account.name] = AccountHealthCard(account.name)
                card.open_account.connect(self.open_account)
                card.open_run.connect(self.open_run)
                card.retry_requested.connect(lambda target, n=account.name: self.retry(n, target))
            card.update_card(account)
            card.set_failed_run(self._failed.get(account.name), self._retry_at.get(account.name))
            widgets.append(card)
        self.health_grid.set_widgets(widgets)
        self.accounts_empty.setVisible(not accounts and self.snapshot is not None)

    def account_card(self, name: str) -> AccountHealthCard | None:
        return self._account_cards.get(name)

    def _tick(self) -> None:
        self.updated.setText(self.updated_text())
        now = datetime.now(UTC)
        self.feed.tick()
        self.scheduler_card.tick(now)
        for card in self._account_cards.values():
            card.tick(now)
