"""What every view needs: the services, the background workers, the event bridge and the window prefs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autosync_desktop import events as ev
from autosync_desktop.gui.bridge import Bridge
from autosync_desktop.gui.prefs import Prefs
from autosync_desktop.gui.workers import Workers
from autosync_desktop.services import Services
from autosync_desktop.services.core import expected_error


@dataclass
class AppContext:
    services: Services
    workers: Workers
    bridge: Bridge
    prefs: Prefs

    @classmethod
    def open(cls, data_dir: Path | None = None) -> AppContext:
        """Open the store (kind "gui") and create the GUI-thread helpers. Call in the GUI thread."""
        from autosync_desktop.gui import qt_fixes

        qt_fixes.apply()
        bus = ev.EventBus()
        services = Services.open(data_dir, bus, kind="gui")
        return cls(services, Workers(translate=expected_error), Bridge(bus), Prefs(services.data_dir))

    closed: bool = False

    def close(self) -> None:
        """Stop listening, finish background calls, stop the scheduler (running syncs end at their next page)."""
        if self.closed:
            return
        self.closed = True
        self.bridge.close()
        self.workers.close(wait=True)
        self.services.close()
        self.prefs.sync()
