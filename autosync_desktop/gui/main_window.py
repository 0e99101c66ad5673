"""The main window: the navigation rail and its pages (or the welcome panel), shortcuts, status bar, remembered
geometry and page.

The rail (widgets/nav_rail.py) lists the pages with icons and labels; it is compact (label under the icon) below
`COMPACT_BELOW` px of width so the pages keep their room at 1024 px. The Schedules item carries a badge with the
number of failing schedules (last run failed or interrupted), read on the read lane when the window starts and
again, debounced, after runs finish and schedules or accounts change. The pages live in a QStackedWidget (`pages`,
also reachable as `tabs` for older callers); their keys stay those of `--tab` and the prefs.

Each page is built (and its module imported) when first shown or first asked for (`view(key)`, or the
`dashboard` / `scheduler` / `history` / `data` / `settings` / `insights` properties; `views` builds them all): the
window starts with the shown page only. The stack holds one slot per page from the start, so indices and keys never
move.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from autosync_desktop.domain import AccountInfo, ScheduleInfo
from autosync_desktop.errors import AutoSyncError, one_line
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.banner import NotificationBanner
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.welcome import DEMO_SCHEDULE, WelcomePanel, ensure_demo
from autosync_desktop.gui.widgets.base_view import BaseView
from autosync_desktop.gui.widgets.nav_rail import COMPACT_BELOW, PAGES, NavRail

if TYPE_CHECKING:  # each page's module is imported when the page is first built
    from autosync_desktop.gui.dashboard.view import DashboardView
    from autosync_desktop.gui.data.view import DataView
    from autosync_desktop.gui.history.view import HistoryView
    from autosync_desktop.gui.insights.view import InsightsView
    from autosync_desktop.gui.scheduler.view import SchedulerView
    from autosync_desktop.gui.settings.view import SettingsView

TAB_KEYS = tuple(key for key, _, _ in PAGES)  # dashboard, scheduler, history, data, settings, insights: Ctrl+1 .. 6
FAILING = ("failed", "interrupted")  # a schedule whose last run ended so is failing
BADGE_DEBOUNCE_MS = 400


def failing_count(schedules: Sequence[ScheduleInfo]) -> int:
    """Schedules whose last run failed or was interrupted (the rail's badge)."""
    return sum(1 for schedule in schedules if schedule.last_status in FAILING)


def make_page(key: str, ctx: AppContext) -> BaseView:
    """Import and build one page."""
    if key == "dashboard":
        from autosync_desktop.gui.dashboard.view import DashboardView

        return DashboardView(ctx)
    if key == "scheduler":
        from autosync_desktop.gui.scheduler.view import SchedulerView

        return SchedulerView(ctx)
    if key == "history":
        from autosync_desktop.gui.history.view import HistoryView

        return HistoryView(ctx)
    if key == "data":
        from autosync_desktop.gui.data.view import DataView

        return DataView(ctx)
    if key == "settings":
        from autosync_desktop.gui.settings.view import SettingsView

        return SettingsView(ctx)
    if key == "insights":
        from autosync_desktop.gui.insights.view import InsightsView

        return InsightsView(ctx)
    raise KeyError(key)


class MainWindow(QMainWindow):
    started = Signal()  # the scheduler was started (or failed to) and the first loads were requested

    def __init__(self, ctx: AppContext, start_scheduler: bool = True, remember: bool = True) -> None:
        super().__init__()
        self.ctx = ctx
        self._start_scheduler = start_scheduler
        self._remember = remember
        self._closed = False
        self.has_started = False  # the scheduler was started (or failed to): `started` was emitted
        self.scheduler_error: str | None = None
        # Asked before the window closes (gui/desktop.py: hide to the tray, or confirm quitting); False keeps it.
        self.before_close: Callable[[], bool] | None = None
        self.setWindowTitle("AutoSync Desktop")
        self.setWindowIcon(theme.app_icon())
        self.setAccessibleName("AutoSync Desktop main window")
        fmt.set_display_zone(ctx.prefs.display_zone())

        self._built: dict[str, BaseView] = {}  # the pages built so far (view() builds the others)
        self.pages = QStackedWidget()
        self.pages.setAccessibleName("Pages")
        self._slots: dict[str, tuple[QWidget, QVBoxLayout]] = {}  # one per page in the stack; its page when built
        for key in TAB_KEYS:
            slot = QWidget(self.pages)
            layout = QVBoxLayout(slot)
            layout.setContentsMargins(0, 0, 0, 0)
            self._slots[key] = (slot, layout)
            self.pages.addWidget(slot)
        self.tabs = self.pages  # the name older callers used (currentIndex, setCurrentIndex, currentChanged)
        self.rail = NavRail(PAGES)
        self.rail.current_changed.connect(self.show_tab)
        self.failing = 0  # schedules whose last run failed (the badge); read in a worker
        self._badge_timer = QTimer(self)
        self._badge_timer.setSingleShot(True)
        self._badge_timer.setInterval(BADGE_DEBOUNCE_MS)
        self._badge_timer.timeout.connect(self._count_failing)
        self.welcome = WelcomePanel()
        self.welcome.try_demo.connect(self.try_demo)
        self.welcome.connect_account.connect(self.connect_account)
        theme.make_primary(self.welcome.demo_button)  # the first thing to try: see it work with sample data
        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Main area")
        self.stack.addWidget(self.pages)
        self.stack.addWidget(self.welcome)
        self.notices = NotificationBanner()  # desktop notifications when there is no tray to show them
        central = QWidget()
        row = self._row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.rail)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        notices = QVBoxLayout()
        notices.setContentsMargins(theme.SPACE_M, theme.SPACE_S, theme.SPACE_M, theme.SPACE_XS)
        notices.addWidget(self.notices)
        column.addLayout(notices)
        column.addWidget(self.stack, 1)
        row.addLayout(column, 1)
        self.setCentralWidget(central)

        self.scheduler_status = QLabel("Scheduler: starting…")
        self.scheduler_status.setAccessibleName("Scheduler status")
        self.statusBar().addPermanentWidget(self.scheduler_status)
        self.statusBar().setAccessibleName("Status bar")

        ctx.workers.error.connect(lambda text: self.statusBar().showMessage(f"Error: {text}", 15000))
        ctx.bridge.account_changed.connect(lambda _: self._check_accounts())
        ctx.bridge.scheduler_state.connect(self._scheduler_state)
        for signal in (ctx.bridge.run_finished, ctx.bridge.schedule_changed, ctx.bridge.account_changed):
            signal.connect(self._schedule_badge)
        self.pages.currentChanged.connect(self._tab_changed)
        self._shortcuts()
        self._restore()
        self.pages.setFocus()  # not the rail's first item: its focus ring would look like a second selection

    # --- start / stop ---

    def start(self, demo: bool = False) -> None:
        """Create the demo data if asked, start the scheduler (in a worker), then load the visible tab."""
        if demo:
            self.ctx.workers.run(ensure_demo, self.ctx.services, lane="write", owner=self,
                                 on_done=lambda created: self._after_demo(created, then_start=True),
                                 on_error=lambda exc: self._start_error(exc))
        else:
            self._start_scheduler_then_load()

    def _start_scheduler_then_load(self, first_sync: bool = False) -> None:
        if self._start_scheduler:
            self.ctx.workers.run(self.ctx.services.start_scheduler, lane="write", owner=self,
                                 on_done=lambda _: self._scheduler_started(None, first_sync),
                                 on_error=lambda exc: self._scheduler_started(exc, first_sync))
        else:
            self.scheduler_status.setText("Scheduler: not started (read-only view)")
            self._scheduler_started(None, first_sync)

    def _scheduler_started(self, error: Exception | None, first_sync: bool) -> None:
        if error is not None:
            text = one_line(error)
            self.scheduler_error = text if isinstance(error, AutoSyncError) else f"Could not start: {text}"
            self.scheduler_status.setText("Scheduler: in another process")
            if "dashboard" in self._built:
                self.dashboard.set_scheduler_error(self.scheduler_error)
        elif self._start_scheduler:
            self.scheduler_status.setText("Scheduler: running")
        if first_sync:
            self.ctx.workers.run(self.ctx.services.runs.request, DEMO_SCHEDULE, lane="write", owner=self)
        self._check_accounts()
        self._count_failing()
        self.current_view().refresh()
        if "dashboard" in self._built and self.current_view() is not self.dashboard:
            self.dashboard.refresh()
        self.has_started = True
        self.started.emit()

    def _start_error(self, exc: Exception) -> None:
        self.statusBar().showMessage(f"Could not create the demo data: {one_line(exc)}", 15000)
        self._start_scheduler_then_load()

    def _after_demo(self, created: bool, then_start: bool = False) -> None:
        if then_start:
            self._start_scheduler_then_load(first_sync=created)
        else:
            self.welcome.set_busy("")
            if created:
                self.ctx.workers.run(self.ctx.services.runs.request, DEMO_SCHEDULE, lane="write", owner=self)
            self.refresh_all()
            self._check_accounts()

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._badge_timer.stop()
        if self._remember:
            self.ctx.prefs.set_geometry(self.saveGeometry())
            self.ctx.prefs.set_last_tab(self.current_key())
        self.ctx.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed and self.before_close is not None and not self.before_close():
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)

    def runs_scheduler(self) -> bool:
        """Whether this window runs the scheduler (closing it then stops scheduled syncs)."""
        return self._start_scheduler and self.scheduler_error is None

    # --- navigation ---

    def _shortcuts(self) -> None:
        for index, key in enumerate(TAB_KEYS):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            shortcut.activated.connect(lambda k=key: self.show_tab(k))
        QShortcut(QKeySequence("F5"), self).activated.connect(lambda: self.current_view().refresh())
        QShortcut(QKeySequence("Ctrl+N"), self).activated.connect(self.new_schedule)
        QShortcut(QKeySequence("Ctrl+R"), self).activated.connect(self.sync_selected)

    def _restore(self) -> None:
        geometry = self.ctx.prefs.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        last = self.ctx.prefs.last_tab()
        index = TAB_KEYS.index(last) if last in TAB_KEYS else 0
        self.view(TAB_KEYS[index])
        self.pages.setCurrentIndex(index)
        self.rail.set_current(TAB_KEYS[index])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_rail(self.width())

    def resize(self, *size: Any) -> None:
        """Resize; a narrow size makes the rail compact first, so its wide form never holds the window wider."""
        width = size[0].width() if isinstance(size[0], QSize) else int(size[0])
        self._fit_rail(width)
        super().resize(*size)

    def _fit_rail(self, width: int) -> None:
        """The rail's wide form (labels beside icons) from COMPACT_BELOW px; the narrow one below it. The window's
        minimum width is that of the narrow form plus the page's (the rail starts narrow)."""
        compact = width < COMPACT_BELOW
        if compact != self.rail.compact:
            self.rail.set_compact(compact)
            for layout in (self._row, self.layout()):  # the new minimum width, now
                if layout is not None:
                    layout.activate()

    def current_key(self) -> str:
        return TAB_KEYS[self.pages.currentIndex()]

    def current_view(self) -> BaseView:
        return self.view(self.current_key())

    # --- the pages, built when first needed ---

    def view(self, key: str) -> BaseView:
        """The page `key` ("dashboard", "scheduler", ...), built now if it was not yet."""
        view = self._built.get(key)
        if view is None:
            view = self._built[key] = make_page(key, self.ctx)
            slot, layout = self._slots[key]
            layout.addWidget(view)  # parented to its slot in the stack
            if slot.isVisible():
                view.show()  # at once, not at the next event loop pass
            self._connect(key, view)
        return view

    def is_built(self, key: str) -> bool:
        return key in self._built

    def _connect(self, key: str, view: BaseView) -> None:
        view.message.connect(self._page_message)  # a page's failed load and its other messages
        if key == "dashboard":
            dashboard = cast("DashboardView", view)
            dashboard.open_run.connect(self.open_run)
            dashboard.open_account.connect(self.open_account)
            if self.scheduler_error is not None:
                dashboard.set_scheduler_error(self.scheduler_error)
        elif key == "scheduler":
            cast("SchedulerView", view).open_run.connect(self.open_run)
        elif key == "history":
            cast("HistoryView", view).open_schedule.connect(self.open_schedule)
        elif key == "settings":
            settings = cast("SettingsView", view)
            settings.display_zone_changed.connect(self._display_zone_changed)
            settings.accounts_changed.connect(self._check_accounts)

    def _page_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    @property
    def views(self) -> dict[str, BaseView]:
        """Every page by key (building those not built yet)."""
        return {key: self.view(key) for key in TAB_KEYS}

    @property
    def dashboard(self) -> DashboardView:
        return cast("DashboardView", self.view("dashboard"))

    @property
    def scheduler(self) -> SchedulerView:
        return cast("SchedulerView", self.view("scheduler"))

    @property
    def history(self) -> HistoryView:
        return cast("HistoryView", self.view("history"))

    @property
    def data(self) -> DataView:
        return cast("DataView", self.view("data"))

    @property
    def settings(self) -> SettingsView:
        return cast("SettingsView", self.view("settings"))

    @property
    def insights(self) -> InsightsView:
        return cast("InsightsView", self.view("insights"))

    def show_tab(self, key: str) -> None:
        self.view(key)  # built before it becomes current: never an empty slot on screen
        self.stack.setCurrentWidget(self.pages)
        self.pages.setCurrentIndex(TAB_KEYS.index(key))
        self.rail.set_current(key)

    def _tab_changed(self, index: int) -> None:
        view = self.view(TAB_KEYS[index])  # e.g. tabs.setCurrentIndex() from older callers
        self.rail.set_current(TAB_KEYS[index])
        if self._remember:
            self.ctx.prefs.set_last_tab(TAB_KEYS[index])
        if not view.has_loaded and not view.is_loading():
            view.refresh()

    def refresh_all(self) -> None:
        for view in list(self._built.values()):  # pages not built yet load when first shown
            if view.has_loaded or view is self.current_view():
                view.refresh()

    def new_schedule(self) -> None:
        self.show_tab("scheduler")
        self.scheduler.new_schedule()

    def sync_selected(self) -> None:
        if self.current_key() == "history" and self.history.sync_selected():
            return
        self.scheduler.sync_selected()

    def open_run(self, run_id: int) -> None:
        self.show_tab("history")
        self.history.show_run(run_id)

    def open_schedule(self, name: str) -> None:
        self.show_tab("scheduler")
        self.scheduler.select(name)

    def open_account(self, name: str) -> None:
        self.show_tab("settings")
        self.settings.open_account(name)

    # --- welcome ---

    def _check_accounts(self) -> None:
        self.ctx.workers.run(self.ctx.services.accounts.list, owner=self, on_done=self._accounts_loaded)

    def _accounts_loaded(self, accounts: Sequence[AccountInfo]) -> None:
        if accounts:
            self.stack.setCurrentWidget(self.pages)
            self.rail.set_current(self.current_key())
        else:
            self.stack.setCurrentWidget(self.welcome)
            self.rail.set_current(None)  # the welcome panel is none of the pages

    def showing_welcome(self) -> bool:
        return self.stack.currentWidget() is self.welcome

    def try_demo(self) -> None:
        self.welcome.set_busy("Creating the Demo account and its schedule…")
        self.ctx.workers.run(ensure_demo, self.ctx.services, lane="write", owner=self,
                             on_done=self._after_demo, on_error=self._demo_failed)

    def _demo_failed(self, exc: Exception) -> None:
        self.welcome.set_busy("")
        self.welcome.status.setText(f"Could not create the demo data: {one_line(exc)}")

    def connect_account(self) -> None:
        self.show_tab("settings")
        self.settings.add_account()

    # --- the failing schedules' badge ---

    def _schedule_badge(self, _event: object = None) -> None:
        if not self._closed:
            self._badge_timer.start()

    def _count_failing(self) -> None:
        if self._closed:
            return
        self.ctx.workers.run(self.ctx.services.schedules.list, owner=self, on_done=self._failing_loaded)

    def _failing_loaded(self, schedules: Sequence[ScheduleInfo]) -> None:
        self.failing = failing_count(schedules)
        self.rail.set_badge("scheduler", self.failing, "failing")

    # --- status ---

    def _scheduler_state(self, event: Any) -> None:
        if event.detail:
            self.statusBar().showMessage(f"Scheduler: {event.detail}", 10000)
        if self._start_scheduler and self.scheduler_error is None:
            text = "running" if event.running else "stopped"
            self.scheduler_status.setText(f"Scheduler: {text}" + (" · all paused" if event.paused_all else ""))

    def _display_zone_changed(self) -> None:
        self.refresh_all()

