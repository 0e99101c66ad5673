"""Streaming CSV / JSON writers for exports: rows in, text out, constant memory whatever the row count."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import IO, Any


def write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
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
