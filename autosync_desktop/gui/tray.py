"""The tray icon: overall health at a glance (ok / running / attention) and a menu of the common actions.

`TrayController` is a GUI-thread QObject. It keeps a `QMenu` built from `tray_model.tray_state(...)` whether
or not a system tray exists (offscreen, bare X servers and many Linux desktops have none): the window works
without it and tests drive the menu directly. The `QSystemTrayIcon` is created only where a tray exists (and
later, if a tray host appears after login).

Data comes from `tray_model.collect` in a read worker: after bus events (debounced) and every 30 s. Actions run
in the write worker. A timed pause ("Pause all for 1 h") is ended by a timer set to its end (re-checked at least
every minute, so sleep and clock changes are caught) and once at start.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from autosync_desktop.gui import theme
from autosync_desktop.gui import tray_model as model
from autosync_desktop.gui.context import AppContext

log = logging.getLogger(__name__)

REFRESH_MS = 30_000
DEBOUNCE_MS = 400
MAX_RESUME_WAIT_S = 60.0
FALLBACK_ICONS = {"ok": "status-ok", "running": "status-running", "attention": "status-failed"}
MESSAGE_ICONS = {"error": QSystemTrayIcon.MessageIcon.Critical, "warning": QSystemTrayIcon.MessageIcon.Warning}


def tray_icon(state: str) -> QIcon:
    """`resources/icons/tray-<state>.svg` where the installer ships one, else the status dot of that colour."""
    name = f"tray-{state}"
    return theme.icon(name if theme.icon_path(name).exists() else FALLBACK_ICONS[state])


def tray_available() -> bool:
    return QSystemTrayIcon.isSystemTrayAvailable()


class TrayController(QObject):
    changed = Signal(object)  # TrayState, after each refresh
    message = Signal(str)  # what an action did ("Queued 2 syncs"), for the status bar
    open_requested = Signal()
    quit_requested = Signal()

    def __init__(self, ctx: AppContext, use_tray: bool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._use_tray = use_tray  # None: whatever the desktop offers (checked again at each refresh)
        self.scheduler_starting = False  # set while the window starts the scheduler: no red icon for that
        self.snapshot: model.TraySnapshot | None = None
        self.state: model.TrayState | None = None
        self.tray: QSystemTrayIcon | None = None
        self.menu = QMenu()
        self.menu.setAccessibleName("AutoSync tray menu")
        self._entries: tuple[model.MenuEntry, ...] | None = None
        self._closed = False
        self._loading = False
        self._again = False
        self._refresh = QTimer(self)
        self._refresh.setInterval(REFRESH_MS)
        self._refresh.timeout.connect(self.refresh)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self._resume = QTimer(self)
        self._resume.setSingleShot(True)
        self._resume.timeout.connect(self.resume_if_due)
        bridge = ctx.bridge
        for signal in (bridge.run_queued, bridge.run_started, bridge.run_finished, bridge.schedule_changed,
                       bridge.account_changed, bridge.scheduler_state, bridge.setting_changed):
            signal.connect(self._soon)
        self._ensure_tray()
        self._build_menu(model.tray_state(model.TraySnapshot(None, False, None, None, None)))

    # --- lifecycle ---

    def start(self) -> None:
        """End a timed pause that ran out while AutoSync was closed, then load and keep refreshing."""
        self._refresh.start()
        self.resume_if_due()

    def close(self) -> None:
        self._closed = True
        for timer in (self._refresh, self._debounce, self._resume):
            timer.stop()
        if self.tray is not None:
            self.tray.hide()
            self.tray.setContextMenu(None)  # type: ignore[arg-type]
            self.tray.deleteLater()
            self.tray = None
        self.menu.deleteLater()

    @property
    def has_tray(self) -> bool:
        return self.tray is not None and self.tray.isVisible()

    def _ensure_tray(self) -> None:
        wanted = tray_available() if self._use_tray is None else self._use_tray
        if self.tray is not None or not wanted or self._closed:
            return
        self.tray = QSystemTrayIcon(tray_icon(self.state.icon if self.state else "ok"), self)
        self.tray.setContextMenu(self.menu)
        self.tray.setToolTip(self.state.tooltip if self.state else model.APP)
        self.tray.activated.connect(self._activated)
        self.tray.show()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()

    # --- data ---

    def _soon(self, *_: Any) -> None:
        if not self._closed:
            self._debounce.start()

    def refresh(self) -> None:
        if self._closed:
            return
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.ctx.workers.run(model.collect, self.ctx.services, owner=self, on_done=self._apply,
                             on_error=self._failed)

    def _failed(self, exc: Exception) -> None:
        self._loading = False
        log.warning("tray: could not read the status: %s", exc)
        self._next()

    def _apply(self, snapshot: model.TraySnapshot) -> None:
        self._loading = False
        if self._closed:
            return
        if self.scheduler_starting and snapshot.scheduler_owner is None:
            snapshot = replace(snapshot, scheduler_starting=True)
        self.snapshot = snapshot
        state = model.tray_state(snapshot)
        self._ensure_tray()
        self._build_menu(state)
        due = model.seconds_until_due(snapshot)
        if due is None:
            self._resume.stop()
        else:
            self._resume.start(int(min(due, MAX_RESUME_WAIT_S) * 1000))
        self.changed.emit(state)
        self._next()

    def _next(self) -> None:
        if self._again:
            self._again = False
            self.refresh()

    def _build_menu(self, state: model.TrayState) -> None:
        self.state = state
        if self.tray is not None:
            self.tray.setIcon(tray_icon(state.icon))
            self.tray.setToolTip(state.tooltip)
        if state.entries == self._entries:
            return
        self._entries = state.entries
        self.menu.clear()
        for entry in state.entries:
            if entry.separator:
                self.menu.addSeparator()
                continue
            action = QAction(entry.text, self.menu)
            if entry.action is None:
                action.setEnabled(False)
            else:
                action.setData((entry.action, entry.arg))
                action.triggered.connect(lambda _=False, e=entry: self.trigger(e.action, e.arg))
            self.menu.addAction(action)

    def action(self, name: str, arg: Any = None) -> QAction | None:
        """The menu's action for `name` (and `arg`), for tests and keyboard users."""
        for action in self.menu.actions():
            data = action.data()
            if data and data[0] == name and (arg is None or data[1] == arg):
                return action
        return None

    # --- actions ---

    def trigger(self, name: str | None, arg: Any = None) -> None:
        workers, services = self.ctx.workers, self.ctx.services
        if name == "open":
            self.open_requested.emit()
        elif name == "quit":
            self.quit_requested.emit()
        elif name == "cancel":
            workers.run(services.runs.cancel, int(arg), lane="write", owner=self,
                        on_done=lambda result: self._done(f"Run {arg}: {result.word}"), on_error=self._error)
        elif name == "sync_all":
            workers.run(model.sync_all, services, lane="write", owner=self, on_done=self._done, on_error=self._error)
        elif name in ("pause_hour", "pause"):
            workers.run(model.pause_all, services, 1.0 if name == "pause_hour" else None, lane="write", owner=self,
                        on_done=self._done, on_error=self._error)
        elif name == "resume":
            workers.run(model.resume_all, services, lane="write", owner=self, on_done=self._done,
                        on_error=self._error)

    def resume_if_due(self) -> None:
        if self._closed:
            return
        self.ctx.workers.run(model.resume_if_due, self.ctx.services, lane="write", owner=self,
                             on_done=lambda resumed: self._done("The pause ended: all schedules resumed"
                                                                if resumed else None),
                             on_error=self._error)

    def _done(self, text: str | None) -> None:
        if text:
            self.message.emit(str(text))
        self.refresh()

    def _error(self, exc: Exception) -> None:
        self.message.emit(f"Could not do that: {exc}")
        self.refresh()

    # --- messages ---

    def show_message(self, title: str, body: str, severity: str = "info") -> bool:
        """A balloon / desktop notification from the tray icon; False when there is no tray to show it."""
        if not self.has_tray or self.tray is None:
            return False
        icon = MESSAGE_ICONS.get(severity, QSystemTrayIcon.MessageIcon.Information)
        self.tray.showMessage(title, body, icon, 10_000)
        return True
