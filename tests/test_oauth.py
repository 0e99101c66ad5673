"""Browser sign-in per RFC 8252 against a loopback token endpoint: PKCE S256, state check, keyring storage."""

from __future__ import annotations

import base64
import hashlib
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from autosync_desktop.services import Services, UserError
from autosync_desktop.store.models import Account
from tests.fakes.server import FakeApi, Reply, Request


class TokenEndpoint(FakeApi):
    def __init__(self) -> None:
        super().__init__()
        self.challenge: str | None = None

    def handle(self, req: Request) -> Reply:
        form = req.form()
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if form.get("grant_type") != "authorization_code" or form.get("code") != "good-code":
            return Reply(400, {"error": "invalid_grant", "error_description": "Bad code"})
        if digest != self.challenge:
            return Reply(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
        if not form.get("redirect_uri", "").startswith("http://127.0.0.1:"):
            return Reply(400, {"error": "invalid_request"})
        return Reply(200, {"access_token": "at-123", "refresh_token": "rt-SECRET-456", "expires_in": 3599})


@pytest.fixture
def svc(tmp_path: Path, memory_keyring):
    services = Services.open(tmp_path / "data")
    yield services
    services.close()


def _browser(fake: TokenEndpoint, code: str = "good-code", state: str | None = None, error: str | None = None):
    """Play the user's browser: read the authorization URL, then follow the redirect back to the app."""
    seen: dict[str, str] = {}

    def on_url(url: str) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        seen.update(query)
        fake.challenge = query["code_challenge"]
        params = {"error": error} if error else {"code": code, "state": state or query["state"]}
        threading.Thread(target=lambda: requests.get(query["redirect_uri"], params=params, timeout=5)).start()

    return on_url, seen


def test_sign_in_stores_the_refresh_token_in_the_keyring(svc: Services, memory_keyring) -> None:
    with TokenEndpoint() as fake:
        svc.accounts.add("google_ads", "Acme", "1234567890", {"token_url": f"{fake.base_url}/token"},
                        {"developer_token": "dev-tok"})
        Account.update(auth_state="needs_sign_in").execute()
        on_url, seen = _browser(fake)
        message = svc.accounts.connect("Acme", on_url=on_url, client_id="cid.apps", client_secret="csecret",
                                      timeout_s=10)
    assert "Signed in" in message
    assert seen["code_challenge_method"] == "S256" and seen["access_type"] == "offline"
    assert seen["redirect_uri"].startswith("http://127.0.0.1:") and len(seen["state"]) >= 20
    assert "adwords" in seen["scope"]
    import json

    creds = json.loads(memory_keyring[("autosync-desktop", "account:Acme")])
    assert creds == {"developer_token": "dev-tok", "client_id": "cid.apps", "client_secret": "csecret",
                     "refresh_token": "rt-SECRET-456"}
    assert json.loads(memory_keyring[("autosync-desktop", "oauth-client:google_ads")])["client_id"] == "cid.apps"
    assert Account.get(Account.name == "Acme").auth_state == "ok"


def test_a_redirect_with_the_wrong_state_is_refused(svc: Services) -> None:
    with TokenEndpoint() as fake:
        svc.accounts.add("linkedin_ads", "Li", "507404993", {"token_url": f"{fake.base_url}/token"})
        on_url, _ = _browser(fake, state="forged")
        with pytest.raises(UserError, match="state mismatch"):
            svc.accounts.connect("Li", on_url=on_url, client_id="x", client_secret="y", timeout_s=10)
        assert fake.calls() == []  # the code was never exchanged


def test_a_refusal_in_the_browser_is_reported(svc: Services) -> None:
    with TokenEndpoint() as fake:
        svc.accounts.add("linkedin_ads", "Li", "507404993", {"token_url": f"{fake.base_url}/token"})
        on_url, _ = _browser(fake, error="access_denied")
        with pytest.raises(UserError, match="refused the sign-in: access_denied"):
            svc.accounts.connect("Li", on_url=on_url, client_id="x", client_secret="y", timeout_s=10)


def test_sign_in_needs_an_oauth_client_and_a_platform_that_has_it(svc: Services) -> None:
    svc.accounts.add("linkedin_ads", "Li", "507404993")
    with pytest.raises(UserError, match="--client-id: no OAuth client for linkedin_ads"):
        svc.accounts.connect("Li", on_url=lambda url: None, timeout_s=1)
    svc.accounts.add("demo", "D")
    with pytest.raises(UserError, match="has no browser sign-in"):
        svc.accounts.connect("D", on_url=lambda url: None, timeout_s=1)


def test_cancel_stops_waiting_for_the_browser(svc: Services) -> None:
    svc.accounts.add("linkedin_ads", "Li", "507404993")
    cancel = threading.Event()
    with pytest.raises(Exception, match="cancelled"):
        svc.accounts.connect("Li", on_url=lambda url: cancel.set(), client_id="x", client_secret="y",
                            timeout_s=30, cancel=cancel)


def test_set_credentials_replaces_a_token_only_when_it_works(svc: Services, memory_keyring, scripted,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses
    import json

    from autosync_desktop.connectors import registry
    from autosync_desktop.connectors.base import ReauthRequired

    svc.accounts.add("scripted", "S")
    with pytest.raises(UserError, match="needs no credentials"):  # a sandbox platform
        svc.accounts.set_credentials("S", {"access_token": "x"})
    # the same scripted platform, but as one that takes a pasted token (like Meta)
    monkeypatch.setitem(registry.PLATFORMS, "scripted",
                        dataclasses.replace(registry.PLATFORMS["scripted"], is_sandbox=False))
    key = ("autosync-desktop", "account:S")
    memory_keyring[key] = json.dumps({"access_token": "old"})
    scripted.failures = [ReauthRequired("token invalid")]
    with pytest.raises(UserError, match=r"did not work .*the old ones are kept"):
        svc.accounts.set_credentials("S", {"access_token": "bad"})
    assert json.loads(memory_keyring[key]) == {"access_token": "old"}
    assert "replaced and checked" in svc.accounts.set_credentials("S", {"access_token": "new"})
    assert json.loads(memory_keyring[key]) == {"access_token": "new"}
    assert Account.get(Account.name == "S").auth_state == "ok"
