"""The morning file (export schedules): what a run writes, read back with the same library (openpyxl, csv,
pyarrow when installed), its ranges by each account's zone under a fixed clock, atomic replacement while a reader
polls the path, a destination held open by another program, cancelling, and the missing-pyarrow line."""

from __future__ import annotations

import csv
import json
import os
import threading
import time
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from autosync_desktop import sheet_writers
from autosync_desktop.clock import ShiftedClock
from autosync_desktop.errors import UserError
from autosync_desktop.export_spec import ExportSpec, make_spec, range_dates
from autosync_desktop.store import runs
from autosync_desktop.store.models import Account, Campaign, DailyStat, RunEvent, Schedule, SyncRun
from autosync_desktop.sync import export_run
from autosync_desktop.sync.engine import Engine

# 2026-03-10 06:30 UTC: already the 10th in Tokyo (15:30), still the 9th in Los Angeles (22:30 the day before).
NOW = datetime(2026, 3, 10, 6, 30, tzinfo=UTC)
HEADER = ["platform", "account", "campaign id", "campaign", "date", "time zone", "currency", "impressions",
          "clicks", "cost", "conversions", "conversion value"]


def _seed() -> None:
    google = Account.create(name="Google Main", platform="google_ads", external_id="123", currency="USD",
                            timezone="America/Los_Angeles")
    meta = Account.create(name="Meta JP", platform="meta_ads", external_id="act_9", currency="JPY",
                          timezone="Asia/Tokyo")
    Campaign.create(account=google, campaign_id="g1", name="Brand")
    Campaign.create(account=meta, campaign_id="m1", name="Spring [JP]")
    for day in (date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)):
        DailyStat.create(account=google, campaign_id="g1", date=day, impressions=1000, clicks=50,
                         cost_micros=12_345_678, currency="USD", conversions=2.5,
                         conversion_value_micros=99_990_000, extra=json.dumps({"video_views": "40"}))
    DailyStat.create(account=google, campaign_id="g1", date=date(2026, 3, 6), impressions=None, clicks=None,
                     cost_micros=None, currency="USD", conversions=None, conversion_value_micros=None)
    DailyStat.create(account=google, campaign_id="g1", date=date(2026, 2, 1), impressions=1, clicks=1,
                     cost_micros=1, currency="USD")  # outside the range
    for day in (date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)):
        DailyStat.create(account=meta, campaign_id="m1", date=day, impressions=500, clicks=7,
                         cost_micros=1_234_500_000, currency="JPY", conversions=0.0,
                         conversion_value_micros=None, extra=json.dumps({"reach": "321", "quality": "good"}))


def _schedule(spec: ExportSpec, name: str = "Morning file") -> Schedule:
    return Schedule.create(name=name, account=None, sync_type="export", frequency="manual", timezone="UTC",
                           export_options=spec.to_json())


def _run(store, bus, schedule: Schedule, *, engine: Engine | None = None,
         cancel: threading.Event | None = None) -> SyncRun:
    run = runs.create_run(store, account=None, schedule=schedule, trigger="manual", sync_type="export")
    engine = engine or Engine(store, bus, clock=ShiftedClock(NOW, tick=False))
    engine.execute(run.id, cancel or threading.Event())
    return SyncRun.get_by_id(run.id)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"  # the store lives in tmp_path itself
    folder.mkdir()
    return folder


def _events(run: SyncRun) -> list[str]:
    return [e.message for e in RunEvent.select().where(RunEvent.run == run.id).order_by(RunEvent.id)]


def test_ranges_end_yesterday_and_month_to_date_includes_today() -> None:
    today = date(2026, 3, 1)
    assert range_dates("yesterday", today) == (date(2026, 2, 28), date(2026, 2, 28))
    assert range_dates("last_7_days", today) == (date(2026, 2, 22), date(2026, 2, 28))
    assert range_dates("last_30_days", today) == (date(2026, 1, 30), date(2026, 2, 28))
    assert range_dates("month_to_date", today) == (date(2026, 3, 1), date(2026, 3, 1))
    assert range_dates("last_month", today) == (date(2026, 2, 1), date(2026, 2, 28))
    assert range_dates("last_month", date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))


def test_xlsx_has_typed_cells_sheets_per_platform_and_empty_unknowns(store, bus, out_dir: Path) -> None:
    _seed()
    out = out_dir / "ads.xlsx"
    run = _run(store, bus, _schedule(make_spec(str(out), "last_7_days")))
    assert run.status == "succeeded" and run.platform == "export" and run.account_name == "All accounts"
    # Los Angeles' today is Mar 9 -> Mar 2..8 (3 rows: 6, 7, 8); Tokyo's is Mar 10 -> Mar 3..9 (2 rows: 8, 9)
    assert run.rows == 5
    assert any(f"Wrote 5 rows to {out}, 3 sheets" == m for m in _events(run))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["All", "Google Ads", "Meta Ads"]
    sheet = book["All"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADER, "quality", "reach", "video_views"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:O6"
    by_key = {(r[1], r[4].date()): r for r in rows[1:]}
    unknown = by_key[("Google Main", date(2026, 3, 6))]
    assert unknown[7:12] == (None, None, None, None, None)  # empty, never 0
    usd = by_key[("Google Main", date(2026, 3, 7))]
    assert usd[:8] == ("Google Ads", "Google Main", "g1", "Brand", datetime(2026, 3, 7), "America/Los_Angeles",
                       "USD", 1000)
    assert (usd[9], usd[10], usd[11], usd[14]) == (12.35, 2.5, 99.99, 40)  # money rounded to cents; metric a number
    jpy = by_key[("Meta JP", date(2026, 3, 9))]
    assert (jpy[9], jpy[10], jpy[11], jpy[12], jpy[13], jpy[14]) == (1235, 0, None, "good", 321, None)
    row_of = {(r[1].value, r[4].value.date()): r for r in sheet.iter_rows(min_row=2)}
    assert row_of[("Google Main", date(2026, 3, 7))][9].number_format == "#,##0.00"
    assert row_of[("Meta JP", date(2026, 3, 9))][9].number_format == "#,##0"
    assert row_of[("Meta JP", date(2026, 3, 9))][4].number_format == "yyyy-mm-dd"
    assert isinstance(row_of[("Meta JP", date(2026, 3, 9))][4].value, datetime)
    meta_rows = list(book["Meta Ads"].iter_rows(min_row=2, values_only=True))
    assert [r[4].date() for r in meta_rows] == [date(2026, 3, 8), date(2026, 3, 9)]
    assert book["Meta Ads"].freeze_panes == "A2"


def test_csv_chosen_accounts_money_with_the_currencys_decimals(store, bus, out_dir: Path) -> None:
    _seed()
    out = out_dir / "ads.csv"
    run = _run(store, bus, _schedule(make_spec(str(out), "month_to_date", accounts="Meta JP")))
    assert run.status == "succeeded" and run.account_name == "Meta JP" and run.rows == 3
    assert out.read_bytes().startswith(b"\xef\xbb\xbfplatform,")  # a BOM, so Excel reads the names as UTF-8
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == [*HEADER, "quality", "reach"]
    assert rows[1] == ["Meta Ads", "Meta JP", "m1", "Spring [JP]", "2026-03-08", "Asia/Tokyo", "JPY", "500", "7",
                       "1235", "0.0", "", "good", "321"]
    assert [r[4] for r in rows[1:]] == ["2026-03-08", "2026-03-09", "2026-03-10"]


def test_sheet_names_are_valid_and_unique() -> None:
    assert sheet_writers.sheet_name("a/b:c*d?e[f]g\\h") == "a b c d e f g h"
    assert len(sheet_writers.sheet_name("x" * 40)) == 31
    assert sheet_writers.sheet_name("All", ["all"]) == "All (2)"
    assert sheet_writers.sheet_name("'quoted'") == "quoted"


def test_a_reader_polling_the_path_never_sees_a_partial_file(store, bus, out_dir: Path) -> None:
    _seed()
    out = out_dir / "ads.xlsx"
    schedule = _schedule(make_spec(str(out), "last_30_days"))
    engine = Engine(store, bus, clock=ShiftedClock(NOW, tick=False))
    assert _run(store, bus, schedule, engine=engine).status == "succeeded"
    stop = threading.Event()
    seen: list[str] = []
    bad: list[str] = []

    def read() -> None:
        while not stop.is_set():
            try:
                with zipfile.ZipFile(out) as z:
                    assert z.testzip() is None
                    names = z.namelist()
                seen.append("ok" if "xl/workbook.xml" in names else "incomplete")
            except (zipfile.BadZipFile, AssertionError, EOFError, OSError) as exc:
                bad.append(repr(exc))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(15):
            assert _run(store, bus, schedule, engine=engine).status == "succeeded"
    finally:
        stop.set()
        reader.join()
    assert not bad and seen and set(seen) == {"ok"}
    assert [p.name for p in out_dir.iterdir() if p.name.endswith(".part")] == []


def test_a_file_open_in_another_program_is_reported_and_retried(store, bus, out_dir: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _seed()
    out = out_dir / "ads.csv"
    out.write_text("old\n", encoding="utf-8")
    real_replace = os.replace
    refusals = [2]

    def held_open(src: str | Path, dst: str | Path) -> None:
        if refusals[0] > 0:
            refusals[0] -= 1
            raise PermissionError(13, "The process cannot access the file because it is being used")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", held_open)
    engine = Engine(store, bus, clock=ShiftedClock(NOW, tick=False))
    engine.export_locked_delays_s = (0.01, 0.01, 0.01)
    schedule = _schedule(make_spec(str(out), "last_7_days"))
    run = _run(store, bus, schedule, engine=engine)
    assert run.status == "succeeded"
    assert _events(run).count("ads.csv is open in another program; AutoSync will try again in 0.01 seconds") == 2
    assert out.read_text(encoding="utf-8-sig").startswith("platform,")

    refusals[0] = 99  # still open after every try: fails in plain words, the old file untouched
    out.write_text("old\n", encoding="utf-8")
    run = _run(store, bus, schedule, engine=engine)
    assert run.status == "failed" and run.error_class == "FileLocked"
    assert run.error_message == ("ads.csv is still open in another program after 4 tries; close it there, then run "
                                 "this schedule again")
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in out_dir.iterdir()] == ["ads.csv"]


def test_retry_wording_in_minutes() -> None:
    assert export_run._when(60.0) == "in 1 minute" and export_run._when(120.0) == "in 2 minutes"


def test_cancel_stops_the_run_and_leaves_the_old_file(store, bus, out_dir: Path) -> None:
    _seed()
    out = out_dir / "ads.csv"
    out.write_text("old\n", encoding="utf-8")
    cancel = threading.Event()
    cancel.set()
    run = _run(store, bus, _schedule(make_spec(str(out), "last_7_days")), cancel=cancel)
    assert run.status == "cancelled" and "the file was left as it was" in (run.reason or "")
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in out_dir.iterdir()] == ["ads.csv"]


def test_a_missing_folder_at_run_time_fails_plainly(store, bus, out_dir: Path) -> None:
    _seed()
    folder = out_dir / "gone"
    folder.mkdir()
    schedule = _schedule(make_spec(str(folder / "ads.xlsx"), "yesterday"))
    folder.rmdir()
    run = _run(store, bus, schedule)
    assert run.status == "failed"
    assert run.error_message == f"The file ads.xlsx: the folder {folder} does not exist; create it or choose another"


def test_parquet_without_pyarrow_says_so_in_one_line(store, bus, out_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _seed()
    monkeypatch.setattr(sheet_writers, "parquet_available", lambda: False)
    run = _run(store, bus, _schedule(make_spec(str(out_dir / "ads.parquet"), "last_7_days")))
    assert run.status == "failed" and run.error_message == sheet_writers.PARQUET_MISSING
    assert run.error_message.startswith("Parquet needs the pyarrow package: ")
    assert not (out_dir / "ads.parquet").exists()


def test_parquet_is_typed_when_pyarrow_is_installed(store, bus, out_dir: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    _seed()
    out = out_dir / "ads.parquet"
    run = _run(store, bus, _schedule(make_spec(str(out), "last_7_days")))
    assert run.status == "succeeded" and run.rows == 5
    table = pq.read_table(out)
    assert table.column_names[:12] == HEADER
    rows = {(r["account"], r["date"]): r for r in table.to_pylist()}
    assert rows[("Google Main", date(2026, 3, 6))]["cost"] is None
    assert rows[("Google Main", date(2026, 3, 7))]["cost"] == 12.35
    assert rows[("Meta JP", date(2026, 3, 9))]["impressions"] == 500


def test_removed_account_is_left_out_with_a_warning(store, bus, out_dir: Path) -> None:
    _seed()
    spec = make_spec(str(out_dir / "ads.csv"), "last_7_days", accounts="Google Main,Meta JP")
    Account.update(removed_at=NOW.replace(tzinfo=None)).where(Account.name == "Meta JP").execute()
    run = _run(store, bus, _schedule(spec))
    assert run.status == "succeeded" and run.rows == 3
    assert "The account 'Meta JP' is no longer in AutoSync; the file leaves it out" in _events(run)


def test_writer_money_decimals_follow_the_value() -> None:
    assert sheet_writers._money_format(Decimal("1.235")) == "#,##0.000"
    assert sheet_writers._money_format(Decimal("1235")) == "#,##0"


def test_cancel_while_waiting_for_a_file_held_open(store, bus, out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed()
    out = out_dir / "ads.csv"
    out.write_text("old\n", encoding="utf-8")

    def held_open(src: str | Path, dst: str | Path) -> None:
        raise PermissionError(13, "in use")

    monkeypatch.setattr(os, "replace", held_open)
    engine = Engine(store, bus, clock=ShiftedClock(NOW, tick=False))
    engine.export_locked_delays_s = (30.0, 30.0)  # the cancel must not wait for these
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    run = _run(store, bus, _schedule(make_spec(str(out), "last_7_days")), engine=engine, cancel=cancel)
    assert run.status == "cancelled" and time.monotonic() - started < 10
    assert "ads.csv is open in another program; AutoSync will try again in 30 seconds" in _events(run)
    assert out.read_text(encoding="utf-8") == "old\n" and [p.name for p in out_dir.iterdir()] == ["ads.csv"]


def test_the_service_checks_the_folder_the_window_asked_about_off_its_thread(tmp_path: Path) -> None:
    from autosync_desktop.services.export_schedules import checked, folder_problem

    spec = make_spec(str(tmp_path / "gone" / "ads.xlsx"), "yesterday", check_folder=False)  # as the window builds it
    assert folder_problem(spec.output) == f"the folder {tmp_path / 'gone'} does not exist; create it or choose another"
    with pytest.raises(UserError, match=r"^--output: the folder .* does not exist"):
        checked(spec)
    assert folder_problem(str(tmp_path)) is not None and folder_problem(str(tmp_path / "ads.xlsx")) is None


def test_more_rows_than_an_excel_sheet_holds_fail_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_writers, "XLSX_MAX_ROW", 3)  # Excel's 1,048,575, made small
    table = sheet_writers.Table(columns=("a",), widths=(5,))
    rows = [("Demo", (n,)) for n in range(3)]
    assert sheet_writers.write_xlsx(tmp_path / "ok.xlsx", table, rows, ["Demo"]) == 3  # exactly full: fine
    with pytest.raises(UserError, match=r"^--range: more than 3 rows do not fit in an Excel sheet"):
        sheet_writers.write_xlsx(tmp_path / "big.xlsx", table, [*rows, ("Demo", (3,))], ["Demo"])


def test_a_platform_metric_named_like_a_column_gets_its_own_header() -> None:
    assert export_run.extra_headers(["Clicks", "reach"]) == ["Clicks (platform)", "reach"]
