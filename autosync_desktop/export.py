"""Streaming CSV / JSON writers for exports: rows in, text out, constant memory whatever the row count.

CSV text cells that a spreadsheet would read as a formula (a campaign named "=HYPERLINK(…)" or "+49 Brand", or
"- Summer", which Excel turns into #NAME?) get a leading apostrophe (`spreadsheet_text`): Excel and LibreOffice then
show the text as written. Numbers are written as numbers, never changed — also a number written as text, such as a
negative amount's exact decimal "-12.50" (domain.money_text); JSON is not touched.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_TEXT = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")


def spreadsheet_text(value: Any) -> Any:
    """A CSV cell: None as empty, text that would start a formula with an apostrophe before it, else as is."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER_TEXT.fullmatch(value):
        return "'" + value
    return value


def write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([spreadsheet_text(c) for c in columns])
    count = 0
    for row in rows:
        writer.writerow([spreadsheet_text(value) for value in row])
        count += 1
    return count


def write_json(out: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """A JSON array of objects, written one object at a time."""
    out.write("[")
    count = 0
    for row in rows:
        out.write(",\n " if count else "\n ")
        out.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
