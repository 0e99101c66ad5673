"""Settings (validated by their declarations in store/settings.py) and start at login."""

from __future__ import annotations

from typing import Any

from autosync_desktop import autostart
from autosync_desktop import events as ev
from autosync_desktop.services.core import START_AT_LOGIN, UserError
from autosync_desktop.store import settings
from autosync_desktop.sync.scheduler import SchedulerService


class SettingsMixin:
    """Reading and writing settings; `general.start_at_login` also writes the OS login entry."""

    bus: ev.EventBus
    scheduler: SchedulerService | None

    def settings(self) -> dict[str, Any]:
        return settings.all_values()

    def get_setting(self, key: str) -> Any:
        return settings.get(key)  # an unknown key raises SettingError, a UserError

    def set_setting(self, key: str, value: Any) -> Any:
        """Validate and store a setting; a bad key or value raises SettingError (a UserError, exit 2)."""
        if key == START_AT_LOGIN:  # the OS entry first, so the setting never claims what the OS refused
            self._apply_start_at_login(settings.spec_for(key).parse(value))
        stored = settings.set_value(key, value)
        if key == "scheduler.paused_all" and self.scheduler is not None:
            self.scheduler.sync_jobs(force=True)
        self.bus.publish(ev.SettingChanged(key=key, value=stored))
        return stored

    # --- start at login -----------------------------------------------------------------------------------
    # The OS entry (autostart.py) is the truth; the `general.start_at_login` setting mirrors what was last asked.

    def start_at_login(self) -> bool:
        """Whether the OS starts AutoSync when the user logs in (reads the entry itself)."""
        try:
            return autostart.is_enabled()
        except autostart.AutostartError as exc:
            raise UserError(str(exc)) from None

    def set_start_at_login(self, enabled: bool) -> str:
        """Write or remove the OS login entry and the setting; returns what happened in plain words."""
        self.set_setting(START_AT_LOGIN, enabled)
        if enabled:
            return f"AutoSync starts minimized when you log in ({autostart.location()})"
        return "AutoSync no longer starts when you log in"

    @staticmethod
    def _apply_start_at_login(enabled: bool) -> None:
        try:
            if enabled:
                autostart.enable()
            else:
                autostart.disable()
        except autostart.AutostartError as exc:
            raise UserError(f"Start at login: {exc}") from None
