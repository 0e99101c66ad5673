"""The X Ads connector end to end: the in-process CLI against a strict loopback fake of the X Ads API v12 and X's
OAuth 1.0a PIN sign-in (tests/fakes/x_ads.py; every signature recomputed by the fake), credentials in the in-memory
keyring."""

from __future__ import annotations

import io
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop.cli import main
from autosync_desktop.connectors import x_ads
from autosync_desktop.connectors.x_stats import StatsSum, day_chunks, day_range
from autosync_desktop.domain import money_text
from tests.day_zone import assert_day_zone
from tests.fakes import x_ads as fake
from tests.fakes.server import Reply
from tests.fakes.x_ads import ACCESS_TOKEN_PATH, REQUEST_TOKEN_PATH, FakeXAds

StatKey = tuple[str, str]
STATS = "/12/stats/accounts/"
ACTIVE = "/active_entities"


class Cli:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.data_dir = data_dir
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.transcript: list[str] = []
        self.err = ""

    def __call__(self, *args: str, code: int = 0, stdin: str | io.StringIO | None = None) -> str:
        if stdin is not None:
            self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin) if isinstance(stdin, str) else stdin)
        rc = main(["--data-dir", str(self.data_dir), *args])
        out, err = self.capsys.readouterr()
        self.transcript += [out, err]
        self.err = err
        assert rc == code, f"exit {rc}, stdout: {out} stderr: {err}"
        return out

    def json(self, *args: str) -> Any:
        return json.loads(self(*args))

    def add(self, api: FakeXAds, name: str = "X", *, account_id: str | None = None,
            credentials: dict[str, str] | None = None, code: int = 0) -> str:
        creds = credentials if credentials is not None else {
            "consumer_key": api.consumer_key, "consumer_secret": api.consumer_secret,
            "access_token": api.access_token, "access_token_secret": api.access_token_secret}
        return self("accounts", "add", "--platform", "x_ads", "--name", name, "--account-id",
                    account_id or api.account_id, "--option", f"api_base_url={api.base_url}",
                    "--option", f"token_url={api.base_url}/oauth", "--credentials-stdin",
                    stdin=json.dumps(creds), code=code)

    def sync(self, name: str = "X", start: date | None = None, end: date | None = None,
             code: int = 0) -> dict[str, Any]:
        dates = ["--from", start.isoformat(), "--to", end.isoformat()] if start and end else []
        self("sync", name, *dates, "--wait", code=code)
        return self.json("runs", "--json")[0]

    def stored(self) -> dict[StatKey, tuple[Any, ...]]:
        rows = self.json("export", "stats", "--format", "json")
        return {(r["campaign_id"], r["date"]): (r["impressions"], r["clicks"], r["cost_micros"], r["conversions"],
                                               r["conversion_value"], r["currency"]) for r in rows}

    def account(self, name: str = "X") -> dict[str, Any]:
        return next(a for a in self.json("accounts", "list", "--json") if a["name"] == name)


class PinStdin(io.StringIO):
    """stdin of `accounts connect`: the given lines, then the PIN X shows for the newest request token."""

    def __init__(self, api: FakeXAds, *lines: str, pin: str | None = None) -> None:
        super().__init__("".join(f"{line}\n" for line in lines))
        self.api = api
        self.pin = pin

    def readline(self, size: int | None = -1) -> str:
        line = super().readline()
        if line:
            return line
        return (self.pin or self.api.pin_for(list(self.api.request_tokens)[-1])) + "\n"


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        memory_keyring: dict[tuple[str, str], str]) -> Cli:
    c = Cli(tmp_path / "data", capsys, monkeypatch)
    c("settings", "set", "retry.base_delay_s", "0")
    c("settings", "set", "http.timeout_s", "2")
    return c


@pytest.fixture
def xads() -> Iterator[Callable[..., FakeXAds]]:
    started: list[FakeXAds] = []

    def start(**kwargs: Any) -> FakeXAds:
        api = FakeXAds(**kwargs).__enter__()
        started.append(api)
        return api

    yield start
    for api in started:
        api.__exit__(None, None, None)


def truth(api: FakeXAds, start: date, end: date) -> dict[StatKey, tuple[Any, ...]]:
    """The fake's stats, with the blended conversions of X's rule (the actions' sums; unknown without data)."""
    blended = api.blended(start, end)
    out = {}
    for s in api.stats(start, end):
        conversions, value = blended[(s.campaign_id, s.date.isoformat())]
        out[(s.campaign_id, s.date.isoformat())] = (s.impressions, s.clicks, s.charge_micros, conversions,
                                                    None if value is None else money_text(value), api.currency)
    return out


def short_range(api: FakeXAds) -> tuple[date, date]:
    end = api.today - timedelta(days=1)
    return end - timedelta(days=8), end


# --- data -----------------------------------------------------------------------------------------------------

def test_backfill_matches_ground_truth_in_chunks_x_accepts_and_is_idempotent(
        cli: Cli, xads: Callable[..., FakeXAds]) -> None:
    api = xads()
    cli.add(api)
    assert cli("accounts", "test", "X").strip() == (
        f"Connected to X Ads account {api.account_id} (Acme X, time zone America/New_York)")
    assert [r.path for r in api.requests] == [f"/12/accounts/{api.account_id}"]  # one cheap call
    end = api.today - timedelta(days=2)
    start = end - timedelta(days=39)
    run = cli.sync(start=start, end=end)
    expected = truth(api, start, end)
    assert run["status"] == "succeeded" and run["rows"] == len(expected) > 700
    stored = cli.stored()
    assert stored == expected
    totals = api.totals(start, end)
    assert sum(v[0] for v in stored.values()) == totals["impressions"]
    assert sum(v[1] for v in stored.values()) == totals["clicks"]
    assert sum(v[2] for v in stored.values()) == totals["charge_micros"]  # micros as X sent them

    # active entities per window, then <= 20 ids and <= 7 days per placement; every request correctly signed
    assert len(api.calls(ACTIVE)) == 2 and api.bad_signatures == 0
    asked = api.stats_requests
    assert asked and all(len(r["ids"]) <= 20 and r["days"] <= 7 for r in asked)
    assert {r["placement"] for r in asked} == {"ALL_ON_TWITTER", "PUBLISHER_NETWORK"}
    network = {c.id for c in api.campaigns if "PUBLISHER_NETWORK" in c.placements}
    assert all(set(r["ids"]) <= network for r in asked if r["placement"] == "PUBLISHER_NETWORK")
    covered = {r["first"] + timedelta(days=i) for r in asked for i in range(r["days"])}
    assert covered == {start + timedelta(days=i) for i in range((end - start).days + 1)}
    assert all(r.headers["authorization"].startswith("OAuth ") for r in api.requests)
    account = cli.account()
    assert (account["auth_state"], account["currency"], account["timezone"]) == ("ok", "USD", "America/New_York")

    first = cli("export", "stats", "--format", "csv")
    again = cli.sync(start=start, end=end)
    assert again["status"] == "succeeded" and again["rows"] == run["rows"]
    assert cli("export", "stats", "--format", "csv") == first


def test_campaigns_with_deleted_and_drafts_are_synced_and_mapped(cli: Cli, xads: Callable[..., FakeXAds]) -> None:
    api = xads()
    cli.add(api)
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    listing = [r for r in api.calls("/campaigns") if r.arg("count") == "1000"]
    assert len(listing) == 3 and all(r.arg("with_deleted") == "true" for r in listing)  # cursors followed
    campaigns = {c["campaign_id"]: c for c in cli.json("export", "campaigns", "--format", "json")}
    assert set(campaigns) == {c.id for c in api.campaigns}
    mapped = {(c["status_raw"], c["status"]) for c in campaigns.values()}
    assert mapped == {("ACTIVE", "ACTIVE"), ("PAUSED", "PAUSED"), ("DRAFT", "OTHER"), ("ACTIVE", "REMOVED"),
                      ("PAUSED", "REMOVED")}


def test_restated_billing_is_replaced_by_a_later_sync_inside_the_lookback(cli: Cli, xads: Callable[
        ..., FakeXAds]) -> None:
    cli("settings", "set", "sync.freshness_planner", "off")  # the whole lookback each sync (no wait for a check)
    api = xads()
    cli.add(api)
    cli("settings", "set", "sync.initial_history_days", "25")
    today = api.today
    assert cli.sync()["status"] == "succeeded"
    assert cli.stored() == truth(api, today - timedelta(days=25), today)
    restated = today - timedelta(days=12)
    before = truth(api, restated, restated)
    api.restate(restated)
    assert truth(api, restated, restated) != before
    api.stats_requests.clear()
    assert cli.sync()["status"] == "succeeded"
    assert min(r["first"] for r in api.stats_requests) == today - timedelta(days=14)  # the 14-day lookback
    assert cli.stored() == truth(api, today - timedelta(days=25), today)


def test_days_follow_the_accounts_zone(cli: Cli, xads: Callable[..., FakeXAds]) -> None:
    api = xads(timezone="Asia/Tokyo", currency="JPY")
    cli.add(api)
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert cli.stored() == truth(api, start, end)
    assert all(r.arg("start_time", "").endswith("T15:00:00Z") for r in api.calls(STATS))  # Tokyo midnight
    assert cli.account()["timezone"] == "Asia/Tokyo"
    assert_day_zone(cli.data_dir, "X", "Asia/Tokyo")


# --- sign-in and credentials ----------------------------------------------------------------------------------

def test_connect_runs_the_pin_flow_and_the_tokens_then_sync(
        cli: Cli, xads: Callable[..., FakeXAds], memory_keyring: dict[tuple[str, str], str]) -> None:
    api = xads()
    cli.add(api, credentials={"consumer_key": api.consumer_key, "consumer_secret": api.consumer_secret})
    assert cli.account()["auth_state"] == "needs_sign_in"
    out = cli("accounts", "connect", "X", "--no-browser", stdin=PinStdin(api))
    assert "Signed in: X (x_ads) can sync now" in out and "Type the PIN" in cli.err
    url = next(line for line in out.splitlines() if "/oauth/authorize?oauth_token=req-" in line)
    assert url.startswith(f"{api.base_url}/oauth/authorize")
    assert len(api.calls(REQUEST_TOKEN_PATH)) == 1 and len(api.calls(ACCESS_TOKEN_PATH)) == 1
    assert api.bad_signatures == 0 and api.request_tokens == {}
    token, secret = api.issued[-2:]
    creds = json.loads(memory_keyring[("autosync-desktop", "account:X")])
    assert creds == {"consumer_key": api.consumer_key, "consumer_secret": api.consumer_secret,
                     "access_token": token, "access_token_secret": secret}
    assert cli.account()["auth_state"] == "ok"
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded" and cli.stored() == truth(api, start, end)
    assert all(token in r.headers["authorization"] for r in api.calls(STATS))


def test_connect_with_the_app_keys_given_and_a_wrong_pin(cli: Cli, xads: Callable[..., FakeXAds],
                                                        memory_keyring: dict[tuple[str, str], str]) -> None:
    api = xads()
    cli("accounts", "add", "--platform", "x_ads", "--name", "X", "--account-id", api.account_id,
        "--option", f"api_base_url={api.base_url}", "--option", f"token_url={api.base_url}/oauth")
    cli("accounts", "connect", "X", "--no-browser", "--client-id", api.consumer_key, "--client-secret-stdin",
        stdin=PinStdin(api, api.consumer_secret, pin="0000000"), code=2)
    assert len(cli.err.strip().splitlines()) == 2 and "type the PIN exactly as X shows it" in cli.err
    assert cli.account()["auth_state"] == "needs_sign_in"
    cli("accounts", "connect", "X", "--no-browser", stdin=PinStdin(api))  # the app keys were kept
    assert cli.account()["auth_state"] == "ok" and api.bad_signatures == 0  # the wrong PIN was signed right too
    assert cli("accounts", "test", "X").startswith("Connected to X Ads account")


def test_a_wrong_app_secret_fails_the_signature_and_asks_for_sign_in(cli: Cli, xads: Callable[..., FakeXAds]) -> None:
    api = xads()
    cli.add(api, credentials={"consumer_key": api.consumer_key, "consumer_secret": "not-the-secret",
                              "access_token": api.access_token, "access_token_secret": api.access_token_secret})
    run = cli.sync(start=api.today, end=api.today, code=1)
    assert run["error_class"] == "ReauthRequired" and cli.account()["auth_state"] == "needs_sign_in"
    assert api.bad_signatures == 1 and len(api.requests) == 1


def test_no_secret_value_anywhere_under_the_data_dir(cli: Cli, xads: Callable[..., FakeXAds]) -> None:
    api = xads()
    cli.add(api, credentials={"consumer_key": api.consumer_key, "consumer_secret": api.consumer_secret})
    cli("accounts", "connect", "X", "--no-browser", stdin=PinStdin(api))
    start, end = short_range(api)
    cli.sync(start=start, end=end)
    reader = sqlite3.connect(next(cli.data_dir.glob("*.db")))
    reader.execute("SELECT count(*) FROM sqlite_master").fetchall()
    token, secret = api.issued[-2:]
    api.fail_next(STATS, fake.errors(400, "INVALID_PARAMETER", f"bad oauth_token {token} / {secret}"))
    cli.sync(start=start, end=end, code=1)
    api.revoke()
    cli.sync(start=start, end=end, code=1)
    for kind in ("runs", "stats", "campaigns"):
        cli("export", kind, "--format", "json", "--output", str(cli.data_dir / f"export-{kind}.json"))
    cli("runs", "show", "2", "--json")
    secrets = api.secrets()
    assert len(secrets) >= 5
    try:
        files = [p for p in cli.data_dir.rglob("*") if p.is_file()]
        wal = [p for p in files if p.name.endswith("-wal")]
        assert wal and wal[0].stat().st_size > 0 and len(files) >= 5
        for path in files:
            blob = path.read_bytes()
            for value in secrets:
                assert value.encode() not in blob, f"a secret is stored in {path.name}"
    finally:
        reader.close()
    for text in cli.transcript:
        assert not any(value in text for value in secrets)


def test_without_a_keyring_adding_fails_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    cli = Cli(tmp_path / "data", capsys, monkeypatch)  # no memory_keyring: the suite's failing backend
    with FakeXAds() as api:
        cli.add(api, code=2)
        assert api.requests == []
    lines = cli.err.strip().splitlines()
    assert len(lines) == 1 and "keyring" in lines[0] and "Traceback" not in cli.err
    assert cli.json("accounts", "list", "--json") == []
    for path in cli.data_dir.rglob("*"):
        if path.is_file():
            assert all(value.encode() not in path.read_bytes() for value in api.secrets())


@pytest.mark.parametrize("account_id, credentials, message", [
    ("18ce-54d4", None, "An X Ads account id is letters and digits"),
    ("18ce54d4x5t", {"consumer_key": "k", "api_key": "x"}, "'api_key' is not a X Ads credential"),
    ("18ce54d4x5t", {"access_token": "a", "access_token_secret": "s"}, "the X Ads credentials lack consumer_key"),
])
def test_bad_account_input_is_rejected_at_add_time(cli: Cli, xads: Callable[..., FakeXAds], account_id: str,
                                                   credentials: dict[str, str] | None, message: str) -> None:
    api = xads()
    cli.add(api, account_id=account_id, credentials=credentials, code=2)
    assert message in cli.err and "Traceback" not in cli.err and len(cli.err.strip().splitlines()) == 1
    assert cli.json("accounts", "list", "--json") == [] and api.requests == []


# --- faults and pacing ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, reply, times", [
    (STATS, fake.throttled(), 2),
    (STATS, fake.throttled(reset_in=1), 1),
    ("/campaigns", fake.throttled(), 1),
    (STATS, fake.server_error(500), 2),
    (STATS, fake.server_error(503), 1),
    (STATS, fake.unavailable(retry_after=1), 1),
    (STATS, fake.dropped(), 2),
    (ACTIVE, fake.dropped(), 1),
    (STATS, fake.malformed(), 1),
], ids=["stats-429", "stats-429-reset", "campaigns-429", "stats-500", "stats-503", "stats-503-retry-after",
        "stats-dropped", "active-dropped", "stats-malformed"])
def test_transient_faults_are_retried_to_a_complete_result(cli: Cli, xads: Callable[..., FakeXAds], path: str,
                                                           reply: Reply, times: int) -> None:
    api = xads()
    cli.add(api)
    api.fail_next(path, reply, times=times)
    start, end = short_range(api)
    run = cli.sync(start=start, end=end)
    assert run["status"] == "succeeded" and run["error"] is None
    assert cli.stored() == truth(api, start, end)
    assert api.faults == []


def test_a_429_waits_for_the_reset_x_names(cli: Cli, xads: Callable[..., FakeXAds]) -> None:
    api = xads()
    cli.add(api)
    api.fail_next(STATS, fake.throttled(reset_in=2))
    start, end = short_range(api)
    began = time.monotonic()
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert 1.0 <= time.monotonic() - began < 30 and cli.stored() == truth(api, start, end)


def test_an_empty_account_window_pauses_until_its_reset(cli: Cli, xads: Callable[..., FakeXAds]) -> None:
    api = xads()
    cli.add(api)
    start, end = short_range(api)
    api.exhaust(2)  # the user-level headers still say 200+ left: the account-level ones win
    began = time.monotonic()
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert time.monotonic() - began >= 1.0 and cli.stored() == truth(api, start, end)


def test_a_long_throttle_defers_the_run(cli: Cli, xads: Callable[..., FakeXAds]) -> None:
    api = xads()
    cli.add(api)
    cli("settings", "set", "retry.max_rate_limit_wait_s", "10")
    api.fail_next(STATS, fake.throttled(reset_in=600), times=5)
    start, end = short_range(api)
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "RateLimited" and "deferred" in run["error"]
    assert len(api.calls(STATS)) == 1 and cli.stored() == {}  # the first stats call (active entities), once


@pytest.mark.parametrize("reply", [fake.unauthorized(), fake.legacy_expired()], ids=["revoked", "legacy-89"])
def test_a_401_cannot_be_refreshed_and_needs_sign_in(cli: Cli, xads: Callable[..., FakeXAds], reply: Reply) -> None:
    api = xads()
    cli.add(api)
    api.fail_next(f"/12/accounts/{api.account_id}", reply)
    start, end = short_range(api)
    run = cli.sync(start=start, end=end, code=1)
    assert run["status"] == "failed" and run["error_class"] == "ReauthRequired"
    assert "X rejected the access token (revoked, or the app's keys changed) — sign in again" in run["error"]
    assert cli.account()["auth_state"] == "needs_sign_in"
    assert len(api.requests) == 1 and cli.stored() == {}


@pytest.mark.parametrize("reply, message", [
    (fake.forbidden(), "X refused access to the ads account (UNAUTHORIZED_CLIENT_APPLICATION)"),
    (fake.errors(400, "INVALID_PARAMETER", "Expected time, got \"\" for start_time"),
     "X refused the request (INVALID_PARAMETER): Expected time"),
    (fake.html_404(), "X refused the request (HTTP 404)"),
], ids=["403", "400", "html-404"])
def test_other_errors_are_permanent_with_xs_message(cli: Cli, xads: Callable[..., FakeXAds], reply: Reply,
                                                    message: str) -> None:
    api = xads()
    cli.add(api)
    api.fail_next(STATS, reply)
    start, end = short_range(api)
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "Permanent" and message in run["error"]
    assert len(api.calls(STATS)) == 1 and cli.account()["auth_state"] == "ok"


def test_a_retired_api_version_says_to_update(cli: Cli, xads: Callable[..., FakeXAds]) -> None:
    assert x_ads.SPEC.api_version == x_ads.API_VERSION == "12"
    api = xads()
    cli.add(api)
    api.retired = True
    run = cli.sync(start=api.today, end=api.today, code=1)
    assert run["error_class"] == "Permanent" and run["error"].startswith(
        "This AutoSync uses X API 12, which X has retired: update AutoSync.")
    assert len(api.requests) == 1


# --- building blocks ------------------------------------------------------------------------------------------

def test_day_boundaries_use_the_zones_offset_of_today() -> None:
    summer = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)  # New York is on EDT (UTC-4) "today"
    assert day_range(date(2027, 1, 10), date(2027, 1, 16), "America/New_York", summer) == (
        "2027-01-10T04:00:00Z", "2027-01-17T04:00:00Z")  # January days, but today's offset, as X asks
    winter = datetime(2027, 1, 20, 12, 0, tzinfo=UTC)
    assert day_range(date(2027, 3, 13), date(2027, 3, 14), "America/New_York", winter) == (
        "2027-03-13T05:00:00Z", "2027-03-15T05:00:00Z")
    assert list(day_chunks(date(2027, 1, 1), date(2027, 1, 16))) == [
        (date(2027, 1, 1), date(2027, 1, 7)), (date(2027, 1, 8), date(2027, 1, 14)),
        (date(2027, 1, 15), date(2027, 1, 16))]


def test_placements_are_summed_and_unreported_metrics_stay_unknown() -> None:
    total = StatsSum()
    first = date(2027, 1, 1)
    total.add_answer({"data": [{"id": "a1", "id_data": [{"metrics": {
        "impressions": [10, 0, 5], "clicks": [1, 0, 0], "billed_charge_local_micro": None}}]}]}, first, 3)
    total.add_answer({"data": [{"id": "a1", "id_data": [{"metrics": {
        "impressions": [7, 0, 0], "clicks": [2, 0, 0], "billed_charge_local_micro": [1_500_001, 0, 0]}}]},
        {"id": "b2", "id_data": [{"metrics": {"impressions": None, "clicks": None}}]}]}, first, 3)
    rows = {(r.campaign_id, r.date): (r.impressions, r.clicks, r.cost_micros)
            for r in total.records({}, {}, "USD")}
    assert rows == {("a1", date(2027, 1, 1)): (17, 3, 1_500_001), ("a1", date(2027, 1, 3)): (5, 0, None)}
