"""The Microsoft Advertising connector end to end: the in-process CLI against a strict loopback fake of Bing Ads API
v13 REST and the Microsoft identity platform (tests/fakes/microsoft_ads.py), credentials in the in-memory keyring."""

from __future__ import annotations

import io
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from autosync_desktop.cli import main
from autosync_desktop.connectors import microsoft_ads as ms
from autosync_desktop.connectors import microsoft_report, microsoft_zones
from autosync_desktop.connectors.base import Permanent, micros_to_text
from autosync_desktop.services import Services, UserError
from autosync_desktop.store.models import Account
from tests.day_zone import assert_day_zone
from tests.fakes import microsoft_ads as fake
from tests.fakes.microsoft_ads import (
    ACCOUNT_PATH,
    CAMPAIGNS_PATH,
    DOWNLOAD_PATH,
    POLL_PATH,
    SUBMIT_PATH,
    TOKEN_PATH,
    FakeMicrosoftAds,
)
from tests.fakes.server import Reply

ACCOUNT_ID = "149372543"
CUSTOMER_ID = "251186883"
StatKey = tuple[str, str]  # (campaign_id, ISO date)


class Cli:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.data_dir = data_dir
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.transcript: list[str] = []

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

    def add(self, api: FakeMicrosoftAds, name: str = "MS", *, account_id: str = ACCOUNT_ID,
            credentials: dict[str, str] | None = None, options: tuple[str, ...] | None = None, code: int = 0) -> str:
        creds = credentials if credentials is not None else {
            "client_id": api.client_id, "refresh_token": api.refresh_token, "developer_token": api.developer_token}
        opts = options if options is not None else (f"customer_id={CUSTOMER_ID}",)
        opts = (f"api_base_url={api.base_url}", f"token_url={api.base_url}{TOKEN_PATH}", *opts)
        return self("accounts", "add", "--platform", "microsoft_ads", "--name", name, "--account-id", account_id,
                    *[a for o in opts for a in ("--option", o)], "--credentials-stdin", stdin=json.dumps(creds),
                    code=code)

    def sync(self, name: str = "MS", start: date | None = None, end: date | None = None,
             code: int = 0) -> dict[str, Any]:
        dates = ["--from", start.isoformat(), "--to", end.isoformat()] if start and end else []
        self("sync", name, *dates, "--wait", code=code)
        return self.json("runs", "--json")[0]

    def stored(self) -> dict[StatKey, tuple[Any, ...]]:
        rows = self.json("export", "stats", "--format", "json")
        return {(r["campaign_id"], r["date"]): (r["impressions"], r["clicks"], r["cost_micros"], r["conversions"],
                                               r["conversion_value"], r["currency"]) for r in rows}

    def account(self, name: str = "MS") -> dict[str, Any]:
        return next(a for a in self.json("accounts", "list", "--json") if a["name"] == name)


@pytest.fixture(autouse=True)
def _quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ms, "POLL_FIRST_S", 0.01)
    monkeypatch.setattr(ms, "POLL_MAX_S", 0.05)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        memory_keyring: dict[tuple[str, str], str]) -> Cli:
    c = Cli(tmp_path / "data", capsys, monkeypatch)
    c("settings", "set", "retry.base_delay_s", "0")
    c("settings", "set", "http.timeout_s", "2")
    return c


@pytest.fixture
def microsoft() -> Iterator[Callable[..., FakeMicrosoftAds]]:
    started: list[FakeMicrosoftAds] = []

    def start(**kwargs: Any) -> FakeMicrosoftAds:
        api = FakeMicrosoftAds(**kwargs).__enter__()
        started.append(api)
        return api

    yield start
    for api in started:
        api.__exit__(None, None, None)


def truth(api: FakeMicrosoftAds, start: date, end: date) -> dict[StatKey, tuple[Any, ...]]:
    return {(s.campaign_id, s.date.isoformat()): (s.impressions, s.clicks, s.spend_micros, float(s.conversions),
                                                  micros_to_text(s.revenue_micros), api.currency)
            for s in api.stats(start, end)}


def two_windows(api: FakeMicrosoftAds) -> tuple[date, date]:
    end = api.today - timedelta(days=2)
    return end - timedelta(days=44), end


def short_range(api: FakeMicrosoftAds) -> tuple[date, date]:
    end = api.today - timedelta(days=1)
    return end - timedelta(days=4), end


def token_calls(api: FakeMicrosoftAds) -> int:
    return len(api.calls(TOKEN_PATH))


# --- data -----------------------------------------------------------------------------------------------------

def test_backfill_over_two_windows_matches_ground_truth_and_is_idempotent(
        cli: Cli, microsoft: Callable[..., FakeMicrosoftAds]) -> None:
    api = microsoft()
    cli.add(api)
    assert cli("accounts", "test", "MS").strip() == (
        f"Connected to Microsoft Advertising account {ACCOUNT_ID} (Acme, USD, time zone EasternTimeUSCanada)")
    start, end = two_windows(api)
    run = cli.sync(start=start, end=end)
    expected = truth(api, start, end)
    assert run["status"] == "succeeded" and run["rows"] == len(expected) > 800
    stored = cli.stored()
    assert stored == expected
    totals = api.totals(start, end)
    assert sum(v[0] for v in stored.values()) == totals["impressions"]
    assert sum(v[1] for v in stored.values()) == totals["clicks"]
    assert sum(v[2] for v in stored.values()) == totals["spend_micros"]
    assert sum(Decimal(v[4]) for v in stored.values()) * 1_000_000 == totals["revenue_micros"]
    assert sum(Decimal(str(v[3])) for v in stored.values()) == totals["conversions"]

    # one report per window of <= 30 days, in the account's own zone, header and footer excluded
    assert [(r["Time"]["CustomDateRangeStart"], r["Time"]["CustomDateRangeEnd"]) for r in api.reports] == [
        (_day(start), _day(start + timedelta(days=29))), (_day(start + timedelta(days=30)), _day(end))]
    assert {r["Time"]["ReportTimeZone"] for r in api.reports} == {"EasternTimeUSCanada"}
    assert len(api.calls(POLL_PATH)) == 4  # one Pending, then Success, per report
    downloads = api.calls(DOWNLOAD_PATH)
    assert len(downloads) == 2 and all("authorization" not in r.headers for r in downloads)
    api_calls = [r for r in api.requests if r.path not in (TOKEN_PATH,) and not r.path.startswith(DOWNLOAD_PATH)]
    assert {(r.headers["developertoken"], r.headers["customerid"], r.headers["customeraccountid"])
            for r in api_calls} == {(api.developer_token, CUSTOMER_ID, ACCOUNT_ID)}
    account = cli.account()
    assert (account["auth_state"], account["currency"], account["timezone"]) == ("ok", "USD", "America/New_York")

    first = cli("export", "stats", "--format", "csv")
    again = cli.sync(start=start, end=end)
    assert again["status"] == "succeeded" and again["rows"] == run["rows"]
    assert cli("export", "stats", "--format", "csv") == first


def _day(value: date) -> dict[str, int]:
    return {"Day": value.day, "Month": value.month, "Year": value.year}


def test_the_report_follows_the_account_zone_not_pacific_time(cli: Cli, microsoft: Callable[
        ..., FakeMicrosoftAds]) -> None:
    api = microsoft(time_zone="OsakaSapporoTokyo", currency="JPY")
    cli.add(api)
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert api.reports[0]["Time"]["ReportTimeZone"] == "OsakaSapporoTokyo"
    assert cli.stored() == truth(api, start, end)
    pacific = {(s.campaign_id, s.date.isoformat()) for s in api.stats(start, end, "PacificTimeUSCanadaTijuana")}
    assert pacific != set(cli.stored())  # what an omitted ReportTimeZone would have stored
    assert cli.account()["timezone"] == "Asia/Tokyo"
    assert_day_zone(cli.data_dir, "MS", "Asia/Tokyo")  # the account's zone, never Pacific


def test_campaigns_of_every_type_and_status_are_synced_and_mapped(cli: Cli, microsoft: Callable[
        ..., FakeMicrosoftAds]) -> None:
    api = microsoft()
    cli.add(api)
    start, end = two_windows(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    asked = api.calls(CAMPAIGNS_PATH)[0].json()
    assert asked["AccountId"] == int(ACCOUNT_ID) and set(asked["CampaignType"].split()) >= {
        "Search", "Shopping", "Audience", "PerformanceMax", "DynamicSearchAds"}
    campaigns = {c["campaign_id"]: c for c in cli.json("export", "campaigns", "--format", "json")}
    listed = [c for c in api.campaigns if c.status != "Deleted"]
    assert {str(c.id) for c in listed} <= set(campaigns)
    mapped = {(c["status_raw"], c["status"]) for c in campaigns.values() if c["status_raw"]}
    assert mapped == {("Active", "ACTIVE"), ("Paused", "PAUSED"), ("BudgetPaused", "PAUSED"),
                      ("BudgetAndManualPaused", "PAUSED"), ("Suspended", "OTHER")}
    # deleted campaigns are not listed by Microsoft, but their past stats arrive with their names
    deleted = [c for c in api.campaigns if c.status == "Deleted"]
    assert deleted and all(campaigns[str(c.id)]["name"] == c.name for c in deleted)
    assert campaigns[str(api.campaigns[0].id)]["currency"] == "USD"


def test_restated_day_is_replaced_by_a_later_sync_inside_the_lookback(cli: Cli, microsoft: Callable[
        ..., FakeMicrosoftAds]) -> None:
    cli("settings", "set", "sync.freshness_planner", "off")  # the whole lookback each sync (no wait for a check)
    api = microsoft()
    cli.add(api)
    cli("settings", "set", "sync.initial_history_days", "40")
    today = api.today
    assert cli.sync()["status"] == "succeeded"
    assert cli.stored() == truth(api, today - timedelta(days=40), today)
    restated = today - timedelta(days=20)
    before = truth(api, restated, restated)
    api.restate(restated)
    assert truth(api, restated, restated) != before
    api.reports.clear()
    assert cli.sync()["status"] == "succeeded"
    first = api.reports[0]["Time"]["CustomDateRangeStart"]
    assert date(first["Year"], first["Month"], first["Day"]) == today - timedelta(days=30)  # the 30-day lookback
    assert cli.stored() == truth(api, today - timedelta(days=40), today)


def test_a_range_without_data_is_an_empty_window(cli: Cli, microsoft: Callable[..., FakeMicrosoftAds]) -> None:
    api = microsoft(history_days=10)
    cli.add(api)
    start = api.today - timedelta(days=60)
    run = cli.sync(start=start, end=start + timedelta(days=5))
    assert run["status"] == "succeeded" and run["rows"] == 0 and cli.stored() == {}
    assert len(api.calls(SUBMIT_PATH)) == 1 and api.calls(DOWNLOAD_PATH) == []


# --- credentials and input ------------------------------------------------------------------------------------

def test_no_secret_value_anywhere_under_the_data_dir(cli: Cli, microsoft: Callable[..., FakeMicrosoftAds]) -> None:
    api = microsoft()
    cli.add(api)
    start, end = short_range(api)
    cli.sync(start=start, end=end)
    reader = sqlite3.connect(next(cli.data_dir.glob("*.db")))
    reader.execute("SELECT count(*) FROM sqlite_master").fetchall()
    api.fail_next(SUBMIT_PATH, fake.expired_token())
    cli.sync(start=start, end=end)
    api.fail_next(POLL_PATH, fake.not_authorized())
    cli.sync(start=start, end=end, code=1)
    api.revoke()
    cli.sync(start=start, end=end, code=1)
    for kind in ("runs", "stats", "campaigns"):
        cli("export", kind, "--format", "json", "--output", str(cli.data_dir / f"export-{kind}.json"))
    cli("runs", "show", "3", "--json")
    secrets = api.secrets()
    assert len(secrets) >= 6  # developer token, refresh token, 3 access tokens, download signatures
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


def test_without_a_keyring_adding_fails_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    cli = Cli(tmp_path / "data", capsys, monkeypatch)  # no memory_keyring: the suite's failing backend
    with FakeMicrosoftAds() as api:
        cli.add(api, code=2)
        assert api.requests == []
    lines = cli.err.strip().splitlines()
    assert len(lines) == 1 and "keyring" in lines[0] and "Traceback" not in cli.err
    assert cli.json("accounts", "list", "--json") == []
    for path in cli.data_dir.rglob("*"):
        if path.is_file():
            assert api.developer_token.encode() not in path.read_bytes()
            assert api.refresh_token.encode() not in path.read_bytes()


@pytest.mark.parametrize("account_id, credentials, options, message", [
    ("F149ZX2K", None, None, "A Microsoft Advertising account id (the numeric aid=…, not the account number)"),
    (ACCOUNT_ID, None, (), "--option customer_id: required"),
    (ACCOUNT_ID, None, ("customer_id=abc",), "--option customer_id must be a number"),
    (ACCOUNT_ID, {"developer_token": "d", "client_secret": "s"}, None, "'client_secret' is not a Microsoft"),
    (ACCOUNT_ID, {"client_id": "c", "refresh_token": "r"}, None, "developer_token"),
])
def test_bad_account_input_is_rejected_at_add_time(cli: Cli, microsoft: Callable[..., FakeMicrosoftAds],
                                                   account_id: str, credentials: dict[str, str] | None,
                                                   options: tuple[str, ...] | None, message: str) -> None:
    api = microsoft()
    cli.add(api, account_id=account_id, credentials=credentials, options=options, code=2)
    assert message in cli.err and "Traceback" not in cli.err and len(cli.err.strip().splitlines()) == 1
    assert cli.json("accounts", "list", "--json") == [] and api.requests == []


def test_a_plain_http_base_url_to_another_host_is_refused(cli: Cli, microsoft: Callable[
        ..., FakeMicrosoftAds]) -> None:
    api = microsoft()
    cli("accounts", "add", "--platform", "microsoft_ads", "--name", "MS", "--account-id", ACCOUNT_ID,
        "--option", f"customer_id={CUSTOMER_ID}", "--option", "api_base_url=http://ads.example.com", code=2)
    assert "--option api_base_url: plain http to ads.example.com" in cli.err
    assert api.requests == []


def test_account_with_only_a_developer_token_waits_for_sign_in(cli: Cli, microsoft: Callable[
        ..., FakeMicrosoftAds]) -> None:
    api = microsoft()
    cli.add(api, credentials={"developer_token": api.developer_token})
    assert cli.account()["auth_state"] == "needs_sign_in"
    run = cli.sync(start=api.today, end=api.today, code=1)
    assert run["error_class"] == "ReauthRequired" and "sign in again (accounts connect)" in run["error"]
    assert api.requests == []


def test_connect_signs_in_as_a_public_client_and_the_token_then_syncs(
        tmp_path: Path, memory_keyring: dict[tuple[str, str], str], microsoft: Callable[..., FakeMicrosoftAds]) -> None:
    api = microsoft()
    svc = Services.open(tmp_path / "data")
    try:
        svc.accounts.add("microsoft_ads", "MS", ACCOUNT_ID, {
            "customer_id": CUSTOMER_ID, "api_base_url": api.base_url, "token_url": api.base_url + TOKEN_PATH},
            {"developer_token": api.developer_token})
        with pytest.raises(UserError, match="--client-secret-stdin: microsoft_ads signs in as a public client"):
            svc.accounts.connect("MS", on_url=lambda url: None, client_id=api.client_id, client_secret="s",
                                 timeout_s=5)
        seen: dict[str, str] = {}

        def browser(url: str) -> None:
            query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
            seen.update(query, host=urlsplit(url).netloc)
            api.challenge = query["code_challenge"]
            threading.Thread(target=lambda: requests.get(
                query["redirect_uri"], params={"code": "good-code", "state": query["state"]}, timeout=5)).start()

        assert "Signed in" in svc.accounts.connect("MS", on_url=browser, client_id=api.client_id, timeout_s=10)
    finally:
        svc.close()
    assert seen["host"] == "login.microsoftonline.com" and seen["code_challenge_method"] == "S256"
    assert seen["scope"] == "https://ads.microsoft.com/msads.manage offline_access"
    assert "client_secret" not in api.calls(TOKEN_PATH)[0].form()
    creds = json.loads(memory_keyring[("autosync-desktop", "account:MS")])
    assert creds == {"developer_token": api.developer_token, "client_id": api.client_id,
                     "refresh_token": api.refresh_token}
    assert Account.get(Account.name == "MS").auth_state == "ok"


# --- faults ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, reply, times", [
    (SUBMIT_PATH, fake.throttled(), 2),
    (POLL_PATH, fake.throttled(), 1),
    (SUBMIT_PATH, fake.server_error(500), 2),
    (POLL_PATH, fake.server_error(503), 2),
    (POLL_PATH, fake.malformed(), 1),
    (SUBMIT_PATH, fake.dropped(), 2),
    (DOWNLOAD_PATH, fake.dropped(), 1),
    (DOWNLOAD_PATH, Reply(500, b"<Error/>"), 1),
    (DOWNLOAD_PATH, Reply(200, b"PK\x03\x04 not a zip"), 1),
    (CAMPAIGNS_PATH, fake.dropped(), 1),
    (ACCOUNT_PATH, fake.throttled(), 1),
    (TOKEN_PATH, Reply(503, {"error": "temporarily_unavailable"}), 1),
], ids=["submit-117", "poll-117", "submit-500", "poll-503", "poll-malformed", "submit-dropped", "download-dropped",
        "download-500", "download-damaged", "campaigns-dropped", "account-117", "token-503"])
def test_transient_faults_are_retried_to_a_complete_result(cli: Cli, microsoft: Callable[..., FakeMicrosoftAds],
                                                           path: str, reply: Reply, times: int) -> None:
    api = microsoft()
    cli.add(api)
    api.fail_next(path, reply, times=times)
    start, end = short_range(api)
    run = cli.sync(start=start, end=end)
    assert run["status"] == "succeeded" and run["error"] is None
    assert cli.stored() == truth(api, start, end)
    assert api.faults == []


def test_a_report_that_ends_in_error_is_asked_again(cli: Cli, microsoft: Callable[..., FakeMicrosoftAds]) -> None:
    api = microsoft()
    api.report_errors = 1
    cli.add(api)
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert len(api.calls(SUBMIT_PATH)) == 2 and cli.stored() == truth(api, start, end)


def test_a_report_that_never_gets_ready_fails_transient(cli: Cli, microsoft: Callable[..., FakeMicrosoftAds],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ms, "POLL_MAX_WAIT_S", 0.2)
    api = microsoft(pending_polls=10_000)
    cli.add(api)
    start, end = short_range(api)
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "Transient" and "report was not ready within" in run["error"]
    assert len(api.calls(SUBMIT_PATH)) == 4 and cli.stored() == {}  # retry.max_attempts reports, then it stops


def test_a_download_link_that_is_not_https_is_not_followed(cli: Cli, microsoft: Callable[
        ..., FakeMicrosoftAds]) -> None:
    api = microsoft()
    cli.add(api)
    link = "http://downloads.example.com/r.zip?sig=abc"
    api.fail_next(POLL_PATH, Reply(200, {"ReportRequestStatus": {"ReportDownloadUrl": link, "Status": "Success"}}))
    start, end = short_range(api)
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "Permanent" and "not https (downloads.example.com)" in run["error"]
    assert "sig=abc" not in json.dumps(run) and api.calls(DOWNLOAD_PATH) == []


def test_call_rate_exceeded_waits_for_the_platforms_hint(cli: Cli, microsoft: Callable[..., FakeMicrosoftAds]) -> None:
    api = microsoft()
    cli.add(api)
    api.fail_next(SUBMIT_PATH, fake.throttled(retry_after=1))
    start, end = short_range(api)
    began = time.monotonic()
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert 0.9 <= time.monotonic() - began < 30 and cli.stored() == truth(api, start, end)


def test_a_long_throttle_defers_the_run(cli: Cli, microsoft: Callable[..., FakeMicrosoftAds]) -> None:
    api = microsoft()
    cli.add(api)
    cli("settings", "set", "retry.max_rate_limit_wait_s", "10")
    api.fail_next(SUBMIT_PATH, fake.throttled(retry_after=600), times=5)
    start, end = short_range(api)
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "RateLimited" and "deferred" in run["error"]
    assert len(api.calls(SUBMIT_PATH)) == 1 and cli.stored() == {}


def test_expired_access_token_is_refreshed_once(cli: Cli, microsoft: Callable[..., FakeMicrosoftAds]) -> None:
    api = microsoft()
    cli.add(api)
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded" and token_calls(api) == 1
    api.expire_access_tokens()
    api.fail_next(SUBMIT_PATH, fake.expired_token())  # the new token too, once
    api.fail_next(POLL_PATH, fake.invalid_credentials())
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "ReauthRequired" and cli.account()["auth_state"] == "needs_sign_in"
    assert token_calls(api) == 3  # the run's first token, then one refresh: no loop
    cli.add(api, name="MS2")
    api.fail_next(SUBMIT_PATH, fake.expired_token())
    assert cli.sync("MS2", start=start, end=end)["status"] == "succeeded"
    assert token_calls(api) == 5 and cli.account("MS2")["auth_state"] == "ok"


@pytest.mark.parametrize("fault", ["revoke", "invalid-grant"])
def test_dead_grant_marks_the_account_needs_sign_in(cli: Cli, microsoft: Callable[..., FakeMicrosoftAds],
                                                    fault: str) -> None:
    api = microsoft()
    cli.add(api)
    if fault == "revoke":
        api.revoke()
    else:
        api.fail_next(TOKEN_PATH, fake.invalid_grant())
    run = cli.sync(start=api.today, end=api.today, code=1)
    assert run["status"] == "failed" and run["error_class"] == "ReauthRequired"
    assert "Microsoft Advertising sign-in expired or was revoked — sign in again" in run["error"]
    assert cli.account()["auth_state"] == "needs_sign_in"
    assert token_calls(api) == 1 and cli.stored() == {}


def test_other_errors_are_permanent_with_microsofts_message(cli: Cli, microsoft: Callable[
        ..., FakeMicrosoftAds]) -> None:
    api = microsoft()
    cli.add(api)
    api.fail_next(SUBMIT_PATH, fake.not_authorized())
    start, end = short_range(api)
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "Permanent"
    assert "Microsoft Advertising refused the request: The user does not represent a authorized developer." \
        in run["error"]
    assert len(api.calls(SUBMIT_PATH)) == 1 and cli.account()["auth_state"] == "ok"


def test_a_retired_api_version_says_to_update(cli: Cli, microsoft: Callable[..., FakeMicrosoftAds]) -> None:
    assert ms.SPEC.api_version == ms.API_VERSION == "v13"
    api = microsoft()
    cli.add(api)
    api.retired = True
    run = cli.sync(start=api.today, end=api.today, code=1)
    assert run["error_class"] == "Permanent" and run["error"].startswith(
        "This AutoSync uses Microsoft Advertising API v13, which Microsoft Advertising has retired: update AutoSync.")
    assert len(api.calls(ACCOUNT_PATH)) == 1  # not retried


# --- building blocks ------------------------------------------------------------------------------------------

def test_time_zones_map_both_ways() -> None:
    assert microsoft_zones.ms_to_iana("PacificTimeUSCanadaTijuana") == "America/Los_Angeles"
    assert microsoft_zones.iana_to_ms("Europe/Berlin") == "AmsterdamBerlinBernRomeStockholmVienna"
    assert microsoft_zones.iana_to_ms("Europe/Madrid") == "BrusselsCopenhagenMadridParis"
    assert all(microsoft_zones.iana_to_ms(iana) == name for name, iana in microsoft_zones.MS_TO_IANA.items())
    with pytest.raises(Permanent, match="'MarsStandardTime', which this AutoSync does not know"):
        microsoft_zones.ms_to_iana("MarsStandardTime")
    with pytest.raises(Permanent, match="no report time zone for 'UTC'"):
        microsoft_zones.iana_to_ms("UTC")


def test_report_csv_is_read_exactly() -> None:
    text = ("\ufeff" if False else "") + (
        '"TimePeriod","CampaignId","CampaignName","Impressions","Clicks","Spend","Conversions","Revenue"\r\n'
        '"2026-11-02","700000000013","A","1,204","17","12.345678","2.50","--"\r\n'
        '"2026-11-02","700000000013","A","6","1","0.10","0",""\r\n'
        '"11/3/2026","9","B","","","","",""\r\n'
        '"2026-10-01","9","B","5","0","0","0","0"\r\n'
        '"","","","","","","",""\r\n')
    rows = microsoft_report.read_report(text, date(2026, 11, 1), date(2026, 11, 30), "EUR")
    assert rows.skipped == 2
    first, second = rows.records
    assert (first.campaign_id, first.date, first.impressions, first.clicks, first.cost_micros, first.conversions,
            first.conversion_value_micros, first.currency) == (
        "700000000013", date(2026, 11, 2), 1210, 18, 12_445_678, 2.5, None, "EUR")
    assert (second.date, second.impressions, second.cost_micros, second.conversion_value_micros) == (
        date(2026, 11, 3), None, None, None)  # unknown, never 0
    body = microsoft_report.report_request("42", date(2026, 1, 30), date(2026, 2, 2), "Seoul")["ReportRequest"]
    assert body["Time"] == {"CustomDateRangeStart": {"Day": 30, "Month": 1, "Year": 2026},
                            "CustomDateRangeEnd": {"Day": 2, "Month": 2, "Year": 2026}, "ReportTimeZone": "Seoul"}
    assert body["Scope"] == {"AccountIds": [42]} and body["Aggregation"] == "Daily" and body["Format"] == "Csv"
