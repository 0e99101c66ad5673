"""`autosync gui --self-test`: open the window offscreen and check what it depends on, one line per check.

Checks: Qt and fonts, the bundled resources (icons render, desktop entry present; in a frozen build this is
what PyInstaller collected), the store (schema, integrity), the scheduler (every schedule's trigger, who runs
it), the keyring (its state, never prompting, and not opened at all while no secret is stored; a missing keyring
fails only when an account needs credentials), the window
(it opens and loads its dashboard), and last one Demo sync end to end (demo_check: a child process starts the
scheduler on a new temp data dir, syncs, and the store is read back). It never starts the scheduler on the
user's data dir (that could queue catch-up runs) and never writes to the user's store beyond opening it.
Like every view it reads the store, the schedules and the keyring only through the service layer.
The fonts line says whether Latin, CJK and emoji samples render (fonts.py); a script that would show as empty
boxes is a WARN naming the Debian package to install (a FAIL only when even Latin cannot be drawn).
Exit 0 when nothing failed, 1 otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path


def _line(status: str, name: str, text: str) -> str:
    return f"{status:4} {name:9} {text}"


def _check(results: list[str], name: str, fn: Callable[[], tuple[str, str]]) -> None:
    try:
        status, text = fn()
    except Exception as exc:
        status, text = "FAIL", f"{type(exc).__name__}: {exc}"
    line = _line(status, name, text)
    results.append(line)
    print(line, flush=True)


def self_test(data_dir: Path | None) -> int:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QFontDatabase, QGuiApplication

    from autosync_desktop import demo_check, resources
    from autosync_desktop.domain import KeyringStatus
    from autosync_desktop.gui import fonts
    from autosync_desktop.gui.context import AppContext
    from autosync_desktop.gui.main_window import MainWindow
    from autosync_desktop.gui.qt_app import make_app, wait_until

    results: list[str] = []
    make_app()

    def display() -> tuple[str, str]:
        families = QFontDatabase.families()
        platform = QGuiApplication.platformName()
        if not families:
            return "FAIL", f"Qt {pyside_version} on '{platform}' finds no fonts: text would draw as empty boxes"
        return "ok", f"Qt {pyside_version} on '{platform}', {len(families)} font families"

    _check(results, "display", display)
    _check(results, "fonts", lambda: fonts.describe(fonts.check_scripts()))

    def bundled() -> tuple[str, str]:
        from PySide6.QtGui import QIcon

        where = f"{resources.resources_dir()} ({'frozen build' if resources.is_frozen() else 'checkout'})"
        missing = resources.missing_files()
        if missing:
            return "FAIL", f"{where}: missing {', '.join(missing)}"
        blank = [name for name in ("app", *resources.TRAY_ICONS)
                 if QIcon(str(resources.resource_path("icons", f"{name}.svg"))).pixmap(22, 22).isNull()]
        if blank:
            return "FAIL", f"{where}: SVG icons do not render ({', '.join(blank)}): Qt's SVG icon plugin is missing"
        return "ok", f"{where}: app and {len(resources.TRAY_ICONS)} tray icons render, desktop entry present"

    _check(results, "resources", bundled)
    opened: list[AppContext] = []

    def store() -> tuple[str, str]:
        opened.append(AppContext.open(data_dir))
        services = opened[0].services
        info = services.metrics.database_info()
        integrity = services.metrics.integrity_check()
        return "ok" if integrity.ok else "FAIL", f"{info.path} (schema v{info.schema_version}, " \
                                                  f"{info.size_bytes / 1e6:.1f} MB), integrity {integrity.text}"

    _check(results, "store", store)
    if not opened:
        return 1
    ctx = opened[0]
    services = ctx.services

    def scheduler() -> tuple[str, str]:
        bad: list[str] = []
        upcoming: list[datetime] = []
        schedules = services.schedules.list()
        for schedule in schedules:
            check = services.schedules.validate(schedule.frequency, schedule.timezone,
                                                every_minutes=schedule.every_minutes, at=schedule.at,
                                                days=schedule.days, cron=schedule.cron, count=1)
            if not check.ok:
                bad.append(f"{schedule.name}: {'; '.join(check.errors.values())}")
            else:  # the schedule's own next run (anchored where it was created); none while paused
                upcoming.extend(services.schedules.next_runs(schedule.name, 1))
        owner = services.metrics.scheduler_info().owner
        where = f"running in {owner}" if owner else "starts with the window"
        if bad:
            return "FAIL", "invalid schedules: " + "; ".join(bad)
        nxt = min(upcoming).isoformat(timespec="minutes") if upcoming else "none"
        return "ok", f"{len(schedules)} schedule(s), triggers valid, next run {nxt}; {where}"

    _check(results, "scheduler", scheduler)

    def keyring() -> tuple[str, str]:
        state = services.accounts.keyring_state()
        platforms = {platform.name: platform for platform in services.accounts.platforms()}
        needs = [account.name for account in services.accounts.list()
                 if account.platform in platforms and not platforms[account.platform].sandbox]
        if state.status == KeyringStatus.NOT_NEEDED:  # nothing of ours in it: not opened (it could prompt)
            return "ok", "not needed yet (no secrets stored; the keyring is not opened)"
        if state.status == KeyringStatus.AVAILABLE:
            return "ok", f"available ({state.backend})"
        status = "FAIL" if needs else "WARN"
        who = f"; accounts needing credentials: {', '.join(needs)}" if needs else "; only sandbox accounts so far"
        return status, f"{state.status}: {state.message}{who}"

    _check(results, "keyring", keyring)

    def window() -> tuple[str, str]:
        started = time.monotonic()
        win = MainWindow(ctx, start_scheduler=False, remember=False)
        errors: list[str] = []
        ctx.workers.error.connect(errors.append)
        win.resize(1280, 800)
        win.show()
        win.start()
        try:
            loaded = wait_until(lambda: win.dashboard.has_loaded and ctx.workers.pending == 0, timeout_s=30)
            if errors:
                return "FAIL", "errors while loading: " + "; ".join(errors)
            if not loaded:
                return "FAIL", "the dashboard did not load within 30 s"
            return "ok", f"opened and loaded the dashboard in {time.monotonic() - started:.2f} s"
        finally:
            win.shutdown()

    _check(results, "window", window)
    ctx.close()
    # Last, and in a child process on a temp data dir: see demo_check for why.
    _check(results, "demo-sync", demo_check.check)
    failed = sum(line.startswith("FAIL") for line in results)
    print(f"{'FAIL' if failed else 'ok':4} self-test {failed} check(s) failed" if failed else
          "ok   self-test all checks passed", flush=True)
    return 1 if failed else 0
