"""What the tray icon shows and offers, as plain data: no Qt here, so it is tested without a tray.

`collect(services)` reads one `TraySnapshot` (call it in a worker: it queries the store). `tray_state(snapshot)`
turns it into a `TrayState`: the icon (ok / running / attention), a tooltip and the menu entries. The tray's
actions that change things (sync all, pause for an hour, pause until resumed, resume, resume when due) are
the functions at the end; they only call the services, so the headless service can use them too.

"Pause all for 1 h" goes through `services.schedules.pause_all(hours)`, which stores the end
(store/timed_pause.py); whichever process runs the scheduler resumes on time, and the window also checks once
at start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from autosync_desktop.domain import AuthState, Frequency, Health, RunStatus
from autosync_desktop.gui import formatting as fmt

log = logging.getLogger(__name__)

CLOSE_TO_TRAY = "general.close_to_tray"
ATTENTION_RUN_STATUSES = (RunStatus.FAILED, RunStatus.INTERRUPTED)
ATTENTION_HEALTH = {Health.FAILING: "failing", Health.NEEDS_SIGN_IN: "needs sign-in",
                    Health.NEEDS_UPDATE: "needs an AutoSync update (its API version is retiring)"}
MAX_RUNS_IN_MENU = 8
MAX_PROBLEMS_IN_MENU = 3
APP = "AutoSync Desktop"


@dataclass(frozen=True, slots=True)
class ActiveRun:
    run_id: int
    name: str  # the schedule's name, or the account's for a run of its own
    status: RunStatus  # queued | running
    started_at: datetime | None


@dataclass(frozen=True, slots=True)
class TraySnapshot:
    """What the tray needs, read in one go from the services."""

    scheduler_owner: str | None  # "this process", "service pid 12", or None: nobody runs the scheduler
    paused_all: bool
    paused_until: datetime | None  # when a timed pause ends (aware UTC)
    next_run_at: datetime | None
    next_schedule: str | None
    active_runs: tuple[ActiveRun, ...] = ()
    problems: tuple[str, ...] = ()  # "Acme Google: needs sign-in", "Daily Meta: last run failed"
    schedules: int = 0
    active_schedules: int = 0  # neither paused on its own nor manual-only
    close_to_tray: bool = True
    scheduler_starting: bool = False  # the window is about to start the scheduler (not a problem yet)


@dataclass(frozen=True, slots=True)
class MenuEntry:
    text: str
    action: str | None = None  # None: an information line (shown disabled)
    arg: Any = None
    separator: bool = False


SEPARATOR = MenuEntry("", separator=True)


@dataclass(frozen=True, slots=True)
class TrayState:
    icon: str  # ok | running | attention
    tooltip: str
    entries: tuple[MenuEntry, ...] = field(default_factory=tuple)

    def actions(self) -> list[MenuEntry]:
        return [e for e in self.entries if e.action is not None]


def collect(services: Any) -> TraySnapshot:
    """One snapshot from the services (blocking: call it from a worker)."""
    info = services.metrics.scheduler_info()
    cards = services.schedules.cards()
    problems: list[str] = []
    troubled: set[str] = set()  # accounts already named: their schedules' failed runs say nothing new
    for account in services.accounts.list():
        why = ("needs sign-in" if account.auth_state == AuthState.NEEDS_SIGN_IN
               else ATTENTION_HEALTH.get(account.health))
        if why:
            problems.append(f"{account.name}: {why}")
            troubled.add(account.name)
    for card in cards:
        last = card.last_run
        if last is not None and last.status in ATTENTION_RUN_STATUSES and card.account not in troubled:
            problems.append(f"{card.name}: last run {last.status.value}")
    active = tuple(ActiveRun(r.id, r.who, r.status, r.started_at) for r in services.runs.active())
    active_schedules = sum(1 for c in cards if not c.own_paused and c.frequency != Frequency.MANUAL)
    return TraySnapshot(
        scheduler_owner=info.owner, paused_all=info.paused_all,
        paused_until=services.schedules.paused_until(), next_run_at=info.next_run_at,
        next_schedule=info.next_schedule, active_runs=active, problems=tuple(problems), schedules=len(cards),
        active_schedules=active_schedules, close_to_tray=bool(services.settings.value(CLOSE_TO_TRAY)))


def icon_of(snapshot: TraySnapshot) -> str:
    """attention beats running beats ok: a red icon must not hide behind a sync that happens to run."""
    if snapshot.problems or (snapshot.scheduler_owner is None and snapshot.active_schedules
                             and not snapshot.paused_all and not snapshot.scheduler_starting):
        return "attention"
    return "running" if snapshot.active_runs else "ok"


def pause_text(snapshot: TraySnapshot) -> str:
    if not snapshot.paused_all:
        return ""
    if snapshot.paused_until is not None:
        return f"All schedules paused until {fmt.fmt_clock(snapshot.paused_until)}"
    return "All schedules paused until you resume them"


def next_text(snapshot: TraySnapshot) -> str:
    if snapshot.paused_all:
        return pause_text(snapshot)
    if snapshot.scheduler_owner is None:
        return "Scheduler starting…" if snapshot.scheduler_starting else "Scheduler not running: no scheduled syncs"
    if snapshot.next_run_at and snapshot.next_schedule:
        return f"Next sync: {snapshot.next_schedule} at {fmt.fmt_clock(snapshot.next_run_at)}"
    return "Next sync: none scheduled"


def status_text(snapshot: TraySnapshot) -> str:
    icon = icon_of(snapshot)
    if icon == "attention":
        problems = list(snapshot.problems)
        if not problems:
            problems = ["the scheduler is not running"]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return f"Needs attention: {problems[0]}{more}"
    if icon == "running":
        count = len(snapshot.active_runs)
        return f"{count} sync{'s' if count != 1 else ''} running"
    if not snapshot.schedules:
        return "No schedules yet"
    return "All good"


def _run_entry(run: ActiveRun) -> MenuEntry:
    if run.status == "running" and run.started_at:
        since = f"running since {fmt.fmt_clock(run.started_at)}"
    else:
        since = run.status
    return MenuEntry(f"Cancel “{run.name}” ({since})", "cancel", run.run_id)


def tray_state(snapshot: TraySnapshot) -> TrayState:
    status = status_text(snapshot)
    entries: list[MenuEntry] = [MenuEntry(status)]
    entries += [MenuEntry(f"  {p}") for p in snapshot.problems[1:MAX_PROBLEMS_IN_MENU + 1]]
    entries.append(MenuEntry(next_text(snapshot)))
    runs = snapshot.active_runs
    if runs:
        entries.append(SEPARATOR)
        entries += [_run_entry(run) for run in runs[:MAX_RUNS_IN_MENU]]
        if len(runs) > MAX_RUNS_IN_MENU:
            entries.append(MenuEntry(f"… and {len(runs) - MAX_RUNS_IN_MENU} more (open AutoSync to see them)"))
    entries.append(SEPARATOR)
    entries.append(MenuEntry("Sync all now", "sync_all"))
    if snapshot.paused_all:
        entries.append(MenuEntry("Resume all", "resume"))
    else:
        entries.append(MenuEntry("Pause all for 1 h", "pause_hour"))
        entries.append(MenuEntry("Pause all until resumed", "pause"))
    entries += [SEPARATOR, MenuEntry("Open AutoSync", "open"), MenuEntry("Quit", "quit")]
    lines = [f"{APP} — {status}", next_text(snapshot)]
    lines += list(snapshot.problems[1:MAX_PROBLEMS_IN_MENU + 1])
    return TrayState(icon_of(snapshot), "\n".join(lines), tuple(entries))


# --- actions (blocking: call them from a worker, or from the headless service's own thread) ---

def sync_all(services: Any) -> str:
    """Queue a run of every schedule, except those paused on their own and those already syncing."""
    queued = busy = paused = 0
    for card in services.schedules.cards():
        if card.own_paused:
            paused += 1
        elif card.active_run is not None:
            busy += 1
        else:
            request = services.runs.request(card.name)
            queued += request.status == "queued"
            busy += request.status != "queued"
    if not (queued or busy or paused):
        return "No schedules to sync yet"
    text = f"Queued {queued} sync{'s' if queued != 1 else ''}"
    if busy:
        text += f"; {busy} already running"
    if paused:
        text += f"; {paused} paused schedule{'s' if paused != 1 else ''} left out"
    return text


def pause_all(services: Any, hours: float | None = None, now: datetime | None = None) -> str:
    """Pause every schedule, until resumed (`hours` None) or for `hours` (the end survives a restart)."""
    until = services.schedules.pause_all(hours, now)
    if until is None:
        return "All schedules paused until you resume them"
    return f"All schedules paused until {fmt.fmt_clock(until)}"


def resume_all(services: Any) -> str:
    services.schedules.resume_all()
    return "All schedules resumed"


def resume_if_due(services: Any, now: datetime | None = None) -> bool:
    """End a timed pause whose end has passed (the scheduler does this too; the window checks at start)."""
    return bool(services.schedules.resume_if_due(now))


def seconds_until_due(snapshot: TraySnapshot, now: datetime | None = None) -> float | None:
    """Seconds until a timed pause ends (0 when overdue); None without one."""
    if not snapshot.paused_all or snapshot.paused_until is None:
        return None
    return max(0.0, (snapshot.paused_until - (now or datetime.now(UTC))).total_seconds())
