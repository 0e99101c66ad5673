"""`services.export_schedules`: the parts of an export schedule ("the morning file") the schedules service needs:
checking its options against the store (the chosen accounts exist), reading them back, and how a schedule's
account and platform read when it has none. Re-exports what the window needs from export_spec.py (the GUI
imports only services), so `from autosync_desktop.services.export_schedules import RANGES, ExportSpec`.
"""

from __future__ import annotations

from autosync_desktop import sheet_writers
from autosync_desktop.export_spec import (
    ALL_ACCOUNTS,
    EXPORT_PLATFORM,
    FORMAT_WORDS,
    FORMATS,
    RANGES,
    ExportSpec,
    folder_problem,
    format_of,
    make_spec,
    range_dates,
)
from autosync_desktop.services.core import UserError
from autosync_desktop.store.models import Account, Schedule

__all__ = ["ALL_ACCOUNTS", "EXPORT_PLATFORM", "FORMATS", "FORMAT_WORDS", "RANGES", "ExportSpec", "checked",
           "folder_problem", "format_of", "make_spec", "owner_words", "range_dates", "spec_of"]


def checked(spec: ExportSpec) -> ExportSpec:
    """`spec` with its account names as stored (exact spelling), or UserError naming --accounts (or --format for
    Parquet without pyarrow)."""
    if spec.format == "parquet" and not sheet_writers.parquet_available():
        raise UserError(f"--format: {sheet_writers.PARQUET_MISSING}")
    problem = folder_problem(spec.output)  # the window's own check ran off its thread and may be stale
    if problem:
        raise UserError(f"--output: {problem}")
    if spec.accounts is None:
        return spec
    live = {a.name.casefold(): a.name for a in Account.select(Account.name).where(Account.removed_at.is_null())}
    unknown = [n for n in spec.accounts if n.casefold() not in live]
    if unknown:
        known = ", ".join(sorted(live.values())) or "none yet"
        raise UserError(f"--accounts: no account named {unknown[0]!r}; known accounts: {known} "
                        "(leave --accounts out for all)")
    return ExportSpec(output=spec.output, format=spec.format, range=spec.range,
                      accounts=tuple(dict.fromkeys(live[n.casefold()] for n in spec.accounts)))


def spec_of(schedule: Schedule) -> ExportSpec | None:
    """An export schedule's options; None for a sync schedule."""
    return ExportSpec.from_json(schedule.export_options) if schedule.sync_type == "export" else None


def owner_words(schedule: Schedule) -> tuple[str, str]:
    """(account, platform) as a schedule shows them: an export schedule's "All accounts" (or its names), "export"."""
    spec = spec_of(schedule)
    if spec is not None:
        return spec.accounts_text, EXPORT_PLATFORM
    owner = schedule.owner()
    return owner.name, owner.platform
