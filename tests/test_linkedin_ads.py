"""The LinkedIn Ads connector end to end: the in-process CLI against a strict loopback fake of the Marketing API
(tests/fakes/linkedin_ads.py), with credentials in the in-memory keyring."""

from __future__ import annotations

import io
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop.cli import main
from autosync_desktop.connectors import linkedin_ads as li
from autosync_desktop.connectors.base import ConnectorContext, micros_to_text
from tests.day_zone import assert_day_zone
from tests.fakes import linkedin_ads as fake
from tests.fakes.linkedin_ads import TOKEN_PATH, FakeLinkedInAds
from tests.fakes.server import Reply

ACCOUNT_ID = "507404993"
ANALYTICS = "/rest/adAnalytics"
StatKey = tuple[str, str]  # (campaign_id, ISO date)


class Cli:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.data_dir = data_dir
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.transcript: list[str] = []  # every stdout/stderr line, for the secret scan

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

    # --- LinkedIn helpers ---

    def add(self, api: FakeLinkedInAds, name: str = "LI", *, account_id: str = ACCOUNT_ID,
            credentials: dict[str, str] | None = None, options: tuple[str, ...] = (), code: int = 0) -> str:
        creds = credentials if credentials is not None else {
            "client_id": api.client_id, "client_secret": api.client_secret, "refresh_token": api.refresh_token}
        opts = [f"api_base_url={api.base_url}", f"token_url={api.base_url}{TOKEN_PATH}", *options]
        return self("accounts", "add", "--platform", "linkedin_ads", "--name", name, "--account-id", account_id,
                    *[a for o in opts for a in ("--option", o)], "--credentials-stdin", stdin=json.dumps(creds),
                    code=code)

    def sync(self, name: str = "LI", start: date | None = None, end: date | None = None,
             code: int = 0) -> dict[str, Any]:
        dates = ["--from", start.isoformat(), "--to", end.isoformat()] if start and end else []
        self("sync", name, *dates, "--wait", code=code)
        return self.json("runs", "--json")[0]

    def stored(self, account_id: str = ACCOUNT_ID) -> dict[StatKey, tuple[Any, ...]]:
        rows = self.json("export", "stats", "--format", "json")
        return {(r["campaign_id"], r["date"]): (r["impressions"], r["clicks"], r["cost_micros"], r["conversions"],
                                               r["conversion_value"], r["currency"])
                for r in rows if r["account_id"] == account_id}

    def account(self, name: str = "LI") -> dict[str, Any]:
        return next(a for a in self.json("accounts", "list", "--json") if a["name"] == name)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        memory_keyring: dict[tuple[str, str], str]) -> Cli:
    c = Cli(tmp_path / "data", capsys, monkeypatch)
    c("settings", "set", "retry.base_delay_s", "0")
    c("settings", "set", "http.timeout_s", "2")
    return c


@pytest.fixture
def linkedin() -> Iterator[Callable[..., FakeLinkedInAds]]:
    """Start fakes on demand (keyword arguments as FakeLinkedInAds); all are stopped after the test."""
    started: list[FakeLinkedInAds] = []

    def start(**kwargs: Any) -> FakeLinkedInAds:
        api = FakeLinkedInAds(**kwargs).__enter__()
        started.append(api)
        return api

    yield start
    for api in started:
        api.__exit__(None, None, None)


def truth(api: FakeLinkedInAds, start: date, end: date) -> dict[StatKey, tuple[Any, ...]]:
    return {(s.campaign_id, s.date.isoformat()): (s.impressions, s.clicks, s.cost_micros, float(s.conversions),
                                                  micros_to_text(s.conversion_value_micros), api.currency)
            for s in api.stats(start, end)}


def two_windows(api: FakeLinkedInAds) -> tuple[date, date]:
    """45 days ending the day before yesterday: windows of 30 and 15 days."""
    end = api.today - timedelta(days=2)
    return end - timedelta(days=44), end


def short_range(api: FakeLinkedInAds) -> tuple[date, date]:
    end = api.today - timedelta(days=1)
    return end - timedelta(days=4), end


def token_calls(api: FakeLinkedInAds) -> int:
    return len(api.calls(TOKEN_PATH))


# --- data -----------------------------------------------------------------------------------------------------

def test_backfill_over_two_windows_matches_ground_truth_and_is_idempotent(cli: Cli, linkedin: Callable[
        ..., FakeLinkedInAds]) -> None:
    api = linkedin()
    cli.add(api)
    assert cli("accounts", "test", "LI").strip() == "Connected to LinkedIn ad account 507404993 (Acme, USD)"
    start, end = two_windows(api)
    run = cli.sync(start=start, end=end)
    expected = truth(api, start, end)
    assert run["status"] == "succeeded" and run["campaigns"] == 120
    assert run["rows"] == len(expected) == api.totals(start, end)["rows"] > 1000

    stored = cli.stored()
    assert stored == expected
    assert_day_zone(cli.data_dir, "LI", "UTC")  # LinkedIn's days are UTC days, whatever the account's own zone
    totals = api.totals(start, end)
    assert sum(v[0] for v in stored.values()) == totals["impressions"]
    assert sum(v[1] for v in stored.values()) == totals["clicks"]
    assert sum(v[2] for v in stored.values()) == totals["cost_micros"]
    assert sum(Decimal(v[4]) for v in stored.values()) * 1_000_000 == totals["conversion_value_micros"]
    # ended campaigns keep their past stats; drafts never ran
    by_status = {c.status for c in api.campaigns if any(k[0] == str(c.id) for k in stored)}
    assert {"ARCHIVED", "COMPLETED", "CANCELED", "REMOVED", "PENDING_DELETION", "PAUSED"} <= by_status
    assert "DRAFT" not in by_status

    # 2 windows x 3 groups (50 + 50 + 20 campaigns), each <= 31 days
    queries = api.analytics_requests
    assert len(queries) == 6 and sorted(len(q["campaigns"]) for q in queries) == [20, 20, 50, 50, 50, 50]
    assert {(q["start"], q["end"]) for q in queries} == {(start, start + timedelta(days=29)),
                                                         (start + timedelta(days=30), end)}
    account = cli.account()
    assert (account["auth_state"], account["currency"], account["timezone"]) == ("ok", "USD", "UTC")

    first = cli("export", "stats", "--format", "csv")
    again = cli.sync(start=start, end=end)
    assert again["status"] == "succeeded" and again["rows"] == run["rows"]
    assert cli("export", "stats", "--format", "csv") == first


def test_campaigns_of_every_status_are_synced_and_mapped(cli: Cli, linkedin: Callable[..., FakeLinkedInAds]) -> None:
    api = linkedin()
    cli.add(api)
    run = cli.sync(start=api.today - timedelta(days=1), end=api.today - timedelta(days=1))
    assert run["status"] == "succeeded"
    campaigns = cli.json("export", "campaigns", "--format", "json")
    assert len(campaigns) == 120 and len(api.calls("/adCampaigns")) == 3  # pages of 40 via pageToken
    mapped = {(c["status_raw"], c["status"]) for c in campaigns}
    assert mapped == {("ACTIVE", "ACTIVE"), ("PAUSED", "PAUSED"), ("ARCHIVED", "REMOVED"), ("CANCELED", "REMOVED"),
                      ("REMOVED", "REMOVED"), ("PENDING_DELETION", "REMOVED"), ("COMPLETED", "OTHER"),
                      ("DRAFT", "OTHER")}
    first = campaigns[0]
    assert first["campaign_id"] == "600000000" and first["name"] == "Campaign 001 Active"
    assert first["currency"] == "USD" and first["updated_at"].startswith("2025-01-04T")


def test_restated_day_is_replaced_by_a_later_sync_inside_the_lookback(cli: Cli, linkedin: Callable[
        ..., FakeLinkedInAds]) -> None:
    cli("settings", "set", "sync.freshness_planner", "off")  # the whole lookback each sync (no wait for a check)
    api = linkedin()
    cli.add(api)
    cli("settings", "set", "sync.initial_history_days", "10")
    today = api.today
    assert cli.sync()["status"] == "succeeded"
    assert cli.stored() == truth(api, today - timedelta(days=10), today)

    restated = today - timedelta(days=3)
    before = truth(api, restated, restated)
    api.restate(restated)
    after = truth(api, restated, restated)
    assert before != after
    api.analytics_requests.clear()
    assert cli.sync()["status"] == "succeeded"
    assert min(q["start"] for q in api.analytics_requests) == today - timedelta(days=7)  # the 7-day lookback
    stored = cli.stored()
    assert {k: v for k, v in stored.items() if k[1] == restated.isoformat()} == after
    assert stored == truth(api, today - timedelta(days=10), today)


def test_long_urls_are_tunnelled_as_post_with_identical_results(cli: Cli, linkedin: Callable[
        ..., FakeLinkedInAds]) -> None:
    plain = linkedin()
    tunnel = linkedin(account_id=555000111, max_get_url_length=1500)
    cli.add(plain, "plain")
    cli.add(tunnel, "tunnel", account_id="urn:li:sponsoredAccount:555000111")
    start, end = two_windows(plain)
    assert cli.sync("plain", start, end)["status"] == "succeeded"
    assert cli.sync("tunnel", start, end)["status"] == "succeeded"
    assert plain.tunnelled == plain.too_long == 0
    # one 414, then every analytics query of the run goes as a POST tunnel
    assert tunnel.too_long == 1 and len(tunnel.analytics_requests) == len(tunnel.statistics_requests) == 6
    assert tunnel.tunnelled == 6 + 6 + 1  # the numbers, the conversions by rule, the rule names once
    # the account id entered as a URN is stored (and exported) in its canonical numeric form
    assert cli.stored("555000111") == cli.stored(ACCOUNT_ID) == truth(plain, start, end)


def test_very_long_urls_are_tunnelled_without_asking(linkedin: Callable[..., FakeLinkedInAds],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    api = linkedin()
    monkeypatch.setattr(li, "MAX_URL_LENGTH", 600)
    conn = li.LinkedInAdsConnector(
        account_id=ACCOUNT_ID, options={"api_base_url": api.base_url, "token_url": api.base_url + TOKEN_PATH},
        credentials={"client_id": api.client_id, "client_secret": api.client_secret,
                     "refresh_token": api.refresh_token}, ctx=ConnectorContext())
    try:
        start, end = short_range(api)
        rows = [r for page in conn.fetch_daily_stats(start, end) for r in page]
    finally:
        conn.close()
    assert len(rows) == api.totals(start, end)["rows"]
    # the campaign list and the conversion rules are short enough for GET; each group's numbers and its
    # conversions by rule (q=statistics) are not
    assert api.too_long == 0 and api.tunnelled == 3 + len(api.statistics_requests) == 6


# --- credentials ----------------------------------------------------------------------------------------------

def test_rotated_refresh_token_is_saved_and_used_next_time(cli: Cli, linkedin: Callable[..., FakeLinkedInAds],
                                                           memory_keyring: dict[tuple[str, str], str]) -> None:
    api = linkedin(rotate_refresh=True)
    cli.add(api)
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    saved = json.loads(memory_keyring[("autosync-desktop", "account:LI")])
    assert saved == {"client_id": api.client_id, "client_secret": api.client_secret,
                     "refresh_token": "li-REFRESH-TOKEN-0002-a7c3"} and api.refresh_token == saved["refresh_token"]
    # the fake no longer accepts the first refresh token: the next run works only with the saved one
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert json.loads(memory_keyring[("autosync-desktop", "account:LI")])["refresh_token"] == api.refresh_token
    assert cli.account()["auth_state"] == "ok"


def test_no_secret_value_anywhere_under_the_data_dir(cli: Cli, linkedin: Callable[..., FakeLinkedInAds]) -> None:
    api = linkedin(rotate_refresh=True)
    cli.add(api)
    start, end = short_range(api)
    cli.sync(start=start, end=end)
    # an idle reader keeps the -wal file on disk, so what the CLI's runs wrote there is scanned too
    reader = sqlite3.connect(next(cli.data_dir.glob("*.db")))
    reader.execute("SELECT count(*) FROM sqlite_master").fetchall()
    api.fail_next(ANALYTICS, fake.expired_token())
    cli.sync(start=start, end=end)
    api.fail_next(TOKEN_PATH, fake.invalid_grant())
    cli.sync(start=start, end=end, code=1)
    for kind in ("runs", "stats", "campaigns"):
        cli("export", kind, "--format", "json", "--output", str(cli.data_dir / f"export-{kind}.json"))
    cli("runs", "show", "3", "--json")
    secrets = api.secrets()
    assert len(secrets) >= 5  # the client secret, 3+ refresh tokens, 2+ access tokens
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


def test_access_token_only_credentials_work_until_the_token_expires(cli: Cli, linkedin: Callable[
        ..., FakeLinkedInAds]) -> None:
    api = linkedin(static_tokens=("li-STATIC-ACCESS-77",))
    cli.add(api, credentials={"access_token": "li-STATIC-ACCESS-77"})
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded" and token_calls(api) == 0
    api.fail_next(ANALYTICS, fake.expired_token())
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "ReauthRequired" and "sign in again" in run["error"]
    assert cli.account()["auth_state"] == "needs_sign_in" and token_calls(api) == 0


@pytest.mark.parametrize("account_id, credentials, options, message", [
    ("acme", None, (), "A LinkedIn ad account id must be a number"),
    (ACCOUNT_ID, {"refresh_token": "r"}, (), "LinkedIn credentials are missing or incomplete"),
    (ACCOUNT_ID, None, ("linkedin_version=2026",), "--option linkedin_version: must be YYYYMM"),
    (ACCOUNT_ID, None, ("linkedin_version=abc",), "--option linkedin_version: must be YYYYMM"),
    (ACCOUNT_ID, None, ("linkedin_version=202613",), "--option linkedin_version: must be YYYYMM"),
])
def test_bad_account_input_is_rejected_at_add_time(cli: Cli, linkedin: Callable[..., FakeLinkedInAds],
                                                   account_id: str, credentials: dict[str, str] | None,
                                                   options: tuple[str, ...], message: str) -> None:
    api = linkedin()
    cli.add(api, account_id=account_id, credentials=credentials, options=options, code=2)
    assert message in cli.err and "Traceback" not in cli.err
    assert cli.json("accounts", "list", "--json") == [] and api.requests == []


def test_native_pkce_credentials_refresh_without_a_client_secret(cli: Cli, linkedin: Callable[
        ..., FakeLinkedInAds]) -> None:
    """What 'accounts connect' stores for a LinkedIn app using native PKCE: an empty client_secret."""
    api = linkedin(public_client=True)
    cli.add(api, credentials={"client_id": api.client_id, "client_secret": "", "refresh_token": api.refresh_token})
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert cli.stored() == truth(api, start, end)
    assert "client_secret" not in api.calls(TOKEN_PATH)[0].form()


def test_sunset_api_version_says_to_update_it(cli: Cli, linkedin: Callable[..., FakeLinkedInAds]) -> None:
    api = linkedin()
    cli.add(api, options=("linkedin_version=202401",))
    run = cli.sync(start=api.today, end=api.today, code=1)
    assert run["error_class"] == "Permanent" and len(api.requests) == 2  # the token, then one 426: not retried
    assert "This AutoSync uses LinkedIn API 202401, which LinkedIn has retired: update AutoSync (or remove " \
           "--option linkedin_version=202401)." in run["error"]


def test_the_pinned_version_is_current_and_its_retirement_is_plain(
        cli: Cli, linkedin: Callable[..., FakeLinkedInAds]) -> None:
    assert li.LINKEDIN_VERSION >= "202607" and li.SPEC.api_version == li.LINKEDIN_VERSION
    api = linkedin(oldest_version="202602")  # LinkedIn after 2027-01-15: 202601 is gone
    cli.add(api)
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert {r.headers["linkedin-version"] for r in api.requests if r.path != TOKEN_PATH} == {li.LINKEDIN_VERSION}
    api.oldest_version = "209901"  # the day LinkedIn retires the pinned version too
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "Permanent" and run["error"].startswith(
        f"This AutoSync uses LinkedIn API {li.LINKEDIN_VERSION}, which LinkedIn has retired: update AutoSync.")


# --- faults ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, reply, times", [
    (ANALYTICS, fake.throttled(), 2),
    (ANALYTICS, fake.server_error(500), 2),
    (ANALYTICS, fake.server_error(503), 2),
    (ANALYTICS, fake.malformed(), 2),
    (ANALYTICS, fake.dropped(), 2),
    (ANALYTICS, fake.slow(1.5), 1),
    ("/adCampaigns", fake.dropped(), 1),
    ("/rest/adAccounts/", fake.throttled(), 1),
    (TOKEN_PATH, fake.server_error(503), 1),
], ids=["429", "500", "503", "malformed-json", "dropped", "timeout", "campaigns-dropped", "account-429",
        "token-503"])
def test_transient_faults_are_retried_to_a_complete_result(cli: Cli, linkedin: Callable[..., FakeLinkedInAds],
                                                           path: str, reply: Reply, times: int) -> None:
    api = linkedin()
    cli.add(api)
    if reply.delay_s:
        cli("settings", "set", "http.timeout_s", "1")
    api.fail_next(path, reply, times=times)
    start, end = short_range(api)
    run = cli.sync(start=start, end=end)
    assert run["status"] == "succeeded" and run["error"] is None
    assert cli.stored() == truth(api, start, end)
    assert api.faults == []  # every queued fault was served and retried past
    assert len(api.analytics_requests) == 3


def test_expired_access_token_is_refreshed_once(cli: Cli, linkedin: Callable[..., FakeLinkedInAds]) -> None:
    api = linkedin()
    cli.add(api)
    api.fail_next(ANALYTICS, fake.expired_token())
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert token_calls(api) == 2 and cli.stored() == truth(api, start, end)
    # a token that is rejected again right after the refresh means the grant is dead
    api.fail_next(ANALYTICS, fake.expired_token(), times=2)
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "ReauthRequired" and token_calls(api) == 4
    assert cli.account()["auth_state"] == "needs_sign_in"


@pytest.mark.parametrize("path, reply", [
    ("/rest/adAccounts/", fake.revoked_token()),
    (TOKEN_PATH, fake.invalid_grant()),
], ids=["revoked-token", "invalid-grant"])
def test_dead_grant_marks_the_account_needs_sign_in(cli: Cli, linkedin: Callable[..., FakeLinkedInAds], path: str,
                                                    reply: Reply) -> None:
    api = linkedin()
    cli.add(api)
    api.fail_next(path, reply)
    run = cli.sync(start=api.today, end=api.today, code=1)
    assert run["status"] == "failed" and run["error_class"] == "ReauthRequired"
    assert "LinkedIn sign-in expired or was revoked — sign in again" in run["error"]
    account = cli.account()
    assert account["auth_state"] == "needs_sign_in"
    assert token_calls(api) == 1 and cli.stored() == {}  # no refresh loop, nothing written


def test_forbidden_is_permanent_with_the_reason(cli: Cli, linkedin: Callable[..., FakeLinkedInAds]) -> None:
    api = linkedin()
    cli.add(api)
    api.fail_next(ANALYTICS, fake.forbidden())
    start, end = short_range(api)
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "Permanent"
    assert "lacks access to ad account 507404993" in run["error"] and "r_ads_reporting" in run["error"]
    assert len(api.calls(ANALYTICS)) == 1  # not retried
    assert cli.account()["auth_state"] == "ok"


def test_daily_limit_defers_the_run_instead_of_hammering(cli: Cli, linkedin: Callable[..., FakeLinkedInAds]) -> None:
    api = linkedin()
    cli.add(api)
    cli("settings", "set", "retry.max_rate_limit_wait_s", "0")  # whatever the time of day, the reset is later
    api.fail_next(ANALYTICS, fake.throttled(daily=True), times=10)
    start, end = short_range(api)
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "RateLimited"
    assert "deferred" in run["error"] and "midnight UTC" in run["error"]
    assert len(api.calls(ANALYTICS)) == 1 and cli.stored() == {}


def test_retry_after_beats_the_daily_limit_guess(cli: Cli, linkedin: Callable[..., FakeLinkedInAds]) -> None:
    """A 429 saying "DAY" but carrying Retry-After: 1 waits about a second and goes on: server hints win."""
    api = linkedin()
    cli.add(api)
    daily = fake.throttled(daily=True)
    api.fail_next(ANALYTICS, replace(daily, headers={**daily.headers, "Retry-After": "1"}))
    start, end = short_range(api)
    began = time.monotonic()
    run = cli.sync(start=start, end=end)
    assert run["status"] == "succeeded" and cli.stored() == truth(api, start, end)
    assert 0.9 <= time.monotonic() - began < 30  # waited for the hint, not until midnight UTC
    numbers = [r for r in api.calls(ANALYTICS) if r.raw_query.startswith("q=analytics")]
    assert len(numbers) == 4  # three groups, one of them asked twice (each group's conversions by rule aside)


def test_persistent_5xx_fails_transient_and_leaves_no_half_written_window(cli: Cli, linkedin: Callable[
        ..., FakeLinkedInAds]) -> None:
    api = linkedin()
    cli.add(api)
    start, end = two_windows(api)
    second = start + timedelta(days=30)
    # the last campaign group of the second window always fails; its first two groups succeed
    api.analytics_hook = lambda q: fake.server_error(503) if q["start"] == second and len(q["campaigns"]) < 50 \
        else None
    run = cli.sync(start=start, end=end, code=1)
    assert run["status"] == "failed" and run["error_class"] == "Transient"
    assert cli.stored() == truth(api, start, second - timedelta(days=1))  # the first window, whole; none of the 2nd
    assert run["rows"] == len(truth(api, start, second - timedelta(days=1)))


# --- Rest.li building blocks ----------------------------------------------------------------------------------

def test_restli_query_parts_are_encoded_like_linkedin_expects() -> None:
    urns = [li.campaign_urn("123"), li.campaign_urn("456")]
    assert li.restli_list(urns) == "List(urn%3Ali%3AsponsoredCampaign%3A123,urn%3Ali%3AsponsoredCampaign%3A456)"
    assert li.restli_date_range(date(2026, 1, 2), date(2026, 1, 31)) == (
        "(start:(year:2026,month:1,day:2),end:(year:2026,month:1,day:31))")
    assert fake.parse_restli(li.restli_list(urns)) == urns
    assert li.normalise_account_id("urn:li:sponsoredAccount:42") == "42"
    assert li.seconds_until_utc_midnight(datetime(2026, 3, 1, 23, 0, tzinfo=UTC)) == 3600
    assert li.split_range(date(2026, 1, 1), date(2026, 3, 1)) == [
        (date(2026, 1, 1), date(2026, 1, 30)), (date(2026, 1, 31), date(2026, 3, 1))]


def test_account_without_a_token_yet_fails_its_sync_as_needs_sign_in(cli: Cli, linkedin: Callable[
        ..., FakeLinkedInAds]) -> None:
    api = linkedin()
    cli.add(api, credentials={"client_id": api.client_id})  # waiting for 'accounts connect'
    run = cli.sync(start=api.today, end=api.today, code=1)
    assert run["error_class"] == "ReauthRequired" and "LinkedIn credentials are missing" in run["error"]
    assert cli.account()["auth_state"] == "needs_sign_in" and api.requests == []
