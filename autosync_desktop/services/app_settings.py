"""`services.settings`: the declared settings as `SettingSpec` read models (label, unit, help, bounds, value),
reading and writing them (validated by their declarations in store/settings.py), and start at login."""

from __future__ import annotations

from typing import Any

from autosync_desktop import autostart
from autosync_desktop import events as ev
from autosync_desktop.connectors import registry
from autosync_desktop.domain import SettingSpec, SettingType, SettingValue
from autosync_desktop.services.area import Area
from autosync_desktop.services.core import START_AT_LOGIN, UserError
from autosync_desktop.store import settings

LABELS = {
    "retry.max_attempts": "Max attempts", "retry.base_delay_s": "First retry delay",
    "retry.max_delay_s": "Longest retry delay", "retry.max_rate_limit_wait_s": "Longest rate-limit wait",
    "scheduler.max_concurrent_runs": "Max concurrent syncs", "scheduler.wake_delay_s": "Delay after wake-up",
    "scheduler.paused_all": "Pause all schedules", "sync.run_timeout_minutes": "Run time limit",
    "sync.initial_history_days": "First sync history", "http.timeout_s": "Request timeout",
    "http.requests_per_minute": "Requests per minute (all platforms)",
    "http.max_concurrent": "Concurrent requests per platform", "retention.runs_days": "Keep run history",
    "retention.stats_months": "Keep daily stats", "health.probe_minutes": "Connection check after idle",
    "general.start_at_login": "Start at login", "general.close_to_tray": "Close to tray",
    "notify.stale_hours": "Warn about stale data after", "notify.min_interval_minutes": "At most one message per",
    "notify.quiet_start": "Quiet hours from", "notify.quiet_end": "Quiet hours until",
    "notify.email.host": "SMTP server", "notify.email.port": "Port", "notify.email.security": "Security",
    "notify.email.username": "User name", "notify.email.from": "From", "notify.email.to": "To",
    "notify.email.digest": "Daily digest", "notify.email.digest_at": "Digest at",
    "notify.webhook.url": "Webhook URL", "notify.sms.account_sid": "Account SID", "notify.sms.from": "From",
    "notify.sms.to": "To", "notify.sms.api_base": "API base URL",
    "api.enabled": "Local REST API", "api.port": "API port",
}
UNITS = {"_s": " s", "_minutes": " min", "_hours": " h", "_days": " days", "_months": " months"}  # by the key's ending
NOTES = {"scheduler.max_concurrent_runs": "Takes effect the next time AutoSync starts.",
         "api.enabled": "Takes effect within seconds in the window or 'autosync service' (whichever runs the "
                        "scheduler).",
         "api.port": "Takes effect within seconds; a port in use is reported and the API stays off."}
HELP = {"scheduler.paused_all": "No scheduled runs until unticked (Sync now still works)"}
PER_PLATFORM_LABELS = {"http.requests_per_minute": "Requests per minute", "http.max_concurrent": "Concurrent requests"}
TYPES = {bool: SettingType.BOOL, int: SettingType.INT, float: SettingType.FLOAT, str: SettingType.TEXT}


def _platform_of(key: str) -> str | None:
    base, _, platform = key.rpartition(".")
    return platform if base in settings.PER_PLATFORM and platform else None


def _known_platform(name: str) -> bool:
    spec = registry.PLATFORMS.get(name)
    return spec is not None and not spec.is_sandbox


def _label(key: str) -> str:
    platform = _platform_of(key)
    if platform is not None:
        spec = registry.PLATFORMS.get(platform)
        return f"{PER_PLATFORM_LABELS[key.rpartition('.')[0]]} — {spec.label if spec else platform}"
    return LABELS.get(key, key)


def _unit(key: str, kind: type) -> str:
    if kind not in (int, float):
        return ""
    return next((unit for end, unit in UNITS.items() if key.endswith(end)), "")


def _spec(declared: settings.SettingSpec, value: Any) -> SettingSpec:
    return SettingSpec(
        key=declared.key, platform=_platform_of(declared.key), label=_label(declared.key),
        unit=_unit(declared.key, declared.kind),
        help=HELP.get(declared.key, declared.description), note=NOTES.get(declared.key, ""),
        type=TYPES[declared.kind], default=declared.default, minimum=declared.minimum, maximum=declared.maximum,
        choices=declared.choices or (), value=declared.default if value is None else value)


class SettingsService(Area):
    """Reading and writing settings; `general.start_at_login` also writes the OS login entry."""

    def list(self) -> tuple[SettingSpec, ...]:
        """Every declared setting in declaration order, then the per-platform ones of each platform with an API
        (value: its override, else the general value)."""
        values = settings.all_values()
        specs = [_spec(s, values.get(s.key)) for s in settings.SPECS]
        for platform in registry.PLATFORMS.values():
            if not platform.is_sandbox:
                for base in settings.PER_PLATFORM:
                    key = f"{base}.{platform.name}"
                    specs.append(_spec(settings.spec_for(key), values.get(key, values.get(base))))
        return tuple(specs)

    def spec(self, key: str) -> SettingSpec:
        """One setting (a per-platform one too, e.g. `http.requests_per_minute.google_ads`) with its value; an
        unknown key raises SettingError (a UserError) listing the known ones."""
        platform = _platform_of(key)
        if platform is not None:
            return _spec(settings.spec_for(key), settings.get_platform(key.rpartition(".")[0], platform))
        return _spec(settings.spec_for(key), settings.get(key))

    def values(self) -> dict[str, object]:
        """What `settings list` shows: every setting's value (JSON), the per-platform overrides and the app's
        own state (e.g. `retention.last_prune`)."""
        return settings.all_values()

    def get(self, key: str) -> object:
        """A setting's or an app state key's stored value (JSON); an unknown key raises SettingError."""
        value: object = settings.get(key)
        return value

    def value(self, key: str) -> SettingValue:
        """A declared setting's value, typed (for the window and the tray)."""
        return self.spec(key).value

    def set(self, key: str, value: object) -> SettingValue:
        """Validate and store a setting (text is parsed: "on", "30"); returns the value stored. A bad key or
        value raises SettingError (a UserError, exit 2)."""
        platform = _platform_of(key)
        if platform is not None and not _known_platform(platform):
            raise settings.SettingError(
                f"{key}: {platform!r} is not a platform with an API; use one of "
                f"{', '.join(p.name for p in registry.PLATFORMS.values() if not p.is_sandbox)}")
        if key == START_AT_LOGIN:  # the OS entry first, so the setting never claims what the OS refused
            self._apply_start_at_login(settings.spec_for(key).parse(value))
        stored: SettingValue = settings.set_value(key, value)
        scheduler = self.core.scheduler
        if key == "scheduler.paused_all" and scheduler is not None:
            scheduler.sync_jobs(force=True)
        self.core.bus.publish(ev.SettingChanged(key=key, value=stored))
        return stored

    # --- start at login -----------------------------------------------------------------------------------
    # The OS entry (autostart.py) is the truth; the `general.start_at_login` setting mirrors what was last asked.

    @staticmethod
    def start_at_login() -> bool:
        """Whether the OS starts AutoSync when the user logs in (reads the entry itself)."""
        try:
            return autostart.is_enabled()
        except autostart.AutostartError as exc:
            raise UserError(str(exc)) from None

    def set_start_at_login(self, enabled: bool) -> str:
        """Write or remove the OS login entry and the setting; returns what happened in plain words."""
        self.set(START_AT_LOGIN, enabled)
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
