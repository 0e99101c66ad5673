"""CSV text that a spreadsheet would run as a formula is written with a leading apostrophe; numbers and JSON not."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from autosync_desktop import export, sheet_writers

NAMES = ["=HYPERLINK(\"http://x\",\"y\")", "+49 Brand", "- Summer", "@SUM(A1)", "\tTab", "Plain", "a=b", "日本語"]
SAFE = ["'=HYPERLINK(\"http://x\",\"y\")", "'+49 Brand", "'- Summer", "'@SUM(A1)", "'\tTab", "Plain", "a=b", "日本語"]


def test_data_export_csv_quotes_formula_text_and_leaves_numbers() -> None:
    out = io.StringIO()
    count = export.write_csv(out, ["campaign_name", "cost", "conversions"],
                             [(name, Decimal("-1.50"), None) for name in NAMES])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert count == len(NAMES)
    assert [r[0] for r in rows[1:]] == SAFE
    assert {r[1] for r in rows[1:]} == {"-1.50"}  # a negative number is a number: unchanged
    assert {r[2] for r in rows[1:]} == {""}  # unknown stays empty


def test_a_negative_amount_written_as_exact_text_stays_a_number() -> None:
    """Money leaves the store as exact decimal text (domain.money_text): a refund's "-12.50" is a number, not a
    formula, and must reach the spreadsheet as one."""
    from autosync_desktop.domain import money_text

    out = io.StringIO()
    export.write_csv(out, ["conversion_value", "note"], [(money_text(-12_500_000), "-12.50 refund"), ("+3", "1e5")])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[1:] == [["-12.50", "'-12.50 refund"], ["+3", "1e5"]]


def test_json_export_keeps_the_names_as_they_are() -> None:
    out = io.StringIO()
    export.write_json(out, ["campaign_name"], [(name,) for name in NAMES])
    assert [r["campaign_name"] for r in json.loads(out.getvalue())] == NAMES


def test_morning_file_csv_quotes_formula_text(tmp_path: Path) -> None:
    table = sheet_writers.Table(columns=["campaign_name", "date", "clicks"], widths=[20, 10, 8])
    path = tmp_path / "ads.csv"
    sheet_writers.write_csv(path, table, [("All", (name, date(2026, 3, 8), -3)) for name in NAMES])
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert [r[0] for r in rows[1:]] == SAFE
    assert {(r[1], r[2]) for r in rows[1:]} == {("2026-03-08", "-3")}
