"""The Google Ads connector end to end: the CLI in-process against the loopback fake API.

Every test adds a google_ads account through `accounts add --credentials-stdin` (credentials go to the
in-memory keyring), points it at the fake with the api_base_url and token_url options, and checks what
lands in the store against the fake's ground truth, or how a fault is classified and handled.
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop.cli import main
from autosync_desktop.connectors.google_ads import API_VERSION, SPEC
from tests.day_zone import assert_day_zone
from tests.fakes.google_ads import (
    CAMPAIGNS,
    CREDENTIALS,
    CURRENCY,
    CUSTOMER_NAME,
    MANAGER_ID,
    SEARCH_STREAM,
    SECRETS,
    TIME_ZONE,
    TOKEN_PATH,
    FakeGoogleAds,
    Totals,
    ads_error,
    broken_stream,
    dropped,
    google_error,
    invalid_grant,
    malformed,
    rate_limited,
    server_error,
    slow,
    unauthenticated,
)
from tests.fakes.server import Reply

NAME = "Acme Google"
STATUS = {"ENABLED": "ACTIVE", "PAUSED": "PAUSED", "REMOVED": "REMOVED", "UNKNOWN": "OTHER"}
CALLS_PER_WINDOW_RUN = 4  # customer, campaigns, one stats window, its conversions by action
STATS = "metrics.impressions"  # in the stats query of a window, not in its conversions-by-action query


class Cli:
    """`autosync --data-dir D ...` in-process; remembers all output (for the secrets check)."""

    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                 fake: FakeGoogleAds) -> None:
        self.data_dir = data_dir
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.fake = fake
        self.err = ""
        self.transcript = ""

    def __call__(self, *args: str, code: int = 0, stdin: str | None = None) -> str:
        if stdin is not None:
            self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        rc = main(["--data-dir", str(self.data_dir), *args])
        out, err = self.capsys.readouterr()
        self.err = err
        self.transcript += out + err
        assert rc == code, f"exit {rc}, stdout: {out}, stderr: {err}"
        return out

    def add(self, name: str = NAME, account_id: str = "123-456-7890", *options: str,
            credentials: dict[str, str] | None = None, code: int = 0) -> str:
        args = ["accounts", "add", "--platform", "google_ads", "--name", name, "--account-id", account_id,
                "--option", f"api_base_url={self.fake.base_url}", "--option", f"token_url={self.fake.base_url}/token"]
        for option in options:
            args += ["--option", option]
        return self(*args, "--credentials-stdin", stdin=json.dumps(credentials or CREDENTIALS), code=code)

    def sync(self, name: str = NAME, start: date | None = None, end: date | None = None,
             code: int = 0) -> dict[str, Any]:
        dates = ["--from", start.isoformat(), "--to", end.isoformat()] if start and end else []
        return json.loads(self("sync", name, *dates, "--wait", "--json", code=code))

    def events(self, run: dict[str, Any]) -> list[str]:
        return [e["message"] for e in json.loads(self("runs", "show", str(run["id"]), "--json"))["events"]]

    def account(self, name: str = NAME) -> dict[str, Any]:
        return next(a for a in json.loads(self("accounts", "list", "--json")) if a["name"] == name)

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.data_dir / "autosync.db")

    def stored_rows(self, start: date, end: date) -> list[tuple[Any, ...]]:
        with self.db() as con:
            return sorted(con.execute(
                "SELECT campaign_id, date, impressions, clicks, cost_micros, conversions, conversion_value_micros,"
                " currency FROM daily_stat WHERE date BETWEEN ? AND ?", (start.isoformat(), end.isoformat())))

    def stored(self, start: date, end: date) -> Totals:
        with self.db() as con:
            row = con.execute(
                "SELECT COUNT(*), COALESCE(SUM(impressions), 0), COALESCE(SUM(clicks), 0),"
                " COALESCE(SUM(cost_micros), 0), COALESCE(SUM(conversion_value_micros), 0) FROM daily_stat"
                " WHERE date BETWEEN ? AND ?", (start.isoformat(), end.isoformat())).fetchone()
        return Totals(*row)


def expected_rows(fake: FakeGoogleAds, start: date, end: date) -> list[tuple[Any, ...]]:
    return sorted((r.campaign_id, r.day.isoformat(), r.impressions, r.clicks, r.cost_micros, r.conversions,
                   r.value_micros, CURRENCY) for r in fake.expected_rows(start, end))


@pytest.fixture(scope="module")
def server() -> Iterator[FakeGoogleAds]:
    api = FakeGoogleAds()
    with api:
        yield api


@pytest.fixture
def fake(server: FakeGoogleAds) -> FakeGoogleAds:
    server.reset()
    return server


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        memory_keyring: dict[tuple[str, str], str], fake: FakeGoogleAds) -> Cli:
    runner = Cli(tmp_path / "data", capsys, monkeypatch, fake)
    runner("settings", "set", "retry.base_delay_s", "0")
    runner("settings", "set", "http.timeout_s", "1")
    return runner


def _recent(fake: FakeGoogleAds) -> tuple[date, date]:
    """A one-window range."""
    today = fake.today
    return today - timedelta(days=9), today - timedelta(days=3)


# --- data ---------------------------------------------------------------------------------------------------

def test_backfill_matches_ground_truth_and_rerun_is_idempotent(cli: Cli, fake: FakeGoogleAds,
                                                              memory_keyring: dict[tuple[str, str], str]) -> None:
    cli.add()
    today = fake.today
    start, end = today - timedelta(days=60), today - timedelta(days=16)  # 45 days: two windows
    truth = fake.totals(start, end)
    assert truth.rows > 0 and truth.clicks > 0  # the count varies with the dates (a hash): equality is what counts

    run = cli.sync(start=start, end=end)
    assert (run["status"], run["rows"], run["campaigns"]) == ("succeeded", truth.rows, len(CAMPAIGNS))
    assert cli.stored(start, end) == truth
    assert cli.stored_rows(start, end) == expected_rows(fake, start, end)
    with cli.db() as con:
        campaigns = set(con.execute("SELECT campaign_id, name, status, status_raw, currency FROM campaign"))
        removed_stats = con.execute("SELECT COUNT(*) FROM daily_stat d JOIN campaign c USING (account_id, "
                                    "campaign_id) WHERE c.status = 'REMOVED'").fetchone()[0]
    assert campaigns == {(c.id, c.name, STATUS[c.status], c.status, CURRENCY) for c in CAMPAIGNS}
    assert removed_stats > 0  # a removed campaign's past days are kept
    account = cli.account()
    assert (account["currency"], account["timezone"], account["auth_state"]) == (CURRENCY, TIME_ZONE, "ok")
    assert_day_zone(cli.data_dir, NAME, TIME_ZONE)  # the customer's zone, on every row of Data and the exports
    windows = [r.json()["query"] for r in fake.search_calls(STATS)]
    assert [q.split("BETWEEN ")[1] for q in windows] == [
        f"'{start}' AND '{start + timedelta(days=29)}'", f"'{start + timedelta(days=30)}' AND '{end}'"]

    again = cli.sync(start=start, end=end)
    assert (again["status"], again["rows"]) == ("succeeded", truth.rows)
    assert cli.stored(start, end) == truth
    assert cli.stored_rows(start, end) == expected_rows(fake, start, end)
    # one refresh per run: access tokens live in memory only, the keyring keeps the credentials as given
    assert fake.token_calls() == 2
    saved = json.loads(next(iter(memory_keyring.values())))
    assert saved == CREDENTIALS and "access_token" not in saved


def test_incremental_sync_updates_restated_days_within_the_lookback(cli: Cli, fake: FakeGoogleAds) -> None:
    cli("settings", "set", "sync.freshness_planner", "off")  # the whole lookback each sync (no wait for a check)
    cli.add()
    today = fake.today
    start, end = today - timedelta(days=45), today - timedelta(days=5)
    cli.sync(start=start, end=end)
    old_outside = cli.stored_rows(start, today - timedelta(days=31))
    for back in (10, 20, 40):
        fake.restate(today - timedelta(days=back))
    restated = today - timedelta(days=10)
    assert cli.stored_rows(restated, restated) != expected_rows(fake, restated, restated)

    run = cli.sync()  # no dates: lookback 30 days, up to today
    assert run["status"] == "succeeded"
    lookback_start = today - timedelta(days=30)
    assert cli.stored_rows(lookback_start, today) == expected_rows(fake, lookback_start, today)
    assert cli.stored(lookback_start, today) == fake.totals(lookback_start, today)
    # the day restated 40 days back lies outside the lookback: not re-fetched, still the old numbers
    assert cli.stored_rows(start, today - timedelta(days=31)) == old_outside
    windows = [r.json()["query"].split("BETWEEN ")[1] for r in fake.search_calls(STATS)[-2:]]
    assert windows == [f"'{lookback_start}' AND '{today - timedelta(days=1)}'", f"'{today}' AND '{today}'"]


# --- faults -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reply, min_wait, max_wait", [
    (rate_limited("1s", wrapped=True), 0.9, 5.0),  # quotaErrorDetails.retryDelay in an array-wrapped body
    (rate_limited(None, retry_after="1"), 0.9, 5.0),  # only a Retry-After header
    (rate_limited(None), 0.0, 0.8),  # no hint: backoff (retry.base_delay_s is 0 here)
], ids=["retryDelay", "retry-after-header", "no-hint"])
def test_rate_limit_waits_for_the_hint_then_succeeds(cli: Cli, fake: FakeGoogleAds, reply: Reply,
                                                     min_wait: float, max_wait: float) -> None:
    cli.add()
    start, end = _recent(fake)
    fake.fail_next(SEARCH_STREAM, reply)
    run = cli.sync(start=start, end=end)
    assert run["status"] == "succeeded" and cli.stored(start, end) == fake.totals(start, end)
    calls = [t for t, path in fake.arrivals if SEARCH_STREAM in path]
    assert len(calls) == CALLS_PER_WINDOW_RUN + 1
    assert min_wait <= calls[1] - calls[0] < max_wait
    assert any("RateLimited" in message for message in cli.events(run))


@pytest.mark.parametrize("reply", [
    server_error(503), server_error(500, wrapped=True), server_error(504), slow(1.6), dropped(), malformed(),
    broken_stream(),
], ids=["503", "500-wrapped", "504", "timeout", "dropped", "malformed-json", "error-mid-stream"])
def test_transient_faults_are_retried_then_succeed(cli: Cli, fake: FakeGoogleAds, reply: Reply) -> None:
    cli.add()
    start, end = _recent(fake)
    fake.fail_query("segments.date", reply)
    run = cli.sync(start=start, end=end)
    assert run["status"] == "succeeded"
    assert cli.stored_rows(start, end) == expected_rows(fake, start, end)
    assert len(fake.search_calls(STATS)) == 2
    assert any("Transient" in message and "retrying" in message for message in cli.events(run))


def test_persistent_server_errors_fail_the_run_without_half_written_windows(cli: Cli, fake: FakeGoogleAds) -> None:
    cli.add()
    cli("settings", "set", "retry.max_attempts", "2")
    today = fake.today
    start, end = today - timedelta(days=50), today - timedelta(days=11)
    second = start + timedelta(days=30)
    cli.sync(start=start, end=end)
    before_second = cli.stored_rows(second, end)
    fake.restate(start + timedelta(days=5))
    fake.restate(second + timedelta(days=5))
    fake.fail_query(f"BETWEEN '{second}'", server_error(503), times=10)

    run = cli.sync(start=start, end=end, code=1)
    assert (run["status"], run["error_class"]) == ("failed", "Transient")
    assert "temporary server problem (HTTP 503)" in run["error"] and "UNAVAILABLE" in run["error"]
    assert len([r for r in fake.search_calls(f"BETWEEN '{second}'") if STATS in r.json()["query"]]) == 1 + 2
    # the first window was committed whole; the failed one kept its earlier rows, nothing half-written
    first_end = second - timedelta(days=1)
    assert cli.stored_rows(start, first_end) == expected_rows(fake, start, first_end)
    assert cli.stored_rows(second, end) == before_second != expected_rows(fake, second, end)


def test_expired_access_token_is_refreshed_once(cli: Cli, fake: FakeGoogleAds) -> None:
    cli.add()
    start, end = _recent(fake)
    fake.fail_next(SEARCH_STREAM, unauthenticated())  # the first query's token is rejected as expired
    run = cli.sync(start=start, end=end)
    assert run["status"] == "succeeded" and cli.stored(start, end) == fake.totals(start, end)
    assert fake.token_calls() == 2 and fake.faults == []
    assert any("access token expired, refreshing it once" in message for message in cli.events(run))


def test_revoked_refresh_token_needs_sign_in(cli: Cli, fake: FakeGoogleAds) -> None:
    cli.add()
    start, end = _recent(fake)
    fake.fail_next(TOKEN_PATH, invalid_grant())
    run = cli.sync(start=start, end=end, code=1)
    assert (run["status"], run["error_class"]) == ("failed", "ReauthRequired")
    assert "Google sign-in expired or was revoked — sign in again" in run["error"]
    assert "invalid_grant" in run["error"] and fake.search_calls() == []
    assert cli.account()["auth_state"] == "needs_sign_in"

    assert cli.sync(start=start, end=end)["status"] == "succeeded"  # the grant works again
    assert cli.account()["auth_state"] == "ok"


def test_long_rate_limit_is_deferred_without_hammering(cli: Cli, fake: FakeGoogleAds) -> None:
    cli.add()
    start, end = _recent(fake)
    fake.fail_next(SEARCH_STREAM, rate_limited("7200s"))
    run = cli.sync(start=start, end=end, code=1)
    assert (run["status"], run["error_class"]) == ("failed", "RateLimited")
    assert "deferred" in run["error"] and "rate limit" in run["error"]
    assert len(fake.search_calls()) == 1


def test_a_sunset_api_version_fails_once_saying_to_update(cli: Cli, fake: FakeGoogleAds) -> None:
    assert SPEC.api_version == f"v{API_VERSION}" == "v26"
    cli.add()
    start, end = _recent(fake)
    blocked = ads_error("requestError", "UNKNOWN", f" Version v{API_VERSION} is deprecated. Requests to this "
                        "version will be blocked.")  # what Google answers for a sunset version
    fake.fail_next(SEARCH_STREAM, google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
                                               errors=(blocked,)))
    run = cli.sync(start=start, end=end, code=1)
    assert (run["status"], run["error_class"]) == ("failed", "Permanent")
    assert run["error"].startswith("This AutoSync uses Google Ads API v26, which Google Ads has retired: "
                                   "update AutoSync.")
    assert len(fake.search_calls()) == 1  # not retried


def test_manager_account_metrics_explain_what_to_do(cli: Cli, fake: FakeGoogleAds) -> None:
    cli.add("Agency MCC", "987-654-3210")
    start, end = _recent(fake)
    run = cli.sync("Agency MCC", start, end, code=1)
    assert (run["status"], run["error_class"]) == ("failed", "Permanent")
    assert "manager (MCC) account" in run["error"] and "login_customer_id=9876543210" in run["error"]
    assert "REQUESTED_METRICS_FOR_MANAGER" in run["error"]
    assert len(fake.search_calls(STATS)) == 1  # a Permanent error is not retried


# --- permissions and `accounts test` ----------------------------------------------------------------------

def test_permission_denied_then_login_customer_id_fixes_it(cli: Cli, fake: FakeGoogleAds) -> None:
    fake.require_login_customer_id = MANAGER_ID
    cli.add()
    start, end = _recent(fake)
    run = cli.sync(start=start, end=end, code=1)
    assert (run["status"], run["error_class"]) == ("failed", "Permanent")
    assert "User doesn't have permission to access customer" in run["error"]
    assert "login_customer_id" in run["error"] and "developer token" in run["error"]
    assert len(fake.search_calls()) == 1

    cli("accounts", "test", NAME, code=2)
    assert cli.err.startswith("autosync: Permanent: Google Ads denied access to customer 1234567890")
    assert f"can open customer(s) {MANAGER_ID} directly" in cli.err and "set the option login_customer_id" in cli.err

    cli.add("Acme via MCC", "1234567890", "login_customer_id=987-654-3210")
    out = cli("accounts", "test", "Acme via MCC")
    assert out.strip() == (f"Connected to Google Ads customer 1234567890 ({CUSTOMER_NAME}, {CURRENCY}, {TIME_ZONE})"
                           f" through manager account {MANAGER_ID}")
    assert cli.sync("Acme via MCC", start, end)["status"] == "succeeded"
    last = fake.search_calls()[-CALLS_PER_WINDOW_RUN:]
    assert [r.headers.get("login-customer-id") for r in last] == [MANAGER_ID] * CALLS_PER_WINDOW_RUN

    cli.add("Acme via creds", "1234567890", credentials={**CREDENTIALS, "login_customer_id": MANAGER_ID})
    assert cli("accounts", "test", "Acme via creds").strip().endswith(f"through manager account {MANAGER_ID}")


def test_accounts_test_success_and_classified_failures(cli: Cli, fake: FakeGoogleAds) -> None:
    cli.add()
    assert cli("accounts", "test", NAME).strip() == (
        f"Connected to Google Ads customer 1234567890 ({CUSTOMER_NAME}, {CURRENCY}, {TIME_ZONE})")
    request = fake.search_calls()[-1]
    assert request.headers["developer-token"] == CREDENTIALS["developer_token"]
    assert request.headers["authorization"] == f"Bearer {fake.issued_tokens[0]}"
    assert "login-customer-id" not in request.headers

    fake.fail_next(SEARCH_STREAM, server_error(503))
    cli("accounts", "test", NAME, code=2)
    assert cli.err.strip().startswith("autosync: Transient: Google Ads had a temporary server problem (HTTP 503)")

    bad = {**CREDENTIALS, "developer_token": "not-the-right-one"}
    cli.add("Bad token", "1234567890", credentials=bad)
    tokens_before = fake.token_calls()
    cli("accounts", "test", "Bad token", code=2)
    assert "Permanent: Google Ads rejected the developer token" in cli.err
    assert fake.token_calls() == tokens_before + 1  # not mistaken for an expired access token


def test_missing_credential_is_named_and_nothing_is_added(cli: Cli) -> None:
    partial = {k: v for k, v in CREDENTIALS.items() if k != "developer_token"}
    cli.add(credentials=partial, code=2)
    assert "lack developer_token" in cli.err and "--credentials-stdin" in cli.err
    assert json.loads(cli("accounts", "list", "--json")) == []
    cli.add(account_id="AW-123", code=2)
    assert "Google Ads account id must be a number such as 123-456-7890 (10 digits" in cli.err


# --- secrets ------------------------------------------------------------------------------------------------

def test_no_secret_reaches_the_data_dir_exports_or_output(cli: Cli, fake: FakeGoogleAds, tmp_path: Path,
                                                          memory_keyring: dict[tuple[str, str], str]) -> None:
    cli.add()
    reader = cli.db()  # a connection that has read keeps the -wal file around after the CLI closes the store
    try:
        reader.execute("SELECT COUNT(*) FROM account").fetchone()
        start, end = _recent(fake)
        cli.sync(start=start, end=end)
        fake.expire_access_tokens()
        cli.sync(start=start, end=end)  # refresh path
        fake.fail_next(SEARCH_STREAM, server_error(500))
        cli("accounts", "test", NAME, code=2)
        exports = [tmp_path / "stats.csv", tmp_path / "stats.json", tmp_path / "runs.json"]
        cli("export", "stats", "--format", "csv", "--output", str(exports[0]))
        cli("export", "stats", "--format", "json", "--output", str(exports[1]))
        cli("export", "runs", "--format", "json", "--output", str(exports[2]))
        cli("runs", "show", "1")
        files = [p for p in cli.data_dir.rglob("*") if p.is_file()]
        assert any(p.name.endswith("-wal") for p in files)
        blobs = [p.read_bytes() for p in [*files, *exports]] + [cli.transcript.encode()]
    finally:
        reader.close()
    secrets = [*SECRETS, *fake.issued_tokens]
    assert len(fake.issued_tokens) == 3  # one refresh per run, one more after the expiry
    for secret in secrets:
        assert not any(secret.encode() in blob for blob in blobs), "a secret was written outside the keyring"
    assert any(CAMPAIGNS[0].name.encode() in blob for blob in blobs[:len(files)])  # the scan sees stored data
    keyring_text = "".join(memory_keyring.values())
    assert all(secret in keyring_text for secret in SECRETS)
    assert not any(token in keyring_text for token in fake.issued_tokens)  # access tokens are never stored
