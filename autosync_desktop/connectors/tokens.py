"""OAuth tokens for every OAuth platform: the one token-endpoint reading and the one refresh rule.

`token_error(response, label)` classifies a token endpoint's answer (RFC 6749 §5.2); `token_body` reads a
successful one. `connectors/oauth.py` (the sign-in's code exchange) and `RefreshingToken` both use them.

`RefreshingToken` keeps one account's access token fresh with the refresh-token grant:
- expiry is measured on `time.monotonic()` (never the wall clock, which jumps) from the answer's
  `expires_in`, minus a safety margin, so a token is refreshed before the platform rejects it;
- the grant goes through the account's own HttpClient (pacing, timeouts, retries, instrumentation);
- a refresh token the platform rotates is saved to the keyring at once, through the run's save-credentials
  callback (ConnectorContext.save_credentials); access tokens are never stored and never logged;
- credentials with only a pasted `access_token` use it until the platform rejects it (then: sign in again);
- thread-safe: one lock around reading and refreshing, so parallel requests refresh once.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from autosync_desktop import redaction

from .base import ConnectorContext, ConnectorError, Permanent, RateLimited, ReauthRequired, Transient

if TYPE_CHECKING:  # requests (~60 ms) is imported when the first request is made; the HTTP client (email.utils,
    import requests  # socket: ~35 ms) with the first RefreshingToken, so reading OAuth's providers never loads it

DEFAULT_MARGIN_S = 120.0  # refresh this long before the platform says the token expires
DEFAULT_LIFETIME_S = 3600.0  # when the answer has no usable expires_in
REFRESH_TOKEN_WARN_DAYS = 14


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def token_body(response: requests.Response) -> dict[str, Any]:
    """A successful token answer (its access_token checked by token_error first)."""
    return _json(response)


def token_error(response: requests.Response, label: str) -> ConnectorError | None:
    """None for a usable token answer, else the classified error (`label` names the platform)."""
    status = response.status_code
    body = _json(response)
    if 200 <= status < 300:
        token = body.get("access_token")
        if isinstance(token, str) and token:
            return None
        return Transient(f"{label}'s sign-in service answered without an access token")
    error = body.get("error")
    if isinstance(error, dict):  # a google.rpc-shaped answer
        error = error.get("status") or error.get("message")
    description = body.get("error_description")
    detail = f"{error}: {description}" if error and description else str(error or f"HTTP {status}")
    if error in ("invalid_client", "unauthorized_client"):
        return ReauthRequired(f"{label} rejected the OAuth client id or secret (deleted client or reset secret?) "
                              "— sign in again with valid app credentials", platform_message=detail)
    if error == "invalid_grant" or status in (400, 401):
        return ReauthRequired(f"{label} sign-in expired or was revoked — sign in again", platform_message=detail)
    if status == 429:
        return RateLimited(f"{label}'s sign-in service is throttling token requests", platform_message=detail)
    if status >= 500 or status == 408:
        return Transient(f"{label}'s sign-in service had a temporary problem (HTTP {status})",
                         platform_message=detail)
    return Permanent(f"{label}'s sign-in service refused the token request (HTTP {status}): {detail}",
                     platform_message=detail)


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None


class RefreshingToken:
    """One account's access token, refreshed by the refresh-token grant before it expires."""

    def __init__(self, *, platform: str, label: str, token_url: str, credentials: dict[str, str],
                 ctx: ConnectorContext, margin_s: float = DEFAULT_MARGIN_S, scope: str | None = None) -> None:
        self.label = label
        self.scope = scope  # sent with each refresh where the platform wants it (Microsoft identity platform)
        self.token_url = token_url
        self.ctx = ctx
        self.margin_s = margin_s
        self._credentials = {k: str(v) for k, v in credentials.items() if v is not None}
        self._lock = threading.Lock()
        self.refreshable = bool(self._credentials.get("client_id") and self._credentials.get("refresh_token"))
        # A pasted access token is used until rejected; with a refresh token, a fresh one is asked for.
        self._token: str | None = None if self.refreshable else (self._credentials.get("access_token") or None)
        self._expires_at: float | None = None  # time.monotonic() after which the token is refreshed first
        from .http import HttpClient

        self._http = HttpClient(f"{platform}_oauth", ctx, lambda r: token_error(r, label),
                                headers={"Accept": "application/json"})

    def get(self, *, retry: bool = True) -> str:
        """A usable access token, refreshing first when it is missing or about to expire."""
        with self._lock:
            fresh = self._expires_at is None or time.monotonic() < self._expires_at
            if self._token and fresh:
                return self._token
            return self._refresh(retry=retry)

    def refresh(self, *, retry: bool = True) -> str:
        """A new access token now (after the platform rejected the current one)."""
        with self._lock:
            return self._refresh(retry=retry)

    def close(self) -> None:
        self._http.close()

    def _refresh(self, *, retry: bool) -> str:
        if not self.refreshable:
            raise ReauthRequired(f"The {self.label} access token expired or was rejected, and it cannot be "
                                 "refreshed — sign in again")
        creds = self._credentials
        form = {"grant_type": "refresh_token", "refresh_token": creds["refresh_token"], "client_id": creds["client_id"]}
        if creds.get("client_secret"):  # a public client (native PKCE) has none
            form["client_secret"] = creds["client_secret"]
        if self.scope:
            form["scope"] = self.scope
        body = token_body(self._http.request("POST", self.token_url, retry=retry, data=form))
        self._token = str(body["access_token"])
        redaction.remember([self._token])  # never in a stored or shown error text, even when a platform echoes it
        lifetime = _seconds(body.get("expires_in")) or DEFAULT_LIFETIME_S
        self._expires_at = time.monotonic() + max(0.0, lifetime - self.margin_s)
        rotated = body.get("refresh_token")
        if isinstance(rotated, str) and rotated and rotated != creds["refresh_token"]:
            redaction.remember([rotated])
            creds["refresh_token"] = rotated
            self._save()
        self._warn_if_grant_expiring(body.get("refresh_token_expires_in"))
        return self._token

    def _save(self) -> None:
        """Keep the rotated refresh token: the old one may already be dead at the platform."""
        kept = {k: v for k, v in self._credentials.items() if k not in ("access_token", "access_token_expires_at")}
        try:
            self.ctx.save_credentials(kept)
        except Exception as exc:  # a locked keyring must not fail the sync that is under way
            self.ctx.log("warning", f"{self.label} issued a new refresh token, but it could not be saved to the "
                                    f"keyring ({type(exc).__name__}); sign in again if the next run fails")
            return
        self.ctx.log("info", f"{self.label} issued a new refresh token; it was saved to the keyring")

    def _warn_if_grant_expiring(self, seconds: Any) -> None:
        left = _seconds(seconds)
        if left is not None and left / 86400 < REFRESH_TOKEN_WARN_DAYS:
            self.ctx.log("warning", f"{self.label} sign-in expires in {left / 86400:.0f} day(s) and refreshing "
                                    "does not extend it: sign in again soon")
