"""`accounts discover --platform google_ads` against the fake: the manager tree (two levels, a hidden client),
the login_customer_id path per child, adding several at once, errors in one redacted line, cancel and deadline."""

from __future__ import annotations

import io
import json
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop.cli import main
from autosync_desktop.services import Services, UserError
from tests.fakes.google_ads import (
    CREDENTIALS,
    CUSTOMER_ID,
    MANAGER_ID,
    SECRETS,
    SUB_MANAGER_ID,
    TREE,
    FakeGoogleAds,
    slow,
)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeGoogleAds]:
    api = FakeGoogleAds()
    with api:
        yield api


@pytest.fixture
def fake(server: FakeGoogleAds) -> FakeGoogleAds:
    server.reset()
    return server


def cli(data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str,
        stdin: dict[str, str] | None = None, code: int = 0) -> tuple[str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(stdin)))
    rc = main(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    assert rc == code, f"{out}{err}"
    return out, err


def urls(fake: FakeGoogleAds) -> list[str]:
    return ["--option", f"api_base_url={fake.base_url}", "--option", f"token_url={fake.base_url}/token"]


def test_the_manager_tree_with_levels_hidden_and_login_path(fake: FakeGoogleAds, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    out, _ = cli(tmp_path, capsys, monkeypatch, "accounts", "discover", "--platform", "google_ads", *urls(fake),
                 "--credentials-stdin", "--json", stdin=CREDENTIALS)
    listed: list[dict[str, Any]] = json.loads(out)["accounts"]
    by_id = {a["account_id"]: a for a in listed}
    assert sorted(by_id) == sorted(c.id for c in TREE)  # CUSTOMER_ID is reachable directly too: listed once
    assert (listed[0]["account_id"], listed[0]["level"]) == (MANAGER_ID, 0)
    for client in TREE:
        got = by_id[client.id]
        assert (got["name"], got["level"], got["is_manager"], got["hidden"], got["currency"], got["timezone"]) == (
            client.name, client.level, client.manager, client.hidden, client.currency, client.time_zone)
        assert got["login_customer_id"] == (None if client.level == 0 else MANAGER_ID)
    assert by_id["5550003333"]["level"] == 2 and by_id["5550002222"]["status"] == "CANCELED"
    assert by_id[SUB_MANAGER_ID]["parent_id"] == MANAGER_ID
    assert [r.json()["query"].split(" FROM ")[1] for r in fake.search_calls()] == ["customer_client"] * 2
    assert {r.headers.get("login-customer-id") for r in fake.search_calls()} == {MANAGER_ID, CUSTOMER_ID}

    table, _ = cli(tmp_path, capsys, monkeypatch, "accounts", "discover", "--platform", "google_ads", *urls(fake),
                   "--credentials-stdin", stdin=CREDENTIALS)
    assert table.splitlines()[0].split() == ["ACCOUNT", "ID", "NAME", "CURRENCY", "TIME", "ZONE", "MANAGER", "LEVEL",
                                             "LOGIN", "CUSTOMER", "ID", "STATUS", "HIDDEN"]
    assert "    Boots Ltd" in table  # indented by level


def test_starting_from_login_customer_id_lists_only_that_tree(fake: FakeGoogleAds, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out, _ = cli(tmp_path, capsys, monkeypatch, "accounts", "discover", "--platform", "google_ads", *urls(fake),
                 "--option", "login_customer_id=987-654-3210", "--credentials-stdin", "--json", stdin=CREDENTIALS)
    assert [a["account_id"] for a in json.loads(out)["accounts"]] == [
        MANAGER_ID, SUB_MANAGER_ID, CUSTOMER_ID, "5550002222", "5550003333"]  # by level, managers first, name
    assert fake.calls("customers:listAccessibleCustomers") == []


def test_adding_several_picked_accounts_at_once_then_they_sync(fake: FakeGoogleAds, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               memory_keyring: dict) -> None:
    out, _ = cli(tmp_path, capsys, monkeypatch, "accounts", "discover", "--platform", "google_ads", *urls(fake),
                 "--credentials-stdin", "--add", "123-456-7890", "--add", "5550003333", stdin=CREDENTIALS)
    assert "Added account 'Acme Shoes' (google_ads, 1234567890)" in out
    assert "Added account 'Boots Ltd' (google_ads, 5550003333)" in out
    accounts = {a["name"]: a for a in json.loads(cli(tmp_path, capsys, monkeypatch, "accounts", "list", "--json")[0])}
    assert accounts["Acme Shoes"]["options"]["login_customer_id"] == MANAGER_ID
    assert accounts["Acme Shoes"]["options"]["api_base_url"] == fake.base_url
    cli(tmp_path, capsys, monkeypatch, "accounts", "test", "Acme Shoes")
    assert fake.search_calls()[-1].headers.get("login-customer-id") == MANAGER_ID
    # again with the stored account's credentials: every non-manager, non-hidden one; taken names get the id
    out, _ = cli(tmp_path, capsys, monkeypatch, "accounts", "discover", "--platform", "google_ads", "--from-account",
                 "Acme Shoes", "--add", "all", "--json")
    assert json.loads(out)["added"] == ["Acme Shoes (1234567890)", "Boots Ltd (5550003333)"]
    _, err = cli(tmp_path, capsys, monkeypatch, "accounts", "discover", "--platform", "google_ads", *urls(fake),
                 "--credentials-stdin", "--add", "1112223334", stdin=CREDENTIALS, code=2)
    assert err.startswith("autosync: --add: 1112223334 is not among the discovered accounts")


def test_errors_are_one_redacted_line(fake: FakeGoogleAds, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fake.echo_secrets(times=5)
    _, err = cli(tmp_path, capsys, monkeypatch, "accounts", "discover", "--platform", "google_ads", *urls(fake),
                 "--credentials-stdin", stdin=CREDENTIALS, code=2)
    assert len(err.strip().splitlines()) == 1 and "Permanent" in err
    assert not any(secret in err for secret in SECRETS)
    fake.revoke_refresh_token()
    _, err = cli(tmp_path, capsys, monkeypatch, "accounts", "discover", "--platform", "google_ads", *urls(fake),
                 "--credentials-stdin", stdin=CREDENTIALS, code=2)
    assert "ReauthRequired" in err
    _, err = cli(tmp_path, capsys, monkeypatch, "accounts", "discover", "--platform", "demo", "--credentials-stdin",
                 stdin={"x": "y"}, code=2)
    assert err.startswith("autosync: --platform: Demo (sandbox data) cannot list its accounts")
    _, err = cli(tmp_path, capsys, monkeypatch, "accounts", "discover", "--platform", "google_ads", "--option",
                 "api_base_url=ftp://x", "--credentials-stdin", stdin=CREDENTIALS, code=2)
    assert "api_base_url" in err


def test_cancel_and_deadline_end_it_early(fake: FakeGoogleAds, tmp_path: Path) -> None:
    options = {"api_base_url": fake.base_url, "token_url": f"{fake.base_url}/token"}
    svc = Services.open(tmp_path / "data")
    try:
        fake.fail_query("customer_client", slow(0.6), times=10)
        started = time.monotonic()
        with pytest.raises(UserError, match=r"^Transient: Google Ads did not answer within 0\.5 s"):
            svc.accounts.discover("google_ads", dict(CREDENTIALS), options, timeout_s=0.5)
        assert time.monotonic() - started < 8  # each request within the discovery's time, one retry after <= 2 s
        cancel = threading.Event()
        cancel.set()
        with pytest.raises(UserError, match=r"^Listing the Google Ads accounts was cancelled$"):
            svc.accounts.discover("google_ads", dict(CREDENTIALS), options, cancel=cancel)
    finally:
        svc.close()
