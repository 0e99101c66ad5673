"""Settings declared as data: each key's type, default, bounds and meaning. Stored as JSON in `setting`.

`get` returns the stored value or the default; `set_value` parses text (from the CLI or a form), validates
it against the declaration and raises SettingError naming the key and the allowed values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from autosync_desktop.store.models import Setting, utcnow


class SettingError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class SettingSpec:
    key: str
    kind: type  # int | float | bool | str
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None

    def parse(self, raw: Any) -> Any:
        value: Any
        try:
            if self.kind is bool:
                value = _parse_bool(raw)
            elif self.kind is int:
                value = int(str(raw).strip())
            elif self.kind is float:
                value = float(str(raw).strip())
            else:
                value = str(raw)
        except ValueError as exc:
            raise SettingError(f"{self.key}: expected {self.kind.__name__}, got {raw!r}") from exc
        if self.minimum is not None and value < self.minimum:
            raise SettingError(f"{self.key}: must be at least {_num(self.minimum)} (got {_num(value)})")
        if self.maximum is not None and value > self.maximum:
            raise SettingError(f"{self.key}: must be at most {_num(self.maximum)} (got {_num(value)})")
        if self.choices is not None and value not in self.choices:
            raise SettingError(f"{self.key}: must be one of {', '.join(self.choices)} (got {value!r})")
        return value


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("retry.max_attempts", int, 4, "Attempts per run window before the run fails", 1, 20),
    SettingSpec("retry.base_delay_s", float, 5.0, "First backoff delay for transient errors (seconds)", 0, 3600),
    SettingSpec("retry.max_delay_s", float, 300.0, "Longest backoff delay between attempts (seconds)", 0, 86400),
    SettingSpec("retry.max_rate_limit_wait_s", float, 3600.0,
                "Longest wait for a platform's rate-limit reset inside one run; longer waits defer the run "
                "(seconds)", 0, 86400),
    SettingSpec("scheduler.max_concurrent_runs", int, 3, "Syncs that may run at the same time", 1, 32),
    SettingSpec("scheduler.wake_delay_s", float, 30.0,
                "After the machine wakes up, wait this long (for the network) before catch-up runs", 0, 3600),
    SettingSpec("scheduler.paused_all", bool, False, "All schedules paused"),
    SettingSpec("sync.run_timeout_minutes", float, 120.0, "A run still going after this long fails", 1, 7 * 1440),
    SettingSpec("sync.initial_history_days", int, 90,
                "Days of history fetched by an account's first sync (platform defaults may be shorter)", 1, 3650),
    SettingSpec("http.timeout_s", float, 60.0, "Timeout of one HTTP request to a platform (seconds)", 1, 600),
    SettingSpec("http.requests_per_minute", float, 0.0,
                "Requests per minute per platform, all accounts together (0: no own limit); "
                "http.requests_per_minute.<platform> overrides it for one platform", 0, 100000),
    SettingSpec("http.max_concurrent", int, 4,
                "Concurrent requests per platform; http.max_concurrent.<platform> overrides it", 1, 64),
    SettingSpec("health.probe_minutes", int, 15,
                "Check each account's connection when it had no API activity for this long (0: never)", 0, 1440),
    SettingSpec("retention.runs_days", int, 180, "Keep run history and its log lines this many days", 1, 36500),
    SettingSpec("retention.stats_months", int, 0, "Delete daily stats older than this many months (0: keep all)",
                0, 1200),
)
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}

# Keys written by the app itself (not user-editable), shown by `settings list`.
STATE_KEYS = ("retention.last_prune",)


PER_PLATFORM = ("http.requests_per_minute", "http.max_concurrent")


def spec_for(key: str) -> SettingSpec:
    base, _, platform = key.rpartition(".")
    if base in PER_PLATFORM and platform:
        spec = SPEC_BY_KEY[base]
        return SettingSpec(key, spec.kind, spec.default, f"{spec.description} ({platform})", spec.minimum,
                           spec.maximum, spec.choices)
    try:
        return SPEC_BY_KEY[key]
    except KeyError:
        known = ", ".join(sorted(SPEC_BY_KEY))
        raise SettingError(f"Unknown setting {key!r}. Known settings: {known}") from None


def get(key: str) -> Any:
    row = Setting.get_or_none(Setting.key == key)
    if row is not None:
        return json.loads(row.value)
    if key in STATE_KEYS:
        return None
    return spec_for(key).default  # raises, listing the known keys, for an unknown one


def get_platform(key: str, platform: str) -> Any:
    """A per-platform override (`key.<platform>`) if set, else the general value."""
    row = Setting.get_or_none(Setting.key == f"{key}.{platform}")
    return json.loads(row.value) if row is not None else get(key)


def set_value(key: str, raw: Any) -> Any:
    value = spec_for(key).parse(raw)
    _write(key, value)
    return value


def set_state(key: str, value: Any) -> None:
    """Write an app-maintained value (e.g. the last prune) that is not a user setting."""
    if key not in STATE_KEYS:
        raise SettingError(f"{key!r} is not an app state key")
    _write(key, value)


def _write(key: str, value: Any) -> None:
    (Setting.insert(key=key, value=json.dumps(value), updated_at=utcnow())
     .on_conflict(conflict_target=[Setting.key], update={Setting.value: json.dumps(value),
                                                          Setting.updated_at: utcnow()})
     .execute())


def all_values() -> dict[str, Any]:
    stored = {row.key: json.loads(row.value) for row in Setting.select()}
    values = {spec.key: stored.get(spec.key, spec.default) for spec in SPECS}
    values.update({key: value for key, value in stored.items() if key.rpartition(".")[0] in PER_PLATFORM})
    for key in STATE_KEYS:
        values[key] = stored.get(key)
    return values
