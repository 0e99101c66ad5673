"""The scheduler's side of schedules that wait for each other: reads the store, applies sync/dependencies.py's
rules, and queues, skips or keeps waiting.

`UpstreamGate.tick` is asked before a time trigger's run is queued (False: queue it as usual); `check` runs after
every finished run and on the scheduler's poll (a wait's deadline survives restarts: `waiting_since` is stored).
It queues runs through the `fire` callable it is given and publishes `WaitEnded` when a wait ends with inputs
missing (the notifier's stale-data alert). Touches store/dependencies.py, store/runs.py and the event bus.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from peewee import SqliteDatabase

from autosync_desktop import events as ev
from autosync_desktop.clock import Clock
from autosync_desktop.domain import wait_words
from autosync_desktop.store import dependencies as deps
from autosync_desktop.store import runs, settings
from autosync_desktop.store.models import Schedule, SyncRun
from autosync_desktop.sync import dependencies as rules
from autosync_desktop.sync.dependencies import Action

log = logging.getLogger(__name__)

Fire = Callable[[int, str, Sequence[str]], "int | None"]  # (schedule id, trigger, missing inputs) -> run id


def missing_of(schedule: Schedule) -> tuple[str, ...]:
    """The names of the schedule's upstreams that are not fresh now (empty: all fresh, or none at all)."""
    ups = deps.upstreams_of(schedule.id)
    if not ups:
        return ()
    ended = deps.latest_ended([u.id for u in ups], deps.since(schedule))
    return rules.missing({u.name: rules.UpstreamRun(*ended[u.id]) if u.id in ended else None for u in ups})


def run_without_words(missing: Sequence[str], minutes: int) -> str:
    them = "it" if len(missing) == 1 else "them"
    return f"Waited {wait_words(minutes)} for {', '.join(missing)}; ran without {them}"


def skip_words(missing: Sequence[str], minutes: int) -> str:
    did = "it" if len(missing) == 1 else "they"
    return (f"Skipped: waited {wait_words(minutes)} for {', '.join(missing)}, but {did} did not sync "
            "successfully in time (this schedule is set to skip when some are missing)")


class UpstreamGate:
    def __init__(self, db: SqliteDatabase, bus: ev.EventBus, clock: Clock, fire: Fire,
                 announce: Callable[[SyncRun], None]) -> None:
        self.db = db
        self.bus = bus
        self.clock = clock
        self.fire = fire
        self.announce = announce
        self._lock = threading.RLock()

    def _now(self) -> datetime:  # naive UTC, as the store keeps times
        return self.clock.now().replace(tzinfo=None)

    def tick(self, schedule: Schedule) -> bool:
        """A time trigger fired. True: the gate took it (a wait is open or kept); False: queue the run now."""
        with self._lock:
            if not deps.upstreams_of(schedule.id):
                return False
            fresh = Schedule.get_or_none(Schedule.id == schedule.id)
            if fresh is None:
                return True
            decision = rules.on_tick(missing_of(fresh), self._now(), fresh.wait_max_minutes, fresh.waiting_since)
            if decision.action is Action.RUN:
                if fresh.waiting_since is not None:
                    deps.set_waiting(fresh.id, None)
                return False
            if decision.action is Action.OPEN_WAIT:
                deps.set_waiting(fresh.id, self._now())
                log.info("schedule %s waits for %s until %s UTC", fresh.name, ", ".join(decision.missing),
                         decision.deadline)
                self.bus.publish(ev.ScheduleChanged(schedule=fresh.name, change="waiting"))
            return True

    def check(self) -> list[int]:
        """Queue (or skip) what is due now; returns the ids of the runs recorded."""
        out: list[int] = []
        with self._lock:
            paused_all = bool(settings.get("scheduler.paused_all"))
            for schedule in deps.dependent_schedules():
                try:
                    run_id = self._check_one(schedule, paused_all)
                except Exception:
                    log.exception("checking the upstreams of schedule %s failed", schedule.name)
                    continue
                if run_id is not None:
                    out.append(run_id)
        return out

    def _check_one(self, schedule: Schedule, paused_all: bool) -> int | None:
        if schedule.paused or paused_all:
            if schedule.waiting_since is not None:  # a paused schedule does not wait
                deps.set_waiting(schedule.id, None)
                self.bus.publish(ev.ScheduleChanged(schedule=schedule.name, change="waiting"))
            return None
        if runs.active_run_of(schedule.id) is not None:
            return None  # still running: upstream successes meanwhile count for its next run, not a skipped one
        decision = rules.on_check(missing_of(schedule), self._now(), time_triggered=schedule.frequency != "manual",
                                  waiting_since=schedule.waiting_since, wait_max_minutes=schedule.wait_max_minutes,
                                  if_missing=schedule.if_missing)
        if decision.action in (Action.NOTHING, Action.KEEP_WAITING, Action.OPEN_WAIT):
            return None
        if schedule.waiting_since is not None:
            deps.set_waiting(schedule.id, None)
        minutes = schedule.wait_max_minutes or rules.DEFAULT_WAIT_MINUTES
        if decision.action is Action.RUN:
            return self.fire(schedule.id, "scheduled", ())
        if decision.action is Action.RUN_WITHOUT:
            run_id = self.fire(schedule.id, "scheduled", decision.missing)
            fired = SyncRun.get_or_none(SyncRun.id == run_id) if run_id is not None else None
            ran = fired is not None and fired.status != "skipped"  # e.g. held by a shared limit, or still busy
            if ran and run_id is not None:
                runs.add_event(run_id, "warning", run_without_words(decision.missing, minutes))
            self._ended(schedule, decision.missing, ran=ran, run_id=run_id, minutes=minutes)
            return run_id
        run = runs.create_run(self.db, account=runs.run_account(schedule), schedule=schedule,
                              trigger="scheduled", sync_type=schedule.sync_type, missing_inputs=decision.missing)
        if run.status == "queued":
            reason = skip_words(decision.missing, minutes)
            runs.finish_run(run.id, "skipped", reason=reason)
            runs.add_event(run.id, "warning", reason)
        self.announce(SyncRun.get_by_id(run.id))
        self._ended(schedule, decision.missing, ran=False, run_id=run.id, minutes=minutes)
        return run.id

    def _ended(self, schedule: Schedule, missing: tuple[str, ...], *, ran: bool, run_id: int | None,
               minutes: int) -> None:
        log.warning("schedule %s: the wait for %s ended without them (%s)", schedule.name, ", ".join(missing),
                    "ran anyway" if ran else "skipped")
        self.bus.publish(ev.WaitEnded(schedule=schedule.name, missing=missing, ran=ran, run_id=run_id,
                                      waited_minutes=minutes, waited=wait_words(minutes)))
        self.bus.publish(ev.ScheduleChanged(schedule=schedule.name, change="waiting"))
