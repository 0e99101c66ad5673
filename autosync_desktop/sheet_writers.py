"""The morning file's three formats, each writing typed rows to a path it is given (a temporary file beside the
destination; `output_files.atomic_path` renames it): CSV (UTF-8, a header row), Excel .xlsx (XlsxWriter: typed
cells, real dates, money with the currency's decimals, a bold frozen header with a filter, one sheet per
platform after "All") and Parquet (pyarrow, only when it is installed).

A row is (sheet, values): values in `Table.columns` order, None for unknown (an empty cell, never 0); money is a
`Decimal` already rounded to its currency's decimals, which its cell's number format follows. Rows are consumed
once, as they come (the caller's iterator may raise to cancel). Nothing here knows the store or Qt.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from autosync_desktop.errors import UserError
from autosync_desktop.export import spreadsheet_text

Row = tuple[str, Sequence[Any]]
ALL_SHEET = "All"
PARQUET_MISSING = ("Parquet needs the pyarrow package: pip install pyarrow where AutoSync was installed with pip "
                   "(the packaged app does not include it), or choose .csv or .xlsx")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class Table:
    columns: Sequence[str]
    widths: Sequence[int]  # characters, for the spreadsheet
    integer_columns: frozenset[int] = frozenset()  # whole numbers (Parquet int64)
    number_columns: frozenset[int] = frozenset()  # other numbers (Parquet float64)
    date_columns: frozenset[int] = frozenset()


def sheet_name(text: str, taken: Iterable[str] = ()) -> str:
    """A valid, unused sheet name: no []:*?/\\, no leading or trailing apostrophe, at most 31 characters."""
    base = _BAD_SHEET_CHARS.sub(" ", text).strip().strip("'").strip()[:31] or "Sheet"
    used = {t.casefold() for t in taken}
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    return name


def write_csv(path: Path, table: Table, rows: Iterable[Row]) -> int:
    """UTF-8 with a byte-order mark: Excel (the usual reader of a morning file) otherwise reads non-ASCII names,
    e.g. CJK campaign names, as mojibake; Python's csv (encoding="utf-8-sig"), pandas and R skip it. Text that
    would start a formula gets a leading apostrophe (export.spreadsheet_text)."""
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([spreadsheet_text(c) for c in table.columns])
        for _sheet, values in rows:
            writer.writerow([v.isoformat() if isinstance(v, date) else spreadsheet_text(v) for v in values])
            count += 1
    return count


def _money_format(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0" + ("." + "0" * places if places else "")


XLSX_MAX_ROW = 1_048_575  # the last row index of an Excel sheet (1,048,576 rows, the header included)


def write_xlsx(path: Path, table: Table, rows: Iterable[Row], sheets: Sequence[str]) -> int:
    """`sheets`: the platform sheets, in order, after "All" (a row's sheet not among them gets one at the end)."""
    import xlsxwriter  # loads only when a spreadsheet is written

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False, "remove_timezone": True})
    bold = book.add_format({"bold": True})
    day_format = book.add_format({"num_format": "yyyy-mm-dd"})
    formats: dict[str, Any] = {}
    pages: dict[str, Any] = {}
    next_row: dict[str, int] = {}

    def page(title: str) -> Any:
        if title not in pages:
            sheet = book.add_worksheet(sheet_name(title, [p.name for p in pages.values()]))
            for col, (header, width) in enumerate(zip(table.columns, table.widths, strict=True)):
                sheet.write_string(0, col, header, bold)
                sheet.set_column(col, col, width)
            sheet.freeze_panes(1, 0)
            pages[title] = sheet
            next_row[title] = 1
        return pages[title]

    def put(sheet: Any, row: int, values: Sequence[Any]) -> None:
        for col, value in enumerate(values):
            if value is None:
                continue  # unknown: an empty cell
            if isinstance(value, Decimal):
                fmt = _money_format(value)
                if fmt not in formats:
                    formats[fmt] = book.add_format({"num_format": fmt})
                sheet.write_number(row, col, float(value), formats[fmt])
            elif isinstance(value, date):
                sheet.write_datetime(row, col, value, day_format)
            elif isinstance(value, bool):
                sheet.write_boolean(row, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, str(value))

    count = 0
    try:
        page(ALL_SHEET)
        for title in sheets:
            page(title)
        for title, values in rows:
            if next_row[ALL_SHEET] > XLSX_MAX_ROW:  # XlsxWriter would drop the rest without a word
                raise UserError(f"--range: more than {XLSX_MAX_ROW:,} rows do not fit in an Excel sheet; choose a "
                                "shorter range or fewer accounts, or write .csv or .parquet")
            for target in (ALL_SHEET, title):
                sheet = page(target)
                put(sheet, next_row[target], values)
                next_row[target] += 1
            count += 1
        for title, sheet in pages.items():
            sheet.autofilter(0, 0, max(0, next_row[title] - 1), len(table.columns) - 1)
    finally:
        book.close()
    return count


def parquet_available() -> bool:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def write_parquet(path: Path, table: Table, rows: Iterable[Row]) -> int:
    """One table (no sheets): whole numbers int64, other numbers and money float64, dates date32, text string."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UserError(PARQUET_MISSING) from None

    def kind(col: int) -> Any:
        if col in table.integer_columns:
            return pa.int64()
        if col in table.number_columns:
            return pa.float64()
        if col in table.date_columns:
            return pa.date32()
        return pa.string()

    schema = pa.schema([pa.field(name, kind(col)) for col, name in enumerate(table.columns)])

    def cell(col: int, value: Any) -> Any:
        if value is None:
            return None
        if col in table.number_columns or col in table.integer_columns or col in table.date_columns:
            return float(value) if isinstance(value, Decimal) else value
        return value.isoformat() if isinstance(value, date) else str(value)

    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[Sequence[Any]] = []
        for _sheet, values in rows:
            batch.append([cell(col, v) for col, v in enumerate(values)])
            count += 1
            if len(batch) >= _BATCH:
                writer.write_table(pa.Table.from_pylist([dict(zip(table.columns, r, strict=True)) for r in batch],
                                                        schema=schema))
                batch = []
        if batch or not count:
            writer.write_table(pa.Table.from_pylist([dict(zip(table.columns, r, strict=True)) for r in batch],
                                                    schema=schema))
    return count
