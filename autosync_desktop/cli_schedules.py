"""The `schedules` command group of the command line: its parser (add, edit, list, pause, resume, remove, next,
suggest-time, pause-all, resume-all), the checks of its options (the morning file's too, on add and edit), and the
commands. The dependency options and `schedules edit` are cli_dependencies.py's. Bad options raise UserError
naming the flag (exit 2).

Building the parser imports nothing of the data model (the window's first frame does not wait for it); the
commands import the services' domain types when they run. Speaks only to the service layer.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from autosync_desktop import cli_dependencies
from autosync_desktop.cli_output import print_json, table
from autosync_desktop.errors import UserError

if TYPE_CHECKING:
    from autosync_desktop.domain import ScheduleInfo
    from autosync_desktop.export_spec import ExportSpec
    from autosync_desktop.services import Services

# The values of domain.py's SyncType, Frequency and MissedPolicy (RunStatus: cli.py), spelled out so that building the
# parser does not import the data model (the window's first frame does not wait for it); test_cold_start.py checks
# that they are the enums' values, in their order.
SYNC_TYPES = ("campaigns", "performance", "both", "export")
FREQUENCIES = ("manual", "interval", "hourly", "daily", "weekly", "cron")
MISSED_POLICIES = ("skip", "run_once")


def add_parser(sub: Any) -> None:
    """`autosync schedules ...` on the top-level subparsers `sub`."""
    sch = sub.add_parser("schedules", help="sync schedules").add_subparsers(dest="action", metavar="ACTION")
    sadd = sch.add_parser("add", help="add a schedule")
    sadd.add_argument("--name", required=True)
    sadd.add_argument("--account", help="the account to sync (required, except for --type export)")
    sadd.add_argument("--type", required=True, choices=SYNC_TYPES)
    sadd.add_argument("--frequency", choices=FREQUENCIES, help="required unless --after is given")
    cli_dependencies.add_timing_options(sadd)
    sadd.add_argument("--timezone", help="IANA time zone (default: the system's)")
    sadd.add_argument("--lookback-days", type=int)
    sadd.add_argument("--missed", choices=MISSED_POLICIES, default="run_once")
    sadd.add_argument("--paused", action="store_true", help="create it paused")
    _add_export_options(sadd, edit=False)
    cli_dependencies.add_options(sadd)
    _add_export_options(cli_dependencies.add_edit_parser(sch, FREQUENCIES, SYNC_TYPES, MISSED_POLICIES), edit=True)
    slst = sch.add_parser("list", help="list schedules")
    slst.add_argument("--json", action="store_true")
    for action in ("pause", "resume", "remove"):
        sch.add_parser(action, help=f"{action} a schedule").add_argument("name")
    sch.choices["remove"].add_argument("--yes", action="store_true",
                                       help="also when other schedules run after it (they lose that link)")
    nxt = sch.add_parser("next", help="preview the next run times")
    nxt.add_argument("name")
    nxt.add_argument("--count", type=int, default=5)
    nxt.add_argument("--json", action="store_true")
    sug = sch.add_parser("suggest-time", help="a good time of day for a daily schedule of an account, and why")
    sug.add_argument("account")
    sug.add_argument("--json", action="store_true")
    for action in ("pause-all", "resume-all"):
        sch.add_parser(action, help=f"{action.replace('-', ' ')} schedules")


def _add_export_options(parser: argparse.ArgumentParser, *, edit: bool) -> None:
    """The morning file's options (`--type export`), on `schedules add` and `schedules edit`."""
    parser.add_argument("--output", help="--type export: the file to write (.csv, .xlsx or .parquet); ~ is expanded")
    parser.add_argument("--range", help="--type export: yesterday, last_7_days, last_30_days, last_90_days, "
                                        "month_to_date or last_month")
    parser.add_argument("--accounts", help='--type export: "Name A,Name B" (default: all accounts)'
                                           + ('; --accounts "" for all accounts again' if edit else ""))
    parser.add_argument("--format", choices=("csv", "xlsx", "parquet"),
                        help="--type export: default from the --output's extension")


# The options each frequency uses; any other one given is refused, not ignored.
FREQUENCY_OPTIONS = {"manual": (), "interval": ("every_minutes",), "hourly": ("at",), "daily": ("at",),
                     "weekly": ("at", "days"), "cron": ("cron",)}
_FLAGS = {"every_minutes": "--every-minutes", "at": "--at", "days": "--days", "cron": "--cron"}


def _check_frequency_options(a: argparse.Namespace) -> None:
    for field, flag in _FLAGS.items():
        if getattr(a, field) is not None and field not in FREQUENCY_OPTIONS[a.frequency]:
            used = [_FLAGS[f] for f in FREQUENCY_OPTIONS[a.frequency]]
            fix = f"it takes {' and '.join(used)}" if used else "it takes no time options"
            raise UserError(f"{flag}: does not apply to --frequency {a.frequency} ({fix}); leave {flag} out")
    if a.timezone is not None and not a.timezone.strip():
        raise UserError("--timezone: empty; give an IANA zone such as Europe/Berlin, or leave it out for the "
                       "system's zone")


_EXPORT_FLAGS = (("output", "--output"), ("range", "--range"), ("accounts", "--accounts"), ("format", "--format"))


def _edited_export(svc: Services, a: argparse.Namespace) -> ExportSpec | None:
    """`schedules edit`'s new export options: those given over the schedule's own (a new --output without --format
    takes its format from the new extension); None when none is given. Refused for a sync schedule."""
    given = [flag for field, flag in _EXPORT_FLAGS if getattr(a, field) is not None]
    if not given:
        return None
    current = svc.schedules.get(a.name).export
    if current is None:
        raise UserError(f"{given[0]}: only for an export schedule (a file); {a.name!r} syncs an account")
    from autosync_desktop.services.export_schedules import make_spec

    output = a.output if a.output is not None else current.output
    fmt = a.format or (None if a.output is not None else current.format)
    accounts = a.accounts if a.accounts is not None else list(current.accounts or ())
    return make_spec(output, a.range if a.range is not None else current.range, fmt, accounts)


def _add_schedule(svc: Services, a: argparse.Namespace) -> ScheduleInfo:
    """`schedules add`: a sync schedule (--account, --frequency), or an export schedule (--output, --range)."""
    if a.type != "export":
        for field, flag in _EXPORT_FLAGS:
            if getattr(a, field) is not None:
                raise UserError(f"{flag}: only for --type export (a file); leave it out for --type {a.type}")
        if a.account is None:
            raise UserError("--account: the following arguments are required: --account")
        a.frequency = cli_dependencies.add_frequency(a)
        _check_frequency_options(a)
        return svc.schedules.add(a.name, a.account, a.type, a.frequency, every_minutes=a.every_minutes, at=a.at,
                                 days=a.days, cron=a.cron, timezone=a.timezone, lookback_days=a.lookback_days,
                                 missed=a.missed, paused=a.paused, after=a.after or (),
                                 wait_max_minutes=a.wait_max, if_missing=a.if_missing or "run")
    from autosync_desktop.services.export_schedules import make_spec

    if a.account is not None:
        raise UserError(f'--account: an export schedule reads several accounts; use --accounts "{a.account}" '
                       "(or leave it out for all accounts)")
    if a.lookback_days is not None:
        raise UserError("--lookback-days: an export schedule writes its --range; leave --lookback-days out")
    if a.frequency is None:
        if not a.after:  # --after: the file is written once the syncs it follows are done
            raise UserError("--frequency: an export schedule needs a time (e.g. --frequency daily --at 07:00) or "
                           "--after the schedules it follows")
        a.frequency = "manual"
    _check_frequency_options(a)
    spec = make_spec(a.output, a.range, a.format, a.accounts)
    return svc.schedules.add_export(a.name, spec, a.frequency, every_minutes=a.every_minutes, at=a.at, days=a.days,
                                    cron=a.cron, timezone=a.timezone, missed=a.missed, paused=a.paused,
                                    after=a.after or (), wait_max_minutes=a.wait_max,
                                    if_missing=a.if_missing or "run")


def cmd_schedules(svc: Services, a: argparse.Namespace) -> int:
    from autosync_desktop.services import iso

    if a.action == "add":
        s = _add_schedule(svc, a)
        upcoming = svc.schedules.next_runs(s.name, 1)
        when = f"; next run {upcoming[0].isoformat(timespec='minutes')}" if upcoming else ""
        print(f"Added schedule {s.name!r}{when}" + (f" ({s.description})" if s.after else ""))
    elif a.action == "edit":
        # the options given must fit the frequency the schedule will have (the new one, else its own)
        _check_frequency_options(argparse.Namespace(**{**vars(a), "frequency": a.frequency or svc.schedules.get(
            a.name).frequency.value}))
        print(cli_dependencies.cmd_edit(svc, a, export=_edited_export(svc, a)))
    elif a.action == "list":
        items = svc.schedules.list()
        if a.json:
            print_json([_schedule_json(x) for x in items])
        else:
            table([(x.name, x.account, x.type.value, cli_dependencies.when_text(x), "yes" if x.paused else "",
                     iso(x.next_run_at),
                     x.last_status.value if x.last_status else None) for x in items],
                   ("NAME", "ACCOUNT", "TYPE", "WHEN", "PAUSED", "NEXT RUN (UTC)", "LAST"))
    elif a.action in ("pause", "resume"):
        if a.action == "pause":
            svc.schedules.pause(a.name)
        else:
            svc.schedules.resume(a.name)
        print(f"Schedule {a.name!r} {a.action}d")
    elif a.action in ("pause-all", "resume-all"):
        if a.action == "pause-all":
            svc.schedules.pause_all()
        else:
            svc.schedules.resume_all()
        print("All schedules paused" if a.action == "pause-all" else "Schedules resumed")
    elif a.action == "remove":
        svc.schedules.remove(a.name, confirmed=a.yes)
        print(f"Removed schedule {a.name!r}; its past runs stay in the history")
    elif a.action == "next":
        times = svc.schedules.next_runs(a.name, a.count)
        if a.json:
            print_json([t.isoformat() for t in times])
        elif not times:
            print("No upcoming runs (manual or paused)")
        else:
            for t in times:
                print(t.isoformat(timespec="minutes"))
    elif a.action == "suggest-time":
        found = svc.suggestions.for_account(a.account)
        if a.json:
            print_json({"account": found.account, "at": found.at, "timezone": found.timezone,
                         "measured": found.measured, "days": found.days, "reason": found.reason})
        else:
            print(found.reason)
    else:
        raise UserError("schedules: choose add, edit, list, pause, resume, remove, next, suggest-time, pause-all or "
                       "resume-all")
    return 0


def _schedule_json(s: ScheduleInfo) -> dict[str, Any]:
    """A schedule as `schedules list --json` prints it (the documented fields, in this order)."""
    from autosync_desktop.services import iso

    return {"name": s.name, "account": s.account, "platform": s.platform, "type": s.type.value,
            "frequency": s.frequency.value, "description": s.description, "every_minutes": s.every_minutes,
            "at": s.at, "days": s.days, "cron": s.cron, "timezone": s.timezone, "lookback_days": s.lookback_days,
            "missed": s.missed.value, "paused": s.paused, "next_run_at": iso(s.next_run_at),
            "last_status": s.last_status.value if s.last_status else None, "last_run_at": iso(s.last_run_at),
            "export": None if s.export is None else {"output": s.export.output, "format": s.export.format,
                                                     "range": s.export.range, "accounts": s.export.accounts and
                                                     list(s.export.accounts)},
            **cli_dependencies.json_fields(s)}
