"""One run of an export schedule ("the morning file"): read the chosen accounts' daily stats for the schedule's
rolling range and write them to its file, atomically, instead of syncing.

Called by `Engine.execute` for a run whose sync_type is "export" (the run row exists, claimed by this process).
Each account's range is computed in the account's own zone from the engine's clock. The file is written to a
temporary file beside the destination and renamed over it (output_files.atomic_path), so a reader sees the old
file or the new one, never half of one; a destination another program holds open (Excel on Windows refuses the
rename with PermissionError) is reported plainly and tried again after 1, 2 and 4 minutes
(`Engine.export_locked_delays_s`). A cancel request stops the run between rows, the old file untouched.
Columns: COLUMNS, then the extra metrics present, sorted.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autosync_desktop import events as ev
from autosync_desktop import sheet_writers as sw
from autosync_desktop.connectors import registry
from autosync_desktop.connectors.base import Cancelled
from autosync_desktop.domain import RunStatus, minor_units
from autosync_desktop.errors import AutoSyncError, UserError, one_line
from autosync_desktop.export_spec import EXPORT_PLATFORM, FORMAT_WORDS, ExportSpec, range_dates
from autosync_desktop.output_files import atomic_path
from autosync_desktop.store import export_queries as eq
from autosync_desktop.store import runs
from autosync_desktop.store.models import Schedule, SyncRun

if TYPE_CHECKING:
    from autosync_desktop.sync.engine import Engine, Outcome

COLUMNS = ("platform", "account", "campaign id", "campaign", "date", "time zone", "currency", "impressions",
           "clicks", "cost", "conversions", "conversion value")
WIDTHS = (14, 24, 16, 36, 11, 18, 9, 13, 10, 13, 12, 16)
CHECK_EVERY = 500  # rows between cancel checks and progress events


class FileLocked(AutoSyncError):
    pass


def _when(seconds: float) -> str:
    minutes = seconds / 60
    if minutes >= 1 and minutes == int(minutes):
        return "in 1 minute" if minutes == 1 else f"in {int(minutes)} minutes"
    return f"in {seconds:g} seconds"


def _money(micros: int | None, currency: str | None) -> Decimal | None:
    if micros is None:
        return None
    places = minor_units(currency)
    return (Decimal(micros).scaleb(-6)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _extra_value(value: Any) -> Any:
    """A stored metric (text exact as received) as a number when it is one, else as text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return value
        return number if number == number and abs(number) != float("inf") else value
    return json.dumps(value, ensure_ascii=False)


def _label(platform: str) -> str:
    spec = registry.PLATFORMS.get(platform)
    return spec.label if spec else platform


def _rows(slices: Sequence[eq.ExportSlice], keys: Sequence[str], cancel: threading.Event,
          progress: Callable[[int], None]) -> Iterator[sw.Row]:
    count = 0
    for part in slices:
        label = _label(part.account.platform)
        for (campaign_id, campaign, day, zone, currency, impressions, clicks, cost, conversions, value,
             extra) in eq.export_rows(part):
            try:
                metrics = json.loads(extra) if extra else {}
            except ValueError:
                metrics = {}
            if not isinstance(metrics, dict):
                metrics = {}
            yield label, (label, part.account.name, campaign_id, campaign, day, zone, currency, impressions, clicks,
                          _money(cost, currency), conversions, _money(value, currency),
                          *(_extra_value(metrics.get(k)) for k in keys))
            count += 1
            if count % CHECK_EVERY == 0:
                if cancel.is_set():
                    raise Cancelled()
                progress(count)
    if cancel.is_set():
        raise Cancelled()


def execute_export(engine: Engine, run_id: int, cancel: threading.Event) -> Outcome:
    """Write the file of export run `run_id` and record how it ended (uses the engine's log and finish)."""
    from autosync_desktop.sync.engine import Outcome

    row = SyncRun.get_by_id(run_id)
    if not runs.mark_running(run_id):  # cancelled (or reaped) before it could start
        return Outcome(RunStatus(SyncRun.get_by_id(run_id).status))
    rows = 0
    try:
        schedule = Schedule.get_or_none(Schedule.id == row.schedule_id) if row.schedule_id else None
        if schedule is None or schedule.sync_type != "export":
            raise UserError("The export schedule of this run was removed; nothing was written")
        spec = ExportSpec.from_json(schedule.export_options)
        engine.bus.publish(ev.RunStarted(run_id=run_id, schedule=row.schedule_name, account=row.account_name,
                                         platform=EXPORT_PLATFORM, trigger=row.trigger, windows=0))
        rows = _write(engine, run_id, spec, cancel)
        outcome = Outcome(RunStatus.SUCCEEDED, rows=rows)
    except Cancelled:
        outcome = Outcome(RunStatus.CANCELLED, error="Cancelled by request; the file was left as it was")
    except AutoSyncError as exc:
        outcome = Outcome(RunStatus.FAILED, error_class="ExportFailed" if not isinstance(exc, FileLocked)
                          else "FileLocked", error=one_line(exc))
    except Exception as exc:  # record it, never leave the run "running"
        engine.log_exception(run_id, exc)
        outcome = Outcome(RunStatus.FAILED, error_class=type(exc).__name__, error=str(exc) or repr(exc))
    SyncRun.update(rows=outcome.rows).where(SyncRun.id == run_id).execute()
    return engine.finish(run_id, row, outcome)


def extra_headers(keys: Sequence[str]) -> list[str]:
    """Column names for the extra metrics: a platform metric named like a standard column ("clicks") becomes
    "clicks (platform)", so no two columns share a name (Parquet would keep only one of them)."""
    taken = {c.casefold() for c in COLUMNS}
    return [f"{k} (platform)" if k.casefold() in taken else k for k in keys]


def _write(engine: Engine, run_id: int, spec: ExportSpec, cancel: threading.Event) -> int:
    accounts, missing = eq.export_accounts(spec.accounts)
    for name in missing:
        engine.log(run_id, "warning", f"The account {name!r} is no longer in AutoSync; the file leaves it out")
    if spec.accounts and not accounts:
        raise UserError(f"None of the chosen accounts ({spec.accounts_text}) is in AutoSync any more; edit the "
                        "schedule's accounts")
    slices = []
    for account in accounts:
        start, end = range_dates(spec.range, engine.clock.today(account.timezone))
        slices.append(eq.ExportSlice(account, start, end))
    keys = eq.extra_keys(slices)
    headers = extra_headers(keys)
    table = sw.Table(columns=(*COLUMNS, *headers), widths=(*WIDTHS, *(max(12, len(k) + 2) for k in headers)),
                     integer_columns=frozenset({7, 8}), number_columns=frozenset({9, 10, 11}),
                     date_columns=frozenset({4}))
    if spec.format == "parquet" and not sw.parquet_available():
        raise UserError(sw.PARQUET_MISSING)
    sheets = sorted({_label(a.platform) for a in accounts})
    path = Path(spec.output)
    engine.log(run_id, "info", f"Writing {spec.range_text.lower()} of {len(accounts)} account(s) to {path} "
                               f"({FORMAT_WORDS.get(spec.format, spec.format)})")

    def progress(count: int) -> None:
        engine.bus.publish(ev.RunProgress(run_id=run_id, rows=count, campaigns=0, pages=0, windows_done=0,
                                          windows_total=0, message=f"{count:,} rows written"))

    def replace(tmp: Path, target: Path) -> None:
        delays = engine.export_locked_delays_s
        for attempt in range(len(delays) + 1):
            try:
                os.replace(tmp, target)  # looked up at each call: tests make it refuse
                return
            except PermissionError:
                if attempt == len(delays):
                    raise FileLocked(f"{path.name} is still open in another program after {attempt + 1} tries; "
                                     "close it there, then run this schedule again") from None
                engine.log(run_id, "warning", f"{path.name} is open in another program; AutoSync will try again "
                                              f"{_when(delays[attempt])}")
                if cancel.wait(delays[attempt]):
                    raise Cancelled() from None

    stream = _rows(slices, keys, cancel, progress)
    with atomic_path(path, field=f"The file {path.name}", replace=replace) as tmp:
        if spec.format == "xlsx":
            count = sw.write_xlsx(tmp, table, stream, sheets)
        elif spec.format == "parquet":
            count = sw.write_parquet(tmp, table, stream)
        else:
            count = sw.write_csv(tmp, table, stream)
    sheets_text = f", {len(sheets) + 1} sheets" if spec.format == "xlsx" else ""
    engine.log(run_id, "info", f"Wrote {count:,} rows to {path}{sheets_text}")
    return count
