"""The command line's printing: JSON (dates as ISO text) and plain aligned tables whose cells are made printable
(no raw escapes from names). No imports of the data model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from autosync_desktop.names import printable


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    cells = [[("" if v is None else printable(str(v))) for v in row] for row in rows]  # no raw escapes
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
