"""Notification settings as typed values, read from the flat `notify.*` settings (declared in store/settings.py).

`NotifyConfig.from_values(values)` takes the mapping `settings.all_values()` returns; a missing key means its
default, so a test can pass only what it cares about. Secrets are not here: they live in the keyring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

CHANNEL_NAMES = ("desktop", "email", "slack", "webhook", "sms")
# Per-channel toggles: notify.<channel>.on_<kind>, and which message kinds each one governs.
TOGGLES = ("failure", "recovery", "success", "stale", "sign_in")
TOGGLE_OF_KIND = {"failure": "failure", "recovery": "recovery", "fresh": "recovery", "success": "success",
                  "stale": "stale", "sign_in": "sign_in"}
DEFAULT_TOGGLES = {"failure": True, "recovery": True, "success": False, "stale": True, "sign_in": True}
SECURITY_CHOICES = ("none", "starttls", "ssl")
TWILIO_API_BASE = "https://api.twilio.com"


def parse_hhmm(text: str) -> time | None:
    """'22:00' -> time(22, 0); '' -> None (off)."""
    text = (text or "").strip()
    if not text:
        return None
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


def split_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


@dataclass(frozen=True, slots=True)
class ChannelRules:
    name: str
    enabled: bool
    toggles: frozenset[str]

    def wants(self, kind: str) -> bool:
        """Whether this channel sends a message of `kind` (summaries and digests follow their parts)."""
        toggle = TOGGLE_OF_KIND.get(kind)
        return toggle is None or toggle in self.toggles


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # across midnight, e.g. 22:00-07:00

    def describe(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class EmailSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"
    username: str = ""
    sender: str = ""
    recipients: tuple[str, ...] = ()
    digest: bool = False
    digest_at: time = time(8, 0)


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    url: str = ""


@dataclass(frozen=True, slots=True)
class SmsSettings:
    api_base: str = TWILIO_API_BASE
    account_sid: str = ""
    sender: str = ""
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    channels: Mapping[str, ChannelRules]
    stale_hours: int = 24
    min_interval: timedelta = timedelta(minutes=60)
    quiet: QuietHours | None = None
    email: EmailSettings = field(default_factory=EmailSettings)
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> NotifyConfig:
        def get(key: str, default: Any) -> Any:
            value = values.get(key)
            return default if value is None else value

        channels = {}
        for name in CHANNEL_NAMES:
            toggles = frozenset(t for t in TOGGLES if get(f"notify.{name}.on_{t}", DEFAULT_TOGGLES[t]))
            channels[name] = ChannelRules(name, bool(get(f"notify.{name}.enabled", name == "desktop")), toggles)
        start, end = parse_hhmm(get("notify.quiet_start", "")), parse_hhmm(get("notify.quiet_end", ""))
        return cls(
            channels=channels,
            stale_hours=int(get("notify.stale_hours", 24)),
            min_interval=timedelta(minutes=int(get("notify.min_interval_minutes", 60))),
            quiet=QuietHours(start, end) if start is not None and end is not None and start != end else None,
            email=EmailSettings(
                host=str(get("notify.email.host", "")).strip(), port=int(get("notify.email.port", 587)),
                security=str(get("notify.email.security", "starttls")),
                username=str(get("notify.email.username", "")).strip(),
                sender=str(get("notify.email.from", "")).strip(),
                recipients=split_list(get("notify.email.to", "")), digest=bool(get("notify.email.digest", False)),
                digest_at=parse_hhmm(get("notify.email.digest_at", "08:00")) or time(8, 0)),
            webhook=WebhookSettings(url=str(get("notify.webhook.url", "")).strip()),
            sms=SmsSettings(api_base=str(get("notify.sms.api_base", TWILIO_API_BASE)).strip() or TWILIO_API_BASE,
                            account_sid=str(get("notify.sms.account_sid", "")).strip(),
                            sender=str(get("notify.sms.from", "")).strip(),
                            recipients=split_list(get("notify.sms.to", ""))),
        )

    def enabled(self) -> list[str]:
        return [name for name, rules in self.channels.items() if rules.enabled]
