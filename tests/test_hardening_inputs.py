"""Issue 10 items 4 and 16-21 beyond refusal (tests/test_hostile_inputs.py has the refused inputs): what
`accounts remove` deletes and keeps, the name rules, backfill bounds and --yes, options that apply, credentials,
settings that are still accepted, and `autosync demo` on a partly set-up data dir."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from autosync_desktop import clock, names
from autosync_desktop.cli import main
from autosync_desktop.domain import StatsFilter
from autosync_desktop.errors import UserError
from autosync_desktop.services import Services
from autosync_desktop.store import migrations
from autosync_desktop.store.db import open_store
from autosync_desktop.sync import windows


class Cli:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.data_dir = data_dir
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.err = ""

    def __call__(self, *args: str, code: int = 0, stdin: str = "") -> str:
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        rc = main(["--data-dir", str(self.data_dir), *args])
        out, self.err = self.capsys.readouterr()
        assert rc == code, f"exit {rc}, stderr: {self.err}"
        return out


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(tmp_path / "data", capsys, monkeypatch)


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "svc")
    yield services
    services.close()


def _synced_demo(cli: Cli, name: str = "Demo") -> int:
    """A Demo account with two schedules and 21 synced days; returns its daily rows."""
    cli("accounts", "add", "--platform", "demo", "--name", name, "--option", "latency_ms=0")
    for schedule in ("Morning", "Evening"):
        cli("schedules", "add", "--name", f"{name} {schedule}", "--account", name, "--type", "both",
            "--frequency", "daily", "--at", "06:00" if schedule == "Morning" else "18:00", "--timezone", "UTC")
    end = clock.today("UTC") - timedelta(days=1)
    cli("sync", name, "--from", (end - timedelta(days=20)).isoformat(), "--to", end.isoformat(), "--wait")
    return len(json.loads(cli("export", "stats", "--format", "json")))


# --- 4: accounts remove -------------------------------------------------------------------------------------

def test_remove_refuses_when_schedules_or_data_exist_and_says_what_would_go(cli: Cli) -> None:
    rows = _synced_demo(cli)
    cli("accounts", "remove", "Demo", code=2)
    assert cli.err.strip() == (f"autosync: Account 'Demo' has 2 schedules and {rows:,} daily rows (8 campaigns); add "
                               "--delete-data to remove them, or --keep-data to keep the data and remove only the "
                               "account and its schedules")
    assert len(json.loads(cli("accounts", "list", "--json"))) == 1
    assert len(json.loads(cli("schedules", "list", "--json"))) == 2
    assert len(json.loads(cli("export", "stats", "--format", "json"))) == rows


def test_remove_with_delete_data_deletes_schedules_and_data_and_keeps_runs(cli: Cli) -> None:
    rows = _synced_demo(cli)
    out = cli("accounts", "remove", "Demo", "--delete-data")
    assert out.strip() == (f"Removed account 'Demo' with its 2 schedules and {rows:,} daily rows (8 campaigns); its "
                           "past runs stay in the history")
    assert json.loads(cli("accounts", "list", "--json")) == [] and json.loads(cli("schedules", "list", "--json")) == []
    assert json.loads(cli("export", "stats", "--format", "json")) == []
    assert [r["account"] for r in json.loads(cli("runs", "--json"))] == ["Demo"]


def test_remove_with_keep_data_keeps_the_data_readable_and_frees_the_name(cli: Cli, tmp_path: Path) -> None:
    rows = _synced_demo(cli)
    before = json.loads(cli("export", "stats", "--format", "json"))
    kept = f"Demo (removed {clock.today().isoformat()})"
    out = cli("accounts", "remove", "Demo", "--keep-data")
    assert out.strip() == (f"Removed account 'Demo' and its 2 schedules; its synced data is kept as {kept!r} "
                           "(Data, exports); its past runs stay in the history")
    assert json.loads(cli("accounts", "list", "--json")) == [] and json.loads(cli("schedules", "list", "--json")) == []
    assert json.loads(cli("export", "stats", "--format", "json")) == before  # every row, unchanged
    assert len(json.loads(cli("export", "campaigns", "--format", "json"))) == 8
    services = Services.open(cli.data_dir)
    try:
        page = services.data.stats(StatsFilter(account=kept), limit=10_000)
        assert len(page.rows) == rows and {r.account for r in page.rows} == {kept}
        assert len(services.data.campaigns(kept)) == 8
        assert services.accounts.contents(kept).daily_rows == rows
    finally:
        services.close()
    assert [r["account"] for r in json.loads(cli("runs", "--account", kept, "--json"))] == ["Demo"]  # its history
    cli("sync", kept, code=2)  # a removed account does not sync
    assert "was removed" in cli.err and "--delete-data" in cli.err
    # the name is free again, and the kept data can be deleted later
    cli("accounts", "add", "--platform", "demo", "--name", "Demo", "--option", "latency_ms=0")
    cli("accounts", "remove", kept, "--keep-data", code=2)
    assert "already removed" in cli.err
    cli("accounts", "remove", kept, "--delete-data")
    assert json.loads(cli("export", "stats", "--format", "json")) == []
    assert [a["name"] for a in json.loads(cli("accounts", "list", "--json"))] == ["Demo"]


def test_remove_without_schedules_or_data_needs_no_flag(cli: Cli) -> None:
    cli("accounts", "add", "--platform", "demo", "--name", "Empty")
    assert cli("accounts", "remove", "Empty").strip() == "Removed account 'Empty'; its past runs stay in the history"


def test_schema_v6_adds_removed_at_to_an_older_store(tmp_path: Path) -> None:
    from tests.test_store_migrations import make_v1_database

    path = tmp_path / "autosync.db"
    make_v1_database(path)
    open_store(path).close()
    con = sqlite3.connect(path)
    try:
        columns = [row[1] for row in con.execute('PRAGMA table_info("account")')]
        assert "removed_at" in columns and migrations.LATEST >= 6
        assert con.execute("SELECT name, removed_at FROM account").fetchall() == [("acme", None)]
    finally:
        con.close()


# --- 16: names ----------------------------------------------------------------------------------------------

def test_names_are_normalised_trimmed_and_compared_ignoring_case(cli: Cli) -> None:
    cli("accounts", "add", "--platform", "demo", "--name", "  Cafe\u0301 Ads  ")
    assert [a["name"] for a in json.loads(cli("accounts", "list", "--json"))] == ["Caf\u00e9 Ads"]
    cli("accounts", "add", "--platform", "demo", "--name", "CAF\u00c9 ADS", code=2)
    assert "'Café Ads' already exists (names are compared ignoring case)" in cli.err
    # a name differing only in case finds the one account
    cli("schedules", "add", "--name", "Nightly", "--account", "café ads", "--type", "both", "--frequency", "manual")
    assert json.loads(cli("schedules", "list", "--json"))[0]["account"] == "Café Ads"


def test_names_stored_before_the_rules_stay_but_are_printed_escaped_and_block_lookalikes(cli: Cli) -> None:
    cli("accounts", "add", "--platform", "demo", "--name", "Plain")
    con = sqlite3.connect(cli.data_dir / "autosync.db")
    con.execute("UPDATE account SET name = ? WHERE name = 'Plain'", ("De\u200bmo\x1b[31m",))
    con.commit()
    con.close()
    listing = cli("accounts", "list")
    assert "\x1b" not in listing and "\u200b" not in listing and "De\\u200bmo\\x1b[31m" in listing
    assert json.loads(cli("accounts", "list", "--json"))[0]["name"] == "De\u200bmo\x1b[31m"  # kept as it was
    cli("accounts", "add", "--platform", "demo", "--name", "demo[31m", code=2)
    assert "already exists" in cli.err and "\x1b" not in cli.err


def test_unknown_names_list_a_few_close_matches_not_every_name(cli: Cli) -> None:
    for number in range(40):
        cli("accounts", "add", "--platform", "demo", "--name", f"Client {number:02d}")
    cli("schedules", "add", "--name", "x", "--account", "Client 1", "--type", "both", "--frequency", "manual",
        code=2)
    assert cli.err.startswith("autosync: Unknown account 'Client 1'; did you mean ")
    assert 1 <= cli.err.count("'Client ") - 1 <= names.MAX_SUGGESTIONS
    cli("sync", "zzzz", code=2)
    assert cli.err.strip() == ("autosync: Unknown schedule or account 'zzzz' (see 'schedules list' and "
                               "'accounts list')")


def test_name_rules() -> None:
    assert names.clean(" Cafe\u0301 ", "--name", "x") == "Caf\u00e9"
    assert names.key("De\u200bMO") == names.key("demo")
    assert names.printable("a\x1b[0m\u202eb") == "a\\x1b[0m\\u202eb"
    assert names.clean("n" * 100, "--name", "x") == "n" * 100
    with pytest.raises(UserError, match="at most 100"):
        names.clean("n" * 101, "--name", "x")
    for bad in ("a\tb", "a\u200db", "a\ufeffb", "a\u2066b", "a\ud800b"):
        with pytest.raises(UserError, match="U\\+"):
            names.clean(bad, "--name", "x")
    close = names.suggestions("acme", [f"Acme {n}" for n in range(20)] + ["ACME", "Zebra"])
    assert len(close) == names.MAX_SUGGESTIONS and close[0] == "ACME" and "Zebra" not in close


def test_a_schedule_rename_obeys_the_same_rules(svc: Services) -> None:
    svc.accounts.add("demo", "Demo")
    svc.schedules.add("One", "Demo", "both", "manual")
    svc.schedules.add("Two", "Demo", "both", "manual")
    with pytest.raises(UserError, match="'One' already exists"):
        svc.schedules.update("Two", new_name="ONE")
    with pytest.raises(UserError, match="U\\+000A"):
        svc.schedules.update("Two", new_name="T\nwo")
    assert svc.schedules.update("two", new_name="Two").name == "Two"  # its own name, found ignoring case


# --- 17: backfill bounds and --yes ----------------------------------------------------------------------------

def test_backfills_start_within_the_platforms_retention(svc: Services, memory_keyring: dict) -> None:
    svc.accounts.add("demo", "Demo", options={"history_days": "30"})
    svc.accounts.add("meta_ads", "Meta", "123", credentials={"access_token": "EAAB-fake"})
    svc.accounts.add("linkedin_ads", "LinkedIn", "507404993", credentials={"access_token": "li-fake"})
    today = clock.today("UTC")
    with pytest.raises(UserError, match=f"has 30 days of history .*use --from {(today - timedelta(days=30))}"):
        svc.runs.request("Demo", date(2000, 1, 1), today)
    earliest = windows.months_before(today, 37)
    with pytest.raises(UserError, match=f"Meta Ads keeps daily stats for 37 months; use --from {earliest}"):
        svc.runs.request("Meta", earliest - timedelta(days=1), today, confirmed=True)
    with pytest.raises(UserError, match="LinkedIn Ads keeps daily stats for 2 years"):
        svc.runs.request("LinkedIn", windows.months_before(today, 24) - timedelta(days=1), today, confirmed=True)
    svc.accounts.add("microsoft_ads", "Bing", "151000820", options={"customer_id": "251186883"},
                     credentials={"developer_token": "dev-fake", "client_id": "c-fake", "refresh_token": "r-fake"})
    with pytest.raises(UserError, match="Microsoft Advertising keeps daily stats for 3 years"):
        svc.runs.request("Bing", windows.months_before(today, 36) - timedelta(days=1), today, confirmed=True)


def test_a_large_backfill_on_a_real_platform_needs_yes(svc: Services, memory_keyring: dict,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    svc.accounts.add("meta_ads", "Meta", "123", credentials={"access_token": "EAAB-fake"})
    # another process runs the scheduler: the request is only queued here, nothing calls Meta
    monkeypatch.setattr("autosync_desktop.store.runs.live_scheduler", lambda: SimpleNamespace(kind="service", pid=1))
    end = clock.today("UTC") - timedelta(days=1)
    twelve = end - timedelta(days=12 * 30 - 1)  # exactly 12 windows: no question asked
    assert svc.runs.request("Meta", twelve, end).run_id > 0
    with pytest.raises(UserError, match=r"takes 13 windows of up to 30 days, at least 14 API calls to Meta Ads; "
                                        r"add --yes"):
        svc.runs.request("Meta", twelve - timedelta(days=1), end)
    assert svc.runs.request("Meta", twelve - timedelta(days=1), end, confirmed=True).handled_by == "service pid 1"


def test_months_before_and_window_count() -> None:
    assert windows.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert windows.months_before(date(2026, 12, 4), 37) == date(2023, 11, 4)
    assert windows.months_before(date(2026, 12, 4), 30000) == date.min
    span = windows.Window(date(2026, 1, 1), date(2026, 12, 31))
    assert windows.window_count(span, 30) == len(windows.chunk(span, 30)) == 13


# --- 18: options that apply ---------------------------------------------------------------------------------

def test_options_that_apply_to_the_frequency_are_still_accepted(cli: Cli) -> None:
    cli("accounts", "add", "--platform", "demo", "--name", "Demo")
    base = ("schedules", "add", "--account", "Demo", "--type", "both")
    cli(*base, "--name", "a", "--frequency", "interval", "--every-minutes", "30", "--timezone", "UTC")
    cli(*base, "--name", "b", "--frequency", "hourly", "--at", ":15")
    cli(*base, "--name", "c", "--frequency", "weekly", "--at", "07:30", "--days", "mon,fri")
    cli(*base, "--name", "d", "--frequency", "cron", "--cron", "0 6 * * 1-5")
    cli(*base, "--name", "e", "--frequency", "manual")
    assert len(json.loads(cli("schedules", "list", "--json"))) == 5


# --- 19: credentials ------------------------------------------------------------------------------------------

def test_credentials_that_can_work_are_stored_trimmed(cli: Cli, memory_keyring: dict) -> None:
    cli("accounts", "add", "--platform", "meta_ads", "--name", "Meta", "--account-id", "123", "--credentials-stdin",
        stdin='{"access_token": "  EAAB-token  "}')
    assert json.loads(next(v for v in memory_keyring.values())) == {"access_token": "EAAB-token"}
    cli("accounts", "add", "--platform", "linkedin_ads", "--name", "LI", "--account-id", "507404993",
        "--credentials-stdin", stdin='{"client_id": "c", "client_secret": "", "refresh_token": "r"}')
    cli("accounts", "set-credentials", "Meta", "--credentials-stdin", stdin="{}", code=2)
    assert "empty" in cli.err and "access_token" in cli.err


# --- 20: settings that are still accepted ---------------------------------------------------------------------

def test_good_settings_values_are_still_accepted(cli: Cli) -> None:
    for key, value in (("notify.email.host", "smtp.example.com"), ("notify.email.host", "[::1]"),
                       ("scheduler.paused_until", "2026-11-28T15:00:00Z"), ("scheduler.paused_until", ""),
                       ("http.max_concurrent.meta_ads", "3"), ("http.requests_per_minute.google_ads", "60")):
        cli("settings", "set", key, value)


# --- 21: autosync demo ------------------------------------------------------------------------------------------

def test_demo_on_a_partly_set_up_data_dir_uses_the_demo_account_there(svc: Services) -> None:
    svc.accounts.add("demo", "Demo")  # a Demo account under another name, no schedule
    setup = svc.schedules.ensure_demo(5)
    assert (setup.account, setup.schedule, setup.created_account, setup.created_schedule) == (
        "Demo", "Demo sync", False, True)
    assert svc.schedules.get("Demo sync").account == "Demo"
    again = svc.schedules.ensure_demo(5)
    assert (again.created_account, again.created_schedule, again.schedule) == (False, False, "Demo sync")


def test_demo_with_bad_options_creates_nothing(svc: Services) -> None:
    with pytest.raises(UserError, match="--every-minutes"):
        svc.schedules.ensure_demo(0)
    assert svc.accounts.list() == () and svc.schedules.list() == ()


def test_demo_creates_both_or_neither(svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise UserError("--name: the schedule could not be added")

    monkeypatch.setattr(svc.schedules, "add", fail)
    with pytest.raises(UserError):
        svc.schedules.ensure_demo(5)
    assert svc.accounts.list() == ()  # the account made in the same transaction is gone too
