"""The Google Analytics 4 connector end to end: the in-process CLI against a loopback fake of the GA4 Data API
(tests/fakes/ga4.py), with credentials in the in-memory keyring. Expectations come from the fake's ground truth
and its own "today" (the property's date at the test's moment), never from the wall clock."""

from __future__ import annotations

import io
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop import clock
from autosync_desktop.cli import main
from autosync_desktop.connectors import ga4, ga4_quota, oauth
from autosync_desktop.connectors.base import micros_to_text
from tests.day_zone import assert_day_zone
from tests.fakes import ga4 as fake
from tests.fakes.ga4 import REPORT, TOKEN_PATH, FakeGA4
from tests.fakes.server import Reply

PROPERTY = "312345678"
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

    def add(self, api: FakeGA4, name: str = "GA", *, account_id: str = PROPERTY,
            credentials: dict[str, str] | None = None, options: tuple[str, ...] = (), code: int = 0) -> str:
        creds = credentials if credentials is not None else {
            "client_id": api.client_id, "client_secret": api.client_secret, "refresh_token": api.refresh_token}
        opts = [f"api_base_url={api.base_url}", f"token_url={api.base_url}{TOKEN_PATH}", *options]
        return self("accounts", "add", "--platform", "ga4", "--name", name, "--account-id", account_id,
                    *[a for o in opts for a in ("--option", o)], "--credentials-stdin", stdin=json.dumps(creds),
                    code=code)

    def sync(self, name: str = "GA", start: date | None = None, end: date | None = None,
             code: int = 0) -> dict[str, Any]:
        dates = ["--from", start.isoformat(), "--to", end.isoformat()] if start and end else []
        self("sync", name, *dates, "--wait", code=code)
        return self.json("runs", "--json")[0]

    def log(self, run: dict[str, Any]) -> list[str]:
        return [e["message"] for e in self.json("runs", "show", str(run["id"]), "--json")["events"]]

    def stored(self) -> dict[StatKey, tuple[Any, ...]]:
        """The stats export plus `extra` (read from the store): what a correct sync must hold."""
        rows = self.json("export", "stats", "--format", "json")
        extras = self.extras()
        return {(r["campaign_id"], r["date"]): (r["campaign_name"], r["impressions"], r["clicks"], r["cost"],
                                               r["conversions"], r["conversion_value"], r["currency"],
                                               extras[(r["campaign_id"], r["date"])])
                for r in rows}

    def extras(self) -> dict[StatKey, dict[str, str]]:
        db = sqlite3.connect(f"file:{next(self.data_dir.glob('*.db'))}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT campaign_id, date, extra FROM daily_stat").fetchall()
        finally:
            db.close()
        return {(cid, day): json.loads(extra) for cid, day, extra in rows}

    def account(self, name: str = "GA") -> dict[str, Any]:
        return next(a for a in self.json("accounts", "list", "--json") if a["name"] == name)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        memory_keyring: dict[tuple[str, str], str]) -> Cli:
    c = Cli(tmp_path / "data", capsys, monkeypatch)
    c("settings", "set", "retry.base_delay_s", "0")
    c("settings", "set", "http.timeout_s", "2")
    return c


@pytest.fixture
def analytics() -> Iterator[Callable[..., FakeGA4]]:
    """Start fakes on demand (keyword arguments as FakeGA4); all are stopped after the test."""
    started: list[FakeGA4] = []

    def start(**kwargs: Any) -> FakeGA4:
        api = FakeGA4(**kwargs).__enter__()
        started.append(api)
        return api

    yield start
    for api in started:
        api.__exit__(None, None, None)


def truth(api: FakeGA4, start: date, end: date, flags: dict[str, str] | None = None) -> dict[StatKey, tuple[Any, ...]]:
    out = {}
    for key, e in api.expected(start, end).items():
        extra = {"sessions": str(e["sessions"]), "totalUsers": str(e["users"]), "sessionSource": e["sources"],
                 "sessionMedium": e["mediums"], **(flags or {})}
        out[key] = (e["name"], None, None, None, float(e["key_events"]), micros_to_text(e["revenue_micros"]),
                    api.currency, extra)
    return out


def short_range(api: FakeGA4) -> tuple[date, date]:
    end = api.today - timedelta(days=1)
    return end - timedelta(days=4), end


def report_calls(api: FakeGA4) -> int:
    return len(api.calls(REPORT))


# --- data -----------------------------------------------------------------------------------------------------

def test_backfill_over_two_windows_is_exact_and_idempotent(cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    api = analytics()
    cli.add(api, options=("page_size=400",))
    assert cli("accounts", "test", "GA").strip() == \
        f"Connected to Google Analytics 4 property {PROPERTY} (America/Los_Angeles, USD)"
    end = api.today - timedelta(days=2)
    start = end - timedelta(days=44)
    run = cli.sync(start=start, end=end)
    expected = truth(api, start, end)
    assert run["status"] == "succeeded" and run["rows"] == len(expected) > 1000
    stored = cli.stored()
    assert stored == expected
    # exact sums against the fake's own facts; GA4 measures no impressions, clicks or cost: NULL, never 0
    facts = api.facts(start, end)
    assert sum(int(v[7]["sessions"]) for v in stored.values()) == sum(f.sessions for f in facts)
    assert sum(Decimal(v[5]) for v in stored.values()) * 1_000_000 == sum(f.revenue_micros for f in facts)
    assert sum(v[4] for v in stored.values()) == sum(f.key_events for f in facts)
    assert {(v[1], v[2], v[3]) for v in stored.values()} == {(None, None, None)}
    # users are a campaign-day's own count, fewer than the sum over its sources where it had several
    organic = stored[("name:(organic)", end.isoformat())][7]
    assert organic["sessionSource"] in ("google; bing", "bing; google")
    assert int(organic["totalUsers"]) == api.expected(end, end)[("name:(organic)", end.isoformat())]["users"]
    # two windows of 30 + 15 days, each read as two reports, paged by 400 rows against rowCount
    windows = {(q["start"], q["end"]) for q in api.reports if "date" in q["dimensions"]}
    assert windows == {(start, start + timedelta(days=29)), (start + timedelta(days=30), end)}
    offsets = sorted(q["offset"] for q in api.reports if q["dimensions"] == list(ga4.STAT_DIMENSIONS)
                     and q["start"] == start)
    assert offsets[:3] == [0, 400, 800] and all(q["limit"] == 400 for q in api.reports if q["dimensions"])
    account = cli.account()
    assert (account["auth_state"], account["currency"], account["timezone"]) == ("ok", "USD", "America/Los_Angeles")

    first = cli("export", "stats", "--format", "csv")
    again = cli.sync(start=start, end=end)
    assert again["status"] == "succeeded" and again["rows"] == run["rows"]
    assert cli("export", "stats", "--format", "csv") == first


def test_pages_follow_row_count_when_the_server_answers_fewer_rows_than_asked(
        cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    api = analytics(campaigns=20)
    api.row_cap = 20  # the default page_size asks for 100,000 rows
    cli.add(api)
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert cli.stored() == truth(api, start, end)
    stats = [q["offset"] for q in api.reports if q["dimensions"] == list(ga4.STAT_DIMENSIONS)]
    assert stats[:3] == [0, 20, 40]


def test_campaigns_are_the_distinct_ids_and_names_seen(cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    api = analytics(campaigns=12)
    cli.add(api)
    assert cli.sync(start=api.today, end=api.today)["status"] == "succeeded"
    campaigns = {c["campaign_id"]: c for c in cli.json("export", "campaigns", "--format", "json")}
    assert {k: campaigns[k]["name"] for k in ("(not set)", "name:(direct)", "name:(organic)", "name:(referral)",
                                              "name:spring_sale")} == {
        "(not set)": "(not set)", "name:(direct)": "(direct)", "name:(organic)": "(organic)",
        "name:(referral)": "(referral)", "name:spring_sale": "spring_sale"}
    assert campaigns["21812345678"]["name"] == "Campaign 001"
    assert len(campaigns) == 17 and {c["status"] for c in campaigns.values()} == {"OTHER"}
    listing = next(q for q in api.reports if q["dimensions"] == ["sessionCampaignId", "sessionCampaignName"])
    assert listing["end"] == api.today and listing["start"] == api.today - timedelta(days=ga4.CAMPAIGN_DAYS)


def test_days_are_the_property_days_and_a_restated_day_is_replaced_inside_the_lookback(
        cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    cli("settings", "set", "sync.freshness_planner", "off")  # the whole lookback each sync (no wait for a check)
    api = analytics(time_zone="Pacific/Kiritimati", campaigns=8)  # UTC+14: often a day ahead of UTC
    assert api.today == clock.today("Pacific/Kiritimati")
    cli.add(api)
    cli("settings", "set", "sync.initial_history_days", "10")
    today = api.today
    assert cli.sync()["status"] == "succeeded"
    assert max(q["end"] for q in api.reports) == today  # the property's today, not UTC's
    assert cli.stored() == truth(api, today - timedelta(days=10), today)
    assert cli.account()["timezone"] == "Pacific/Kiritimati"
    assert_day_zone(cli.data_dir, "GA", "Pacific/Kiritimati")  # the property's zone on every row

    restated = today - timedelta(days=2)
    before = truth(api, restated, restated)
    api.restate(restated)
    after = truth(api, restated, restated)
    assert before != after
    api.reports.clear()
    assert cli.sync()["status"] == "succeeded"
    assert min(q["start"] for q in api.reports if "date" in q["dimensions"]) == today - timedelta(days=3)
    stored = cli.stored()
    assert {k: v for k, v in stored.items() if k[1] == restated.isoformat()} == after
    assert stored == truth(api, today - timedelta(days=10), today)


def test_sampling_thresholds_and_the_other_row_are_logged_and_mark_the_days(
        cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    api = analytics(campaigns=6)
    cli.add(api)
    end = api.today - timedelta(days=1)
    first = end - timedelta(days=40)
    api.sampled_days = {end - timedelta(days=3)}  # inside the second window only
    run = cli.sync(start=first, end=end)
    assert run["status"] == "succeeded"
    split = first + timedelta(days=30)
    assert cli.stored() == {**truth(api, first, split - timedelta(days=1)),
                            **truth(api, split, end, {"sampled": "true"})}
    assert any("sampled the report for" in m and "12% of the data (120,000 of 1,000,000)" in m for m in cli.log(run))
    assert quality_by_day(cli, first, end) == {day: ("sampled",) if day >= split.isoformat() else ()
                                               for day in {key[1] for key in cli.stored()}}

    api.thresholded = api.other_row = True
    api.sampled_days = set()
    run = cli.sync(start=end, end=end)
    assert run["status"] == "succeeded"
    flags = {"thresholded": "true", "dataLossFromOtherRow": "true"}
    assert {k: v for k, v in cli.stored().items() if k[1] == end.isoformat()} == truth(api, end, end, flags)
    assert "(other)" not in {k[0] for k in cli.stored()}
    log = "\n".join(cli.log(run))
    assert "applied data thresholds" in log and "'(other)' row" in log
    assert set(quality_by_day(cli, end, end).values()) == {("thresholded", "dataLossFromOtherRow")}


def quality_by_day(cli: Cli, first: date, last: date) -> dict[str, tuple[str, ...]]:
    """What the Data page reads for each day (services.data.stats): the quality marks of its rows (all alike)."""
    from autosync_desktop.domain import StatsFilter
    from autosync_desktop.gui.data.model import stat_text
    from autosync_desktop.services import Services

    services = Services.open(cli.data_dir)
    try:
        rows = services.data.stats(StatsFilter(since=first, until=last), limit=10_000).rows
    finally:
        services.close()
    marks: dict[str, set[tuple[str, ...]]] = {}
    for row in rows:
        marks.setdefault(row.day.isoformat(), set()).add(row.quality)
        assert stat_text(row, "date").endswith(" · sampled") == ("sampled" in row.quality)
    assert all(len(found) == 1 for found in marks.values()), marks
    return {day: found.pop() for day, found in marks.items()}


# --- sign-in and credentials ----------------------------------------------------------------------------------

@pytest.mark.parametrize("account_id, message", [
    ("G-ABC123XYZ", "G-ABC123XYZ is a measurement id (of a web data stream), not a GA4 property id"),
    ("UA-1234-1", "A GA4 property id must be a number such as 123456789"),
    ("", "--account-id: Google Analytics 4 needs the platform's account id"),
])
def test_a_measurement_id_is_refused_with_where_to_find_the_property_id(
        cli: Cli, analytics: Callable[..., FakeGA4], account_id: str, message: str) -> None:
    api = analytics()
    cli.add(api, account_id=account_id, code=2)
    assert message in cli.err and len(cli.err.strip().splitlines()) == 1
    if account_id.startswith("G-"):
        assert "Admin › Property settings" in cli.err
    assert cli.json("accounts", "list", "--json") == [] and api.requests == []


def test_the_property_id_may_be_given_as_a_resource_name(cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    api = analytics(campaigns=3)
    cli.add(api, account_id=f"properties/{PROPERTY}")
    assert cli.account()["account_id"] == PROPERTY
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert cli.stored() == truth(api, start, end)


def test_incomplete_credentials_are_refused_at_add_time(cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    api = analytics()
    cli.add(api, credentials={"client_id": api.client_id, "refresh_token": "x"}, code=2)
    assert "client_secret" in cli.err and len(cli.err.strip().splitlines()) == 1
    cli.add(api, credentials={"client_id": "a", "client_secret": "b", "refresh_token": "c", "acess_token": "d"},
            code=2)
    assert "'acess_token' is not a Google Analytics 4 credential" in cli.err
    assert cli.json("accounts", "list", "--json") == []


def test_without_a_keyring_adding_fails_in_one_clean_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          analytics: Callable[..., FakeGA4]) -> None:
    api = analytics()
    cli = Cli(tmp_path / "data", capsys, monkeypatch)  # the suite's default keyring backend: none usable
    cli.add(api, code=2)
    assert len(cli.err.strip().splitlines()) == 1 and "keyring" in cli.err.lower() and "Traceback" not in cli.err
    assert not any(s in cli.err for s in api.secrets())
    assert cli.json("accounts", "list", "--json") == [] and api.requests == []


def test_no_secret_value_anywhere_under_the_data_dir(cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    api = analytics(campaigns=6)
    cli.add(api)
    start, end = short_range(api)
    cli.sync(start=start, end=end)
    reader = sqlite3.connect(next(cli.data_dir.glob("*.db")))  # keeps the -wal file on disk
    reader.execute("SELECT count(*) FROM sqlite_master").fetchall()
    api.fail_next(REPORT, fake.unauthenticated())
    cli.sync(start=start, end=end)
    api.fail_next(TOKEN_PATH, fake.invalid_grant())
    cli.sync(start=start, end=end, code=1)
    for kind in ("runs", "stats", "campaigns"):
        cli("export", kind, "--format", "json", "--output", str(cli.data_dir / f"export-{kind}.json"))
    cli("runs", "show", "3", "--json")
    secrets = api.secrets()
    assert len(secrets) >= 4  # the client secret, the refresh token, 2+ access tokens
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


def test_browser_sign_in_reuses_the_google_ads_oauth_client(cli: Cli, analytics: Callable[..., FakeGA4],
                                                            memory_keyring: dict[tuple[str, str], str]) -> None:
    from autosync_desktop import secrets
    from autosync_desktop.services import Services

    api = analytics(campaigns=3)
    cli("accounts", "add", "--platform", "ga4", "--name", "GA", "--account-id", PROPERTY,
        "--option", f"api_base_url={api.base_url}", "--option", f"token_url={api.base_url}{TOKEN_PATH}")
    assert cli.account()["auth_state"] == "needs_sign_in"
    secrets.save_oauth_client("google_ads", api.client_id, api.client_secret)
    seen: dict[str, str] = {}

    class Flow:  # the browser round trip is tested in test_oauth.py; here: which client and scope are used
        def __init__(self, provider: oauth.OAuthProvider, client_id: str, client_secret: str | None,
                     token_url: str | None = None) -> None:
            seen.update(client_id=client_id, client_secret=client_secret or "", scope=" ".join(provider.scopes),
                        token_url=token_url or "")
            self.authorization_url = "https://accounts.google.com/o/oauth2/v2/auth?x=1"

        def __enter__(self) -> Flow:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def wait_for_code(self, timeout_s: float, cancel: object = None) -> str:
            return "code"

        def exchange(self, code: str) -> dict[str, str]:
            return {"access_token": "ya29.x", "refresh_token": api.refresh_token}

    cli.monkeypatch.setattr(oauth, "LoopbackSignIn", Flow)
    services = Services.open(cli.data_dir)
    try:
        assert "Signed in" in services.accounts.connect("GA", on_url=lambda url: None, timeout_s=5)
    finally:
        services.close()
    assert seen == {"client_id": api.client_id, "client_secret": api.client_secret, "scope": fake.SCOPE,
                    "token_url": f"{api.base_url}{TOKEN_PATH}"}
    assert json.loads(memory_keyring[("autosync-desktop", "account:GA")]) == {
        "client_id": api.client_id, "client_secret": api.client_secret, "refresh_token": api.refresh_token}
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded" and cli.stored() == truth(api, start, end)


# --- faults ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, reply, times", [
    (REPORT, fake.exhausted("Exhausted concurrent requests quota.", retry_delay="0.2s"), 2),
    (REPORT, fake.exhausted("Resource has been exhausted (e.g. check quota)."), 2),
    (REPORT, fake.server_error(500), 2),
    (REPORT, fake.server_error(503), 2),
    (REPORT, fake.malformed(), 2),
    (REPORT, fake.dropped(), 2),
    (TOKEN_PATH, fake.server_error(503), 1),
], ids=["429-retry-info", "429-no-hint", "500", "503", "malformed-json", "dropped", "token-503"])
def test_transient_faults_are_retried_to_a_complete_result(cli: Cli, analytics: Callable[..., FakeGA4], path: str,
                                                           reply: Reply, times: int) -> None:
    api = analytics(campaigns=10)
    cli.add(api)
    start, end = short_range(api)
    api.fail_next(path, reply, times=times)
    run = cli.sync(start=start, end=end)
    assert run["status"] == "succeeded" and run["error"] is None
    assert cli.stored() == truth(api, start, end)
    assert api.faults == []


def test_a_report_that_changes_between_its_pages_is_read_again(cli: Cli, analytics: Callable[..., FakeGA4],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    api = analytics(campaigns=30)
    cli.add(api, options=("page_size=50",))
    start, end = short_range(api)
    serve = api._report
    restated: list[dict[str, Any]] = []

    def processing_meanwhile(query: dict[str, Any]) -> Reply:
        reply = serve(query)
        if query["offset"] == 0 and "date" in query["dimensions"] and not restated:
            restated.append(query)
            api.restate(end)  # GA4 reprocesses a day while the connector pages through the report
        return reply

    monkeypatch.setattr(api, "_report", processing_meanwhile)
    run = cli.sync(start=start, end=end)
    assert run["status"] == "succeeded" and restated
    assert cli.stored() == truth(api, start, end)  # the restated numbers, whole: no page from before mixed in
    assert any("changed while it was read" in m for m in cli.log(run))


def test_retry_info_is_the_wait_even_for_a_quota_with_a_long_guess(cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    """'Exhausted potentially thresholded requests quota.' alone means 30 minutes; RetryInfo 1s decides."""
    api = analytics(campaigns=4)
    cli.add(api)
    start, end = short_range(api)
    api.fail_next(REPORT, fake.exhausted("Exhausted potentially thresholded requests quota.", retry_delay="1s"))
    began = time.monotonic()
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert 0.9 <= time.monotonic() - began < 30 and cli.stored() == truth(api, start, end)


@pytest.mark.parametrize("message, words", [
    ("Exhausted property tokens per day.", "midnight Pacific time"),
    ("Exhausted property tokens for a project per hour.", "project's hourly quota"),
    ("Exhausted server errors quota.", "server errors"),
])
def test_an_exhausted_quota_defers_the_run_to_its_reset(cli: Cli, analytics: Callable[..., FakeGA4], message: str,
                                                         words: str) -> None:
    api = analytics(campaigns=4)
    cli.add(api)
    cli("settings", "set", "retry.max_rate_limit_wait_s", "60")
    api.fail_next(REPORT, fake.exhausted(message), times=5)
    start, end = short_range(api)
    before = clock.now()
    run = cli.sync(start=start, end=end, code=1)
    after = clock.now()
    assert run["error_class"] == "RateLimited" and "deferred" in run["error"] and words in run["error"]
    assert report_calls(api) == 1 and cli.stored() == {}  # not hammered
    if "per day" in message:  # just after the next midnight in Los Angeles, whatever the moment of the test
        resets = {moment + timedelta(seconds=ga4_quota.seconds_until_pacific_midnight(moment, 60))
                  for moment in (before, after)}
        assert any(f"until {r.astimezone(UTC):%Y-%m-%d %H:%M} UTC" in run["error"] for r in resets)


def test_expired_access_token_is_refreshed_once(cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    api = analytics(campaigns=6)
    cli.add(api)
    start, end = short_range(api)
    api.fail_next(REPORT, fake.unauthenticated())
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    assert len(api.calls(TOKEN_PATH)) == 2 and cli.stored() == truth(api, start, end)
    api.fail_next(REPORT, fake.unauthenticated(), times=2)
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "ReauthRequired" and cli.account()["auth_state"] == "needs_sign_in"


@pytest.mark.parametrize("path, reply, words", [
    (TOKEN_PATH, fake.invalid_grant(), "Google sign-in expired or was revoked — sign in again"),
    (REPORT, fake.scope_insufficient(), "scope analytics.readonly"),
], ids=["invalid-grant", "scope"])
def test_dead_grant_marks_the_account_needs_sign_in(cli: Cli, analytics: Callable[..., FakeGA4], path: str,
                                                    reply: Reply, words: str) -> None:
    api = analytics(campaigns=4)
    cli.add(api)
    api.fail_next(path, reply)
    run = cli.sync(start=api.today, end=api.today, code=1)
    assert run["error_class"] == "ReauthRequired" and words in run["error"]
    assert cli.account()["auth_state"] == "needs_sign_in" and cli.stored() == {}
    assert len(api.calls(TOKEN_PATH)) == 1  # no refresh loop


@pytest.mark.parametrize("reply, words", [
    (fake.permission_denied(), "cannot read GA4 property 312345678"),
    (fake.service_disabled(), "Google Analytics Data API is not enabled"),
    (fake.rpc_error(400, "INVALID_ARGUMENT", "Field sessionCampaignIdx is not a valid dimension."),
     "not a valid dimension"),
], ids=["403", "api-disabled", "400"])
def test_permanent_errors_fail_once_with_the_reason(cli: Cli, analytics: Callable[..., FakeGA4], reply: Reply,
                                                    words: str) -> None:
    api = analytics(campaigns=4)
    cli.add(api)
    api.fail_next(REPORT, reply)
    run = cli.sync(start=api.today, end=api.today, code=1)
    assert run["error_class"] == "Permanent" and words in run["error"]
    assert report_calls(api) == 1 and cli.account()["auth_state"] == "ok"


def test_a_retired_api_version_says_to_update_autosync(cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    api = analytics(campaigns=4)
    cli.add(api)
    assert ga4.SPEC.api_version == ga4.API_VERSION == "v1beta"
    api.served_versions = {"v1"}  # the day Google retires v1beta
    run = cli.sync(start=api.today, end=api.today, code=1)
    assert run["error_class"] == "Permanent" and run["error"].startswith(
        "This AutoSync uses Google Analytics API v1beta, which Google Analytics has retired: update AutoSync.")
    assert report_calls(api) == 1


# --- pacing ---------------------------------------------------------------------------------------------------

def test_a_quota_under_ten_percent_slows_the_sync_down(cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    # 3,990 of 40,000 hourly tokens left at 1 token a request: one request every 3600 / 3990 s (~0.9 s)
    api = analytics(campaigns=4, quota_remaining={"tokensPerHour": 3991}, token_cost=1)
    cli.add(api)
    start, end = short_range(api)
    began = time.monotonic()
    run = cli.sync(start=start, end=end)
    assert run["status"] == "succeeded" and cli.stored() == truth(api, start, end)
    calls = report_calls(api)  # the account report, the campaign list, three stats reports (numbers, sources, events)
    assert calls == 5 and time.monotonic() - began >= 0.85 * (calls - 1)
    assert any("left in the property's tokensPerHour quota" in m and "slowing down" in m for m in cli.log(run))


def test_quota_pacing_spreads_what_is_left_over_the_period() -> None:
    pacer = ga4_quota.QuotaPacer()
    now = datetime(2027, 3, 14, 7, 0, tzinfo=UTC)  # midnight in Los Angeles (PDT starts that morning)
    plenty = {"tokensPerHour": {"consumed": 10, "remaining": 39_000}, "concurrentRequests": {"remaining": 10}}
    assert pacer.pause(plenty, now) == (0.0, None)
    wait, line = pacer.pause({"tokensPerHour": {"consumed": 10, "remaining": 3_600}}, now)
    assert wait == 10.0 and line is not None and "3,600 of 40,000" in line
    assert pacer.pause({"tokensPerHour": {"consumed": 10, "remaining": 3_600}}, now) == (10.0, None)  # said once
    assert pacer.pause({"concurrentRequests": {"consumed": 0, "remaining": 0}}, now)[0] == 1.0
    assert pacer.pause({"tokensPerDay": {"consumed": 100, "remaining": 10}}, now)[0] == ga4_quota.MAX_PAUSE_S
    # a 360 property's larger quota is learnt from its answers
    big = ga4_quota.QuotaPacer()
    assert big.pause({"tokensPerHour": {"consumed": 10, "remaining": 399_000}}, now) == (0.0, None)
    assert big.pause({"tokensPerHour": {"consumed": 10, "remaining": 30_000}}, now)[0] > 0
    # the daily reset is midnight Pacific time, DST included
    assert ga4_quota.seconds_until_pacific_midnight(datetime(2027, 1, 15, 7, 59, tzinfo=UTC)) == 60
    assert ga4_quota.seconds_until_pacific_midnight(datetime(2027, 7, 15, 6, 59, tzinfo=UTC)) == 60
    meaning, wait_s = ga4_quota.exhausted_wait("Exhausted concurrent requests quota.", now)
    assert wait_s == 30.0 and "concurrent" in meaning
    assert ga4_quota.exhausted_wait("Something else.", now)[1] is None


def test_status_names_the_data_api_and_its_version(cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    api = analytics(campaigns=3)
    cli.add(api)
    account = next(a for a in cli.json("status", "--json")["accounts"] if a["name"] == "GA")
    assert (account["api_version"], account["api_sunset"]) == ("v1beta", None)
    from autosync_desktop.services import api_versions

    version = api_versions.api_of("ga4")
    assert version is not None and version.api == "Google Analytics Data API"


def test_access_revoked_in_the_google_account_needs_sign_in(cli: Cli, analytics: Callable[..., FakeGA4]) -> None:
    """The user removed AutoSync's access: the access token is refused, the refresh answers invalid_grant."""
    api = analytics(campaigns=4)
    cli.add(api)
    start, end = short_range(api)
    assert cli.sync(start=start, end=end)["status"] == "succeeded"
    api.revoke()
    run = cli.sync(start=start, end=end, code=1)
    assert run["error_class"] == "ReauthRequired" and "sign in again" in run["error"]
    assert cli.account()["auth_state"] == "needs_sign_in"
    assert cli.stored() == truth(api, start, end)  # what the first run wrote stays
    assert len(api.calls(TOKEN_PATH)) == 2  # each run asks for its token first: refused once, no loop
