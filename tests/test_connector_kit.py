"""The connector kit: the one URL rule (at `accounts add`, for every platform), the options parser and id rule,
RefreshingToken against a loopback token endpoint, and the paginators."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop.cli import main
from autosync_desktop.connectors import registry
from autosync_desktop.connectors.base import ConnectorContext, Permanent, ReauthRequired, Transient
from autosync_desktop.connectors.options import IntOption, TextOption, numeric_id, parse_options
from autosync_desktop.connectors.paging import next_url_pages, start_count_pages, stream_pages, token_pages
from autosync_desktop.connectors.tokens import RefreshingToken
from autosync_desktop.connectors.urls import UrlRefused, checked_url, is_loopback
from tests.fakes.server import FakeApi, Reply, Request

PLATFORM_IDS = {"google_ads": "123-456-7890", "meta_ads": "act_1234", "linkedin_ads": "507404993", "demo": "d1",
                "ga4": "123456789", "microsoft_ads": "151000820", "tiktok_ads": "7000000000000000001",
                "x_ads": "18ce54d4x5t"}
REQUIRED_OPTIONS = {"microsoft_ads": ("customer_id=253000001",)}  # options an account of the platform must have


def test_every_registered_platform_is_covered_here() -> None:
    assert set(PLATFORM_IDS) == set(registry.PLATFORMS)


def add(data_dir: Path, capsys: pytest.CaptureFixture[str], platform: str, *options: str) -> tuple[int, str]:
    args = ["--data-dir", str(data_dir), "accounts", "add", "--platform", platform, "--name", "A",
            "--account-id", PLATFORM_IDS[platform]]
    options = (*REQUIRED_OPTIONS.get(platform, ()), *options)
    rc = main([*args, *[a for o in options for a in ("--option", o)]])
    return rc, capsys.readouterr().err


# --- the URL rule at `accounts add` --------------------------------------------------------------------------

@pytest.mark.parametrize("platform", sorted(PLATFORM_IDS))
@pytest.mark.parametrize("option, value, words", [
    ("api_base_url", "http://example.com", "plain http to example.com"),
    ("api_base_url", "not a url", "is not a valid URL"),
    ("token_url", "http://10.0.0.8/token", "plain http to 10.0.0.8"),
    ("api_base_url", "ftp://example.com", "is not a valid URL"),
])
def test_insecure_or_malformed_urls_are_refused_for_every_platform(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], platform: str, option: str, value: str,
        words: str) -> None:
    rc, err = add(tmp_path, capsys, platform, f"{option}={value}")
    assert rc == 2 and words in err and f"--option {option}" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    main(["--data-dir", str(tmp_path), "accounts", "list", "--json"])
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("platform", sorted(PLATFORM_IDS))
def test_a_url_with_a_password_is_refused_and_never_echoed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           platform: str) -> None:
    rc, err = add(tmp_path, capsys, platform, "api_base_url=https://user:SECRETPASS@api.example.com")
    assert rc == 2 and "user name or password" in err and "SECRETPASS" not in err


@pytest.mark.parametrize("platform", sorted(PLATFORM_IDS))
def test_loopback_http_and_https_are_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              platform: str) -> None:
    rc, err = add(tmp_path, capsys, platform, "api_base_url=http://127.0.0.1:8765", "token_url=https://t.example/x")
    assert rc == 0, err
    main(["--data-dir", str(tmp_path), "accounts", "list", "--json"])
    account = json.loads(capsys.readouterr().out)[0]
    assert account["options"]["api_base_url"] == "http://127.0.0.1:8765"


def test_the_url_rule_itself() -> None:
    for host in ("127.0.0.1", "127.8.9.10", "::1", "localhost", "LOCALHOST"):
        assert is_loopback(host)
    for host in ("10.0.0.1", "example.com", "0.0.0.0", "", None, "127.0.0.1.example.com"):
        assert not is_loopback(host)
    assert checked_url("http://[::1]:9/", "api_base_url", path_allowed=False, example="x") == "http://[::1]:9"
    assert checked_url("https://h.example/oauth/token", "token_url", path_allowed=True, example="x") == (
        "https://h.example/oauth/token")
    for bad in ("https://h.example/v1", "https://h.example?a=1", "https://h.example#f", "https://h.example:99999",
                "https://", "http://127.0.0.1.example.com"):
        with pytest.raises(UrlRefused, match="--option api_base_url"):
            checked_url(bad, "api_base_url", path_allowed=False, example="https://api.example.com")


# --- options and ids ----------------------------------------------------------------------------------------

def test_numbers_have_bounds_and_plain_messages() -> None:
    rules = (IntOption("page_limit", 500, 25, 5000), TextOption("linkedin_version", "202607", r"20\d\d(0[1-9]|1[0-2])",
                                                                  "YYYYMM such as 202607"))
    assert parse_options(rules, {}) == {"page_limit": 500, "linkedin_version": "202607"}
    assert parse_options(rules, {"page_limit": " 25 ", "linkedin_version": "202611"}) == {
        "page_limit": 25, "linkedin_version": "202611"}
    for value in ("abc", "24", "5001", "1.5", "1e3", True):
        with pytest.raises(Permanent, match=r"^--option page_limit: must be a whole number from 25 to 5000"):
            parse_options(rules, {"page_limit": value})
    with pytest.raises(Permanent, match="--option linkedin_version: must be YYYYMM"):
        parse_options(rules, {"linkedin_version": "abc"})


@pytest.mark.parametrize("platform, typed, stored", [
    ("meta_ads", "act_1234", "1234"), ("meta_ads", " ACT_1234 ", "1234"), ("meta_ads", "1234", "1234"),
    ("google_ads", "123-456-7890", "1234567890"), ("linkedin_ads", "urn:li:sponsoredAccount:42", "42"),
])
def test_account_ids_are_normalised_the_same_way(platform: str, typed: str, stored: str) -> None:
    assert registry.platform(platform).canonical_id(typed) == stored


@pytest.mark.parametrize("platform, typed", [("meta_ads", "act_"), ("meta_ads", "act_12ab"), ("meta_ads", ""),
                                             ("google_ads", "123-456-789"), ("linkedin_ads", "urn:li:x:1")])
def test_malformed_ids_are_refused(platform: str, typed: str) -> None:
    with pytest.raises(Permanent, match="must be a number such as"):
        registry.platform(platform).canonical_id(typed)
    with pytest.raises(Permanent):
        numeric_id("act_", what="id", example="1", prefix="act_")


def test_meta_accounts_are_stored_without_act(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert add(tmp_path, capsys, "meta_ads")[0] == 0
    main(["--data-dir", str(tmp_path), "accounts", "list", "--json"])
    assert json.loads(capsys.readouterr().out)[0]["account_id"] == "1234"


# --- RefreshingToken --------------------------------------------------------------------------------------------

class TokenEndpoint(FakeApi):
    """A token endpoint: counts grants, can rotate refresh tokens and set lifetimes."""

    def __init__(self, lifetime: int = 3600, rotate: bool = False) -> None:
        super().__init__()
        self.lifetime = lifetime
        self.rotate = rotate
        self.refresh_token = "rt-1"
        self.grants = 0

    def handle(self, req: Request) -> Reply:
        form = req.form()
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token:
            return Reply(400, {"error": "invalid_grant", "error_description": "Bad refresh token"})
        time.sleep(0.05)  # parallel callers overlap here
        self.grants += 1
        body: dict[str, Any] = {"access_token": f"at-{self.grants}", "expires_in": self.lifetime}
        if self.rotate:
            self.refresh_token = f"rt-{self.grants + 1}"
            body["refresh_token"] = self.refresh_token
        return Reply(200, body)


@pytest.fixture
def endpoint() -> Iterator[TokenEndpoint]:
    with TokenEndpoint() as api:
        yield api  # type: ignore[misc]


def _token(endpoint: TokenEndpoint, saved: list[dict[str, str]], **creds: str) -> RefreshingToken:
    ctx = ConnectorContext(save_credentials=saved.append)
    credentials = {"client_id": "c", "client_secret": "s", "refresh_token": endpoint.refresh_token, **creds}
    return RefreshingToken(platform="kit", label="Kit", token_url=f"{endpoint.base_url}/token",
                           credentials=credentials, ctx=ctx)


def test_token_is_refreshed_once_for_parallel_callers_and_reused(endpoint: TokenEndpoint) -> None:
    token = _token(endpoint, [], access_token="stale-from-an-old-keyring")
    got: list[str] = []
    threads = [threading.Thread(target=lambda: got.append(token.get())) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == ["at-1"] * 6 and endpoint.grants == 1  # the stale stored token was not used
    assert token.refresh() == "at-2" and token.get() == "at-2" and endpoint.grants == 2


def test_expiry_is_monotonic_with_a_margin(endpoint: TokenEndpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint.lifetime = 200
    token = _token(endpoint, [])
    assert token.get() == "at-1"
    now = time.monotonic()
    monkeypatch.setattr("autosync_desktop.connectors.tokens.time.monotonic", lambda: now + 79)
    assert token.get() == "at-1"  # 200 s lifetime - 120 s margin: still good after 79 s
    monkeypatch.setattr("autosync_desktop.connectors.tokens.time.monotonic", lambda: now + 81)
    assert token.get() == "at-2" and endpoint.grants == 2


def test_rotated_refresh_tokens_are_saved_without_access_tokens(endpoint: TokenEndpoint) -> None:
    endpoint.rotate = True
    saved: list[dict[str, str]] = []
    token = _token(endpoint, saved, access_token_expires_at="123")
    token.get()
    token.refresh()
    assert [s["refresh_token"] for s in saved] == ["rt-2", "rt-3"]
    assert all(set(s) == {"client_id", "client_secret", "refresh_token"} for s in saved)


def test_dead_grant_and_unrefreshable_tokens_need_sign_in(endpoint: TokenEndpoint) -> None:
    token = _token(endpoint, [], refresh_token="revoked")
    with pytest.raises(ReauthRequired, match="Kit sign-in expired or was revoked"):
        token.get()
    pasted = RefreshingToken(platform="kit", label="Kit", token_url=f"{endpoint.base_url}/token",
                             credentials={"access_token": "pasted"}, ctx=ConnectorContext())
    assert pasted.get() == "pasted"
    with pytest.raises(ReauthRequired, match="cannot be refreshed"):
        pasted.refresh()
    assert endpoint.grants == 0


# --- paginators ----------------------------------------------------------------------------------------------------

def test_paginators() -> None:
    links = {"u1": ("a", "u2"), "u2": ("b", "u3"), "u3": ("c", None)}
    assert list(next_url_pages("u1", lambda u: links[u], lambda page, url: links[url][1])) == [
        ("a", "u2"), ("b", "u3"), ("c", None)]
    tokens = {None: ("p1", "t1"), "t1": ("p2", "t2"), "t2": ("p3", "")}
    assert [p[0] for p in token_pages(lambda t: tokens[t], lambda page: page[1])] == ["p1", "p2", "p3"]
    with pytest.raises(Transient, match="repeated a page token"):
        list(token_pages(lambda t: ("p", "same"), lambda page: page[1]))
    items = list(range(23))
    pages = list(start_count_pages(lambda start, count: items[start:start + count], len, 10))
    assert pages == [items[:10], items[10:20], items[20:]]
    exact = list(start_count_pages(lambda start, count: items[start:start + count], len, 10,
                                   total=lambda page: 20))
    assert len(exact) == 2 and len(list(start_count_pages(lambda s, c: [], len, 10))) == 1
    assert list(stream_pages(iter(range(5)), 2)) == [[0, 1], [2, 3], [4]]
