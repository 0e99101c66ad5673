"""The `autosync` command line: headless use of the same service layer as the window.

Exit codes: 0 success, 1 the operation ran and failed (e.g. a sync failed), 2 bad arguments or an
impossible request (one clear line on stderr, never a traceback or argparse's usage block).
The `accounts` and `schedules` groups are cli_accounts.py's and cli_schedules.py's (the dependency options and
`schedules edit`: cli_dependencies.py); stop signals: cli_interrupt.py; tables and JSON: cli_output.py.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from autosync_desktop import __version__, cli_accounts, cli_schedules
from autosync_desktop.cli_interrupt import STOP_SIGNALS, on_interrupt
from autosync_desktop.cli_output import print_json as _print_json
from autosync_desktop.cli_output import table as _table
from autosync_desktop.cli_schedules import FREQUENCIES as FREQUENCIES  # re-exported (tests, other commands)
from autosync_desktop.cli_schedules import FREQUENCY_OPTIONS as FREQUENCY_OPTIONS
from autosync_desktop.cli_schedules import MISSED_POLICIES as MISSED_POLICIES
from autosync_desktop.cli_schedules import SYNC_TYPES as SYNC_TYPES
from autosync_desktop.cli_schedules import cmd_schedules
from autosync_desktop.data_dir import default_data_dir
from autosync_desktop.errors import AutoSyncError, UserError, one_line
from autosync_desktop.export_spec import EXPORT_PLATFORM
from autosync_desktop.logs import FILE_ONLY, LOG_NAME, setup_logging
from autosync_desktop.names import printable

if TYPE_CHECKING:  # the services (and everything below them, the data model too) are imported by the commands
    # that use them, so that `autosync gui` shows the window's first frame before they load (docs/benchmarks.md)
    from autosync_desktop import events as ev
    from autosync_desktop.domain import (
        Delivery,
        NotificationsStatus,
        PruneResult,
        RunRow,
        StatusSnapshot,
    )
    from autosync_desktop.services import Services

log = logging.getLogger(__name__)
MAX_ID = 2**63 - 1  # SQLite's largest INTEGER


class CliError(UserError):
    """Bad arguments: exit 2 with this message."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(message)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def _run_id(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a run id; use a whole number from 'autosync runs'") from None
    if not 1 <= number <= MAX_ID:
        raise argparse.ArgumentTypeError(f"{text} is not a run id; run ids are whole numbers from 1 to {MAX_ID}")
    return number


def _data_dir(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("empty; give a folder, or leave --data-dir out for the default one")
    return Path(text)


def _path(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a file path, got an empty one")
    return Path(text)


# The values of domain.py's RunStatus (SyncType, Frequency, MissedPolicy: cli_schedules.py), spelled out so that
# building the parser does not import the data model; test_cold_start.py checks them.
RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "interrupted", "skipped")


def build_parser() -> Parser:
    p = Parser(prog="autosync", description="AutoSync Desktop: your advertising data, synced to this machine.")
    p.add_argument("--version", action="version", version=f"autosync {__version__}")
    p.add_argument("--data-dir", type=_data_dir, help="where the database lives (default: the user data dir; "
                   "AUTOSYNC_DATA_DIR also sets it)")
    p.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("service", help="headless scheduler in the foreground until SIGINT/SIGTERM")
    demo = sub.add_parser("demo", help="create the Demo account and schedule if missing, then run the service")
    demo.add_argument("--every-minutes", type=int, default=5, help="the Demo schedule's interval (default 5)")

    cli_accounts.add_parser(sub)

    cli_schedules.add_parser(sub)

    syn = sub.add_parser("sync", help="sync a schedule or an account now")
    syn.add_argument("name", help="a schedule or an account")
    syn.add_argument("--from", dest="date_from", type=_date)
    syn.add_argument("--to", dest="date_to", type=_date)
    syn.add_argument("--wait", action="store_true", help="wait for the end; exit 0 only on success")
    syn.add_argument("--yes", action="store_true",
                     help="start a backfill of more than 12 windows (30 days each) on a real platform: it costs quota")
    syn.add_argument("--json", action="store_true")

    rns = sub.add_parser("runs", help="run history")
    rns.add_argument("--status", choices=RUN_STATUSES)
    rns.add_argument("--schedule")
    rns.add_argument("--account")
    rns.add_argument("--limit", type=int, default=50)
    rns.add_argument("--json", action="store_true")
    rsub = rns.add_subparsers(dest="action", metavar="ACTION")
    show = rsub.add_parser("show", help="one run with its log")
    show.add_argument("id", type=_run_id)
    show.add_argument("--json", action="store_true")
    rsub.add_parser("cancel", help="cancel a queued or running run").add_argument("id", type=_run_id)

    st = sub.add_parser("status", help="success rate, totals, account health, scheduler")
    st.add_argument("--period", default="24h", choices=("24h", "7d", "30d"))
    st.add_argument("--json", action="store_true")

    ins = sub.add_parser("insights", help="sync analytics per platform, account and schedule")
    ins.add_argument("--period", default="24h", choices=("24h", "7d", "30d"))
    ins.add_argument("--json", action="store_true")

    ex = sub.add_parser("export", help="export runs, stats, campaigns or conversions (by action)")
    ex.add_argument("kind", choices=("runs", "stats", "campaigns", "conversions"))
    ex.add_argument("--format", required=True, choices=("csv", "json"))
    ex.add_argument("--output", type=_path, help="file to write, or - for stdout (default: stdout)")

    se = sub.add_parser("settings", help="settings").add_subparsers(dest="action", metavar="ACTION")
    se.add_parser("list", help="all settings").add_argument("--json", action="store_true")
    se.add_parser("get", help="one setting").add_argument("key")
    sset = se.add_parser("set", help="change a setting")
    sset.add_argument("key")
    sset.add_argument("value")

    sub.add_parser("prune", help="apply the retention settings now")

    sub.add_parser("autostart", help="start AutoSync (minimized to the tray) when you log in").add_argument(
        "action", choices=("status", "enable", "disable"))

    nt = sub.add_parser("notify", help="notifications: channels, test messages, channel secrets").add_subparsers(
        dest="action", metavar="ACTION")
    nt.add_parser("list", help="channels, what they send, where to, and their last result").add_argument(
        "--json", action="store_true")
    nt.add_parser("test", help="send a labelled test message now").add_argument("channel", choices=NOTIFY_CHANNELS)
    nsec = nt.add_parser("set-secret", help="store a channel's secret in the keyring (read from stdin)")
    nsec.add_argument("channel", choices=[c for c in NOTIFY_CHANNELS if c != "desktop"])
    nsec.add_argument("--url", action="store_true",
                      help="webhook: store the URL itself (one that embeds a token) instead of the signing secret")
    nsec.add_argument("--clear", action="store_true", help="remove the secret from the keyring")

    api = sub.add_parser("api", help="the local REST API: its status and bearer token").add_subparsers(
        dest="action", metavar="ACTION")
    api.add_parser("status", help="whether it is on, its URL and which process serves it").add_argument(
        "--json", action="store_true")
    api.add_parser("token", help="print the bearer token (created in the keyring on first use)").add_argument(
        "--rotate", action="store_true", help="replace the token; the old one stops working at once")

    gui = sub.add_parser("gui", help="open the window (the default when no command is given)")
    gui.add_argument("--demo", action="store_true", help="create the Demo account and schedule if there are none")
    gui.add_argument("--screenshot", type=Path, metavar="PATH", help="render offscreen once loaded, save a PNG, exit")
    gui.add_argument("--tab", choices=("dashboard", "scheduler", "history", "data", "settings", "insights"))
    gui.add_argument("--size", default="1280x800", help="window size for --screenshot (default 1280x800)")
    gui.add_argument("--theme", choices=("system", "light", "dark"), default="system",
                     help="light or dark palette (default: the system's); --screenshot uses it too")
    gui.add_argument("--self-test", action="store_true",
                     help="check store, scheduler, keyring, window and one Demo sync in a temp dir; exit 0/1")
    gui.add_argument("--self-test-sync", action="store_true", help=argparse.SUPPRESS)  # --self-test's child
    gui.add_argument("--minimized", action="store_true", help="start hidden in the tray (what start at login runs)")
    return p


# --- output helpers ------------------------------------------------------------------------------------------

def _err(message: str) -> None:
    print(f"autosync: {printable(message)}", file=sys.stderr)


# --- commands ------------------------------------------------------------------------------------------------

def cmd_sync(svc: Services, a: argparse.Namespace) -> int:
    from autosync_desktop import events as ev
    from autosync_desktop.domain import RunStatus

    printer = None
    if not a.json:
        printer = svc.bus.subscribe(_progress_printer(), ev.Event)
    # Ctrl-C / SIGTERM only set a flag (the handler must not touch the database mid-query); the wait loop below
    # turns it into a cancel. Installed before the run exists, so no signal can slip in between.
    interrupted = threading.Event()
    stop = on_interrupt(interrupted.set)
    try:
        request = svc.runs.request(a.name, a.date_from, a.date_to, confirmed=a.yes)
        if request.status == RunStatus.SKIPPED:
            run = svc.runs.get(request.run_id)
            _say(a.json, run, f"run {request.run_id} skipped: {run.reason}")
            return 1
        in_process = request.handled_by == "this process"
        if not a.wait and not in_process:
            _say(a.json, svc.runs.get(request.run_id),
                 f"run {request.run_id} queued for the running scheduler ({request.handled_by})")
            return 0
        if not in_process:
            print(f"run {request.run_id} queued; the running scheduler ({request.handled_by}) executes it",
                  file=sys.stderr)
        final = _wait_or_cancel(svc, request.run_id, interrupted)
    finally:
        stop()
        if printer:
            printer()
    line = f"run {final.id} {final.status}: {final.rows} rows" + (
        "" if final.platform == EXPORT_PLATFORM else f", {final.campaigns} campaigns")
    if final.duration_s is not None:
        line += f" in {final.duration_s:.1f} s"
    if final.error or final.reason:
        line += f" — {final.error or final.reason}"
    _say(a.json, final, line)
    return 0 if final.status == RunStatus.SUCCEEDED else 1


def _wait_or_cancel(svc: Services, run_id: int, interrupted: threading.Event) -> RunRow:
    """Wait for the run's end; after an interrupt, ask it to stop once and keep waiting for it to record that."""
    cancel_sent = False
    while True:
        if interrupted.is_set() and not cancel_sent:
            svc.runs.cancel(run_id)
            cancel_sent = True
        run = svc.runs.wait(run_id, poll_s=0.2, timeout_s=0.0)
        if run.status.is_final:
            return run
        interrupted.wait(0.2)


def _say(as_json: bool, run: RunRow, line: str) -> None:
    if as_json:
        from autosync_desktop.services import run_dict

        _print_json(run_dict(run))
    else:
        print(printable(line))


def _progress_printer() -> Callable[[ev.Event], None]:
    from autosync_desktop import events as ev

    def show(event: ev.Event) -> None:
        if isinstance(event, ev.RunStarted) and event.platform == EXPORT_PLATFORM:
            print(f"run {event.run_id} started: writing the file ({printable(event.account)})",
                  file=sys.stderr)
        elif isinstance(event, ev.RunStarted):
            print(f"run {event.run_id} started: {printable(event.account)} ({event.platform}), {event.windows} "
                  "window(s)", file=sys.stderr)
        elif isinstance(event, ev.RunLog) and event.level != "info":
            print(f"run {event.run_id} {event.level}: {printable(event.message)}", file=sys.stderr)
    return show


def cmd_runs(svc: Services, a: argparse.Namespace) -> int:
    from autosync_desktop.domain import RunStatus
    from autosync_desktop.services import iso, run_dict

    if a.action == "show":
        detail = svc.runs.detail(a.id)
        fields = run_dict(detail.run)
        events = [{"at": iso(e.at), "level": e.level, "message": e.message} for e in detail.events]
        if a.json:
            _print_json(fields | {"missing_inputs": list(detail.run.missing_inputs), "events": events})
            return 0
        for key, value in fields.items():
            if value not in (None, ""):
                print(f"{key:12} {printable(str(value))}")
        if detail.run.missing_inputs:
            print(f"{'ran without':12} {printable(', '.join(detail.run.missing_inputs))}")
        print("log:")
        for e in events:
            print(f"  {e['at']}  {e['level']:7}  {printable(str(e['message']))}")
        return 0
    if a.action == "cancel":
        result = svc.runs.cancel(a.id)
        if result.requested:
            print(f"run {a.id}: cancel requested; it stops at its next page")
        elif result.status == RunStatus.CANCELLED:
            print(f"run {a.id} cancelled")
        else:
            print(f"run {a.id} already {result.status.value}")
        return 0
    items = [run_dict(r) for r in svc.runs.list(status=a.status, schedule=a.schedule, account=a.account,
                                                limit=a.limit)]
    if a.json:
        _print_json(items)
    else:
        _table([(r["id"], r["schedule"], r["account"], r["trigger"], r["status"], r["started_at"] or r["queued_at"],
                 r["duration_s"], r["rows"], r["error"] or r["reason"] or "") for r in items],
               ("ID", "SCHEDULE", "ACCOUNT", "TRIGGER", "STATUS", "STARTED (UTC)", "SECONDS", "ROWS", "ERROR"))
    return 0


def _utc_text(moment: datetime) -> str:
    """A time as the store writes it in its own records: 'YYYY-MM-DD HH:MM:SS' (UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _prune_json(p: PruneResult) -> dict[str, Any]:
    return {"at": _utc_text(p.at), "runs_deleted": p.runs_deleted, "stats_deleted": p.stats_deleted,
            "runs_before": _utc_text(p.runs_before),
            "stats_before": p.stats_before.isoformat() if p.stats_before else None}


def _status_json(s: StatusSnapshot) -> dict[str, Any]:
    from autosync_desktop.services import iso

    m, sched, db = s.metrics, s.scheduler, s.database
    accounts = [{
        "name": x.name, "platform": x.platform, "health": x.health.value, "auth_state": x.auth_state.value,
        "last_success_at": iso(x.last_success_at),
        "last_run_status": x.last_run_status.value if x.last_run_status else None, "errors_24h": x.errors_24h,
        "avg_latency_ms": x.avg_latency_ms, "uptime_24h": x.uptime_24h, "last_probe_ok": x.last_probe_ok,
        "last_probe_at": iso(x.last_probe_at), "api_version": x.api.version if x.api else None,
        "api_sunset": x.api.sunset.isoformat() if x.api and x.api.sunset else None,
    } for x in s.accounts]
    return {
        "period": s.period.value, "success_rate": m.success_rate, "total_runs": m.total_runs,
        "succeeded": m.succeeded, "failed": m.failed, "cancelled": m.cancelled, "skipped": m.skipped,
        "avg_duration_s": None if m.avg_duration_s is None else round(m.avg_duration_s, 3),
        "rows_processed": m.rows_processed, "accounts": accounts,
        "scheduler": {"running": sched.running, "owner": sched.owner, "paused_all": sched.paused_all,
                      "active_runs": sched.active_runs, "next_run_at": iso(sched.next_run_at)},
        "database": {"path": db.path, "size_bytes": db.size_bytes,
                     "last_prune": _prune_json(db.last_prune) if db.last_prune else None},
    }


def cmd_status(svc: Services, a: argparse.Namespace) -> int:
    s = _status_json(svc.metrics.status(a.period))
    if a.json:
        _print_json(s)
        return 0
    rate = "n/a" if s["success_rate"] is None else f"{s['success_rate']:.1%}"
    print(f"Last {s['period']}: {s['total_runs']} runs, success rate {rate}, {s['failed']} failed, "
          f"{s['rows_processed']} rows, average {s['avg_duration_s'] or 0:.1f} s")
    sched = s["scheduler"]
    print(f"Scheduler: {'running (' + sched['owner'] + ')' if sched['running'] else 'not running'}, "
          f"{sched['active_runs']} active run(s), next run {sched['next_run_at'] or '—'}"
          + (", ALL PAUSED" if sched["paused_all"] else ""))
    prune = s["database"]["last_prune"]
    print(f"Database: {s['database']['path']} ({s['database']['size_bytes'] / 1e6:.1f} MB), last prune: "
          f"{prune['at'] + ' (' + str(prune['runs_deleted']) + ' runs)' if prune else 'never'}")
    if s["accounts"]:
        _table([(x["name"], x["platform"], x["health"], x["last_success_at"], x["errors_24h"], x["avg_latency_ms"])
                for x in s["accounts"]], ("ACCOUNT", "PLATFORM", "HEALTH", "LAST SUCCESS", "ERRORS 24H", "LATENCY MS"))
    return 0


def _span(seconds: float | None) -> str:
    """A duration in plain units: '12.3 s', '4 min 5 s', '3 h 5 min', '2 d 3 h'; '—' when unknown."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {secs} s"


def _figure_cells(f: dict[str, Any]) -> list[str]:
    rate = "—" if f["success_rate"] is None else f"{f['success_rate']:.0%}"
    wait = _span(f["rate_limit_wait_s"]) + (f" (+{f['wait_unrecorded_runs']} unmeasured)"
                                            if f["wait_unrecorded_runs"] else "")
    return [str(f["runs"]), rate, _span(f["p50_duration_s"]), _span(f["p95_duration_s"]), str(f["rows_written"]),
            f"{f['api_calls_per_day']:g}", str(f["api_errors"]), wait]


FIGURE_HEADERS = ("RUNS", "SUCCEEDED", "P50", "P95", "ROWS", "API CALLS/DAY", "API ERRORS", "RATE-LIMIT WAIT")


def cmd_insights(svc: Services, a: argparse.Namespace) -> int:
    from autosync_desktop.services.insights import insights_dict, series_dict

    found = svc.insights.period(a.period)
    data = insights_dict(found)
    if a.json:
        data["series"] = series_dict(svc.insights.series(a.period, 0, now=found.until))  # UTC hours or days
        _print_json(data)
        return 0
    total = data["total"]
    rate = "—" if total["success_rate"] is None else f"{total['success_rate']:.0%}"
    print(f"Last {data['period']} ({data['since']} to {data['until']}): {total['runs']} runs, {rate} succeeded, "
          f"p95 {_span(total['p95_duration_s'])}, {total['rows_written']} rows, "
          f"{total['api_calls_per_day']:g} API calls/day")
    if data["platforms"]:
        print()
        _table([[p["label"], *_figure_cells(p)] for p in data["platforms"]], ("PLATFORM", *FIGURE_HEADERS))
    if data["accounts"]:
        print()
        _table([[x["account"], *_figure_cells(x), _span(x["freshness_lag_s"]) + " behind"
                 if x["freshness_lag_s"] is not None else "—", "—" if x["settling_days"] is None
                 else str(x["settling_days"]), "—" if x["days_still_settling"] is None
                 else str(x["days_still_settling"])] for x in data["accounts"]],
               ("ACCOUNT", *FIGURE_HEADERS, "DATA BEHIND", "DAYS SETTLING", "STILL CHANGING"))
    if data["schedules"]:
        print()
        _table([[x["schedule"] or "(no schedule)", *_figure_cells(x)] for x in data["schedules"]],
               ("SCHEDULE", *FIGURE_HEADERS))
    if data["restatement_deltas"]:
        print("\nRestated by the platforms (largest changes first):")
        for delta in data["restatement_deltas"][:20]:
            print(f"  {delta['text']}")
    print("\n'—': unknown (no finished run, no daily data yet, or not measured). DAYS SETTLING: days of the lookback; "
          "STILL CHANGING: days in the platform's restatement window whose last fetch changed them.")
    return 0


def cmd_export(svc: Services, a: argparse.Namespace) -> int:
    from autosync_desktop.output_files import open_output

    if a.output is None or str(a.output) == "-":
        count = svc.exports.write(a.kind, a.format, sys.stdout).rows
    else:
        with open_output(a.output) as out:  # never renames over a symlink, pipe or device; atomic for files
            count = svc.exports.write(a.kind, a.format, out).rows
        print(f"Exported {count} {a.kind} rows to {a.output}", file=sys.stderr)
    return 0


def cmd_settings(svc: Services, a: argparse.Namespace) -> int:
    if a.action == "list":
        values = svc.settings.values()
        if a.json:
            _print_json(values)
        else:
            for key, value in values.items():
                print(f"{key} = {json.dumps(value)}")
    elif a.action == "get":
        print(json.dumps(svc.settings.get(a.key)))
    elif a.action == "set":
        print(f"{a.key} = {json.dumps(svc.settings.set(a.key, a.value))}")
    else:
        raise CliError("settings: choose list, get or set")
    return 0


NOTIFY_CHANNELS = ("desktop", "email", "slack", "webhook", "sms")
SECRET_PROMPTS = {"email": "SMTP password", "slack": "Slack incoming-webhook URL", "webhook": "webhook signing secret",
                  "sms": "Twilio auth token"}


def cmd_notify(svc: Services, a: argparse.Namespace) -> int:
    if a.action == "list":
        info = svc.notifications.channels()
        if a.json:
            _print_json(_notifications_json(info))
            return 0
        _print_notify_list(info)
    elif a.action == "test":
        print(svc.notifications.test(a.channel))
    elif a.action == "set-secret":
        which = "url" if a.url else None
        if a.clear:
            print(svc.notifications.set_secret(a.channel, None, which))
            return 0
        label = "webhook URL" if a.url else SECRET_PROMPTS[a.channel]
        value = getpass.getpass(f"{label} (input hidden): ") if sys.stdin.isatty() else sys.stdin.readline()
        print(svc.notifications.set_secret(a.channel, value, which))
    else:
        raise CliError("notify: choose list, test or set-secret")
    return 0


def _delivery_json(d: Delivery | None) -> dict[str, Any] | None:
    """A channel's last result as stored (notify's DeliveryResult.to_dict())."""
    if d is None:
        return None
    return {"channel": d.channel, "ok": d.ok, "message": d.message, "at": d.at.isoformat(), "kind": d.kind,
            "title": d.title}


def _notifications_json(info: NotificationsStatus) -> dict[str, Any]:
    """What `notify list --json` prints (the documented fields, in this order)."""
    return {"sender": info.sender, "channels": [
        {"name": c.name, "enabled": c.enabled, "ready": c.ready, "problem": c.problem, "target": c.target,
         "sends": list(c.sends), "last_result": _delivery_json(c.last_result)} for c in info.channels],
        "stale_hours": info.stale_hours, "min_interval_minutes": info.min_interval_minutes,
        "quiet_hours": info.quiet_hours, "email_digest_at": info.email_digest_at, "failing": list(info.failing),
        "held": info.held}


def _print_notify_list(info: NotificationsStatus) -> None:
    channels = info.channels
    _table([(c.name, "on" if c.enabled else "off", "yes" if c.ready else "NO", ",".join(c.sends), c.target)
            for c in channels], ("CHANNEL", "ON", "READY", "SENDS ON", "TO"))
    for c in channels:
        if c.problem and c.enabled:
            print(f"{c.name}: {c.problem}")
    print()
    for c in channels:
        r = c.last_result
        if r is not None:
            print(f"last {c.name}: {r.at.isoformat()[:19].replace('T', ' ')} UTC {'ok' if r.ok else 'FAILED'} "
                  f"({r.kind or 'message'}): {r.message}")
    rules = f"At most one message per sync and channel every {info.min_interval_minutes} min; "
    rules += f"no-fresh-data warning after {info.stale_hours} h" if info.stale_hours else "no stale-data warning"
    rules += f"; quiet hours {info.quiet_hours}" if info.quiet_hours else "; no quiet hours"
    rules += f"; email digest daily at {info.email_digest_at}" if info.email_digest_at else ""
    print(rules)
    if info.failing:
        print(f"Failing now (announced, recovery will be announced): {', '.join(info.failing)}")
    if info.held:
        print(f"{info.held} message(s) held for quiet hours or the minimum interval")
    print(f"Sent by: {info.sender}" if info.sender else
          "Nobody sends notifications right now: the process running the scheduler does ('autosync service' "
          "or the window)")


def cmd_api(svc: Services, a: argparse.Namespace) -> int:
    if a.action == "status":
        status = svc.api_access.status()
        if a.json:
            _print_json({"enabled": status.enabled, "url": status.url, "served_by_pid": status.served_by_pid})
        elif not status.enabled:
            print(f"Local API: off (turn it on with: autosync settings set api.enabled on; it would serve "
                  f"{status.url})")
        elif status.served_by_pid is not None:
            print(f"Local API: on at {status.url}, served by pid {status.served_by_pid}")
        else:
            print(f"Local API: on but not served at {status.url}: {status.problem}")
    elif a.action == "token":
        print(svc.api_access.rotate_token() if a.rotate else svc.api_access.token())
    else:
        raise CliError("api: choose status or token")
    return 0


def _serve_api(svc: Services) -> Callable[[], None]:
    """The local REST API beside the scheduler (FastAPI is imported only in the process that runs it)."""
    from autosync_desktop.api.server import ApiService

    return ApiService.attach(svc)


def cmd_prune(svc: Services, a: argparse.Namespace) -> int:
    result = svc.metrics.prune()
    print(f"Pruned {result.runs_deleted} runs (before {_utc_text(result.runs_before)}) and {result.stats_deleted} "
          "daily stats" + (f" (before {result.stats_before.isoformat()})" if result.stats_before else ""))
    return 0


def cmd_autostart(svc: Services, a: argparse.Namespace) -> int:
    if a.action == "status":
        print("Start at login: on" if svc.settings.start_at_login() else "Start at login: off")
    else:
        print(svc.settings.set_start_at_login(a.action == "enable"))
    return 0


def cmd_service(svc: Services, a: argparse.Namespace) -> int:
    from autosync_desktop import events as ev
    from autosync_desktop.domain import Frequency
    from autosync_desktop.services import iso

    scheduler = svc.start_scheduler()
    stop = threading.Event()
    for sig in STOP_SIGNALS:
        signal.signal(sig, lambda *_: stop.set())
    svc.bus.subscribe(_service_printer(), ev.Event)
    schedules = svc.schedules.list()
    active = [s for s in schedules if not s.paused and s.frequency != Frequency.MANUAL]
    nxt = scheduler.next_run_at()
    print(f"AutoSync service running on {svc.data_dir} — {len(active)} active schedule(s) of {len(schedules)}, "
          f"next run {iso(nxt) or '—'}. Ctrl-C to stop.", flush=True)
    api = svc.api_access.status()
    if api.enabled:  # started with the scheduler (SCHEDULER_COMPANIONS); a busy port is said here too
        print(f"Local API: {api.url}" if api.served_by_pid else f"Local API not served: {api.problem}", flush=True)
    stop.wait()
    print("Stopping: cancelling running syncs at their next page…", flush=True)
    svc.close()
    print("Stopped.", flush=True)
    return 0


def _service_printer() -> Callable[[ev.Event], None]:
    from autosync_desktop import events as ev

    def show(event: ev.Event) -> None:
        stamp = event.at.astimezone().strftime("%H:%M:%S")
        if isinstance(event, ev.RunStarted):
            text = f"run {event.run_id} started: {event.schedule or event.account} ({event.trigger})"
        elif isinstance(event, ev.RunFinished):
            text = f"run {event.run_id} {event.status}: {event.schedule or event.account}, {event.rows} rows"
            if event.error:
                text += f" — {event.error}"
        elif isinstance(event, ev.SchedulerStateChanged) and event.detail == "the timed pause ended":
            text = "the pause of all schedules ended: schedules resumed"
        elif isinstance(event, ev.RetentionPruned):
            text = f"pruned {event.runs_deleted} old runs, {event.stats_deleted} old daily stats"
        else:
            return
        print(f"{stamp} {printable(text)}", flush=True)
    return show


def cmd_demo(svc: Services, a: argparse.Namespace) -> int:
    setup = svc.schedules.ensure_demo(a.every_minutes)  # checked first, then both or neither
    if setup.created_account:
        print("Created the Demo account (sandbox data, clearly labelled; no credentials needed)")
    if setup.created_schedule:
        print(f"Created schedule {setup.schedule!r} (every {a.every_minutes} minutes)")
    if svc.metrics.status("30d").metrics.total_runs == 0:
        request = svc.runs.request(setup.schedule)
        print(f"First sync queued as run {request.run_id}")
    return cmd_service(svc, a)


COMMANDS: dict[str, Callable[[Services, argparse.Namespace], int]] = {
    "accounts": cli_accounts.cmd_accounts, "schedules": cmd_schedules, "sync": cmd_sync, "runs": cmd_runs,
    "status": cmd_status, "insights": cmd_insights, "export": cmd_export, "settings": cmd_settings, "prune": cmd_prune,
    "service": cmd_service, "demo": cmd_demo, "notify": cmd_notify, "autostart": cmd_autostart, "api": cmd_api,
}
KINDS = {"service": "service", "demo": "service"}


def _gui(a: argparse.Namespace) -> int:
    """The window (autosync_desktop.gui, imported only here so other commands never load Qt)."""
    if getattr(a, "self_test_sync", False):  # headless: the Demo sync that `gui --self-test` runs in a child
        from autosync_desktop import demo_check

        return demo_check.run_child(a.data_dir)
    from autosync_desktop.gui.app import GuiOptions, run

    return run(GuiOptions(data_dir=a.data_dir, demo=getattr(a, "demo", False),
                          screenshot=getattr(a, "screenshot", None), tab=getattr(a, "tab", None),
                          size=getattr(a, "size", "1280x800"), self_test=getattr(a, "self_test", False),
                          minimized=getattr(a, "minimized", False), theme=getattr(a, "theme", "system"),
                          before_store=_serve_api_beside_scheduler))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. The error root is caught here, once: an expected condition (`AutoSyncError`) ends as
    its one line on stderr and its exit code; anything else is a bug and ends as one line naming the log. The
    traceback of either goes to the log file only."""
    log_file: Path | None = None
    try:
        args = build_parser().parse_args(argv)
        log_file = _start_logging(args)
        return _run(args)
    except BrokenPipeError:
        return 0
    except Exception as exc:
        from autosync_desktop.services.core import expected_error

        return _report(expected_error(exc), log_file)


def _serve_api_beside_scheduler() -> None:
    """The window and `service` serve the local API when api.enabled is on: registered before the store opens
    (for the window: after its first frame, as it imports the services)."""
    from autosync_desktop.services.core import SCHEDULER_COMPANIONS

    if _serve_api not in SCHEDULER_COMPANIONS:
        SCHEDULER_COMPANIONS.append(_serve_api)


def _start_logging(args: argparse.Namespace) -> Path | None:
    """<data dir>/logs/autosync.log (its path, None when it cannot be written); warnings (-v: info) on stderr."""
    data_dir: Path = args.data_dir or default_data_dir()
    if data_dir.exists() and not data_dir.is_dir():
        raise CliError(f"--data-dir: {data_dir} is a file, not a directory")
    try:
        folder = setup_logging(data_dir, verbose=args.verbose)
    except OSError as exc:
        _err(f"cannot write the log file in {data_dir}: {exc.strerror or exc}; logging to stderr only")
        return None
    log.info("autosync %s: %s (pid %d)", __version__, args.command or "gui", os.getpid())
    return folder / LOG_NAME


def _reads_only(args: argparse.Namespace) -> bool:
    """A command that only reads the store: it still answers from a damaged store where SQLite can read."""
    action = getattr(args, "action", None)
    return args.command in ("status", "insights", "export") or (args.command == "runs" and action != "cancel") or (
        args.command in ("accounts", "schedules", "settings", "notify") and action in ("list", "get", "next"))


def _run(args: argparse.Namespace) -> int:
    if args.command in (None, "gui"):
        return _gui(args)
    from autosync_desktop.services import Services

    _serve_api_beside_scheduler()
    svc = Services.open(args.data_dir, kind=KINDS.get(args.command, "cli"), reads_only=_reads_only(args), notice=_err)
    try:
        code = COMMANDS[args.command](svc, args)
        if svc.damaged is not None:  # what could be read was shown; say that the store needs care all the same
            _err(f"{one_line(svc.damaged)} (this answer comes from what could still be read)")
        return code
    finally:
        if svc.scheduler is None:  # the service closes itself after its last message
            svc.close()


def _report(exc: BaseException, log_file: Path | None) -> int:
    """One line on stderr and the exit code; the traceback goes to the log file only."""
    if isinstance(exc, AutoSyncError):
        log.info("%s: %s", type(exc).__name__, one_line(exc), exc_info=exc, extra=FILE_ONLY)
        _err(one_line(exc))
        return exc.exit_code
    log.error("unexpected error", exc_info=exc, extra=FILE_ONLY)
    where = f"details in {log_file}" if log_file is not None else "no log file could be written"
    _err(f"Unexpected error: {type(exc).__name__}: {one_line(exc)} ({where})")
    return 1


if __name__ == "__main__":
    sys.exit(main())
