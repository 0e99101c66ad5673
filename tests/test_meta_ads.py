"""The meta_ads connector against the loopback Meta fake: through the in-process CLI (accounts add with the
token on stdin, sync, runs, export) for the data and the documented fault behaviour, and directly for the
classification, usage-header and paging details."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import requests
from requests.structures import CaseInsensitiveDict

from autosync_desktop.cli import main
from autosync_desktop.connectors import meta_ads, meta_errors, meta_records
from autosync_desktop.connectors.base import (
    ConnectorContext,
    Permanent,
    RateLimited,
    ReauthRequired,
    RetryPolicy,
    Transient,
)
from autosync_desktop.connectors.meta_ads import MetaAdsConnector
from tests.day_zone import assert_day_zone
from tests.fakes import meta_ads as fk
from tests.fakes.meta_ads import MetaFake, seen

TYPES = meta_ads.DEFAULT_CONVERSION_ACTION_TYPES
STAT_SQL = ("SELECT s.campaign_id, s.date, s.impressions, s.clicks, s.cost_micros, s.conversions,"
            " s.conversion_value_micros, s.currency FROM daily_stat s JOIN account a ON a.id = s.account_id"
            " WHERE a.name = ? ORDER BY s.date, s.campaign_id")


class Cli:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data_dir = data_dir
        self.capsys = capsys
        self.err = ""

    def __call__(self, *args: str, code: int = 0) -> str:
        rc = main(["--data-dir", str(self.data_dir), *args])
        out, err = self.capsys.readouterr()
        assert rc == code, f"exit {rc}, stdout: {out} stderr: {err}"
        self.err = err
        return out

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json"))

    def last_run(self) -> dict[str, Any]:
        return self.json("runs")[0]

    def events(self, run_id: int) -> list[str]:
        return [e["message"] for e in json.loads(self("runs", "show", str(run_id), "--json"))["events"]]

    def rows(self, account: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.data_dir / "autosync.db") as con:
            return con.execute(STAT_SQL, (account,)).fetchall()


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tiny waits."""
    monkeypatch.setattr(meta_ads, "ASYNC_POLL_FIRST_S", 0.005)
    monkeypatch.setattr(meta_ads, "ASYNC_POLL_MAX_S", 0.01)
    monkeypatch.setattr(meta_ads, "PROACTIVE_PAUSE_S", 0.05)
    yield


@pytest.fixture
def fake() -> Iterator[MetaFake]:
    with MetaFake() as api:
        yield api


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], memory_keyring: dict) -> Cli:
    c = Cli(tmp_path / "data", capsys)
    c("settings", "set", "retry.base_delay_s", "0")
    c("settings", "set", "http.timeout_s", "1")
    return c


def add(cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch, name: str = "Meta A", *options: str,
        token: str | None = None) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"access_token": token or fake.token})))
    opts = [x for o in (f"api_base_url={fake.base_url}", *options) for x in ("--option", o)]
    cli("accounts", "add", "--platform", "meta_ads", "--name", name, "--account-id", "act_1234", *opts,
        "--credentials-stdin")


def sync(cli: Cli, name: str, since: date | None = None, until: date | None = None, code: int = 0) -> dict[str, Any]:
    dates = ["--from", since.isoformat(), "--to", until.isoformat()] if since and until else []
    cli("sync", name, *dates, "--wait", code=code)
    return cli.last_run()


def assert_matches(cli: Cli, fake: MetaFake, account: str, since: date, until: date) -> None:
    rows = [r for r in cli.rows(account) if since.isoformat() <= r[1] <= until.isoformat()]
    truth = fake.totals(since, until, TYPES)
    assert len(rows) == truth.rows > 0
    assert sum(r[2] for r in rows) == truth.impressions
    assert sum(r[3] for r in rows) == truth.clicks
    assert sum(r[4] for r in rows) == truth.cost_micros
    assert sum(r[5] for r in rows) == pytest.approx(float(truth.conversions), abs=1e-6)
    assert sum(r[6] for r in rows) == truth.conversion_value_micros
    assert {r[7] for r in rows} == {"EUR"}


# --- data through the CLI ----------------------------------------------------------------------------------

def test_backfill_sync_and_async_paths_match_ground_truth_with_every_status(
        cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch, "Meta sync", "async_threshold_days=0")
    add(cli, fake, monkeypatch, "Meta async", "async_threshold_days=1", "page_limit=100")
    since, until = fake.today - timedelta(days=100), fake.today - timedelta(days=1)  # 4 windows: 30, 30, 30, 10 days

    run = sync(cli, "Meta sync", since, until)
    assert run["status"] == "succeeded" and run["campaigns"] == 12
    assert not fake.jobs
    assert_day_zone(cli.data_dir, "Meta sync", fake.timezone)  # the ad account's timezone_name
    run = sync(cli, "Meta async", since, until)
    assert run["status"] == "succeeded"
    assert len(fake.jobs) == 4 and fake.report_polls() == 4 * (fake.job_polls + 1)
    assert any("report" in m and "ready" in m for m in cli.events(run["id"]))

    for account in ("Meta sync", "Meta async"):
        assert_matches(cli, fake, account, since, until)
    assert cli.rows("Meta sync") == cli.rows("Meta async")

    with sqlite3.connect(cli.data_dir / "autosync.db") as con:
        campaigns = dict(con.execute("SELECT status_raw, status FROM campaign c JOIN account a ON a.id = c.account_id"
                                     " WHERE a.name = 'Meta sync'").fetchall())
    assert campaigns == {"ACTIVE": "ACTIVE", "PAUSED": "PAUSED", "ARCHIVED": "REMOVED", "DELETED": "REMOVED"}
    deleted = {c.id for c in fake.campaigns if c.status == "DELETED"}
    assert deleted and deleted <= {r[0] for r in cli.rows("Meta sync")}  # past stats of deleted campaigns too
    assert seen(fake).tokens_in_query == 0  # the token Meta echoes into paging.next is never sent back


def test_rerun_is_idempotent_and_a_restated_day_is_updated_inside_the_lookback(
        cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch) -> None:
    cli("settings", "set", "sync.freshness_planner", "off")  # the whole lookback each sync (no wait for a check)
    add(cli, fake, monkeypatch)
    since, until = fake.today - timedelta(days=40), fake.today - timedelta(days=1)
    sync(cli, "Meta A", since, until)
    first = cli.rows("Meta A")
    sync(cli, "Meta A", since, until)
    assert cli.rows("Meta A") == first

    restated = fake.today - timedelta(days=5)
    before = fake.totals(restated, restated, TYPES)
    fake.restate(restated)
    after = fake.totals(restated, restated, TYPES)
    assert (before.clicks, before.cost_micros) != (after.clicks, after.cost_micros)
    run = sync(cli, "Meta A")  # incremental: the 28-day lookback re-fetches the settling days
    assert run["status"] == "succeeded" and run["trigger"] == "manual"
    day = [r for r in cli.rows("Meta A") if r[1] == restated.isoformat()]
    assert (len(day), sum(r[3] for r in day), sum(r[4] for r in day)) == (after.rows, after.clicks,
                                                                           after.cost_micros)
    last = max(r[1] for r in cli.rows("Meta A"))
    assert_matches(cli, fake, "Meta A", since, date.fromisoformat(last))


# --- API version ---------------------------------------------------------------------------------------------

def test_calls_use_a_supported_version_and_log_the_version_warning_once(
        cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch) -> None:
    assert meta_ads.GRAPH_VERSION not in fk.RETIRED_VERSIONS and meta_ads.SPEC.api_version == meta_ads.GRAPH_VERSION
    add(cli, fake, monkeypatch)
    fake.version_warning = "v27.0 will stop working on 2028-01-31; move to v28.0"
    since, until = fake.today - timedelta(days=3), fake.today - timedelta(days=1)
    run = sync(cli, "Meta A", since, until)
    assert run["status"] == "succeeded"
    assert {r.path.split("/")[1] for r in fake.calls()} == {meta_ads.GRAPH_VERSION}
    warnings = [m for m in cli.events(run["id"]) if "Meta says about API v27.0" in m]
    assert len(warnings) == 1 and "move to v28.0" in warnings[0]
    assert_matches(cli, fake, "Meta A", since, until)


def test_a_retired_version_fails_once_with_a_plain_message(
        cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch)
    monkeypatch.setattr(meta_ads, "GRAPH_VERSION", "v25.0")  # this build after Meta ended v25.0 (2027-02-23)
    run = sync(cli, "Meta A", fake.today - timedelta(days=3), fake.today - timedelta(days=1), code=1)
    assert (run["status"], run["error_class"]) == ("failed", "Permanent")
    assert run["error"].startswith("This AutoSync uses Meta API v25.0, which Meta has retired: update AutoSync.")
    assert len(fake.calls()) == 1  # not retried


# --- documented fault behaviour ----------------------------------------------------------------------------

def test_throttle_with_a_short_estimate_waits_once_then_succeeds(
        cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch)
    fake.fail_next("/insights", fk.throttle(17, eta_minutes=0.002))  # 0.12 s
    since, until = fake.today - timedelta(days=10), fake.today - timedelta(days=1)
    run = sync(cli, "Meta A", since, until)
    assert run["status"] == "succeeded"
    assert len(fake.calls("/insights")) == 2  # exactly one retry
    events = cli.events(run["id"])
    assert sum("RateLimited" in m and "retrying in 0.1 s" in m for m in events) == 1
    assert_matches(cli, fake, "Meta A", since, until)


def test_throttle_beyond_the_allowed_wait_defers_after_one_call(
        cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch)
    cli("settings", "set", "retry.max_rate_limit_wait_s", "30")
    fake.fail_next("/insights", fk.throttle(17, eta_minutes=90))
    run = sync(cli, "Meta A", fake.today - timedelta(days=10), fake.today - timedelta(days=1), code=1)
    assert (run["status"], run["error_class"]) == ("failed", "RateLimited")
    assert "deferred" in run["error"] and "code 17" in run["error"]
    assert len(fake.calls("/insights")) == 1  # no retry storm (Airbyte #86316)


def test_usage_near_the_limit_pauses_before_meta_blocks(
        cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch)
    fake.usage_pct = 97
    since, until = fake.today - timedelta(days=10), fake.today - timedelta(days=1)
    run = sync(cli, "Meta A", since, until)
    assert run["status"] == "succeeded"
    events = cli.events(run["id"])
    assert any("usage at 97%" in m and "pausing Meta requests for 0.05 s" in m for m in events)
    assert not any("RateLimited" in m for m in events)
    assert_matches(cli, fake, "Meta A", since, until)


def test_reduce_the_amount_of_data_halves_the_limit(cli: Cli, fake: MetaFake,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch, "Meta A", "async_threshold_days=0")
    fake.max_limit = 150
    since, until = fake.today - timedelta(days=30), fake.today - timedelta(days=1)
    run = sync(cli, "Meta A", since, until)
    assert run["status"] == "succeeded"
    limits = seen(fake, "/insights").limits
    assert limits[:3] == [500, 250, 125] and set(limits[3:]) == {125} and len(limits) > 3
    assert sum("reduce the amount of data" in m for m in cli.events(run["id"])) == 2
    assert_matches(cli, fake, "Meta A", since, until)


def test_expired_token_marks_the_account_needs_sign_in(cli: Cli, fake: MetaFake,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch)
    fake.fail_next("/act_1234", fk.invalid_token(463))
    run = sync(cli, "Meta A", fake.today - timedelta(days=3), fake.today - timedelta(days=1), code=1)
    assert (run["status"], run["error_class"]) == ("failed", "ReauthRequired")
    assert "expired" in run["error"] and "paste a new" in run["error"]
    assert len(fake.requests) == 1
    account = cli.json("accounts", "list")[0]
    assert account["auth_state"] == "needs_sign_in"


def test_missing_permission_is_permanent_with_the_message(cli: Cli, fake: MetaFake,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch)
    fake.fail_next("/insights", fk.permission_denied())
    run = sync(cli, "Meta A", fake.today - timedelta(days=3), fake.today - timedelta(days=1), code=1)
    assert (run["status"], run["error_class"]) == ("failed", "Permanent")
    assert "ads_read" in run["error"] and "act_1234" in run["error"] and "code 200" in run["error"]
    assert len(fake.calls("/insights")) == 1


def test_transient_faults_are_retried_page_by_page(cli: Cli, fake: MetaFake,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch, "Meta A", "page_limit=50")
    fake.fail_next("/act_1234", fk.dropped())  # the account call
    fake.fail_next("/campaigns", fk.unavailable())  # 503 with an HTML body
    fake.fail_next("/insights", fk.server_error(500))
    fake.fail_next("/insights", fk.transient_code2())  # code 2 on HTTP 400
    fake.page_faults += [fk.malformed(), fk.timeout(1.5)]  # page 2: cut-off JSON, then no answer in time
    since, until = fake.today - timedelta(days=10), fake.today - timedelta(days=1)
    run = sync(cli, "Meta A", since, until)
    assert run["status"] == "succeeded" and run["attempt"] == 1  # all absorbed by page-level retries
    retries = [m for m in cli.events(run["id"]) if "Transient" in m and "retrying" in m]
    assert len(retries) == 6
    assert any("not valid JSON" in m for m in retries) and any("did not answer within 1 s" in m for m in retries)
    assert_matches(cli, fake, "Meta A", since, until)


def test_a_failed_report_job_is_asked_again(cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch) -> None:
    add(cli, fake, monkeypatch)
    fake.failing_jobs = 1
    since, until = fake.today - timedelta(days=20), fake.today - timedelta(days=1)
    run = sync(cli, "Meta A", since, until)
    assert run["status"] == "succeeded" and len(fake.jobs) == 2
    assert any("Job Failed" in m for m in cli.events(run["id"]))
    assert_matches(cli, fake, "Meta A", since, until)


def test_no_secret_under_the_data_dir(cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch,
                                      memory_keyring: dict) -> None:
    secret = "EAAGsecretTOKENvalue0123456789abcdef"
    fake.token = secret
    keeper = sqlite3.connect(cli.data_dir / "autosync.db")  # an open connection keeps the -wal file around
    keeper.execute("SELECT count(*) FROM sqlite_master").fetchone()
    add(cli, fake, monkeypatch, "Meta A", "page_limit=40")
    fake.page_faults.append(fk.dropped())  # the failing URL is the echoed paging.next, token stripped
    since, until = fake.today - timedelta(days=10), fake.today - timedelta(days=1)
    run = sync(cli, "Meta A", since, until)
    assert any("Could not reach" in m for m in cli.events(run["id"]))
    fake.fail_next("/insights", fk.permission_denied())
    sync(cli, "Meta A", since, until, code=1)
    fake.fail_next("/act_1234", fk.invalid_token(None))
    sync(cli, "Meta A", since, until, code=1)
    for kind in ("stats", "runs", "campaigns"):
        cli("export", kind, "--format", "json", "--output", str(cli.data_dir / f"{kind}.json"))
    assert any(secret in value for value in memory_keyring.values())  # where it belongs
    files = [p for p in cli.data_dir.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files) and len(files) >= 4
    for path in files:
        assert secret.encode() not in path.read_bytes(), path
    keeper.close()
    assert seen(fake).tokens_in_query == 0


def test_accounts_test_and_credentials_check(cli: Cli, fake: MetaFake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"token": "x"}'))
    cli("accounts", "add", "--platform", "meta_ads", "--name", "Wrong key", "--account-id", "act_1234",
        "--credentials-stdin", code=2)
    assert "--credentials-stdin" in cli.err and "access_token" in cli.err
    cli("accounts", "add", "--platform", "meta_ads", "--name", "No token", "--account-id", "act_1234")
    assert cli.json("accounts", "list")[0]["auth_state"] == "needs_sign_in"
    run = sync(cli, "No token", fake.today - timedelta(days=2), fake.today - timedelta(days=1), code=1)
    assert run["error_class"] == "Permanent" and "--credentials-stdin" in run["error"]
    monkeypatch.setattr("sys.stdin", io.StringIO('{"access_token": "x"}'))
    cli("accounts", "add", "--platform", "meta_ads", "--name", "Bad id", "--account-id", "act_12ab",
        "--credentials-stdin", code=2)
    assert "act_1234567890" in cli.err
    add(cli, fake, monkeypatch, "Meta A")
    assert cli("accounts", "test", "Meta A").strip() == (
        "Connected to Meta ad account act_1234 (Acme, EUR, Europe/Berlin)")
    assert fake.calls()[-1].headers["authorization"] == f"Bearer {fake.token}"


# --- the connector directly --------------------------------------------------------------------------------

def connector(fake: MetaFake | None = None, logs: list[str] | None = None, max_wait: float = 3600.0,
              **options: Any) -> MetaAdsConnector:
    ctx = ConnectorContext(log=lambda level, message: (logs if logs is not None else []).append(message),
                           retry=RetryPolicy(base_delay_s=0, max_rate_limit_wait_s=max_wait))
    base = fake.base_url if fake else "https://graph.facebook.com"
    return MetaAdsConnector(account_id="1234", options={"api_base_url": base, **options},
                            credentials={"access_token": fake.token if fake else "t"}, ctx=ctx)


def response(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body if isinstance(body, bytes) else orjson.dumps(body)
    r.headers = CaseInsensitiveDict(headers or {})
    return r


def _reply(reply: fk.Reply) -> requests.Response:
    body = reply.body.encode() if isinstance(reply.body, str) else reply.body
    return response(reply.status, body, reply.headers)


@pytest.mark.parametrize("reply, cls, retry_after", [
    (fk.throttle(17, eta_minutes=2), RateLimited, 120.0),
    (fk.throttle(4, eta_minutes=0, subcode=None), RateLimited, None),
    (fk.throttle(613, eta_minutes=0.5, status=403), RateLimited, 30.0),
    (fk.throttle(80000, eta_minutes=1), RateLimited, 60.0),
    (fk.throttle(80014, eta_minutes=1), RateLimited, 60.0),
    (fk.transient_code2(), Transient, None),
    (fk.server_error(500), Transient, None),
    (fk.server_error(503), Transient, None),
    (fk.unavailable(), Transient, None),
    (fk.Reply(400, fk.error_body(100, "Something", subcode=99)), Transient, None),
    (fk.Reply(400, fk.error_body(1, "An unknown error occurred")), Transient, None),
    (fk.invalid_token(463), ReauthRequired, None),
    (fk.invalid_token(None), ReauthRequired, None),
    (fk.permission_denied(), Permanent, None),
    (fk.Reply(400, fk.error_body(10, "(#10) Application does not have permission")), Permanent, None),
    (fk.Reply(400, fk.error_body(100, "Invalid parameter", user_msg="The end date is before the start")),
     Permanent, None),
    (fk.Reply(404, b"not json"), Permanent, None),
    (fk.malformed(), Transient, None),
])
def test_errors_are_classified_by_meta_code(reply: fk.Reply, cls: type, retry_after: float | None) -> None:
    error = connector()._classify(_reply(reply))
    assert type(error) is cls or (cls is Permanent and isinstance(error, Permanent))
    assert getattr(error, "retry_after", None) == retry_after


def test_error_messages_for_the_user() -> None:
    conn = connector()
    expired = conn._classify(_reply(fk.invalid_token(463)))
    assert expired is not None and "expired" in expired.message and "code 190, subcode 463" in (
        expired.platform_message or "")
    invalid = conn._classify(_reply(fk.invalid_token(None)))
    assert invalid is not None and invalid.message == meta_errors.TOKEN_INVALID
    user = conn._classify(_reply(fk.Reply(400, fk.error_body(100, "Invalid", user_msg="Pick a shorter range"))))
    assert user is not None and (user.platform_message or "").startswith("Pick a shorter range")
    reduce = conn._classify(_reply(fk.reduce_data()))
    assert isinstance(reduce, Permanent) and not isinstance(reduce, Transient)  # the pager halves, no retry as is
    with pytest.raises(ReauthRequired):
        conn.refresh_auth()


def test_usage_headers_pause_only_near_the_limit_or_while_blocked() -> None:
    conn = connector(max_wait=600)
    calm = MetaFake(usage_pct=40)
    assert conn._on_response(response(200, {}, calm.usage_headers())) is None
    busy = MetaFake(usage_pct=95)
    assert conn._on_response(response(200, {}, busy.usage_headers())) == meta_ads.PROACTIVE_PAUSE_S
    assert conn._on_response(response(200, {}, {"X-App-Usage": '{"call_count": 99, "total_time": 3}'})) == 0.05
    assert conn._on_response(response(200, {}, {"x-fb-ads-insights-throttle": '{"acc_id_util_pct": 96.5}'})) == 0.05
    assert conn._on_response(response(400, {}, fk.buc_header(100, 3))) == 180.0  # Meta's estimate when longer
    assert conn._on_response(response(400, {}, fk.buc_header(20, 0.5))) == 30.0  # blocked: wait it out
    assert conn._on_response(response(400, {}, fk.buc_header(100, 60))) is None  # beyond max wait: run defers
    assert conn._on_response(response(200, {}, {"X-App-Usage": "garbage"})) is None


def test_next_links_keep_the_token_at_home() -> None:
    conn = connector(page_limit=200)
    current = "https://graph.facebook.com/v27.0/act_1234/insights?limit=200&level=campaign"
    same = {"paging": {"next": "https://graph.facebook.com/v27.0/act_1234/insights?level=campaign&limit=200"
                                "&access_token=SECRET&after=QQ", "cursors": {"after": "QQ"}}}
    assert conn._next_url(same, current) == (
        "https://graph.facebook.com/v27.0/act_1234/insights?level=campaign&after=QQ&limit=200")
    foreign = {"paging": {"next": "https://evil.example/v27.0/x?after=QQ", "cursors": {"after": "QQ"}}}
    assert conn._next_url(foreign, current) == (
        "https://graph.facebook.com/v27.0/act_1234/insights?level=campaign&after=QQ&limit=200")
    with pytest.raises(Permanent, match="another host"):
        conn._next_url({"paging": {"next": "https://evil.example/x"}}, current)
    assert conn._next_url({"paging": {"cursors": {"after": "QQ"}}}, current) is None


@pytest.mark.parametrize("options, message", [
    ({"page_limit": "10"}, "page_limit"),
    ({"page_limit": "many"}, "page_limit"),
    ({"async_threshold_days": "-1"}, "async_threshold_days"),
    ({"conversion_action_types": "purchase, lead;drop"}, "conversion_action_types"),
    ({"api_base_url": "ftp://graph.facebook.com"}, "api_base_url"),
])
def test_bad_options_are_refused(options: dict[str, str], message: str) -> None:
    with pytest.raises(Permanent, match=message):
        connector(**options)


def test_records_and_action_types(fake: MetaFake) -> None:
    conn = connector(fake, conversion_action_types="offsite_conversion.fb_pixel_purchase, lead",
                     async_threshold_days=0)
    conn.account_info()
    since, until = fake.today - timedelta(days=12), fake.today - timedelta(days=3)
    records = [r for page in conn.fetch_daily_stats(since, until) for r in page]
    truth = fake.totals(since, until, ("offsite_conversion.fb_pixel_purchase", "lead"))
    assert len(records) == truth.rows
    assert sum(r.conversions for r in records) == pytest.approx(float(truth.conversions))
    assert sum(r.conversion_value_micros or 0 for r in records) == truth.conversion_value_micros
    assert all(isinstance(r.campaign_id, str) and int(r.campaign_id) > 2**53 for r in records)
    row = {"campaign_id": "1", "date_start": "2026-01-02", "spend": "0.125", "impressions": "7", "clicks": "0",
           "actions": [{"action_type": "purchase", "value": "1.5"}, {"action_type": "link_click", "value": "4"}],
           "action_values": [{"action_type": "purchase", "value": "10.005"}]}
    record = meta_records.stat_record(row, frozenset({"purchase"}), "USD")
    assert (record.cost_micros, record.conversions, record.conversion_value_micros, record.currency) == (
        125000, 1.5, 10005000, "USD")
    assert meta_records.campaign_record({"id": 5, "name": "x", "status": "IN_PROCESS"}, None).status == "OTHER"
    fake.fail_next("/insights", fk.Reply(200, {"data": [{"date_start": "2026-01-01", "clicks": "7"}]}))
    with pytest.raises(Permanent, match="cannot read"):
        list(conn.fetch_daily_stats(since, until))


def test_reduce_data_outside_a_list_is_transient(fake: MetaFake) -> None:
    fake.fail_next("/act_1234", fk.reduce_data())
    with pytest.raises(Transient, match="reduce the amount of data"):
        connector(fake).account_info()


def test_a_rejected_status_filter_falls_back_without_deleted(fake: MetaFake) -> None:
    fake.reject_deleted_filter = True
    logs: list[str] = []
    conn = connector(fake, logs, async_threshold_days=0)
    statuses = {c.status_raw for page in conn.fetch_campaigns() for c in page}
    assert statuses == {"ACTIVE", "PAUSED", "ARCHIVED"}
    since, until = fake.today - timedelta(days=100), fake.today - timedelta(days=71)
    ids = {r.campaign_id for page in conn.fetch_daily_stats(since, until) for r in page}
    assert ids == {row["campaign_id"] for row in fake.rows(since, until, frozenset(
        s for s in meta_ads.ALL_EFFECTIVE_STATUSES if s != "DELETED"))}
    assert sum("rejected the" in m and "status filter" in m for m in logs) == 2


def test_fast_money_path_equals_money_to_micros() -> None:
    import random

    from autosync_desktop.connectors.base import money_to_micros

    tricky = ["0", "0.00", "37.12", "37.1", "5", "5.", ".5", "-1.25", "1e3", " 2.5", "1.1234565", "1.1234575",
              "0.000001", "0.0000005", "123456789012.999999", "１２.5", "", None, 7, "00012.340"]
    rng = random.Random(7)
    tricky += [f"{rng.randrange(10**9)}.{rng.randrange(10**6):0{rng.randrange(1, 7)}d}" for _ in range(500)]
    for text in tricky:
        assert meta_records.micros(text) == money_to_micros(text), text
    with pytest.raises(Permanent):
        meta_records.micros("12,50")
