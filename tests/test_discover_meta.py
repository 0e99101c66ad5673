"""`accounts discover --platform meta_ads`: GET /me/adaccounts against the fake (paged), statuses as words."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from autosync_desktop.cli import main
from tests.fakes.meta_ads import MetaFake


@pytest.fixture
def fake() -> Iterator[MetaFake]:
    api = MetaFake()
    api.other_accounts += [(f"30000000{i:02d}", f"Shop {i:02d}", "EUR", "Europe/Paris", 1, None) for i in range(30)]
    with api:
        yield api


def cli(data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str,
        token: str, code: int = 0) -> tuple[str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"access_token": token})))
    rc = main(["--data-dir", str(data), "accounts", "discover", "--platform", "meta_ads", *args,
               "--credentials-stdin"])
    out, err = capsys.readouterr()
    assert rc == code, f"{out}{err}"
    return out, err


def test_every_ad_account_of_the_token_over_pages(fake: MetaFake, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch, memory_keyring: dict) -> None:
    out, _ = cli(tmp_path, capsys, monkeypatch, "--option", f"api_base_url={fake.base_url}", "--option",
                 "page_limit=25", "--json", token=fake.token)
    listed = json.loads(out)["accounts"]
    assert [a["account_id"] for a in listed] == [a[0] for a in fake.listed_accounts()]
    assert len(listed) == 34 and len(fake.calls("/me/adaccounts")) == 2  # two pages of 25
    first = listed[0]
    assert (first["name"], first["currency"], first["timezone"], first["status"], first["parent_id"]) == (
        fake.name, fake.currency, fake.timezone, "ACTIVE", "5550001")
    assert [a["status"] for a in listed[1:4]] == ["ACTIVE", "DISABLED", "CLOSED"]
    assert not any(a["is_manager"] or a["login_customer_id"] for a in listed)

    out, _ = cli(tmp_path, capsys, monkeypatch, "--option", f"api_base_url={fake.base_url}", "--add", "act_1234",
                 "--add", "2000000001", token=fake.token)
    assert "Added account 'Acme' (meta_ads, 1234)" in out and "Added account 'Acme Outlet'" in out


def test_a_bad_token_is_one_line_without_it(fake: MetaFake, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _, err = cli(tmp_path, capsys, monkeypatch, "--option", f"api_base_url={fake.base_url}",
                 token="EAAB-not-the-token-123456", code=2)
    assert len(err.strip().splitlines()) == 1 and "ReauthRequired" in err
    assert "EAAB-not-the-token-123456" not in err
