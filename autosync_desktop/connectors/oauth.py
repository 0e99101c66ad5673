"""Desktop sign-in per RFC 8252: system browser, loopback redirect on 127.0.0.1, PKCE S256 and a state check.

`LoopbackSignIn` listens on an ephemeral port of 127.0.0.1 (the IP literal, not "localhost", §8.3), builds
the authorization URL, waits (cancellable) for the browser's redirect, checks `state`, and exchanges the code
(with the PKCE verifier) for tokens at the platform's token endpoint; the answer is read by connectors/tokens.py,
which also refreshes the tokens later (RefreshingToken). The OAuth client is the user's own:
a secret shipped inside a desktop app is not confidential (§8.5). Imports stdlib and requests only.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from autosync_desktop.connectors.base import Cancelled, Permanent, ReauthRequired, Transient
from autosync_desktop.connectors.tokens import token_body, token_error

if TYPE_CHECKING:  # http.server (~8 ms) is imported when a sign-in starts
    from http.server import BaseHTTPRequestHandler


@dataclass(frozen=True, slots=True)
class OAuthProvider:
    platform: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    extra_params: dict[str, str] = field(default_factory=dict)
    setup_help: str = ""
    public_client: bool = False  # the app has no secret (Microsoft's desktop apps): none is stored or sent
    shares_client_with: str | None = None  # another platform whose stored OAuth client also works here


PROVIDERS: dict[str, OAuthProvider] = {
    "google_ads": OAuthProvider(
        "google_ads", "https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token",
        ("https://www.googleapis.com/auth/adwords",), {"access_type": "offline", "prompt": "consent"},
        "Create an OAuth client of type 'Desktop app' in Google Cloud Console (APIs & Services > Credentials) "
        "in a project with the Google Ads API enabled."),
    "linkedin_ads": OAuthProvider(
        "linkedin_ads", "https://www.linkedin.com/oauth/v2/authorization",
        "https://www.linkedin.com/oauth/v2/accessToken", ("r_ads_reporting", "r_ads"), {},
        "Create an app at developer.linkedin.com with the Advertising API product, and add "
        "http://127.0.0.1 as an authorized redirect URL (native PKCE must be enabled for the app)."),
    "microsoft_ads": OAuthProvider(
        "microsoft_ads", "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        ("https://ads.microsoft.com/msads.manage", "offline_access"), {"prompt": "select_account"},
        "Register an app in the Azure portal (App registrations, any organizational directory and personal "
        "Microsoft accounts), add the platform 'Mobile and desktop applications' with the redirect URI "
        "http://127.0.0.1 and turn on 'Allow public client flows'; it needs no secret.", public_client=True),
    "ga4": OAuthProvider(
        "ga4", "https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token",
        ("https://www.googleapis.com/auth/analytics.readonly",), {"access_type": "offline", "prompt": "consent"},
        "Create an OAuth client of type 'Desktop app' in Google Cloud Console (APIs & Services > Credentials) "
        "in a project with the Google Analytics Data API enabled (the Google Ads client works too once that API "
        "is enabled in its project).", shares_client_with="google_ads"),
}


_LABELS = {"google_ads": "Google", "linkedin_ads": "LinkedIn", "microsoft_ads": "Microsoft", "ga4": "Google"}


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) per RFC 7636."""
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(48)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


_DONE_PAGE = ("<!doctype html><html><head><meta charset='utf-8'><title>AutoSync Desktop</title></head>"
              "<body style='font-family:sans-serif;margin:3em'><h2>{title}</h2><p>{text}</p></body></html>")


class LoopbackSignIn:
    """One sign-in attempt. Use as a context manager so the listener always closes."""

    def __init__(self, provider: OAuthProvider, client_id: str, client_secret: str | None = None,
                 token_url: str | None = None) -> None:
        self.provider = provider
        self.client_id = client_id
        self.client_secret = None if provider.public_client else client_secret
        self.token_url = token_url or provider.token_url
        self.state = secrets.token_urlsafe(24)
        self.verifier, self.challenge = pkce_pair()
        self._result: dict[str, str] = {}
        self._arrived = threading.Event()
        from http.server import HTTPServer

        self._server = HTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, name="oauth-loopback", daemon=True)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def authorization_url(self) -> str:
        params = {
            "response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.provider.scopes), "state": self.state, "code_challenge": self.challenge,
            "code_challenge_method": "S256", **self.provider.extra_params,
        }
        return f"{self.provider.authorize_url}?{urlencode(params)}"

    def __enter__(self) -> LoopbackSignIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        from http.server import BaseHTTPRequestHandler

        flow = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                if not ({"code", "error", "state"} & query.keys()):
                    self.send_response(404)
                    self.end_headers()
                    return
                ok = "code" in query and query.get("state") == flow.state
                title = "Signed in" if ok else "Sign-in did not complete"
                text = ("You can close this tab and return to AutoSync Desktop." if ok else
                        html.escape(query.get("error_description") or query.get("error") or "state mismatch"))
                body = _DONE_PAGE.format(title=title, text=text).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                if not flow._arrived.is_set():
                    flow._result = query
                    flow._arrived.set()

            def log_message(self, format: str, *args: Any) -> None:  # never log codes
                pass

        return Handler

    def wait_for_code(self, timeout_s: float, cancel: threading.Event | None = None) -> str:
        """Block until the browser comes back (or cancel/timeout); return the authorization code."""
        deadline = timeout_s
        while deadline > 0:
            if self._arrived.wait(min(0.25, deadline)):
                break
            if cancel is not None and cancel.is_set():
                raise Cancelled("sign-in cancelled")
            deadline -= 0.25
        else:
            raise Permanent(f"No answer from the browser within {timeout_s:.0f} s; start the sign-in again")
        result = self._result
        if "error" in result:
            raise Permanent(f"The platform refused the sign-in: {result.get('error_description') or result['error']}")
        if result.get("state") != self.state:
            raise Permanent("The sign-in answer did not match this request (state mismatch); start it again")
        return result["code"]

    def exchange(self, code: str, timeout_s: float = 30.0) -> dict[str, Any]:
        """The authorization code (with the PKCE verifier) for tokens, read like every token answer (tokens.py)."""
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri,
                "client_id": self.client_id, "code_verifier": self.verifier}
        if self.client_secret:
            data["client_secret"] = self.client_secret
        import requests

        try:
            response = requests.post(self.token_url, data=data, timeout=timeout_s)
        except requests.RequestException as exc:
            raise Transient(f"Could not reach the token endpoint: {type(exc).__name__}") from exc
        error = token_error(response, _LABELS.get(self.provider.platform, self.provider.platform))
        if isinstance(error, ReauthRequired):
            raise ReauthRequired(f"The sign-in code was rejected ({error.platform_message}); start the sign-in again",
                                 platform_message=error.platform_message)
        if error is not None:
            raise error
        return token_body(response)
