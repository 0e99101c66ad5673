"""The TikTok for Business connector end to end: the in-process CLI against a strict loopback fake of TikTok API for
Business v1.3 (tests/fakes/tiktok_ads.py), credentials in the in-memory keyring."""

from __future__ import annotations

import io
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop.cli import main
from autosync_desktop.connectors import tiktok_ads as tt
from tests.day_zone import assert_day_zone
from tests.fakes import tiktok_ads as fake
from tests.fakes.server import Reply
from tests.fakes.tiktok_ads import CAMPAIGNS_PATH, INFO_PATH, REPORT_PATH, TOKEN_PATH, FakeTikTokAds

StatKey = tuple[str, str]  # (campaign_id, ISO date)


class Cli:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.data_dir = data_dir
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.transcript: list[str] = []
        self.err = ""

    def __call__(self, *args: str, code: int = 0, stdin: str | None = None) -> str:
        if stdin is not None:
            self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        rc = main(["--data-dir", str(self.data_dir), *args])
        out, err = self.capsys.readouterr()
        self.transcript += [out, err]
        self.err = err
        assert rc == code, f"exit {rc}, stdout: {out} stderr: {err}"
        return out

    def json(self, *args: str) -> Any:
        return json.loads(self(*args))

    def add(self, api: FakeTikTokAds, name: str = "TT", *, account_id: str | None = None,
            credentials: dict[str, str] | None = None, code: int = 0) -> str:
        creds = credentials if credentials is not None else {"access_token": api.access_token}
        return self("accounts", "add", "--platform", "tiktok_ads", "--name", name, "--account-id",
                    account_id or api.advertiser_id, "--option", f"api_base_url={api.base_url}",
                    "--credentials-stdin", stdin=json.dumps(creds), code=code)

    def sync(self, name: str = "TT", start: date | None = None, end: date | None = None,
             code: int = 0) -> dict[str, Any]:
        dates = ["--from", start.isoformat(), "--to", end.isoformat()] if start and end else []
        self("sync", name, *dates, "--wait", code=code)
        return self.json("runs", "--json")[0]

    def stored(self) -> dict[StatKey, tuple[Any, ...]]:
        rows = self.json("export", "stats", "--format", "json")
        return {(r["campaign_id"], r["date"]): (r["impressions"], r["clicks"], r["cost_micros"], r["conversions"],
                                               r["conversion_value"], r["currency"]) for r in rows}

    def account(self, name: str = "TT") -> dict[str, Any]:
        return next(a for a in self.json("accounts", "list", "--json") if a["name"] == name)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        memory_keyring: dict[tuple[str, str], str]) -> Cli:
    c = Cli(tmp_path / "data", capsys, monkeypatch)
    c("settings", "set", "retry.base_delay_s", "0")
    c("settings", "set", "http.timeout_s", "2")
    return c


@pytest.fixture
def tiktok() -> Iterator[Callable[..., FakeTikTokAds]]:
    started: list[FakeTikTokAds] = []

    def start(**kwargs: Any) -> FakeTikTokAds:
        api = FakeTikTokAds(**kwargs).__enter__()
        started.append(api)
        return api

    yield start
    for api in started:
        api.__exit__(None, None, None)


def truth(api: FakeTikTokAds, start: date, end: date) -> dict[StatKey, tuple[Any, ...]]:
    return {(s.campaign_id, s.date.isoformat()): (s.impressions, s.clicks, s.spend_micros, float(s.conversions),
                                                  None, api.currency) for s in api.stats(start, end)}


def short_range(api: FakeTikTokAds) -> tuple[date, date]:
    end = api.today - timedelta(days=1)
    return end - timedelta(days=4), end


def keyring_credentials(memory_keyring: dict[tuple[str, str], str], name: str = "TT") -> dict[str, str]:
    return dict(json.loads(memory_keyring[("autosync-desktop", f"account:{name}")]))


# --- data -----------------------------------------------------------------------------------------------------

def test_backfill_over_two_windows_matches_ground_truth_and_is_idempotent(
        cli: Cli, tiktok: Callable[..., FakeTikTokAds]) -> None:
    api = tiktok()
    cli.add(api)
    assert cli("accounts", "test", "TT").strip() == (
        f"Connected to TikTok advertiser {api.advertiser_id} (Acme TikTok, EUR, time zone Europe/Berlin)")
    assert [r.path for r in api.requests] == [INFO_PATH]  # one cheap call
    end = api.today - timedelta(days=2)
    start = end - timedelta(days=44)
    run = cli.sync(start=start, end=end)
    expected = truth(api, start, end)
    assert run["status"] == "succeeded" and run["rows"] == len(expected) > 600
    assert_day_zone(cli.data_dir, "TT", "Europe/Berlin")  # the advertiser's display zone (not its Etc/GMT-1)
    stored = cli.stored()
    assert stored == expected
    totals = api.totals(start, end)
    assert sum(v[0] for v in stored.values()) == totals["impressions"]
    assert sum(v[1] for v in stored.values()) == totals["clicks"]
    assert sum(v[2] for v in stored.values()) == totals["spend_micros"]
    assert sum(Decimal(str(v[3])) for v in stored.values()) == totals["conversions"]
    assert any(v[2] % 10_000 for v in stored.values())  # six-decimal spend kept exactly

    # windows of <= 30 days, every page up to total_page, the token in Access-Token only
    windows = sorted({(r["start"], r["end"]) for r in api.report_requests})
    assert windows == [(start, start + timedelta(days=29)), (start + timedelta(days=30), end)]
    assert len(api.report_requests) > 2 * 10
    calls = [r for r in api.requests if r.path != TOKEN_PATH]
    assert {r.headers.get("access-token") for r in calls} == {api.access_token}
    assert all("authorization" not in r.headers for r in calls)
    account = cli.account()
    assert (account["auth_state"], account["currency"], account["timezone"]) == ("ok", "EUR", "Europe/Berlin")

    first = cli("export", "stats", "--format", "csv")
    again = cli.sync(start=start, end=end)
    assert again["status"] == "succeeded" and again["rows"] == run["rows"]
    assert cli("export", "stats", "--format", "csv") == first


def test_campaigns_of_every_status_are_synced_and_mapped(cli: Cli, tiktok: Callable[..., FakeTikTokAds]) -> None:
    api = tiktok()
    cli.add(api)
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert json.loads(api.calls(CAMPAIGNS_PATH)[0].arg("filtering") or "{}") == {"primary_status": "STATUS_ALL"}
    campaigns = {c["campaign_id"]: c for c in cli.json("export", "campaigns", "--format", "json")}
    assert set(campaigns) == {c.id for c in api.campaigns}  # deleted ones too, across pages
    mapped = {(c["status_raw"], c["status"]) for c in campaigns.values()}
    assert mapped == {("CAMPAIGN_STATUS_ENABLE", "ACTIVE"), ("CAMPAIGN_STATUS_DISABLE", "PAUSED"),
                      ("CAMPAIGN_STATUS_BUDGET_EXCEED", "ACTIVE"), ("CAMPAIGN_STATUS_DELETE", "REMOVED")}
    assert all(c["currency"] == "EUR" for c in campaigns.values())


def test_restated_day_is_replaced_by_a_later_sync_inside_the_lookback(cli: Cli, tiktok: Callable[
        ..., FakeTikTokAds]) -> None:
    cli("settings", "set", "sync.freshness_planner", "off")  # the whole lookback each sync (no wait for a check)
    api = tiktok()
    cli.add(api)
    cli("settings", "set", "sync.initial_history_days", "20")
    today = api.today
    assert cli.sync()["status"] == "succeeded"
    assert cli.stored() == truth(api, today - timedelta(days=20), today)
    restated = today - timedelta(days=5)
    before = truth(api, restated, restated)
    api.restate(restated)
    assert truth(api, restated, restated) != before
    api.report_requests.clear()
    assert cli.sync()["status"] == "succeeded"
    assert min(r["start"] for r in api.report_requests) == today - timedelta(days=7)  # the 7-day lookback
    assert cli.stored() == truth(api, today - timedelta(days=20), today)


def test_a_metric_tiktok_does_not_send_is_unknown_not_zero(cli: Cli, tiktok: Callable[..., FakeTikTokAds]) -> None:
    api = tiktok()
    cli.add(api)
    day = api.today - timedelta(days=1)
    row = {"dimensions": {"campaign_id": api.campaigns[0].id, "stat_time_day": f"{day} 00:00:00"},
           "metrics": {"spend": "-", "impressions": "120", "conversion": "1"}}
    api.fail_next(REPORT_PATH, fake.answer(0, "OK", {"list": [row], "page_info": {"page": 1, "total_page": 1}}))
    assert cli.sync(start=day, end=day)["status"] == "succeeded"
    assert cli.stored() == {(api.campaigns[0].id, day.isoformat()): (120, None, None, 1.0, None, "EUR")}


# --- credentials ----------------------------------------------------------------------------------------------

def test_an_auth_code_is_exchanged_once_and_only_the_token_is_kept(
        cli: Cli, tiktok: Callable[..., FakeTikTokAds], memory_keyring: dict[tuple[str, str], str]) -> None:
    api = tiktok()
    code = api.auth_code
    cli.add(api, credentials={"app_id": api.app_id, "secret": api.secret, "auth_code": code})
    exchanges = api.calls(TOKEN_PATH)
    assert len(exchanges) == 1 and exchanges[0].json() == {"app_id": api.app_id, "secret": api.secret,
                                                           "auth_code": code}
    token = api.issued[-1]
    assert keyring_credentials(memory_keyring) == {"app_id": api.app_id, "secret": api.secret,
                                                   "access_token": token}
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert cli.stored() == truth(api, start, end)
    assert {r.headers.get("access-token") for r in api.requests if r.path != TOKEN_PATH} == {token}
    assert len(api.calls(TOKEN_PATH)) == 1  # never again
    assert all(code not in text and token not in text for text in cli.transcript)


def test_a_used_auth_code_is_refused_in_one_line(cli: Cli, tiktok: Callable[..., FakeTikTokAds],
                                                 memory_keyring: dict[tuple[str, str], str]) -> None:
    api = tiktok()
    api.used_codes.add(api.auth_code)
    cli.add(api, credentials={"app_id": api.app_id, "secret": api.secret, "auth_code": api.auth_code}, code=2)
    assert len(cli.err.strip().splitlines()) == 1 and "auth_code" in cli.err and "Traceback" not in cli.err
    assert cli.json("accounts", "list", "--json") == [] and memory_keyring == {}


def test_an_auth_code_for_another_advertiser_is_refused(cli: Cli, tiktok: Callable[..., FakeTikTokAds],
                                                        memory_keyring: dict[tuple[str, str], str]) -> None:
    api = tiktok()
    cli.add(api, account_id="7000000000000000042", credentials={
        "app_id": api.app_id, "secret": api.secret, "auth_code": api.auth_code}, code=2)
    assert cli.err.startswith("autosync: --account-id: this authorization does not reach TikTok advertiser "
                              "7000000000000000042")
    assert memory_keyring == {}


def test_no_secret_value_anywhere_under_the_data_dir(cli: Cli, tiktok: Callable[..., FakeTikTokAds]) -> None:
    api = tiktok()
    cli.add(api, credentials={"app_id": api.app_id, "secret": api.secret, "auth_code": api.auth_code})
    start, end = short_range(api)
    cli.sync(start=start, end=end)
    reader = sqlite3.connect(next(cli.data_dir.glob("*.db")))
    reader.execute("SELECT count(*) FROM sqlite_master").fetchall()
    api.fail_next(REPORT_PATH, fake.answer(40002, f"Invalid access_token {api.issued[-1]} for {api.secret}"))
    cli.sync(start=start, end=end, code=1)
    api.revoke()
    cli.sync(start=start, end=end, code=1)
    cli("accounts", "set-credentials", "TT", "--credentials-stdin", stdin=json.dumps(
        {"app_id": api.app_id, "secret": api.secret, "auth_code": api.new_auth_code()}))
    cli.sync(start=start, end=end)
    for kind in ("runs", "stats", "campaigns"):
        cli("export", kind, "--format", "json", "--output", str(cli.data_dir / f"export-{kind}.json"))
    cli("runs", "show", "2", "--json")
    secrets = api.secrets()
    assert len(secrets) >= 5  # app secret, two auth codes, two issued tokens
    try:
        files = [p for p in cli.data_dir.rglob("*") if p.is_file()]
        wal = [p for p in files if p.name.endswith("-wal")]
        assert wal and wal[0].stat().st_size > 0 and len(files) >= 5
        for path in files:
            blob = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in blob, f"a secret is stored in {path.name}"
    finally:
        reader.close()
    for text in cli.transcript:
        assert not any(secret in text for secret in secrets)


@pytest.mark.parametrize("with_code", [False, True], ids=["token", "auth-code"])
def test_without_a_keyring_adding_fails_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch, with_code: bool) -> None:
    cli = Cli(tmp_path / "data", capsys, monkeypatch)  # no memory_keyring: the suite's failing backend
    with FakeTikTokAds() as api:
        creds = {"app_id": api.app_id, "secret": api.secret, "auth_code": api.auth_code} if with_code else None
        cli.add(api, credentials=creds, code=2)
        assert api.requests == []  # the single-use auth code is not spent on a keyring that cannot keep the token
    lines = cli.err.strip().splitlines()
    assert len(lines) == 1 and "keyring" in lines[0] and "Traceback" not in cli.err
    assert cli.json("accounts", "list", "--json") == []
    for path in cli.data_dir.rglob("*"):
        if path.is_file():
            assert all(secret.encode() not in path.read_bytes() for secret in api.secrets())


@pytest.mark.parametrize("account_id, credentials, message", [
    ("act_7012", {"access_token": "t"}, "A TikTok advertiser id must be a number"),
    ("7012345678901234567", {"access_token": "t", "token": "x"}, "'token' is not a TikTok Ads credential"),
    ("7012345678901234567", {"app_id": "1", "auth_code": "c"}, "the TikTok Ads credentials lack"),
])
def test_bad_account_input_is_rejected_at_add_time(cli: Cli, tiktok: Callable[..., FakeTikTokAds], account_id: str,
                                                   credentials: dict[str, str], message: str) -> None:
    api = tiktok()
    cli.add(api, account_id=account_id, credentials=credentials, code=2)
    assert message in cli.err and "Traceback" not in cli.err and len(cli.err.strip().splitlines()) == 1
    assert cli.json("accounts", "list", "--json") == [] and api.requests == []


# --- faults ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, reply, times", [
    (REPORT_PATH, fake.throttled(), 2),
    (CAMPAIGNS_PATH, fake.throttled(), 1),
    (REPORT_PATH, fake.server_error(500), 2),
    (REPORT_PATH, fake.server_error(503), 1),
    (REPORT_PATH, fake.system_error(), 1),
    (REPORT_PATH, fake.dropped(), 2),
    (INFO_PATH, fake.dropped(), 1),
    (REPORT_PATH, fake.malformed(), 1),
], ids=["report-40100", "campaigns-40100", "report-500", "report-503", "report-50000", "report-dropped",
        "info-dropped", "report-malformed"])
def test_transient_faults_are_retried_to_a_complete_result(cli: Cli, tiktok: Callable[..., FakeTikTokAds],
                                                           path: str, reply: Reply, times: int) -> None:
    api = tiktok()
    cli.add(api)
    api.fail_next(path, reply, times=times)
    start, end = short_range(api)
    run = cli.sync(start=start, end=end)
    assert run["status"] == "succeeded" and run["error"] is None
    assert cli.stored() == truth(api, start, end)
    assert api.faults == []


def test_a_throttle_waits_for_the_servers_hint(cli: Cli, tiktok: Callable[..., FakeTikTokAds]) -> None:
    api = tiktok()
    cli.add(api)
    api.fail_next(REPORT_PATH, fake.throttled(retry_after=1))
    start, end = short_range(api)
    began = time.monotonic()
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert 0.9 <= time.monotonic() - began < 30 and cli.stored() == truth(api, start, end)


def test_a_long_throttle_defers_the_run(cli: Cli, tiktok: Callable[..., FakeTikTokAds]) -> None:
    api = tiktok()
    cli.add(api)
    cli("settings", "set", "retry.max_rate_limit_wait_s", "10")
    api.fail_next(REPORT_PATH, fake.throttled(retry_after=600), times=5)
    start, end = short_range(api)
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "RateLimited" and "deferred" in run["error"]
    assert len(api.calls(REPORT_PATH)) == 1 and cli.stored() == {}


@pytest.mark.parametrize("fault", ["expire", "revoke", "empty"])
def test_a_rejected_token_marks_the_account_needs_sign_in(cli: Cli, tiktok: Callable[..., FakeTikTokAds],
                                                          fault: str) -> None:
    api = tiktok()
    cli.add(api)
    start, end = short_range(api)
    if fault == "expire":
        api.expire()
    elif fault == "revoke":
        api.revoke()
    else:
        api.fail_next(INFO_PATH, fake.answer(40104, "Access token is empty"))
    run = cli.sync(start=start, end=end, code=1)
    assert run["status"] == "failed" and run["error_class"] == "ReauthRequired"
    assert "The TikTok access token expired or was revoked — sign in again" in run["error"]
    assert cli.account()["auth_state"] == "needs_sign_in"
    assert len(api.requests) == 1 and cli.stored() == {}  # no token refresh exists, nothing is retried
    if fault != "empty":  # a new token brings the account back
        cli("accounts", "set-credentials", "TT", "--credentials-stdin", stdin=json.dumps(
            {"app_id": api.app_id, "secret": api.secret, "auth_code": api.new_auth_code()}))
        assert cli.account()["auth_state"] == "ok"
        assert cli.sync(start=start, end=end)["status"] == "succeeded"
        assert cli.stored() == truth(api, start, end)


def test_other_errors_are_permanent_with_tiktoks_message(cli: Cli, tiktok: Callable[..., FakeTikTokAds]) -> None:
    api = tiktok()
    cli.add(api)
    api.fail_next(REPORT_PATH, fake.no_permission())
    start, end = short_range(api)
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "Permanent"
    assert "TikTok refused the request (40001): No permission to operate advertiser" in run["error"]
    assert len(api.calls(REPORT_PATH)) == 1 and cli.account()["auth_state"] == "ok"


def test_a_retired_api_version_says_to_update(cli: Cli, tiktok: Callable[..., FakeTikTokAds]) -> None:
    assert tt.SPEC.api_version == tt.API_VERSION == "v1.3"
    api = tiktok()
    cli.add(api)
    api.retired = True
    run = cli.sync(start=api.today, end=api.today, code=1)
    assert run["error_class"] == "Permanent" and run["error"].startswith(
        "This AutoSync uses TikTok API v1.3, which TikTok has retired: update AutoSync.")
    assert len(api.calls(INFO_PATH)) == 1  # not retried
