"""The hostile-input list of issue 10 (items 4 and 14-21) as data, run through the real CLI `main()` in-process.

Every row is refused input: exit code 2, exactly one line on stderr holding the expected words, no traceback, and
the store (every table a user's data lives in) and the keyring exactly as they were. The data dir is fresh for
each row and holds a Demo account "Demo" with a daily schedule and a synced backfill, and a Meta account "Meta"
with a (fake) token in an in-memory keyring.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from autosync_desktop import clock
from autosync_desktop.cli import main

# Tables whose content a refused input must not change (process_lease is each command's own registration).
TABLES = ("account", "schedule", "sync_run", "run_event", "campaign", "daily_stat", "sync_state", "setting",
          "health_probe", "schema_version")
NESTED = '{"access_token": ' * 100_000 + '"x"' + "}" * 100_000
HUGE = "x" * 5_000_000


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    words: tuple[str, ...]
    stdin: str | None = None
    code: int = 2


def case(*args: str, words: tuple[str, ...] | str, stdin: str | None = None) -> Case:
    return Case(args, (words,) if isinstance(words, str) else words, stdin)


SCHEDULE = ("schedules", "add", "--name", "New", "--account", "Demo", "--type", "both")
META_ADD = ("accounts", "add", "--platform", "meta_ads", "--name", "Meta 2", "--account-id", "123",
            "--credentials-stdin")
DEMO_ADD = ("accounts", "add", "--platform", "demo")

CASES: dict[str, Case] = {
    # 4: destructive shortcuts
    "remove an account with schedules and data": case("accounts", "remove", "Demo", words=(
        "1 schedule", "daily rows", "--delete-data", "--keep-data")),
    "remove with both data flags": case("accounts", "remove", "Demo", "--delete-data", "--keep-data",
                                        words="--keep-data"),
    # 14: tracebacks before
    "credentials nested 100,000 levels": case(*META_ADD, stdin=NESTED, words="nested too deeply"),
    "every-minutes 10^12": case(*SCHEDULE, "--frequency", "interval", "--every-minutes", "1000000000000",
                                words="--every-minutes"),
    "every-minutes 10^30": case(*SCHEDULE, "--frequency", "interval", "--every-minutes", "1" + "0" * 30,
                                words="--every-minutes"),
    "runs show a huge id": case("runs", "show", "99999999999999999999999", words="run id"),
    "runs cancel a huge id": case("runs", "cancel", "99999999999999999999999", words="run id"),
    "export to an empty path": case("export", "stats", "--format", "csv", "--output", "", words="--output"),
    "data dir is a file": case("--data-dir", "{file}", "status", words=("--data-dir", "is a file")),
    # 15: NaN settings
    "retry.base_delay_s nan": case("settings", "set", "retry.base_delay_s", "nan", words="finite number"),
    "sync.run_timeout_minutes nan": case("settings", "set", "sync.run_timeout_minutes", "NaN",
                                         words="finite number"),
    # 16: names
    "account name with an ANSI escape": case(*DEMO_ADD, "--name", "Bad\x1b[31mRed", words=("--name", "U+001B")),
    "account name with a newline": case(*DEMO_ADD, "--name", "two\nlines", words=("--name", "U+000A")),
    "account name with a zero-width space": case(*DEMO_ADD, "--name", "De\u200bmo", words=("--name", "U+200B")),
    "account name with a bidi override": case(*DEMO_ADD, "--name", "abc\u202edef", words=("--name", "U+202E")),
    "account name of 100,000 characters": case(*DEMO_ADD, "--name", "n" * 100_000,
                                               words=("--name", "at most 100")),
    "account name differing only in case": case(*DEMO_ADD, "--name", "demo", words=("--name", "'Demo'",
                                                                                    "already exists")),
    "account name differing in case and spaces": case(*DEMO_ADD, "--name", "  DEMO ", words=("--name", "'Demo'",
                                                                                          "already exists")),
    "schedule name with a control character": case("schedules", "add", "--name", "a\x07b", "--account", "Demo",
                                                   "--type", "both", "--frequency", "manual",
                                                   words=("--name", "U+0007")),
    "schedule name differing only in case": case("schedules", "add", "--name", "DAILY", "--account", "Demo",
                                                 "--type", "both", "--frequency", "manual",
                                                 words=("--name", "'Daily'", "already exists")),
    "unknown name suggests a few": case("sync", "Demmo", words=("Unknown schedule or account", "did you mean",
                                                                "'Demo'")),
    # 17: backfills
    "backfill from year 1 (Demo)": case("sync", "Demo", "--from", "0001-01-01", "--to", "{today}",
                                        words=("--from", "90 days of history", "or later")),
    "backfill from year 1 (Meta)": case("sync", "Meta", "--from", "0001-01-01", "--to", "{today}",
                                        words=("--from", "37 months", "or later")),
    "large backfill without --yes": case("sync", "Meta", "--from", "{two_years_ago}", "--to", "{today}",
                                         words=("--yes", "windows", "API calls")),
    # 18: options that do not apply
    "--at with interval": case(*SCHEDULE, "--frequency", "interval", "--every-minutes", "30", "--at", "06:00",
                               words=("--at", "interval")),
    "--cron with daily": case(*SCHEDULE, "--frequency", "daily", "--at", "06:00", "--cron", "0 6 * * *",
                              words=("--cron", "daily")),
    "--every-minutes with manual": case(*SCHEDULE, "--frequency", "manual", "--every-minutes", "5",
                                        words=("--every-minutes", "manual")),
    "--days with daily": case(*SCHEDULE, "--frequency", "daily", "--at", "06:00", "--days", "mon",
                              words=("--days", "daily")),
    "empty --timezone": case(*SCHEDULE, "--frequency", "daily", "--at", "06:00", "--timezone", "",
                             words="--timezone"),
    "empty --data-dir": case("--data-dir", "", "status", words="--data-dir"),
    # 19: credentials that cannot work
    "empty credentials object": case(*META_ADD, stdin="{}", words=("--credentials-stdin", "empty")),
    "a token that is a number": case(*META_ADD, stdin='{"access_token": 12345}', words=("access_token", "text")),
    "a token with NUL": case(*META_ADD, stdin='{"access_token": "ab\\u0000cd"}', words=("access_token", "U+0000")),
    "a token with a lone surrogate": case(*META_ADD, stdin='{"access_token": "ab\\ud800cd"}',
                                          words=("access_token", "surrogate")),
    "a 5 MB token": case(*META_ADD, stdin=json.dumps({"access_token": HUGE}), words=("access_token", "at most")),
    "a misspelt credential key": case(*META_ADD, stdin='{"acess_token": "x"}', words=("'acess_token'",
                                                                                       "access_token")),
    "credentials for a Demo account": case(*DEMO_ADD, "--name", "Demo 2", "--credentials-stdin",
                                           stdin='{"access_token": "x"}', words="needs no credentials"),
    "act_ alone as a Meta account id": case("accounts", "add", "--platform", "meta_ads", "--name", "Meta 3",
                                            "--account-id", "act_", words="--account-id"),
    "linkedin_version=abc": case("accounts", "add", "--platform", "linkedin_ads", "--name", "LI",
                                 "--account-id", "507404993", "--option", "linkedin_version=abc",
                                 words="linkedin_version"),
    "a URL option with a password": case("accounts", "add", "--platform", "meta_ads", "--name", "Meta 4",
                                         "--account-id", "123", "--option", "api_base_url=https://u:SECRET@host",
                                         words="api_base_url"),
    "a URL option that is not a URL": case("accounts", "add", "--platform", "meta_ads", "--name", "Meta 5",
                                           "--account-id", "123", "--option", "api_base_url=not a url",
                                           words="api_base_url"),
    # 20: settings
    "CR/LF in the SMTP user name": case("settings", "set", "notify.email.username", "a\r\nBcc: evil@example.com",
                                        words="notify.email.username"),
    "a 100,000-character SMTP host": case("settings", "set", "notify.email.host", "h" * 100_000,
                                          words="notify.email.host"),
    "host:port as the SMTP host": case("settings", "set", "notify.email.host", "smtp.example.com:587",
                                       words=("notify.email.host", "notify.email.port")),
    "an impossible paused_until": case("settings", "set", "scheduler.paused_until", "2026-13-45T99:99:00Z",
                                       words="scheduler.paused_until"),
    "max_concurrent of an unknown platform": case("settings", "set", "http.max_concurrent.nope", "3",
                                                  words=("http.max_concurrent.nope", "meta_ads")),
    # 21: demo with bad options creates nothing
    "demo --every-minutes 0": case("demo", "--every-minutes", "0", words="--every-minutes"),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the Demo account (synced, with a schedule) and a Meta account; copied for each case."""
    data = tmp_path_factory.mktemp("hostile") / "data"
    run = _runner(data)
    run("accounts", "add", "--platform", "demo", "--name", "Demo", "--option", "latency_ms=0")
    run("schedules", "add", "--name", "Daily", "--account", "Demo", "--type", "both", "--frequency", "daily",
        "--at", "06:00", "--timezone", "UTC")
    end = clock.today("UTC") - timedelta(days=1)
    run("sync", "Daily", "--from", (end - timedelta(days=20)).isoformat(), "--to", end.isoformat(), "--wait")
    return data


def _runner(data: Path):
    def run(*args: str) -> None:
        assert main(["--data-dir", str(data), *args]) == 0, args
    return run


def _snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(db)
    try:
        return {table: sorted(con.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in TABLES}
    finally:
        con.close()


@pytest.mark.parametrize("name", list(CASES))
def test_refused_input(name: str, template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       monkeypatch: pytest.MonkeyPatch, memory_keyring: dict[tuple[str, str], str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(template, data)
    monkeypatch.setattr("sys.stdin", io.StringIO('{"access_token": "EAAB-fake-token"}'))
    assert main(["--data-dir", str(data), "accounts", "add", "--platform", "meta_ads", "--name", "Meta",
                 "--account-id", "act_1234567890", "--credentials-stdin"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    keyring_before = dict(memory_keyring)
    before = _snapshot(data / "autosync.db")
    assert any(row[1] == "Meta" for row in before["account"])

    file = tmp_path / "a-file"
    file.write_text("not a folder")
    today = clock.today("UTC")
    subs = {"{file}": str(file), "{today}": (today - timedelta(days=1)).isoformat(),
            "{two_years_ago}": (today - timedelta(days=730)).isoformat()}
    c = CASES[name]
    args = [subs.get(arg, arg) for arg in c.args]
    monkeypatch.setattr("autosync_desktop.cli.cmd_service", lambda *_: 0)  # accepted by mistake: fail, not hang
    monkeypatch.setattr("sys.stdin", io.StringIO(c.stdin or ""))
    code = main(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()

    assert code == c.code, f"exit {code}, stderr: {err[:300]}"
    assert "Traceback" not in err and "Unexpected error" not in err
    lines = err.splitlines()
    assert len(lines) == 1, f"stderr is not one line: {err[:500]!r}"
    for word in c.words:
        assert word in lines[0], f"{word!r} not in {lines[0][:300]!r}"
    assert "\x1b" not in err and "\x1b" not in out  # never a raw escape sequence on the terminal
    assert len(lines[0]) < 1000  # a refused 100,000-character value is not echoed back
    assert _snapshot(data / "autosync.db") == before
    assert memory_keyring == keyring_before
