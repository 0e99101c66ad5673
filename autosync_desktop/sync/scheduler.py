"""The scheduler service: a thin adapter from the Schedule table to an APScheduler 3 BackgroundScheduler.

The database is the source of truth. At start the jobs are rebuilt from it (memory job store), missed runs
are handled by each schedule's policy, and every job's next run time is written back for display. A poll
job picks up changes made by other processes (a CLI adding a schedule, queueing a run, cancelling one).
Jobs only *queue* runs; the Runner executes them on its own bounded pool, so a busy pool never makes
APScheduler think a tick was missed.

Missed runs: a tick that could not fire on time (app closed, machine asleep) becomes one catch-up run
(policy run_once, the default) or one visible `skipped` record (policy skip) - never a flood. Sleep is
detected by a wall-clock jump against the monotonic clock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from peewee import SqliteDatabase, fn

from autosync_desktop import events as ev
from autosync_desktop.clock import SYSTEM_CLOCK, Clock
from autosync_desktop.store import retention, runs, settings, timed_pause
from autosync_desktop.store.models import ACTIVE_STATUSES, Account, Schedule, SyncRun
from autosync_desktop.sync import platform_holds, probe, stagger, triggers
from autosync_desktop.sync.platform_holds import Hold, PlatformHolds, held_words
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.upstream_gate import UpstreamGate

if TYPE_CHECKING:  # APScheduler's scheduler is imported when a SchedulerService is made (not by the CLI's import)
    from apscheduler.events import JobExecutionEvent

log = logging.getLogger(__name__)

MISFIRE_GRACE_S = 120
POLL_INTERVAL_S = 2.0
WAKE_CHECK_S = 10.0
HOLDS_KEY = "scheduler.platform_holds"  # app state: the platform holds still lasting (sync/platform_holds.py)
WAKE_GAP_S = 60.0


def spec_of(schedule: Schedule) -> triggers.TriggerSpec:
    anchor = schedule.created_at.replace(tzinfo=UTC) if schedule.created_at else None
    return triggers.TriggerSpec(frequency=schedule.frequency, timezone=schedule.timezone,
                                every_minutes=schedule.every_minutes, at_time=schedule.at_time,
                                days=schedule.days, cron=schedule.cron, anchor=anchor,
                                offset_minutes=stagger.offset_minutes(schedule))


def _naive_utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


class SchedulerService:
    def __init__(self, db: SqliteDatabase, bus: ev.EventBus, runner: Runner, clock: Clock = SYSTEM_CLOCK) -> None:
        self.db = db
        self.clock = clock
        self.bus = bus
        self.runner = runner
        from apscheduler.events import EVENT_JOB_MISSED
        from apscheduler.executors.pool import ThreadPoolExecutor as JobExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self._aps = BackgroundScheduler(
            executors={"default": JobExecutor(4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_S},
            timezone=UTC,
        )
        self._aps.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self._unsubscribe = bus.subscribe(self._on_finished, ev.RunFinished)
        self.gate = UpstreamGate(db, bus, clock, self._fire_waited, self.announce)  # schedules run after others
        self._lock = threading.RLock()
        self._signature: tuple[Any, ...] | None = None
        self._wall = clock.now().timestamp()
        self._mono = clock.monotonic()
        self.running = False
        self.holds = PlatformHolds()  # a limit shared by a platform's accounts holds their scheduled runs
        self.started_at: datetime | None = None  # for the Dashboard's "running since" / "last wake-up"
        self.last_wake_at: datetime | None = None

    # --- start / stop -------------------------------------------------------------------------------------

    def start(self, kind: str = "service") -> None:
        """Start scheduling; `kind` names this process (service, gui) for other processes to see."""
        from apscheduler.triggers.interval import IntervalTrigger

        runs.register_process(kind, runs_scheduler=True)  # first: runs queued for a scheduler are ours to claim
        for run_id in runs.reap_orphans(self.db):  # a crash's leftovers, announced like any ended run
            self.announce(SyncRun.get_by_id(run_id))
        self._aps.start()
        self.running = True
        self.started_at = self.last_wake_at = self.clock.now()
        for hold in platform_holds.from_json(settings.get(HOLDS_KEY)):  # a shared limit met before a restart
            if hold.until > self.started_at:
                self.holds.hold(hold)
        self._catch_up_after_downtime()
        self.sync_jobs(force=True)
        self._aps.add_job(self._poll, IntervalTrigger(seconds=POLL_INTERVAL_S), id="_poll",
                          misfire_grace_time=None)
        self._aps.add_job(self._check_wake, IntervalTrigger(seconds=WAKE_CHECK_S), id="_wake",
                          misfire_grace_time=None)
        self._aps.add_job(self._probe, IntervalTrigger(minutes=1), id="_probe", misfire_grace_time=None)
        self._aps.add_job(self.prune, IntervalTrigger(hours=24, start_date=self.clock.now() + timedelta(
            seconds=60)), id="_prune", misfire_grace_time=None)
        self.bus.publish(ev.SchedulerStateChanged(running=True, paused_all=settings.get("scheduler.paused_all")))

    def stop(self, wait: bool = True) -> None:
        """Stop scheduling, cancel running runs (they end at the next page boundary) and wait for them."""
        if not self.running:
            return
        self.running = False
        self._unsubscribe()
        self._aps.shutdown(wait=False)
        self.runner.shutdown(cancel=True, wait=wait)
        runs.unregister_process()
        self.bus.publish(ev.SchedulerStateChanged(running=False))

    # --- jobs from the table ------------------------------------------------------------------------------

    def _table_signature(self) -> tuple[Any, ...]:
        row = Schedule.select(fn.COUNT(Schedule.id), fn.MAX(Schedule.updated_at), fn.SUM(Schedule.id)).scalar(
            as_tuple=True)
        return (*row, settings.get("scheduler.paused_all"))

    def sync_jobs(self, force: bool = False) -> None:
        """Make APScheduler's jobs match the Schedule table (cheap no-op when nothing changed)."""
        with self._lock:
            signature = self._table_signature()
            if not force and signature == self._signature:
                return
            self._signature = signature
            paused_all = settings.get("scheduler.paused_all")
            wanted: dict[str, Schedule] = {}
            for schedule in Schedule.select():
                if schedule.paused or paused_all or schedule.frequency == "manual":
                    self._write_next(schedule, None)
                    continue
                wanted[f"schedule:{schedule.id}"] = schedule
            for job in self._aps.get_jobs():
                if job.id.startswith("schedule:") and job.id not in wanted:
                    job.remove()
            for job_id, schedule in wanted.items():
                self._add_or_update(job_id, schedule)

    def _add_or_update(self, job_id: str, schedule: Schedule) -> None:
        spec = spec_of(schedule)
        trigger = triggers.build_trigger(spec)
        if trigger is None:
            return
        existing = self._aps.get_job(job_id)
        key = (schedule.frequency, schedule.every_minutes, schedule.at_time, schedule.days, schedule.cron,
               schedule.timezone, spec.offset_minutes)
        if existing is not None and existing.kwargs.get("key") == key:
            self._write_next(schedule, existing.next_run_time)
            return
        job = self._aps.add_job(self._fire, trigger, id=job_id, replace_existing=True,
                                kwargs={"schedule_id": schedule.id, "trigger": "scheduled", "key": key})
        self._write_next(schedule, job.next_run_time)

    def _write_next(self, schedule: Schedule, next_run: datetime | None) -> None:
        value = _naive_utc(next_run)
        if schedule.next_run_at != value:
            Schedule.update(next_run_at=value).where(Schedule.id == schedule.id).execute()
            self.bus.publish(ev.ScheduleChanged(schedule=schedule.name, change="next_run", next_run_at=next_run))

    def _refresh_next(self, schedule_id: int) -> None:
        schedule = Schedule.get_or_none(Schedule.id == schedule_id)
        job = self._aps.get_job(f"schedule:{schedule_id}")
        if schedule is not None:
            self._write_next(schedule, job.next_run_time if job else None)

    # --- firing -------------------------------------------------------------------------------------------

    def _fire(self, schedule_id: int, trigger: str, key: Any = None) -> int | None:
        """Queue one run of a schedule (or record it skipped if one is still active) and hand it over. A tick of
        a schedule that runs after others goes through the gate first: it may wait for them instead."""
        schedule = Schedule.get_or_none(Schedule.id == schedule_id)
        if schedule is None:
            return None
        if trigger in ("scheduled", "catch-up") and self.gate.tick(schedule):
            self._refresh_next(schedule_id)
            return None
        return self._fire_waited(schedule_id, trigger, ())

    def _fire_waited(self, schedule_id: int, trigger: str, missing: Sequence[str]) -> int | None:
        """Queue one run now (`missing`: the upstreams it runs without, recorded in the run)."""
        schedule = Schedule.get_or_none(Schedule.id == schedule_id)
        if schedule is None:
            return None
        account = runs.run_account(schedule)
        hold = self.holds.active(account.platform, self.clock.now()) if account is not None and trigger in (
            "scheduled", "catch-up") else None
        if hold is not None and account is not None:  # a shared limit is used up: run at its reset, not fail
            return self._held(schedule, account, trigger, hold, missing)
        run = runs.create_run(self.db, account=account, schedule=schedule, trigger=trigger,
                              sync_type=schedule.sync_type, missing_inputs=missing)
        self.submit(run)
        self._refresh_next(schedule_id)
        return run.id

    def _held(self, schedule: Schedule, account: Account, trigger: str, hold: Hold, missing: Sequence[str]) -> int:
        """Record this tick as skipped with the hold's reason (and the upstreams it would have run without), and
        run the schedule at the hold's end."""
        from autosync_desktop.connectors import registry

        reason = held_words(hold, registry.platform(hold.platform).label)
        run = runs.create_run(self.db, account=account, schedule=schedule, trigger=trigger,
                              sync_type=schedule.sync_type, missing_inputs=missing)
        if run.status == "queued":
            runs.finish_run(run.id, "skipped", reason=reason)
            runs.add_event(run.id, "warning", reason)
            run = SyncRun.get_by_id(run.id)
        self.retry_later(schedule.id, hold.until)
        self.announce(run)
        self._refresh_next(schedule.id)
        return int(run.id)

    def announce(self, run: SyncRun) -> None:
        """Tell listeners (feed, notifications) about a run this service queued or ended without executing it."""
        if run.status not in ACTIVE_STATUSES:
            self.bus.publish(ev.RunFinished(run_id=run.id, schedule=run.schedule_name, account=run.account_name,
                                            trigger=run.trigger, status=run.status, rows=run.rows,
                                            duration_s=run.duration_s, error_class=run.error_class,
                                            error=run.error_message or run.reason, platform=run.platform))
        else:
            self.bus.publish(ev.RunQueued(run_id=run.id, schedule=run.schedule_name, account=run.account_name,
                                          trigger=run.trigger))

    def submit(self, run: SyncRun) -> None:
        """Hand a run queued (and claimed) by this process to the runner."""
        self.announce(run)
        if run.status == "queued":
            self.runner.submit(run.id)

    def _poll(self) -> None:
        try:
            if timed_pause.due():
                settings.set_value("scheduler.paused_all", False)  # "Pause all for 1 h" is over
                log.info("the timed pause of all schedules ended; schedules resumed")
                self.bus.publish(ev.SchedulerStateChanged(running=True, paused_all=False,
                                                          detail="the timed pause ended"))
            self.sync_jobs()
            self.gate.check()  # waits that ended, dependency-only schedules whose upstreams are all fresh
            free = max(0, settings.get("scheduler.max_concurrent_runs") - len(self.runner.active_ids()))
            if free:
                for run in runs.claim_unclaimed(self.db, free):
                    self.submit(run)
            self.runner.beat()
        except Exception:
            log.exception("scheduler poll failed")

    # --- missed runs --------------------------------------------------------------------------------------

    def _catch_up_after_downtime(self) -> None:
        """Ticks that passed while no scheduler ran: one catch-up run or one skipped record per schedule."""
        now = self.clock.now().replace(tzinfo=None)
        if settings.get("scheduler.paused_all"):
            return
        for schedule in Schedule.select().where(~Schedule.paused & Schedule.next_run_at.is_null(False)):
            due = schedule.next_run_at
            if schedule.frequency == "manual" or due is None or due > now - timedelta(seconds=MISFIRE_GRACE_S):
                continue
            self._missed(schedule, due.replace(tzinfo=UTC), "AutoSync was not running",
                         delay_s=0.0)

    def _on_missed(self, event: JobExecutionEvent) -> None:
        if not event.job_id.startswith("schedule:"):
            return
        schedule = Schedule.get_or_none(Schedule.id == int(event.job_id.split(":", 1)[1]))
        if schedule is not None:
            self._missed(schedule, event.scheduled_run_time, "the computer was asleep or busy",
                         delay_s=settings.get("scheduler.wake_delay_s"))

    def _missed(self, schedule: Schedule, due: datetime, why: str, delay_s: float) -> None:
        due_text = due.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        if schedule.missed_policy == "skip":
            run = runs.create_run(self.db, account=runs.run_account(schedule), schedule=schedule,
                                  trigger="scheduled", sync_type=schedule.sync_type)
            if run.status == "queued":
                reason = f"Missed the run due at {due_text} ({why}); policy is skip"
                runs.finish_run(run.id, "skipped", reason=reason)
                runs.add_event(run.id, "warning", reason)
                self.announce(SyncRun.get_by_id(run.id))
            return
        log.info("schedule %s missed %s (%s): one catch-up run in %.0f s", schedule.name, due_text, why, delay_s)
        if delay_s <= 0:
            self._fire(schedule.id, "catch-up")
        else:
            from apscheduler.triggers.date import DateTrigger

            self._aps.add_job(self._fire, DateTrigger(self.clock.now() + timedelta(seconds=delay_s)),
                              id=f"catch-up:{schedule.id}", replace_existing=True, misfire_grace_time=None,
                              kwargs={"schedule_id": schedule.id, "trigger": "catch-up"})

    def _on_finished(self, event: ev.RunFinished) -> None:
        """A run deferred by a long rate limit gets one retry run at the platform's reset time; a succeeded run
        may complete the inputs of schedules that run after it."""
        if self.running and event.status == "succeeded" and event.schedule is not None:
            try:
                self.gate.check()
            except Exception:
                log.exception("checking the schedules that run after %s failed", event.schedule)
        if event.retry_at is not None and event.shared_limit and event.platform:
            self.holds.hold(Hold(platform=event.platform, until=event.retry_at, account=event.account,
                                 run_id=event.run_id))
            settings.set_state(HOLDS_KEY, platform_holds.to_json(self.holds.current(self.clock.now())))
        if event.retry_at is None or not self.running or event.schedule is None:
            return
        schedule = Schedule.get_or_none(Schedule.name == event.schedule)
        if schedule is not None:
            self.retry_later(schedule.id, event.retry_at)
            runs.add_event(event.run_id, "info", f"A retry run is scheduled for {event.retry_at:%Y-%m-%d %H:%M} UTC")

    def _check_wake(self) -> None:
        """A wall-clock jump much larger than the monotonic one means the machine slept."""
        self.last_wake_at = self.clock.now()
        wall, mono = self.last_wake_at.timestamp(), self.clock.monotonic()
        gap = (wall - self._wall) - (mono - self._mono)
        self._wall, self._mono = wall, mono
        if gap > WAKE_GAP_S:
            log.info("wake from sleep detected (%.0f s unaccounted); re-checking due jobs", gap)
            self.bus.publish(ev.SchedulerStateChanged(running=True, detail=f"woke after {gap:.0f} s"))
            self._aps.wakeup()

    # --- operations used by services ----------------------------------------------------------------------

    def run_now(self, schedule_id: int, trigger: str = "manual") -> int | None:
        return self._fire(schedule_id, trigger)

    def retry_later(self, schedule_id: int, at: datetime) -> None:
        from apscheduler.triggers.date import DateTrigger

        self._aps.add_job(self._fire, DateTrigger(at), id=f"retry:{schedule_id}", replace_existing=True,
                          misfire_grace_time=None, kwargs={"schedule_id": schedule_id, "trigger": "retry"})

    def next_run_at(self) -> datetime | None:
        times = [job.next_run_time for job in self._aps.get_jobs()
                 if job.id.startswith("schedule:") and job.next_run_time]
        return min(times) if times else None

    def _probe(self) -> None:
        try:
            probe.probe_due(self.runner.engine.credentials_for, self.bus)
        except Exception:
            log.exception("connectivity probe failed")

    def prune(self) -> retention.PruneResult | None:
        try:
            result = retention.prune(self.db, self.clock)
            self.bus.publish(ev.RetentionPruned(runs_deleted=result.runs_deleted,
                                                stats_deleted=result.stats_deleted))
            return result
        except Exception:
            log.exception("retention prune failed")
            return None
