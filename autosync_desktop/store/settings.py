"""Settings declared as data: each key's type, default, bounds and meaning. Stored as JSON in `setting`.

`get` returns the stored value or the default; `set_value` parses text (from the CLI or a form), validates
it against the declaration and raises SettingError naming the key and the allowed values.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from autosync_desktop.errors import UserError
from autosync_desktop.store.models import Setting, utcnow


class SettingError(UserError):
    pass


MAX_TEXT = 2000  # longest text setting (a comma list of e-mail addresses fits; a pasted novel does not)


@dataclass(frozen=True, slots=True)
class SettingSpec:
    key: str
    kind: type  # int | float | bool | str
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    pattern: str | None = None  # str values: a regular expression the whole (stripped) value must match
    hint: str = ""  # what `pattern` means, for the error message
    check: Callable[[Any], str | None] | None = None  # a last check of the parsed value: the problem, or None

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
                value = str(raw).strip() if self.pattern is not None else str(raw)
        except ValueError as exc:
            raise SettingError(f"{self.key}: expected {self.kind.__name__}, got {str(raw)[:40]!r}") from exc
        if isinstance(value, float) and not math.isfinite(value):  # NaN passes every bound check
            raise SettingError(f"{self.key}: expected a finite number, got {str(raw)[:40]!r}")
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise SettingError(f"{self.key}: at most {MAX_TEXT} characters (got {len(value)})")
            if any(ch in value for ch in "\r\n\x00"):
                raise SettingError(f"{self.key}: must be one line (no line breaks or NUL characters)")
        if self.minimum is not None and value < self.minimum:
            raise SettingError(f"{self.key}: must be at least {_num(self.minimum)} (got {_num(value)})")
        if self.maximum is not None and value > self.maximum:
            raise SettingError(f"{self.key}: must be at most {_num(self.maximum)} (got {_num(value)})")
        if self.choices is not None and value not in self.choices:
            raise SettingError(f"{self.key}: must be one of {', '.join(self.choices)} (got {value!r})")
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            got = "" if "://" in value else f" (got {value!r})"  # a refused URL may hold a token: not echoed
            raise SettingError(f"{self.key}: {self.hint or 'not in the expected format'}{got}")
        problem = self.check(value) if self.check is not None else None
        if problem:
            raise SettingError(f"{self.key}: {problem}")
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


# --- notifications (autosync_desktop/notify) ---
NOTIFY_CHANNELS = {"desktop": "desktop (tray) notifications", "email": "email", "slack": "Slack",
                   "webhook": "the signed webhook", "sms": "SMS (Twilio)"}
_NOTIFY_TOGGLES = (
    ("on_failure", True, "a sync fails (once per problem, not per retry)"),
    ("on_recovery", True, "a sync works again after failing, or stale data is fresh again"),
    ("on_success", False, "any sync succeeds"),
    ("on_stale", True, "an account had no successful sync for notify.stale_hours"),
    ("on_sign_in", True, "an account needs you to sign in again"),
)
_HHMM = r"([01]\d|2[0-3]):[0-5]\d"
_EMAIL = r"[^@\s,]+@[^@\s,]+\.[^@\s,]+"
_PHONE = r"\+[1-9]\d{6,14}"
_URL_WITHOUT_TOKEN = (r"(https?://(?![^/?#]*@)(?!.*[?&;](?:access_token|token|key|api_key|apikey|secret|sig|signature"
                      r"|password|auth)=)[^\s]+)?")


def _host_problem(value: str) -> str | None:
    """A host name or address only: a port goes to notify.email.port (a bracketed IPv6 address is fine)."""
    if len(value) > 253:
        return f"a host name has at most 253 characters (got {len(value)})"
    if ":" in value and not (value.startswith("[") and value.endswith("]")):
        return f"give the host only (got {value!r}); set the port with notify.email.port"
    return None


def _moment_problem(value: str) -> str | None:
    """An ISO 8601 time that exists (the pattern lets 2026-13-45T99:99Z through)."""
    if not value:
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a real time; use e.g. 2026-11-28T15:00:00Z"
    return None


_NOTIFY_CHANNEL_SPECS = tuple(
    spec for channel, label in NOTIFY_CHANNELS.items() for spec in (
        SettingSpec(f"notify.{channel}.enabled", bool, channel == "desktop", f"Send notifications by {label}"),
        *(SettingSpec(f"notify.{channel}.{suffix}", bool, default, f"Notify by {label} when {what}")
          for suffix, default, what in _NOTIFY_TOGGLES)))
_NOTIFY_SPECS = (
    *_NOTIFY_CHANNEL_SPECS,
    SettingSpec("notify.stale_hours", int, 24,
                "Warn when an account with an active schedule had no successful sync for this many hours "
                "(0: never)", 0, 24 * 365),
    SettingSpec("notify.min_interval_minutes", int, 60,
                "At most one message per sync schedule and channel in this many minutes; later ones are held and "
                "sent together (0: no limit)", 0, 1440),
    SettingSpec("notify.quiet_start", str, "", "Quiet hours start (local HH:MM, empty: none); messages are held "
                "and sent as one summary when quiet hours end", pattern=f"({_HHMM})?", hint="use HH:MM, e.g. 22:00"),
    SettingSpec("notify.quiet_end", str, "", "Quiet hours end (local HH:MM, e.g. 07:00)", pattern=f"({_HHMM})?",
                hint="use HH:MM, e.g. 07:00"),
    SettingSpec("notify.email.host", str, "", "SMTP server host name, e.g. smtp.example.com",
                pattern=r"[A-Za-z0-9.\-\[\]:]*", hint="a host name such as smtp.example.com", check=_host_problem),
    SettingSpec("notify.email.port", int, 587, "SMTP port (587 for starttls, 465 for ssl, 25 for none)", 1, 65535),
    SettingSpec("notify.email.security", str, "starttls", "SMTP connection security",
                choices=("none", "starttls", "ssl")),
    SettingSpec("notify.email.username", str, "", "SMTP user name (empty: no login); the password goes to the "
                "keyring with 'autosync notify set-secret email'"),
    SettingSpec("notify.email.from", str, "", "Sender address of notification mails", pattern=f"({_EMAIL})?",
                hint="an email address such as autosync@example.com"),
    SettingSpec("notify.email.to", str, "", "Recipients of notification mails (comma-separated)",
                pattern=rf"({_EMAIL}(\s*,\s*{_EMAIL})*)?", hint="email addresses separated by commas"),
    SettingSpec("notify.email.digest", bool, False,
                "Email gets one daily digest (failures, recoveries, stale accounts, totals) instead of single "
                "messages"),
    SettingSpec("notify.email.digest_at", str, "08:00", "Local time of the daily email digest (HH:MM)",
                pattern=_HHMM, hint="use HH:MM, e.g. 08:00"),
    SettingSpec("notify.webhook.url", str, "",
                "Webhook URL that receives signed JSON posts; a URL that embeds a token goes to the keyring instead "
                "('autosync notify set-secret webhook --url')", pattern=_URL_WITHOUT_TOKEN,
                hint="an http(s) URL without a token or password in it; keep a URL that embeds one in the keyring "
                     "with 'autosync notify set-secret webhook --url'"),
    SettingSpec("notify.sms.api_base", str, "https://api.twilio.com", "Twilio API base URL",
                pattern=r"https?://[^\s/]+/?", hint="a base URL such as https://api.twilio.com"),
    SettingSpec("notify.sms.account_sid", str, "", "Twilio Account SID (AC…); the auth token goes to the keyring "
                "with 'autosync notify set-secret sms'", pattern=r"(AC[0-9a-fA-F]{32})?",
                hint="a Twilio Account SID: AC followed by 32 hex digits"),
    SettingSpec("notify.sms.from", str, "", "Twilio sender: a phone number (+15551234567) or a Messaging Service "
                "SID (MG…)", pattern=rf"({_PHONE}|MG[0-9a-fA-F]{{32}})?",
                hint="a phone number in international format (+15551234567) or a Messaging Service SID"),
    SettingSpec("notify.sms.to", str, "", "Phone numbers that get SMS alerts (comma-separated, international format)",
                pattern=rf"({_PHONE}(\s*,\s*{_PHONE})*)?", hint="phone numbers such as +15551234567, "
                "separated by commas"),
)

SPECS: tuple[SettingSpec, ...] = (
    # Mirrors the OS login entry, which is the truth (autosync_desktop/autostart.py); services.settings.set
    # writes both.
    SettingSpec("general.start_at_login", bool, False, "Start AutoSync when you log in"),
    SettingSpec("general.close_to_tray", bool, True,
                "Closing the window keeps AutoSync running in the tray (where there is one), so schedules keep "
                "running"),
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
    # Written by "Pause all for 1 h" (tray); cleared whenever scheduler.paused_all changes (see set_value).
    SettingSpec("scheduler.paused_until", str, "",
                "When a timed pause of all schedules ends by itself (ISO 8601, e.g. 2026-11-28T15:00:00Z; empty: "
                "paused until resumed)", pattern=r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2}))?",
                hint="an ISO 8601 time with its zone, e.g. 2026-11-28T15:00:00Z", check=_moment_problem),
    SettingSpec("sync.run_timeout_minutes", float, 120.0, "A run still going after this long fails", 1, 7 * 1440),
    SettingSpec("sync.initial_history_days", int, 90,
                "Days of history fetched by an account's first sync (platform defaults may be shorter)", 1, 3650),
    SettingSpec("sync.freshness_planner", bool, True,
                "Fetch days by age: today and yesterday every run, the last week once a day, the rest of the lookback "
                "once a week (off: the whole lookback every run)"),
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
    *_NOTIFY_SPECS,
    SettingSpec("api.enabled", bool, False,
                "Serve the local REST API on 127.0.0.1 (bearer token: 'autosync api token') from the process that "
                "runs the scheduler"),
    SettingSpec("api.port", int, 8765, "Port of the local REST API on 127.0.0.1", 1024, 65535),
)
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}

# Keys written by the app itself (not user-editable), shown by `settings list`.
STATE_KEYS = ("retention.last_prune",)
# App-maintained keys not shown by `settings list`: the notifier's state, each channel's last result, which secrets
# the keyring holds (names only: services/keyring_use.py).
INTERNAL_PREFIXES = ("notify.state", "notify.result.", "api.state", "api.token_generation", "keyring.",
                     "scheduler.platform_holds")
KEYRING_INDEX = "keyring.stored"  # the keyring entries this store's secrets live in; [] in a store created new


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
    if key in STATE_KEYS or key.startswith(INTERNAL_PREFIXES):
        return None
    return spec_for(key).default  # raises, listing the known keys, for an unknown one


def get_platform(key: str, platform: str) -> Any:
    """A per-platform override (`key.<platform>`) if set, else the general value."""
    row = Setting.get_or_none(Setting.key == f"{key}.{platform}")
    return json.loads(row.value) if row is not None else get(key)


def set_value(key: str, raw: Any) -> Any:
    value = spec_for(key).parse(raw)
    _write(key, value)
    if key == "scheduler.paused_all":  # any pause or resume replaces a timed pause ("Pause all for 1 h")
        _write("scheduler.paused_until", "")
    return value


def set_state(key: str, value: Any) -> None:
    """Write an app-maintained value (e.g. the last prune) that is not a user setting."""
    if key not in STATE_KEYS and not key.startswith(INTERNAL_PREFIXES):
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
