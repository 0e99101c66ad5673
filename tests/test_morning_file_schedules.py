"""Export schedules from the CLI and the scheduler: `schedules add --type export` and its refusals (exit 2, one
line naming the flag), `autosync sync "Morning file"` writing the file, a scheduled tick of an export schedule
writing it and recording its rows, and the schedules service's view of one."""

from __future__ import annotations

import csv
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from autosync_desktop import events as ev
from autosync_desktop.clock import ShiftedClock
from autosync_desktop.export_spec import make_spec
from autosync_desktop.store.models import Account, DailyStat, Schedule, SyncRun, utcnow
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.scheduler import SchedulerService
from tests.test_cli import Cli


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    cli = Cli(tmp_path / "data", capsys)
    cli("accounts", "add", "--platform", "demo", "--name", "Demo A", "--option", "latency_ms=0")
    cli("accounts", "add", "--platform", "demo", "--name", "Demo B", "--option", "latency_ms=0")
    return cli


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "AutoSync"
    folder.mkdir()
    return folder


def test_add_and_sync_an_export_schedule_writes_the_file(cli: Cli, out_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(out_dir.parent))
    cli("sync", "Demo A", "--wait")
    cli("sync", "Demo B", "--wait")
    out = cli("schedules", "add", "--name", "Morning file", "--type", "export", "--frequency", "daily", "--at",
              "07:00", "--output", "~/AutoSync/ads.xlsx", "--range", "last_30_days")
    assert out.startswith("Added schedule 'Morning file'")
    listed = json.loads(cli("schedules", "list", "--json"))
    morning = next(s for s in listed if s["name"] == "Morning file")
    assert (morning["account"], morning["platform"], morning["type"]) == ("All accounts", "export", "export")
    assert morning["export"] == {"output": str(out_dir / "ads.xlsx"), "format": "xlsx", "range": "last_30_days",
                                 "accounts": None}
    out = cli("sync", "Morning file", "--wait")
    assert "succeeded" in out and "campaigns" not in out  # a file has rows, not campaigns
    run = json.loads(cli("runs", "--json"))[0]
    assert (run["schedule"], run["account"], run["platform"], run["status"]) == (
        "Morning file", "All accounts", "export", "succeeded")
    stored = DailyStat.select().count()  # the demo's history is shorter than 30 days: every row is in the file
    book = openpyxl.load_workbook(out_dir / "ads.xlsx")
    assert book.sheetnames == ["All", "Demo (sandbox data)"]
    assert run["rows"] == book["All"].max_row - 1 > 0
    assert run["rows"] <= stored
    assert {r[1] for r in book["All"].iter_rows(min_row=2, values_only=True)} == {"Demo A", "Demo B"}
    synced = sum(r["rows"] for r in json.loads(cli("runs", "--json")) if r["platform"] == "demo")
    status = json.loads(cli("status", "--json"))  # rows written to a file are not daily figures saved
    assert status["rows_processed"] == synced and status["total_runs"] == 3
    insights = json.loads(cli("insights", "--json"))  # files written: a platform row, never an account row
    assert [p["label"] for p in insights["platforms"] if p["platform"] == "export"] == ["Files written"]
    assert {a["account"] for a in insights["accounts"]} == {"Demo A", "Demo B"}
    detail = cli("runs", "show", str(run["id"]))
    assert f"Wrote {run['rows']:,} rows to {out_dir / 'ads.xlsx'}, 2 sheets" in detail
    cli("sync", "Morning file", "--from", "2026-01-01", "--to", "2026-01-02", code=2)
    assert "--from/--to: an export schedule writes its own range" in cli.err


def test_chosen_accounts_and_csv_format(cli: Cli, out_dir: Path) -> None:
    cli("sync", "Demo B", "--wait")
    cli("schedules", "add", "--name", "B file", "--type", "export", "--frequency", "manual", "--output",
        str(out_dir / "b.txt"), "--format", "csv", "--range", "last_7_days", "--accounts", "demo b")
    cli("sync", "B file", "--wait")
    run = json.loads(cli("runs", "--json"))[0]
    assert run["account"] == "Demo B"  # stored as the account spells itself
    with open(out_dir / "b.txt", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["platform", "account", "campaign id"] and {r[1] for r in rows[1:]} == {"Demo B"}
    assert len(rows) - 1 == run["rows"] > 0


@pytest.mark.parametrize("args, message", [
    (["--type", "export", "--frequency", "daily", "--at", "07:00", "--range", "last_30_days"], "--output: "),
    (["--type", "export", "--frequency", "daily", "--at", "07:00", "--output", "{out}/nope/ads.xlsx",
      "--range", "last_30_days"], "--output: the folder {out}/nope does not exist"),
    (["--type", "export", "--frequency", "daily", "--at", "07:00", "--output", "{out}", "--range", "last_30_days"],
     "--output: {out} is a folder"),
    (["--type", "export", "--frequency", "daily", "--at", "07:00", "--output", "{out}/ads.txt",
      "--range", "last_30_days"], "--output: ads.txt does not end in .csv, .xlsx or .parquet"),
    (["--type", "export", "--frequency", "daily", "--at", "07:00", "--output", "{out}/ads.xlsx"], "--range: "),
    (["--type", "export", "--frequency", "daily", "--at", "07:00", "--output", "{out}/ads.xlsx",
      "--range", "last_week"], "--range: 'last_week' is not a range"),
    (["--type", "export", "--output", "{out}/ads.xlsx", "--range", "last_30_days"],
     "--frequency: an export schedule needs a time"),
    (["--type", "export", "--account", "Demo A", "--frequency", "manual", "--output", "{out}/ads.xlsx",
      "--range", "last_30_days"], '--account: an export schedule reads several accounts; use --accounts "Demo A"'),
    (["--type", "export", "--accounts", "Demo A,Ghost", "--frequency", "manual", "--output", "{out}/ads.xlsx",
      "--range", "last_30_days"], "--accounts: no account named 'Ghost'"),
    (["--type", "export", "--frequency", "daily", "--output", "{out}/ads.xlsx", "--range", "last_30_days"],
     "--at"),
    (["--type", "both", "--frequency", "daily", "--at", "07:00"],
     "--account: the following arguments are required: --account"),
    (["--type", "both", "--account", "Demo A"], "--frequency: required unless --after is given"),
    (["--type", "both", "--account", "Demo A", "--frequency", "manual", "--output", "{out}/a.csv"],
     "--output: only for --type export"),
])
def test_add_refusals_exit_2_with_one_line_and_store_nothing(cli: Cli, out_dir: Path, args: list[str],
                                                              message: str) -> None:
    before = cli("schedules", "list", "--json")
    cli("schedules", "add", "--name", "Morning file", *(a.replace("{out}", str(out_dir)) for a in args), code=2)
    lines = cli.err.strip().splitlines()
    assert len(lines) == 1 and message.replace("{out}", str(out_dir)) in lines[0], lines
    assert "Traceback" not in cli.err and "usage:" not in cli.err
    assert cli("schedules", "list", "--json") == before


def test_a_scheduled_tick_of_an_export_schedule_writes_the_file(store, bus, recorder, tmp_path: Path) -> None:
    account = Account.create(name="Shop", platform="demo", external_id="d", options='{"latency_ms": 0}',
                             currency="EUR", timezone="UTC")
    clock = ShiftedClock(datetime(2027, 3, 10, 12, 0, tzinfo=UTC))  # the runs' "today", whatever the date
    today = clock.today("UTC")
    DailyStat.create(account=account, campaign_id="c1", date=today - timedelta(days=1), impressions=10, clicks=1,
                     cost_micros=1_500_000, currency="EUR", conversions=None)
    out = tmp_path / "shop.csv"
    spec = make_spec(str(out), "yesterday")
    Schedule.create(name="Morning file", account=None, sync_type="export", frequency="interval", every_minutes=1,
                    timezone="UTC", created_at=utcnow() - timedelta(seconds=59), export_options=spec.to_json())
    service = SchedulerService(store, bus, Runner(store, bus, max_workers=2, clock=clock))
    try:
        service.start()
        deadline = time.monotonic() + 15
        while not any(isinstance(e, ev.RunFinished) for e in recorder.events):
            assert time.monotonic() < deadline, "the export schedule did not fire"
            time.sleep(0.05)
    finally:
        service.stop()
    run = SyncRun.get()
    assert (run.trigger, run.status, run.rows, run.account_name, run.platform) == (
        "scheduled", "succeeded", 1, "All accounts", "export")
    started = [e for e in recorder.events if isinstance(e, ev.RunStarted)]
    assert started and started[0].platform == "export"
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1][:3] == ["Demo (sandbox data)", "Shop", "c1"]
    assert rows[1][9:12] == ["1.50", "", ""]  # cost in euros with cents; conversions unknown: empty


def test_parquet_without_pyarrow_is_refused_when_added(cli: Cli, out_dir: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from autosync_desktop import sheet_writers

    monkeypatch.setattr(sheet_writers, "parquet_available", lambda: False)
    cli("schedules", "add", "--name", "P", "--type", "export", "--frequency", "manual", "--output",
        str(out_dir / "ads.parquet"), "--range", "yesterday", code=2)
    assert cli.err.strip() == f"autosync: --format: {sheet_writers.PARQUET_MISSING}"
    assert cli("schedules", "list", "--json").strip() == "[]"


def test_edit_changes_the_files_options_and_keeps_the_rest(cli: Cli, out_dir: Path) -> None:
    cli("schedules", "add", "--name", "Morning file", "--type", "export", "--frequency", "daily", "--at", "07:00",
        "--output", str(out_dir / "ads.xlsx"), "--range", "last_30_days", "--accounts", "Demo A")

    def export() -> dict:
        return next(s for s in json.loads(cli("schedules", "list", "--json")) if s["name"] == "Morning file")["export"]

    cli("schedules", "edit", "Morning file", "--range", "last_7_days")
    assert export() == {"output": str(out_dir / "ads.xlsx"), "format": "xlsx", "range": "last_7_days",
                        "accounts": ["Demo A"]}
    cli("schedules", "edit", "Morning file", "--output", str(out_dir / "ads.csv"))  # the format follows the file
    assert export() == {"output": str(out_dir / "ads.csv"), "format": "csv", "range": "last_7_days",
                        "accounts": ["Demo A"]}
    cli("schedules", "edit", "Morning file", "--accounts", "Demo A,Demo B", "--format", "xlsx")
    assert export()["accounts"] == ["Demo A", "Demo B"] and export()["format"] == "xlsx"
    cli("schedules", "edit", "Morning file", "--accounts", "")  # all accounts again
    assert export()["accounts"] is None
    before = export()
    for args, message in [
        (["--range", "last_week"], "--range: 'last_week' is not a range"),
        (["--accounts", "Ghost"], "--accounts: no account named 'Ghost'"),
        (["--output", str(out_dir / "nope" / "a.csv")], "--output: the folder"),
    ]:
        cli("schedules", "edit", "Morning file", *args, code=2)
        assert message in cli.err and len(cli.err.strip().splitlines()) == 1
        assert export() == before  # nothing half-changed
    cli("schedules", "add", "--name", "sync A", "--account", "Demo A", "--type", "both", "--frequency", "manual")
    cli("schedules", "edit", "sync A", "--range", "last_7_days", code=2)
    assert "--range: only for an export schedule (a file); 'sync A' syncs an account" in cli.err
