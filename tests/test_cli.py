"""The CLI contract end to end on a temp data dir: commands, JSON fields, exit codes, messages."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from autosync_desktop import clock
from autosync_desktop.cli import main

RUN_FIELDS = {"id", "schedule", "account", "platform", "trigger", "status", "started_at", "finished_at",
              "duration_s", "rows", "error_class", "error"}
STATS_HEADER = ["platform", "account_id", "campaign_id", "campaign_name", "date", "date_tz", "impressions", "clicks",
                "cost", "cost_micros", "currency", "conversions", "conversion_value"]


class Cli:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data_dir = data_dir
        self.capsys = capsys

    def __call__(self, *args: str, code: int = 0) -> str:
        rc = main(["--data-dir", str(self.data_dir), *args])
        out, err = self.capsys.readouterr()
        assert rc == code, f"exit {rc}, stderr: {err}"
        self.err = err
        return out

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json") if args[0] != "runs" or len(args) == 1 else self(*args))


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path / "data", capsys)


def _setup(cli: Cli) -> None:
    cli("accounts", "add", "--platform", "demo", "--name", "Demo A", "--option", "latency_ms=0")
    cli("schedules", "add", "--name", "daily-a", "--account", "Demo A", "--type", "both", "--frequency", "daily",
        "--at", "06:00", "--timezone", "Europe/Berlin")


def test_end_to_end_sync_history_status_and_export(cli: Cli, tmp_path: Path) -> None:
    _setup(cli)
    accounts = cli.json("accounts", "list")
    assert accounts[0] | {} and {k: accounts[0][k] for k in ("name", "platform", "account_id", "auth_state",
                                                              "health")} == {
        "name": "Demo A", "platform": "demo", "account_id": "Demo A", "auth_state": "ok",
        "health": "never_synced"}
    schedules = cli.json("schedules", "list")
    assert {"name", "account", "type", "frequency", "timezone", "paused", "next_run_at",
            "last_status"} <= set(schedules[0])
    assert schedules[0]["timezone"] == "Europe/Berlin" and schedules[0]["next_run_at"] is not None
    assert schedules[0]["last_status"] is None

    end = clock.today("UTC") - timedelta(days=2)  # the Demo account's zone
    start = end - timedelta(days=44)
    out = cli("sync", "daily-a", "--from", start.isoformat(), "--to", end.isoformat(), "--wait")
    assert "succeeded" in out
    runs = json.loads(cli("runs", "--json"))
    assert len(runs) == 1 and set(runs[0]) >= RUN_FIELDS
    run = runs[0]
    assert (run["schedule"], run["account"], run["platform"], run["trigger"], run["status"]) == (
        "daily-a", "Demo A", "demo", "backfill", "succeeded")
    assert run["rows"] > 0 and run["campaigns"] == 8 and run["error"] is None

    export = tmp_path / "stats.csv"
    cli("export", "stats", "--format", "csv", "--output", str(export))
    rows = list(csv.reader(export.open()))
    assert rows[0] == STATS_HEADER and len(rows) - 1 == run["rows"]
    # cost is the exact decimal form of cost_micros
    for r in rows[1:50]:
        assert Decimal(r[8]) * 1_000_000 == int(r[9]) and len(r[8].split(".")[1]) >= 2
    assert {r[5] for r in rows[1:]} == {"UTC"}  # the Demo account's days are in its `timezone` option (UTC)
    assert {r[4] for r in rows[1:]} <= {(start + timedelta(days=i)).isoformat() for i in range(45)}

    # an explicit range gives identical data run after run
    first_export = export.read_text()
    cli("sync", "daily-a", "--from", start.isoformat(), "--to", end.isoformat(), "--wait")
    cli("export", "stats", "--format", "csv", "--output", str(export))
    second = export.read_text()
    assert first_export.splitlines()[0] == second.splitlines()[0]
    strip = lambda text: sorted(text.splitlines())  # noqa: E731
    assert strip(first_export) == strip(second)

    status = cli.json("status")
    assert status["success_rate"] == 1.0 and status["total_runs"] == 2 and status["succeeded"] == 2
    assert status["failed"] == 0 and status["rows_processed"] == 2 * run["rows"]
    assert status["avg_duration_s"] is not None
    acc = status["accounts"][0]
    assert {"name", "platform", "health", "last_success_at", "errors_24h", "avg_latency_ms"} <= set(acc)
    assert acc["health"] == "healthy" and acc["errors_24h"] == 0
    assert set(status["scheduler"]) >= {"running", "active_runs", "next_run_at"}
    assert status["scheduler"]["running"] is False

    exported = json.loads(cli("export", "runs", "--format", "json"))
    assert [r["id"] for r in exported] == [1, 2]
    campaigns = list(csv.reader(io.StringIO(cli("export", "campaigns", "--format", "csv"))))
    assert len(campaigns) == 9

    shown = json.loads(cli("runs", "show", "1", "--json"))
    assert any("window" in e["message"].lower() for e in shown["events"])


def test_sync_by_account_name_and_failure_exit_code(cli: Cli) -> None:
    cli("accounts", "add", "--platform", "demo", "--name", "flaky", "--option", "latency_ms=0",
        "--option", "failure_rate=1")
    cli("settings", "set", "retry.max_attempts", "2")
    cli("settings", "set", "retry.base_delay_s", "0")
    out = cli("sync", "flaky", "--wait", code=1)
    assert "failed" in out
    run = json.loads(cli("runs", "--json"))[0]
    assert run["status"] == "failed" and run["error_class"] in ("Transient", "RateLimited") and run["error"]
    assert run["schedule"] is None and run["account"] == "flaky"
    status = cli.json("status")
    assert status["success_rate"] == 0.0 and status["accounts"][0]["health"] == "failing"
    assert status["accounts"][0]["errors_24h"] == 1


def test_schedule_management_commands(cli: Cli) -> None:
    _setup(cli)
    nxt = json.loads(cli("schedules", "next", "daily-a", "--count", "3", "--json"))
    assert len(nxt) == 3 and all(t.endswith(("+01:00", "+02:00")) and "T06:00:00" in t for t in nxt)
    cli("schedules", "pause", "daily-a")
    assert cli.json("schedules", "list")[0]["paused"] is True
    assert "No upcoming runs" in cli("schedules", "next", "daily-a")
    cli("schedules", "resume", "daily-a")
    assert cli.json("schedules", "list")[0]["paused"] is False
    cli("schedules", "add", "--name", "wk", "--account", "Demo A", "--type", "performance", "--frequency",
        "weekly", "--days", "mon,fri", "--at", "7:30", "--timezone", "UTC", "--missed", "skip",
        "--lookback-days", "5")
    wk = next(s for s in cli.json("schedules", "list") if s["name"] == "wk")
    assert (wk["frequency"], wk["days"], wk["at"], wk["missed"], wk["lookback_days"]) == (
        "weekly", "mon,fri", "07:30", "skip", 5)
    cli("schedules", "remove", "wk")
    assert [s["name"] for s in cli.json("schedules", "list")] == ["daily-a"]
    cli("accounts", "remove", "Demo A", code=2)  # it has a schedule: say so, delete nothing
    assert "1 schedule" in cli.err and [s["name"] for s in cli.json("schedules", "list")] == ["daily-a"]
    cli("accounts", "remove", "Demo A", "--delete-data")
    assert cli.json("schedules", "list") == [] and cli.json("accounts", "list") == []


def test_settings_round_trip_and_validation(cli: Cli) -> None:
    values = cli.json("settings", "list")
    assert values["retention.runs_days"] == 180 and values["scheduler.max_concurrent_runs"] == 3
    cli("settings", "set", "retention.runs_days", "30")
    assert cli("settings", "get", "retention.runs_days").strip() == "30"
    cli("settings", "set", "retention.runs_days", "0", code=2)
    assert "retention.runs_days: must be at least 1" in cli.err
    cli("settings", "set", "nope.key", "1", code=2)
    assert "Unknown setting" in cli.err


@pytest.mark.parametrize("args, message", [
    (["sync", "ghost"], "Unknown schedule or account 'ghost'"),
    (["sync", "daily-a", "--from", "2026-02-01", "--to", "2026-01-01"], "--from 2026-02-01 is after --to"),
    (["sync", "daily-a", "--from", "2026-13-01", "--to", "2026-01-01"], "use YYYY-MM-DD"),
    (["sync", "daily-a", "--from", "2026-01-01"], "--from and --to go together"),
    (["schedules", "add", "--name", "x", "--account", "ghost", "--type", "both", "--frequency", "daily",
      "--at", "06:00"], "Unknown account 'ghost'"),
    (["schedules", "add", "--name", "x", "--account", "Demo A", "--type", "both", "--frequency", "cron",
      "--cron", "61 * * * *"], "--cron"),
    (["schedules", "add", "--name", "x", "--account", "Demo A", "--type", "both", "--frequency", "daily",
      "--at", "06:00", "--timezone", "Mars/Olympus"], "--timezone"),
    (["schedules", "add", "--name", "x", "--account", "Demo A", "--type", "both", "--frequency", "daily"],
     "--at"),
    (["schedules", "add", "--name", "daily-a", "--account", "Demo A", "--type", "both", "--frequency",
      "manual"], "already exists"),
    (["schedules", "add", "--name", "x", "--account", "Demo A", "--type", "hourly", "--frequency", "manual"],
     "--type"),
    (["accounts", "add", "--platform", "myspace", "--name", "x"], "unknown platform 'myspace'"),
    (["accounts", "add", "--platform", "demo", "--name", "y", "--option", "campaigns=0"], "campaigns"),
    (["accounts", "add", "--platform", "demo", "--name", "y", "--option", "colour=red"], "colour"),
    (["runs", "show", "999"], "No run with id 999"),
    (["status", "--period", "1y"], "--period"),
])
def test_bad_input_exits_2_with_one_clear_line_and_writes_nothing(cli: Cli, args: list[str], message: str) -> None:
    _setup(cli)
    before = (cli("accounts", "list", "--json"), cli("schedules", "list", "--json"))
    cli(*args, code=2)
    lines = cli.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in cli.err and "usage:" not in cli.err
    assert (cli("accounts", "list", "--json"), cli("schedules", "list", "--json")) == before
