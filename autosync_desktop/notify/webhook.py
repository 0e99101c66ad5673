"""A generic signed JSON webhook for the user's own automation.

Each message is one POST with a JSON body (see `messages.as_payload`; it also carries `timestamp`) and:
    X-AutoSync-Timestamp: <unix seconds, the same as the body's "timestamp">
    X-AutoSync-Signature: sha256=<hex HMAC-SHA256 of the raw request body, keyed with the shared secret>
A receiver recomputes the HMAC over the exact bytes it received, compares in constant time (`verify`), and
rejects a timestamp older than a few minutes (the timestamp is inside the signed body, so it cannot be
changed without breaking the signature). The secret is in the keyring (`autosync notify set-secret webhook`);
the URL is notify.webhook.url, or the keyring (`set-secret webhook --url`) when it embeds a token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

from autosync_desktop.notify import http
from autosync_desktop.notify.base import DEFAULT_TIMEOUT_S, NotConfigured
from autosync_desktop.notify.messages import Notification, as_payload

SIGNATURE_HEADER = "X-AutoSync-Signature"
TIMESTAMP_HEADER = "X-AutoSync-Timestamp"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str | None) -> bool:
    """What a receiver does: True when `signature` is the header AutoSync computes for `body`."""
    return bool(signature) and hmac.compare_digest(sign(secret, body), str(signature))


class WebhookChannel:
    name = "webhook"

    def __init__(self, url: str | None, secret: str | None, timeout_s: float = DEFAULT_TIMEOUT_S,
                 url_is_secret: bool = False, clock: Callable[[], float] = time.time) -> None:
        self._url = (url or "").strip()
        self._secret = secret or ""
        self._url_is_secret = url_is_secret
        self.timeout_s = timeout_s
        self._clock = clock

    def _where(self) -> str:
        return f"{http.host_of(self._url)} (URL in the keyring)" if self._url_is_secret else self._url

    def target(self) -> str:
        return self._where() if self._url else "not set up"

    def missing(self) -> str | None:
        if not self._url:
            return ("No webhook URL: set notify.webhook.url (or, if the URL embeds a token, store it with "
                    "'autosync notify set-secret webhook --url')")
        if not self._secret:
            return ("No signing secret in the keyring: store one with 'autosync notify set-secret webhook' "
                    "(your receiver checks the X-AutoSync-Signature header with it)")
        return None

    def request(self, message: Notification) -> tuple[bytes, dict[str, str]]:
        """The exact body and headers a message is sent with."""
        stamp = int(self._clock())
        body = json.dumps(as_payload(message) | {"timestamp": stamp}, separators=(",", ":"), sort_keys=True,
                          ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", TIMESTAMP_HEADER: str(stamp),
                   SIGNATURE_HEADER: sign(self._secret, body)}
        return body, headers

    def send(self, message: Notification) -> str:
        problem = self.missing()
        if problem:
            raise NotConfigured(problem)
        if not self._url.startswith(("http://", "https://")):
            raise NotConfigured("notify.webhook.url must start with https:// (or http://)")
        body, headers = self.request(message)
        response = http.post(self._url, data=body, headers=headers, timeout_s=self.timeout_s, what="The webhook")
        if not 200 <= response.status_code < 300:
            raise http.status_error(response, "The webhook")
        return f"Sent to {self._where()} (HTTP {response.status_code}), signed with {SIGNATURE_HEADER}"
