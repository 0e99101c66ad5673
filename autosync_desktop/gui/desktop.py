"""Living on the desktop: the tray, closing vs quitting, desktop notifications, and being brought to the front.

`DesktopIntegration` wires a `MainWindow` to:
- the tray (`TrayController`): "Open AutoSync" shows the window, "Quit" quits;
- closing the window: with a tray and `general.close_to_tray` on, the window hides and AutoSync keeps running
  (said once, from the tray); without a tray closing quits, after asking when schedules would stop running;
- desktop notifications: `notifications.set_desktop_sink` gets a function that only emits a signal of a GUI-thread
  QObject (it is called on a notifier thread); they show from the tray, or in the window's banner without one;
- `activate(argv)`: a later launch on the same data dir (single_instance.py) brings the window to the front.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from autosync_desktop.gui.main_window import MainWindow
from autosync_desktop.gui.tray import TrayController

log = logging.getLogger(__name__)

QUIT_TITLE = "Quit AutoSync?"
QUIT_TEXT = "Quit AutoSync? Scheduled syncs won't run until you start it again."
TOLD_KEY = "tray/told_close_to_tray"


def ask_quit(parent: Any, active: int) -> bool:
    detail = f"{active} schedule{'s are' if active != 1 else ' is'} active."
    answer = QMessageBox.question(parent, QUIT_TITLE, f"{QUIT_TEXT}\n\n{detail}",
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


class NotificationRelay(QObject):
    """`sink` may be called from any thread; `received` is emitted in the GUI thread."""

    received = Signal(object)
    _relay = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.closed = False
        self._relay.connect(self._deliver)

    def sink(self, notification: Any) -> None:  # notifier thread: hand over only
        if not self.closed:
            self._relay.emit(notification)

    def _deliver(self, notification: Any) -> None:
        if not self.closed:
            self.received.emit(notification)


class DesktopIntegration(QObject):
    quit_requested = Signal()

    def __init__(self, window: MainWindow, use_tray: bool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.ctx = window.ctx
        self.quitting = False
        self.tray = TrayController(self.ctx, use_tray, self)
        self.tray.open_requested.connect(lambda: self.activate([]))
        self.tray.quit_requested.connect(self.quit)
        self.tray.message.connect(lambda text: window.statusBar().showMessage(text, 10_000))
        self.relay = NotificationRelay(self)
        self.relay.received.connect(self.show_notification)
        self.ctx.services.notifications.set_desktop_sink(self.relay.sink)
        self._told = QSettings(self.ctx.prefs.path, QSettings.Format.IniFormat)
        window.before_close = self.before_close

    def start(self, minimized: bool = False) -> None:
        """Show the window (or, minimized, keep it in the tray; without a tray, show it minimized)."""
        if not minimized:
            self.window.show()
        elif not self.tray.has_tray:
            self.window.showMinimized()
        if not self.window.has_started:
            self.tray.scheduler_starting = True
            self.window.started.connect(self._window_started)
        self.tray.start()

    def _window_started(self) -> None:
        self.tray.scheduler_starting = False
        self.tray.refresh()

    def shutdown(self) -> None:
        if self.relay.closed:
            return
        self.relay.closed = True
        if not self.ctx.closed:
            self.ctx.services.notifications.set_desktop_sink(None)
        self.tray.close()

    # --- front / back ---

    def activate(self, argv: list[str] | None = None) -> None:
        """Bring the window to the front (a later launch with --minimized leaves it where it is)."""
        if argv and "--minimized" in argv:
            return
        window = self.window
        window.show()
        window.setWindowState((window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive)
        window.raise_()
        window.activateWindow()

    def before_close(self) -> bool:
        """The window asks before it closes: False keeps it open (or hides it to the tray)."""
        if self.quitting:
            return True
        snapshot = self.tray.snapshot
        close_to_tray = snapshot.close_to_tray if snapshot is not None else True
        if self.tray.has_tray and close_to_tray:
            self.window.hide()
            self._tell_once()
            return False
        active = self._schedules_that_stop(snapshot)
        if active and not ask_quit(self.window, active):
            return False
        self.quitting = True
        QTimer.singleShot(0, self.quit_requested.emit)
        return True

    def _schedules_that_stop(self, snapshot: Any) -> int:
        """Active schedules that only run while this window runs the scheduler (0 when unknown)."""
        if snapshot is None or snapshot.paused_all or not self.window.runs_scheduler():
            return 0
        return int(snapshot.active_schedules)

    def _tell_once(self) -> None:
        if self._told.value(TOLD_KEY, False, type=bool):
            return
        shown = self.tray.show_message("AutoSync is still running",
                                       "Scheduled syncs keep running in the background. Open AutoSync or quit it "
                                       "from this icon's menu (Settings: \"Close to tray\").")
        if shown:
            self._told.setValue(TOLD_KEY, True)
            self._told.sync()

    def quit(self) -> None:
        """Quit for real: the window closes (scheduler stopped, running syncs cancelled at their next page)."""
        self.quitting = True
        self.shutdown()
        self.window.close()
        self.window.shutdown()  # (close() may not reach a hidden window's closeEvent on every platform)
        self.quit_requested.emit()

    # --- notifications ---

    def show_notification(self, notification: Any) -> None:
        title, body = notification.title, notification.summary
        severity = getattr(notification, "severity", "info")
        if not self.tray.show_message(title, body, severity):
            self.window.notices.add(title, body, severity, getattr(notification, "at", None))


def app_quit() -> None:
    app = QApplication.instance()
    if app is not None:
        app.quit()
