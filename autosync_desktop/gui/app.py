"""Starting the window: the QApplication, the main window, and the headless `--screenshot` / `--self-test` modes.

`autosync` (no command) and `autosync gui` call `run()`. A second launch on the same data dir hands over to the
first window and exits (single_instance.py). The store is opened before the window exists; the scheduler is
started in a worker once the window shows (not in --screenshot / --self-test, which only read). With a tray,
closing the window keeps AutoSync running there; quitting (tray menu, or closing without a tray) stops the
scheduler, and running syncs end at their next page, recorded as cancelled (desktop.py).
The window's first frame (startup.py) shows right after the QApplication, before the pages, the charts and the
store are loaded; the real window then opens in its place (not with --minimized).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from autosync_desktop.errors import USER_ERROR_EXIT, AutoSyncError
from autosync_desktop.gui.qt_app import make_app, wait_until

if TYPE_CHECKING:  # heavy Qt modules are imported when the window starts, not at import time
    from PySide6.QtWidgets import QApplication

    from autosync_desktop.gui.context import AppContext
    from autosync_desktop.gui.desktop import DesktopIntegration
    from autosync_desktop.gui.main_window import MainWindow
    from autosync_desktop.gui.single_instance import SingleInstance
    from autosync_desktop.gui.startup import StartupFrame

TABS = ("dashboard", "scheduler", "history", "data", "settings", "insights")


class GuiError(AutoSyncError):
    """The window cannot start; the message says why and what to do."""

    exit_code = USER_ERROR_EXIT


@dataclass
class GuiOptions:
    data_dir: Path | None = None
    demo: bool = False
    screenshot: Path | None = None
    tab: str | None = None
    size: str = "1280x800"
    self_test: bool = False
    minimized: bool = False  # start hidden in the tray (without a tray: a minimized window)
    use_tray: bool | None = None  # None: whatever the desktop offers
    theme: str = "system"  # "light" / "dark": Fusion with AutoSync's palette (also for --screenshot); see theme.py
    # Called once before the store opens (after the first frame): the CLI registers the local API's server there,
    # so that neither it nor the services are imported before the frame shows.
    before_store: Callable[[], None] | None = None


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise GuiError(f"--size: {text!r} is not WIDTHxHEIGHT, e.g. 1280x800") from None
    if not (320 <= width <= 8000 and 240 <= height <= 8000):
        raise GuiError(f"--size: {text} is out of range (320x240 to 8000x8000)")
    return width, height


def _check_display(headless: bool) -> None:
    if headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        return
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise GuiError("No display found (DISPLAY / WAYLAND_DISPLAY are not set). Run AutoSync in a desktop "
                       "session, use 'autosync service' for headless syncing, or set QT_QPA_PLATFORM=offscreen.")


def window_idle(window: MainWindow) -> bool:
    view = window.current_view()
    return (window.ctx.workers.pending == 0 and view.has_loaded and not view.is_loading()
            and (window.dashboard.has_loaded if window.is_built("dashboard") else True))


def run(options: GuiOptions) -> int:
    headless = options.screenshot is not None or options.self_test
    _check_display(headless)
    if options.self_test:
        from autosync_desktop.gui.self_test import self_test

        if options.before_store is not None:
            options.before_store()

        return self_test(options.data_dir)
    if options.tab is not None and options.tab not in TABS:
        raise GuiError(f"--tab: choose one of {', '.join(TABS)}")
    size = parse_size(options.size)
    if options.screenshot is not None:
        folder = Path(options.screenshot).expanduser().absolute().parent
        if not folder.is_dir():  # never create folders the user did not ask for (as root: anywhere)
            raise GuiError(f"--screenshot: the folder {folder} does not exist; create it or choose another path")
    from autosync_desktop.data_dir import default_data_dir  # not the services: they load after the first frame

    app = make_app()
    from autosync_desktop.gui.theme import apply_theme  # already loaded by make_app()

    apply_theme(app, options.theme)
    data_dir = (options.data_dir or default_data_dir()).expanduser()
    instance = None
    if options.screenshot is None:
        _stop_early_on_signals()
        instance = _single_instance(data_dir)
        if instance is None:
            where = "left where it is" if options.minimized else "brought to the front"
            print(f"AutoSync is already running for {data_dir}: handed over to its window ({where}).")
            return 0
    # The first frame shows before the pages, the charts and the store are loaded (startup.py).
    frame = None if options.minimized else _first_frame(data_dir, size, remembered=options.screenshot is None)
    if options.before_store is not None:
        options.before_store()
    from autosync_desktop.gui.context import AppContext
    from autosync_desktop.gui.main_window import MainWindow

    ctx = AppContext.open(data_dir)  # a damaged, locked or foreign store raises a StoreError: one line, exit code
    if options.screenshot is not None:
        return _screenshot(ctx, options, size, frame)
    return _run_window(app, ctx, MainWindow(ctx), instance, options, frame)


def _first_frame(data_dir: Path, size: tuple[int, int], remembered: bool) -> StartupFrame:
    from autosync_desktop.gui.prefs import Prefs
    from autosync_desktop.gui.startup import show_first_frame

    return show_first_frame(size, Prefs(data_dir).geometry() if remembered else None)


def _close_frame(frame: StartupFrame | None) -> None:
    if frame is not None:
        frame.close()
        frame.deleteLater()


def _single_instance(data_dir: Path) -> SingleInstance | None:  # None: another window took over
    from autosync_desktop.gui.single_instance import HandOverFailed, SingleInstance

    instance = SingleInstance(data_dir)
    try:
        return instance if instance.acquire(sys.argv[1:]) else None
    except HandOverFailed as exc:
        raise GuiError(str(exc)) from None


def _run_window(app: QApplication, ctx: AppContext, window: MainWindow, instance: SingleInstance | None,
                options: GuiOptions, frame: StartupFrame | None = None) -> int:
    from autosync_desktop.gui.crash_dialog import CrashHandler
    from autosync_desktop.gui.desktop import DesktopIntegration

    app.setQuitOnLastWindowClosed(False)  # the tray keeps AutoSync running; DesktopIntegration quits
    desktop = DesktopIntegration(window, options.use_tray)
    desktop.quit_requested.connect(app.quit)
    if instance is not None:
        instance.activated.connect(desktop.activate)
    crashes = CrashHandler(lambda: window if window.isVisible() else None, _log_file(ctx.services.data_dir))
    crashes.install()
    ctx.workers.crashed.connect(crashes.report)  # bugs in background tasks open the dialog too
    crashes.message.connect(lambda text: window.statusBar().showMessage(f"Error: {text}", 15000))
    desktop.start(minimized=options.minimized)
    _close_frame(frame)  # the window now stands where the frame was
    window.start(demo=options.demo)
    _quit_on_signals(app, desktop)
    try:
        if _STOP_ASKED.is_set():  # Ctrl-C / SIGTERM while the window was being built: stop as cleanly as later
            return 0
        return app.exec()
    finally:
        crashes.uninstall()
        desktop.shutdown()
        window.shutdown()
        if instance is not None:
            instance.release()


def _log_file(data_dir: Path) -> Path | None:
    try:
        from autosync_desktop import logs
    except ImportError:
        return None
    path = logs.log_dir(data_dir) / logs.LOG_NAME
    return path if path.exists() else None


_STOP_ASKED = threading.Event()


def _stop_early_on_signals() -> None:
    """Ctrl-C / SIGTERM / SIGHUP (the terminal that started us closed) only note that a stop was asked.

    Python runs a signal handler in the main thread between two bytecodes of whatever it was doing, e.g. inside
    a thread pool's `submit` holding that pool's lock; closing the window from the handler then waited for that
    same lock forever (seen: a SIGTERM during a Dashboard refresh hung the window). So the handler only sets a
    flag, and the window stops from its event loop (`_quit_on_signals`), or right after start-up when the
    signal came while it was being built: a logout or a service manager gets a clean stop (exit 0) either way.
    """
    import signal

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_: _STOP_ASKED.set())


def _quit_on_signals(app: QApplication, desktop: DesktopIntegration) -> None:
    """Quit like the tray's Quit (scheduler stopped, running syncs cancelled at their next page), without asking,
    once a stop signal was noted. Qt's event loop never runs Python code by itself: the timer also gives the
    handler its chance to run."""
    from PySide6.QtCore import QTimer

    _stop_early_on_signals()
    timer = QTimer(desktop.window)
    timer.setInterval(250)

    def check() -> None:
        if _STOP_ASKED.is_set():
            timer.stop()
            desktop.quit()
            app.quit()

    timer.timeout.connect(check)
    timer.start()


def _screenshot(ctx: AppContext, options: GuiOptions, size: tuple[int, int], frame: StartupFrame | None = None) -> int:
    from autosync_desktop.gui.main_window import MainWindow

    window = MainWindow(ctx, start_scheduler=False, remember=False)
    window.resize(*size)
    if options.tab:
        window.show_tab(options.tab)
    window.show()
    _close_frame(frame)
    window.start(demo=options.demo)
    try:  # idle for 50 ms in a row: every load it started has been applied and painted
        if not wait_until(lambda: window_idle(window), timeout_s=60, settle_ms=50):
            print("autosync: the window did not finish loading within 60 s; saving what it shows", file=sys.stderr)
        if options.tab and (window.showing_welcome() or window.current_key() != options.tab):
            window.show_tab(options.tab)
            wait_until(lambda: window_idle(window), timeout_s=30, settle_ms=50)
        path = Path(options.screenshot or "screenshot.png")
        if not window.grab().save(str(path)):
            raise GuiError(f"--screenshot: could not write {path}")
        print(f"Saved {path} ({size[0]}x{size[1]}, tab {window.current_key()})")
        return 0
    finally:
        window.shutdown()
