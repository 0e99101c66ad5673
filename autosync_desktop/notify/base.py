"""The channel contract: a Channel sends one Notification and says, in plain words, where it went or why not."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from autosync_desktop.errors import USER_ERROR_EXIT, AutoSyncError
from autosync_desktop.notify.messages import Notification

DEFAULT_TIMEOUT_S = 15.0


class DeliveryError(AutoSyncError):
    """A message could not be delivered; `str(exc)` says why and what to change. `retryable` when it may pass
    on a later attempt (network trouble, a 5xx), not when the setup is wrong."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class NotConfigured(DeliveryError):
    """A setting or a keyring secret the channel needs is missing."""

    exit_code = USER_ERROR_EXIT


class Channel(Protocol):
    name: str

    def target(self) -> str:
        """Where messages go, for `notify list` and the window (never a secret)."""
        ...

    def missing(self) -> str | None:
        """What is missing from the setup, with the command that fixes it; None when it can send."""
        ...

    def send(self, message: Notification) -> str:
        """Deliver (blocking, bounded by the channel's timeout); return what happened, e.g. 'Sent to ...'.
        Raises DeliveryError."""
        ...


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    channel: str
    ok: bool
    message: str  # "Sent to ..." or the error in plain words (already redacted)
    at: datetime
    kind: str = ""  # the notification's kind ("test" for a test message)
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "ok": self.ok, "message": self.message, "at": self.at.isoformat(),
                "kind": self.kind, "title": self.title}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeliveryResult:
        return cls(channel=data["channel"], ok=bool(data["ok"]), message=data["message"],
                   at=datetime.fromisoformat(data["at"]), kind=data.get("kind", ""), title=data.get("title", ""))


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_https(url: str, what: str, fix: str) -> None:
    """Refuse to send a secret over plain http (loopback addresses excepted, for local relays and tests)."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)):
        return
    raise NotConfigured(f"{what} must start with https:// (so the secret is not sent in clear text); {fix}")
