"""Schedules that wait for each other: the rules, as pure functions (no store, no clock: `now` is passed in).

A downstream schedule runs after its upstreams. An upstream is *fresh* when its latest finished run since the
downstream's own last run (or, before any, since the downstream was created) succeeded. All fresh: the
downstream runs once (its new run moves "since" past those upstream runs, so it waits for all of them again).

- Without a time trigger (frequency manual + upstreams), the downstream runs whenever its upstreams are all fresh.
- With one, a tick runs at once only when all are fresh; otherwise it opens a wait (`waiting_since`) of at most
  `wait_max`. All fresh during the wait: it runs. At the deadline: it runs anyway (if_missing "run", recording the
  missing inputs) or records a skipped run (if_missing "skip").
A failed upstream is never fresh, so it never triggers its downstream.

The scheduler (sync/upstream_gate.py) reads the store and acts on the `Decision`s made here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

MIN_WAIT_MINUTES = 1
MAX_WAIT_MINUTES = 7 * 24 * 60
DEFAULT_WAIT_MINUTES = 120


@dataclass(frozen=True, slots=True)
class UpstreamRun:
    """An upstream's latest finished run since the downstream's last run (None in the mapping: none yet)."""

    status: str  # succeeded | failed | cancelled | interrupted
    finished_at: datetime


def missing(upstreams: Mapping[str, UpstreamRun | None]) -> tuple[str, ...]:
    """The upstreams that are not fresh (no finished run since, or the latest one did not succeed), by name."""
    return tuple(sorted((name for name, run in upstreams.items() if run is None or run.status != "succeeded"),
                        key=str.casefold))


class Action(Enum):
    NOTHING = "nothing"  # no wait open and no reason to run
    RUN = "run"  # all upstreams fresh: queue one run now
    OPEN_WAIT = "open_wait"  # a tick with inputs missing: start waiting (waiting_since = now)
    KEEP_WAITING = "keep_waiting"
    RUN_WITHOUT = "run_without"  # the wait ended with inputs missing; run anyway and record them
    SKIP = "skip"  # the wait ended with inputs missing; record a skipped run


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    missing: tuple[str, ...] = ()
    deadline: datetime | None = None


def deadline(waiting_since: datetime, wait_max_minutes: int | None) -> datetime:
    return waiting_since + timedelta(minutes=wait_max_minutes or DEFAULT_WAIT_MINUTES)


def on_tick(missing_now: Sequence[str], now: datetime, wait_max_minutes: int | None,
            waiting_since: datetime | None = None) -> Decision:
    """A time trigger fired (or a missed tick's catch-up). An open wait stays as it is (its deadline holds)."""
    if not missing_now:
        return Decision(Action.RUN)
    if waiting_since is not None:
        return Decision(Action.KEEP_WAITING, tuple(missing_now), deadline(waiting_since, wait_max_minutes))
    return Decision(Action.OPEN_WAIT, tuple(missing_now), deadline(now, wait_max_minutes))


def on_check(missing_now: Sequence[str], now: datetime, *, time_triggered: bool, waiting_since: datetime | None,
             wait_max_minutes: int | None, if_missing: str) -> Decision:
    """An upstream finished, or the periodic check: what the downstream does now."""
    if waiting_since is None:
        if time_triggered:  # only a tick opens a wait; between ticks it does not run on its own
            return Decision(Action.NOTHING, tuple(missing_now))
        return Decision(Action.RUN) if not missing_now else Decision(Action.NOTHING, tuple(missing_now))
    end = deadline(waiting_since, wait_max_minutes)
    if not missing_now:
        return Decision(Action.RUN, (), end)
    if now < end:
        return Decision(Action.KEEP_WAITING, tuple(missing_now), end)
    return Decision(Action.SKIP if if_missing == "skip" else Action.RUN_WITHOUT, tuple(missing_now), end)


def find_cycle(schedule: str, upstreams: Iterable[str], edges: Mapping[str, Iterable[str]]) -> list[str] | None:
    """The path `schedule -> upstream -> ... -> schedule` that giving `schedule` these upstreams would close, or None.

    `edges` maps each schedule to the upstreams it has now (the schedule's own entry is ignored)."""
    graph = {name: list(ups) for name, ups in edges.items() if name != schedule}
    graph[schedule] = list(upstreams)
    path: list[str] = [schedule]
    seen: set[str] = set()

    def walk(node: str) -> bool:
        for up in graph.get(node, ()):
            if up == schedule:
                path.append(up)
                return True
            if up in seen:
                continue
            seen.add(up)
            path.append(up)
            if walk(up):
                return True
            path.pop()
        return False

    return path if walk(schedule) else None


def cycle_words(path: Sequence[str]) -> str:
    """'--after: Morning file → Google daily → Morning file would wait for itself'."""
    return f"--after: {' → '.join(path)} would wait for itself"


def parse_wait(text: str) -> int:
    """'30m', '2h', '90 minutes', '1d', '45' (minutes) -> minutes in [MIN_WAIT_MINUTES, MAX_WAIT_MINUTES], else
    ValueError with the fix."""
    raw = text.strip().lower().replace(" ", "")
    units = (("minutes", 1), ("minute", 1), ("mins", 1), ("min", 1), ("m", 1), ("hours", 60), ("hour", 60),
             ("h", 60), ("days", 1440), ("day", 1440), ("d", 1440))
    number, factor = raw, 1
    for suffix, mult in units:
        if raw.endswith(suffix):
            number, factor = raw[: -len(suffix)], mult
            break
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a duration; use e.g. 30m, 2h or 1d") from None
    minutes = round(value * factor)
    if not MIN_WAIT_MINUTES <= minutes <= MAX_WAIT_MINUTES:
        raise ValueError(f"{text.strip()!r} is out of range; wait between 1 minute and 7 days (e.g. 30m, 2h)")
    return minutes
