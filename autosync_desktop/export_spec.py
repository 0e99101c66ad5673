"""What an export schedule ("the morning file") writes: `ExportSpec` (output path, format, range, accounts), the
rolling ranges and their dates, and the plain words the CLI and the window show for it.

Stored as JSON in `schedule.export_options` (schema v10). Ranges are computed per account, in the account's own
time zone (the zone its days are in), from a `today` the caller takes from the injected clock: "yesterday" is the
account's yesterday, so a file written at 07:00 in Berlin holds each platform's last complete day.
Stdlib only; nothing here reads the clock, the store or Qt.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from autosync_desktop.errors import UserError

FORMATS = ("csv", "xlsx", "parquet")
FORMAT_WORDS = {"csv": "CSV", "xlsx": "Excel", "parquet": "Parquet"}
# Plain words for each range, in the order the editor offers them.
RANGES: dict[str, str] = {
    "yesterday": "Yesterday",
    "last_7_days": "Last 7 days",
    "last_30_days": "Last 30 days",
    "last_90_days": "Last 90 days",
    "month_to_date": "Month to date",
    "last_month": "Last month",
}
ALL_ACCOUNTS = "All accounts"
EXPORT_PLATFORM = "export"  # sync_run.platform of an export run


def range_dates(which: str, today: date) -> tuple[date, date]:
    """The first and last day (inclusive) of a range for an account whose today is `today`. The rolling ranges
    end yesterday (today is incomplete); month to date includes today."""
    yesterday = today - timedelta(days=1)
    if which == "yesterday":
        return yesterday, yesterday
    if which in ("last_7_days", "last_30_days", "last_90_days"):
        days = int(which.split("_")[1])
        return today - timedelta(days=days), yesterday
    if which == "month_to_date":
        return today.replace(day=1), today
    if which == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    raise UserError(f"--range: must be one of {', '.join(RANGES)}")


@dataclass(frozen=True, slots=True)
class ExportSpec:
    """An export schedule's options. `accounts` None: every account (also those added later)."""

    output: str  # absolute path, `~` expanded
    format: str  # one of FORMATS
    range: str  # one of RANGES
    accounts: tuple[str, ...] | None = None

    @property
    def file_name(self) -> str:
        return Path(self.output).name

    @property
    def accounts_text(self) -> str:
        """"All accounts", or the chosen names ("Google Main, Meta EU")."""
        return ALL_ACCOUNTS if not self.accounts else ", ".join(self.accounts)

    @property
    def format_text(self) -> str:
        """"Excel", "CSV", "Parquet"."""
        return FORMAT_WORDS.get(self.format, self.format)

    @property
    def range_text(self) -> str:
        return RANGES.get(self.range, self.range)

    def describe(self) -> str:
        """"Writes ads.xlsx — last 30 days, all accounts"."""
        accounts = "all accounts" if not self.accounts else ", ".join(self.accounts)
        return f"Writes {self.file_name} — {self.range_text.lower()}, {accounts}"

    def to_json(self) -> str:
        return json.dumps({"output": self.output, "format": self.format, "range": self.range,
                           "accounts": list(self.accounts) if self.accounts else None}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> ExportSpec:
        data: Any = json.loads(text or "{}")
        accounts = data.get("accounts")
        return cls(output=str(data.get("output") or ""), format=str(data.get("format") or "csv"),
                   range=str(data.get("range") or "last_30_days"),
                   accounts=tuple(str(a) for a in accounts) if accounts else None)


def format_of(output: str, fmt: str | None) -> str:
    """The format given, else the one the output's extension names; UserError naming the flag otherwise."""
    if fmt:
        if fmt not in FORMATS:
            raise UserError(f"--format: must be one of {', '.join(FORMATS)}")
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise UserError(f"--output: {Path(output).name} does not end in .csv, .xlsx or .parquet; rename it or give "
                    "--format csv|xlsx|parquet")


def folder_problem(output: str) -> str | None:
    """What is wrong with writing `output` (an absolute path): it is a folder, or its folder does not exist; None
    when it can be written. Touches the file system (a network drive may be slow): not for the GUI thread."""
    path = Path(output)
    if path.is_dir():
        return f"{path} is a folder; give a file name inside it, e.g. {path / 'ads.xlsx'}"
    if not path.parent.is_dir():
        return f"the folder {path.parent} does not exist; create it or choose another"
    return None


def make_spec(output: str | None, range_: str | None, fmt: str | None = None,
              accounts: str | list[str] | tuple[str, ...] | None = None, *, check_folder: bool = True) -> ExportSpec:
    """Checked options from what a person typed: `~` expanded, and with `check_folder` the folder must exist and the
    path must not be a folder (`folder_problem`; the window checks that off its thread). `accounts` is a list, or
    comma-separated text; empty or None means all accounts."""
    if output is None or not output.strip():
        raise UserError("--output: an export schedule needs a file to write, e.g. --output ~/AutoSync/ads.xlsx")
    path = Path(os.path.expanduser(output.strip()))
    if not path.is_absolute():
        path = Path(os.path.abspath(path))
    problem = folder_problem(str(path)) if check_folder else None
    if problem:
        raise UserError(f"--output: {problem}")
    if range_ is None or not range_.strip():
        raise UserError(f"--range: an export schedule needs one of {', '.join(RANGES)}")
    if range_.strip() not in RANGES:
        raise UserError(f"--range: {range_.strip()!r} is not a range; use one of {', '.join(RANGES)}")
    names = [a.strip() for a in (accounts.split(",") if isinstance(accounts, str) else accounts or ())]
    chosen = tuple(dict.fromkeys(n for n in names if n))  # in order, without repeats
    return ExportSpec(output=str(path), format=format_of(str(path), fmt), range=range_.strip(),
                      accounts=chosen or None)
