"""The main window: the tabs (or the welcome panel), shortcuts, status bar, remembered geometry and tab."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from autosync_desktop.domain import AccountInfo
from autosync_desktop.errors import AutoSyncError, one_line
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.banner import NotificationBanner
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.dashboard.view import DashboardView
from autosync_desktop.gui.data.view import DataView
from autosync_desktop.gui.history.view import HistoryView
from autosync_desktop.gui.scheduler.view import SchedulerView
from autosync_desktop.gui.settings.view import SettingsView
from autosync_desktop.gui.welcome import DEMO_SCHEDULE, WelcomePanel, ensure_demo
from autosync_desktop.gui.widgets.base_view import BaseView

TAB_KEYS = ("dashboard", "scheduler", "history", "data", "settings")  # Ctrl+1 .. Ctrl+5


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

        self.dashboard = DashboardView(ctx)
        self.scheduler = SchedulerView(ctx)
        self.history = HistoryView(ctx)
        self.data = DataView(ctx)
        self.settings = SettingsView(ctx)
        self.views: dict[str, BaseView] = {"dashboard": self.dashboard, "scheduler": self.scheduler,
                                      "history": self.history, "data": self.data, "settings": self.settings}
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Main tabs")
        self.tabs.setDocumentMode(True)
        for index, key in enumerate(TAB_KEYS):
            view = self.views[key]
            self.tabs.addTab(view, view.title)
            self.tabs.setTabToolTip(index, f"{view.title} (Ctrl+{index + 1})")
        self.welcome = WelcomePanel()
        self.welcome.try_demo.connect(self.try_demo)
        self.welcome.connect_account.connect(self.connect_account)
        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Main area")
        self.stack.addWidget(self.tabs)
        self.stack.addWidget(self.welcome)
        self.notices = NotificationBanner()  # desktop notifications when there is no tray to show them
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        notices = QVBoxLayout()
        notices.setContentsMargins(10, 8, 10, 4)
        notices.addWidget(self.notices)
        column.addLayout(notices)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.scheduler_status = QLabel("Scheduler: starting…")
        self.scheduler_status.setAccessibleName("Scheduler status")
        self.statusBar().addPermanentWidget(self.scheduler_status)
        self.statusBar().setAccessibleName("Status bar")

        self.dashboard.open_run.connect(self.open_run)
        self.settings.display_zone_changed.connect(self._display_zone_changed)
        self.settings.accounts_changed.connect(self._check_accounts)
        ctx.workers.error.connect(lambda text: self.statusBar().showMessage(f"Error: {text}", 15000))
        ctx.bridge.account_changed.connect(lambda _: self._check_accounts())
        ctx.bridge.scheduler_state.connect(self._scheduler_state)
        for view in self.views.values():  # a page's failed load and its other messages
            view.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.tabs.currentChanged.connect(self._tab_changed)
        self._shortcuts()
        self._restore()

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
            self.dashboard.set_scheduler_error(self.scheduler_error)
        elif self._start_scheduler:
            self.scheduler_status.setText("Scheduler: running")
        if first_sync:
            self.ctx.workers.run(self.ctx.services.runs.request, DEMO_SCHEDULE, lane="write", owner=self)
        self._check_accounts()
        self.current_view().refresh()
        if self.current_view() is not self.dashboard:
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
        self.tabs.setCurrentIndex(TAB_KEYS.index(last) if last in TAB_KEYS else 0)

    def current_key(self) -> str:
        return TAB_KEYS[self.tabs.currentIndex()]

    def current_view(self) -> BaseView:
        return self.views[self.current_key()]

    def show_tab(self, key: str) -> None:
        self.stack.setCurrentWidget(self.tabs)
        self.tabs.setCurrentIndex(TAB_KEYS.index(key))

    def _tab_changed(self, index: int) -> None:
        view = self.views[TAB_KEYS[index]]
        if self._remember:
            self.ctx.prefs.set_last_tab(TAB_KEYS[index])
        if not view.has_loaded and not view.is_loading():
            view.refresh()

    def refresh_all(self) -> None:
        for view in self.views.values():
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

    # --- welcome ---

    def _check_accounts(self) -> None:
        self.ctx.workers.run(self.ctx.services.accounts.list, owner=self, on_done=self._accounts_loaded)

    def _accounts_loaded(self, accounts: Sequence[AccountInfo]) -> None:
        if accounts:
            self.stack.setCurrentWidget(self.tabs)
        else:
            self.stack.setCurrentWidget(self.welcome)

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

    # --- status ---

    def _scheduler_state(self, event: Any) -> None:
        if event.detail:
            self.statusBar().showMessage(f"Scheduler: {event.detail}", 10000)
        if self._start_scheduler and self.scheduler_error is None:
            text = "running" if event.running else "stopped"
            self.scheduler_status.setText(f"Scheduler: {text}" + (" · all paused" if event.paused_all else ""))

    def _display_zone_changed(self) -> None:
        self.refresh_all()

