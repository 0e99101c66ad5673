"""The command line's part of schedules that wait for each other: the `--after`, `--wait-max` and `--if-missing`
options (of `schedules add` and `schedules edit`), `schedules edit`, and their fields in `schedules list`.

Building the parser imports nothing of the data model (the window's first frame does not wait for it); the
commands import the services' domain types when they run. Speaks only to the service layer.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from autosync_desktop.errors import UserError

if TYPE_CHECKING:
    from autosync_desktop.domain import ScheduleInfo
    from autosync_desktop.export_spec import ExportSpec
    from autosync_desktop.services import Services

IF_MISSING = ("run", "skip")


def wait_minutes(text: str) -> int:
    """`--wait-max`: '30m', '2h', '90 minutes', '1d' -> minutes (1 minute to 7 days)."""
    from autosync_desktop.sync.dependencies import parse_wait

    try:
        return parse_wait(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def after_names(text: str) -> list[str]:
    """`--after "Google daily,Meta daily"` -> the names; "" -> [] (clears, with `schedules edit`)."""
    return [name.strip() for name in text.split(",") if name.strip()]


def add_options(parser: argparse.ArgumentParser) -> None:
    """The dependency options, the same on `add` and `edit` (all optional)."""
    parser.add_argument("--after", type=after_names, metavar="NAME[,NAME...]",
                        help="run after these schedules have all synced successfully since this one last ran "
                             "(without --frequency: only then); --after \"\" clears them (edit)")
    parser.add_argument("--wait-max", type=wait_minutes, metavar="DURATION",
                        help="with a time trigger as well: wait at most this long for them (e.g. 30m, 2h; "
                             "default 2h; 1 minute to 7 days)")
    parser.add_argument("--if-missing", choices=IF_MISSING,
                        help="when the wait ends with some missing: run anyway (default) or skip")


def add_timing_options(parser: Any) -> None:
    """The options that say when within the frequency (`schedules add` and `schedules edit`)."""
    parser.add_argument("--every-minutes", type=int)
    parser.add_argument("--at", help="HH:MM (daily, weekly) or :MM (hourly)")
    parser.add_argument("--days", help="mon,tue,... (weekly)")
    parser.add_argument("--cron", help="5-field crontab expression")


def add_edit_parser(sch: Any, frequencies: tuple[str, ...], sync_types: tuple[str, ...],
                    missed_policies: tuple[str, ...]) -> argparse.ArgumentParser:
    """`schedules edit NAME [--name NEW] [--account ...] [--frequency ...] ... [--after ...]`: change some fields.
    Returns the parser (cli_schedules adds the morning file's options)."""
    sed: argparse.ArgumentParser = sch.add_parser("edit", help="change some fields of a schedule (the others stay)")
    sed.add_argument("name")
    sed.add_argument("--name", dest="new_name", metavar="NEW_NAME", help="rename it")
    sed.add_argument("--account")
    sed.add_argument("--type", choices=sync_types)
    sed.add_argument("--frequency", choices=frequencies)
    add_timing_options(sed)
    sed.add_argument("--timezone", help="IANA time zone")
    sed.add_argument("--lookback-days", type=int)
    sed.add_argument("--missed", choices=missed_policies)
    add_options(sed)
    return sed


def add_frequency(a: argparse.Namespace) -> str:
    """`schedules add`'s frequency: the one given, or "manual" with --after (started by its upstreams only)."""
    if a.frequency is not None:
        return str(a.frequency)
    if a.after:
        return "manual"
    raise UserError("--frequency: required unless --after is given (e.g. --frequency daily --at 06:00, or "
                    "--after \"Google daily\")")


def cmd_edit(svc: Services, a: argparse.Namespace, export: ExportSpec | None = None) -> str:
    """Apply `schedules edit` (`export`: an export schedule's new options); the line to print."""
    from autosync_desktop.services.schedules import KEEP

    fields: dict[str, Any] = {}
    if a.frequency is not None:  # a new frequency: its time options start over (those given, the rest unset)
        fields.update(every_minutes=a.every_minutes, at=a.at, days=a.days, cron=a.cron)
    else:
        for field in ("every_minutes", "at", "days", "cron"):
            if getattr(a, field) is not None:
                fields[field] = getattr(a, field)
    info = svc.schedules.update(
        a.name, new_name=a.new_name, account=a.account, sync_type=a.type, frequency=a.frequency,
        timezone=a.timezone, lookback_days=a.lookback_days if a.lookback_days is not None else KEEP,
        missed=a.missed, after=a.after, wait_max_minutes=a.wait_max if a.wait_max is not None else KEEP,
        if_missing=a.if_missing, export=export, **fields)
    return f"Updated schedule {info.name!r}: {when_text(info)}"


def json_fields(s: ScheduleInfo) -> dict[str, Any]:
    """The dependency fields of `schedules list --json` (after the documented ones)."""
    from autosync_desktop.services import iso

    return {"after": list(s.after), "waiting_for": list(s.waiting_for), "waiting_since": iso(s.waiting_since),
            "wait_deadline": iso(s.wait_deadline), "wait_max_minutes": s.wait_max_minutes,
            "if_missing": s.if_missing.value}


def when_text(s: ScheduleInfo) -> str:
    """The list's WHEN: 'Daily at 06:00 (UTC), after Google daily; waiting for Meta daily until 08:00 (UTC)'."""
    if not s.waiting_for or s.wait_deadline is None:
        return s.description
    from zoneinfo import ZoneInfo

    until = s.wait_deadline.astimezone(ZoneInfo(s.timezone)).strftime("%H:%M")
    return f"{s.description}; waiting for {', '.join(s.waiting_for)} until {until} ({s.timezone})"
