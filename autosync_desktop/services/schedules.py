"""`services.schedules`: validate, add, update, pause (one, all, for some hours), remove, list, cards, next runs.

`SchedulesService` returns `ScheduleInfo` / `ScheduleCard` / `SpecCheck` (autosync_desktop/domain.py), never
peewee rows. `schedule_row` and `next_run_of` (schedule_rows.py, re-exported here) are for the other service modules
only; a backfill's size is backfill_sizes.py's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, Final, cast

from peewee import JOIN

from autosync_desktop import clock, names
from autosync_desktop import events as ev
from autosync_desktop.connectors import registry
from autosync_desktop.domain import (
    DemoSetup,
    Frequency,
    IfMissing,
    MissedPolicy,
    RunStatus,
    ScheduleCard,
    ScheduleInfo,
    ScheduleRun,
    SpecCheck,
    SyncType,
)
from autosync_desktop.services import export_schedules
from autosync_desktop.services.area import Area
from autosync_desktop.services.backfill_sizes import BackfillEstimate, BackfillLimits, backfill_estimate
from autosync_desktop.services.core import UserError
from autosync_desktop.services.schedule_links import Links, check_wait, cycle_in, describe, upstream_ids
from autosync_desktop.services.schedule_rows import (
    aware,
    check_choices,
    free_name,
    min_interval,
    next_run_of,
    schedule_row,
    schedule_run,
    validated_spec,
)
from autosync_desktop.store import dependencies as deps
from autosync_desktop.store import queries, settings, timed_pause
from autosync_desktop.store.models import (
    ACTIVE_STATUSES,
    FREQUENCIES,
    Account,
    Schedule,
    SyncRun,
    utcnow,
)
from autosync_desktop.sync import dependencies as rules
from autosync_desktop.sync import triggers, upstream_gate
from autosync_desktop.sync.scheduler import spec_of

__all__ = ["KEEP", "BackfillEstimate", "BackfillLimits", "Keep", "SchedulesService", "backfill_estimate",
           "next_run_of", "schedule_row"]

if TYPE_CHECKING:
    from autosync_desktop.export_spec import ExportSpec


class Keep(Enum):
    """`SchedulesService.update`'s "leave this field as it is" (None is a value there: "no lookback")."""

    KEEP = 0


KEEP: Final = Keep.KEEP
DEMO_ACCOUNT = "Demo account"


DEMO_SCHEDULE = "Demo sync"


class SchedulesService(Area):
    """Schedules and the global pause; tells a scheduler in this process to re-read its jobs."""

    # --- reading ---

    def get(self, name: str) -> ScheduleInfo:
        schedule = schedule_row(name)
        return self._info(schedule, queries.last_runs_by_schedule().get(schedule.id),
                          bool(settings.get("scheduler.paused_all")), Links.read())

    def list(self) -> tuple[ScheduleInfo, ...]:
        """Every schedule, by name."""
        last = queries.last_runs_by_schedule()
        paused_all = bool(settings.get("scheduler.paused_all"))
        links = Links.read()
        return tuple(self._info(s, last.get(s.id), paused_all, links)
                     for s in Schedule.select(Schedule, Account).join(Account, JOIN.LEFT_OUTER).order_by(Schedule.name))

    def cards(self) -> tuple[ScheduleCard, ...]:
        """Every schedule with its own paused flag, its last finished run and its active run."""
        last = queries.last_runs_by_schedule()
        active_ids: dict[int, int] = {}  # schedule id -> its oldest queued or running run
        pairs = cast(Iterable[tuple[int, int]], SyncRun.select(SyncRun.schedule, SyncRun.id).where(
            SyncRun.status.in_(ACTIVE_STATUSES) & SyncRun.schedule.is_null(False)).order_by(SyncRun.id).tuples())
        for schedule_id, run_id in pairs:
            active_ids.setdefault(schedule_id, run_id)
        by_id = {r.id: r for r in SyncRun.select().where(SyncRun.id.in_(list(active_ids.values())))}
        active = {schedule_id: by_id[run_id] for schedule_id, run_id in active_ids.items() if run_id in by_id}
        paused_all = bool(settings.get("scheduler.paused_all"))
        links = Links.read()
        cards = []
        for schedule in Schedule.select(Schedule, Account).join(Account, JOIN.LEFT_OUTER).order_by(Schedule.name):
            info = self._info(schedule, last.get(schedule.id), paused_all, links)
            run: SyncRun | None = last.get(schedule.id)
            if run is not None and run.status in ACTIVE_STATUSES:
                run = (SyncRun.select().where((SyncRun.schedule == schedule.id) & SyncRun.status.not_in(
                    (*ACTIVE_STATUSES, "skipped"))).order_by(SyncRun.queued_at.desc(), SyncRun.id.desc()).first())
            spec = registry.PLATFORMS.get(info.platform)
            label = spec.label if spec else ("File" if info.export else info.platform)
            cards.append(ScheduleCard(
                name=info.name, account=info.account, platform=info.platform, type=info.type,
                frequency=info.frequency, description=info.description, every_minutes=info.every_minutes,
                at=info.at, days=info.days, cron=info.cron, timezone=info.timezone, lookback_days=info.lookback_days,
                missed=info.missed, paused=info.paused, next_run_at=info.next_run_at, last_status=info.last_status,
                last_run_at=info.last_run_at, own_paused=bool(schedule.paused), paused_all=paused_all,
                created_at=aware(schedule.created_at),
                platform_label=label, last_run=schedule_run(run) if run else None,
                active_run=schedule_run(active[schedule.id]) if schedule.id in active else None, export=info.export,
                after=info.after, waiting_for=info.waiting_for, waiting_since=info.waiting_since,
                wait_deadline=info.wait_deadline, wait_max_minutes=info.wait_max_minutes, if_missing=info.if_missing,
                downstream=info.downstream))
        return tuple(cards)

    @staticmethod
    def _info(schedule: Schedule, last: SyncRun | None, paused_all: bool, links: Links) -> ScheduleInfo:
        paused = bool(schedule.paused or paused_all)
        account, platform = export_schedules.owner_words(schedule)
        after = tuple(links.up.get(schedule.name, ()))
        waiting_for = upstream_gate.missing_of(schedule) if after and schedule.waiting_since is not None else ()
        waited = aware(schedule.waiting_since) if waiting_for else None
        wait_max = schedule.wait_max_minutes or rules.DEFAULT_WAIT_MINUTES
        return ScheduleInfo(
            name=schedule.name, account=account, platform=platform, export=export_schedules.spec_of(schedule),
            type=SyncType(schedule.sync_type), frequency=Frequency(schedule.frequency),
            description=describe(spec_of(schedule), after), every_minutes=schedule.every_minutes,
            at=schedule.at_time, days=schedule.days, cron=schedule.cron, timezone=schedule.timezone,
            lookback_days=schedule.lookback_days, missed=MissedPolicy(schedule.missed_policy), paused=paused,
            next_run_at=None if paused else aware(next_run_of(schedule)),
            last_status=RunStatus(last.status) if last else None,
            last_run_at=aware(last.queued_at) if last else None, after=after, waiting_for=waiting_for,
            waiting_since=waited, wait_deadline=rules.deadline(waited, wait_max) if waited else None,
            wait_max_minutes=wait_max, if_missing=IfMissing(schedule.if_missing),
            downstream=tuple(links.down.get(schedule.name, ())))

    def next_runs(self, name: str, count: int = 5) -> tuple[datetime, ...]:
        if count < 1 or count > 100:
            raise UserError("--count: must be between 1 and 100")
        schedule = schedule_row(name)
        if schedule.paused or settings.get("scheduler.paused_all"):
            return ()
        return tuple(triggers.next_runs(spec_of(schedule), count))

    def ids(self) -> dict[str, int]:
        """Every schedule's id by its name (the local REST API names schedules by id)."""
        pairs = cast(Iterable[tuple[int, str]], Schedule.select(Schedule.id, Schedule.name).tuples())
        return {name: schedule_id for schedule_id, name in pairs}

    def name_of(self, schedule_id: int) -> str | None:
        """The name of the schedule with this id, or None when there is none."""
        schedule = Schedule.get_or_none(Schedule.id == schedule_id)
        return None if schedule is None else str(schedule.name)

    def recent_runs(self, limit: int = 10) -> dict[str, tuple[ScheduleRun, ...]]:
        """Each schedule's latest `limit` runs, newest first (one indexed query per schedule: (schedule, queued_at));
        schedules without runs are absent. For the Schedules page's strip of last runs."""
        out: dict[str, tuple[ScheduleRun, ...]] = {}
        for schedule in Schedule.select(Schedule.id, Schedule.name):
            runs = list(SyncRun.select().where(SyncRun.schedule == schedule.id)
                        .order_by(SyncRun.queued_at.desc(), SyncRun.id.desc()).limit(max(1, limit)))
            if runs:
                out[schedule.name] = tuple(schedule_run(run) for run in runs)
        return out

    def backfill_limits(self, name: str) -> BackfillLimits:
        """What sizes a backfill of this schedule: its platform's longest request window and whether it also
        reads the campaigns (one more call)."""
        schedule = schedule_row(name)
        spec = registry.platform(schedule.owner().platform)
        return BackfillLimits(max_window_days=spec.max_window_days, platform_label=spec.label,
                              reads_campaigns=schedule.sync_type in ("both", "campaigns"),
                              reads_stats=schedule.sync_type in ("both", "performance"))

    # --- the editor's live check (pure: no store, no keyring; fine on the GUI thread) ---

    @staticmethod
    def default_timezone() -> str:
        """The system's IANA time zone: what a schedule uses when none is given."""
        return triggers.system_timezone()

    @staticmethod
    def after_problem(name: str, after: Sequence[str], edges: Mapping[str, Sequence[str]]) -> str | None:
        """The `--after` message when `name` running after `after` would make a schedule wait for itself, else None
        (pure: `edges` maps each schedule to those it runs after, e.g. from the cards' `after`)."""
        return cycle_in(name, after, edges)

    @staticmethod
    def weekdays() -> tuple[str, ...]:
        """The day names `days` is made of, Monday first ("mon", ..., "sun")."""
        return triggers.WEEKDAYS

    @staticmethod
    def validate(frequency: str, timezone: str, *, every_minutes: int | str | None = None, at: str | None = None,
                 days: str | None = None, cron: str | None = None, platform: str | None = None,
                 created_at: datetime | None = None, count: int = 5, after: datetime | None = None) -> SpecCheck:
        """Check a trigger as the editor has it (raw text is fine: every_minutes "abc" gets its message) and
        preview its next `count` runs after `after` (default now), anchored at `created_at` when editing."""
        if frequency not in FREQUENCIES:
            return SpecCheck(errors={"--frequency": f"must be one of {', '.join(FREQUENCIES)}"})
        every: int | None = None
        if isinstance(every_minutes, int):
            every = every_minutes
        elif every_minutes and every_minutes.strip().isdigit():
            every = int(every_minutes)
        elif every_minutes and every_minutes.strip() and frequency == "interval":
            return SpecCheck(errors={"--every-minutes": f"{every_minutes.strip()!r} is not a whole number of "
                                                        "minutes; use e.g. --every-minutes 15"})
        draft = triggers.TriggerSpec(frequency=frequency, timezone=timezone, every_minutes=every, at_time=at,
                                     days=days, cron=cron, anchor=created_at)
        try:
            spec = triggers.validate(draft, min_interval_minutes=min_interval(platform))
        except triggers.ScheduleSpecError as exc:
            return SpecCheck(errors={exc.field: exc.message})
        return SpecCheck(next_runs=tuple(triggers.next_runs(spec, count, after=after or clock.now())))

    # --- changing ---

    def add(self, name: str, account: str, sync_type: str = "both", frequency: str = "daily", *,
            every_minutes: int | None = None, at: str | None = None, days: str | None = None,
            cron: str | None = None, timezone: str | None = None, lookback_days: int | None = None,
            missed: str = "run_once", paused: bool = False, after: Sequence[str] = (),
            wait_max_minutes: int | None = None, if_missing: str = "run") -> ScheduleInfo:
        """A new schedule; `after`: the schedules it runs after (see README, "Schedules that wait for each other")."""
        from autosync_desktop.services.accounts import account_row

        if sync_type == "export":
            raise UserError("--type: an export schedule takes --output and --range instead of an account")
        name = free_name(name, "--name")
        owner = account_row(account)
        check_choices(sync_type, missed, lookback_days)
        check_wait(wait_max_minutes, if_missing)
        spec = validated_spec(owner, frequency, every_minutes=every_minutes, at=at, days=days, cron=cron,
                               timezone=timezone)
        return self._create(name, after, account=owner, sync_type=sync_type, spec=spec, lookback_days=lookback_days,
                            missed_policy=missed, paused=paused, wait_max_minutes=wait_max_minutes,
                            if_missing=if_missing)

    def add_export(self, name: str, export: ExportSpec, frequency: str = "manual", *,
                   every_minutes: int | None = None, at: str | None = None, days: str | None = None,
                   cron: str | None = None, timezone: str | None = None, missed: str = "run_once",
                   paused: bool = False, after: Sequence[str] = (), wait_max_minutes: int | None = None,
                   if_missing: str = "run") -> ScheduleInfo:
        """An export schedule ("the morning file"): writes `export` (export_spec.make_spec) when it fires; without
        a time trigger ("manual") it runs when asked, or once its upstreams (`after`) have all synced."""
        name = free_name(name, "--name")
        export = export_schedules.checked(export)
        check_choices("export", missed, None)
        check_wait(wait_max_minutes, if_missing)
        spec = validated_spec(None, frequency, every_minutes=every_minutes, at=at, days=days, cron=cron,
                               timezone=timezone)
        return self._create(name, after, account=None, sync_type="export", spec=spec, missed_policy=missed,
                            paused=paused, export_options=export.to_json(), wait_max_minutes=wait_max_minutes,
                            if_missing=if_missing)

    def _create(self, name: str, after: Sequence[str], *, spec: triggers.TriggerSpec, **fields: Any) -> ScheduleInfo:
        """Insert a checked schedule (`spec`: its validated trigger) with its upstream links, in one transaction."""
        up_ids = upstream_ids(name, after, None)
        with self.core.db.atomic():
            schedule = Schedule.create(name=name, frequency=spec.frequency, every_minutes=spec.every_minutes,
                                       at_time=spec.at_time, days=spec.days, cron=spec.cron, timezone=spec.timezone,
                                       **fields)
            deps.set_upstreams(schedule.id, up_ids)
        self._changed(schedule.name, "created")
        return self.get(schedule.name)

    def update(self, name: str, *, new_name: str | None = None, account: str | None = None,
               sync_type: str | None = None, frequency: str | None = None,
               every_minutes: int | Keep | None = KEEP, at: str | Keep | None = KEEP,
               days: str | Keep | None = KEEP, cron: str | Keep | None = KEEP, timezone: str | None = None,
               lookback_days: int | Keep | None = KEEP, missed: str | None = None,
               paused: bool | None = None, export: ExportSpec | None = None, after: Sequence[str] | None = None,
               wait_max_minutes: int | Keep | None = KEEP, if_missing: str | None = None) -> ScheduleInfo:
        """Change some fields of a schedule (the others stay); the same validation as `add` applies to the result.
        An export schedule stays one (`export`: its new options); a sync schedule stays one. `after=()` clears the
        schedules it runs after; None keeps them."""
        from autosync_desktop.services.accounts import account_row

        schedule = schedule_row(name)
        target = schedule.name if not new_name or new_name == schedule.name else free_name(
            new_name, "--name", current=schedule.id)
        is_export = schedule.sync_type == "export"
        if (sync_type == "export") != is_export and sync_type is not None:
            raise UserError("--type: a sync schedule cannot become an export schedule or back; add a new one")
        if is_export and account is not None:
            raise UserError("--account: an export schedule reads the accounts in its --accounts")
        owner = None if is_export else account_row(account) if account is not None else schedule.owner()
        options = (export_schedules.checked(export).to_json() if export is not None and is_export
                   else schedule.export_options)
        sync_type = sync_type if sync_type is not None else schedule.sync_type
        missed = missed if missed is not None else schedule.missed_policy
        lookback = schedule.lookback_days if isinstance(lookback_days, Keep) else lookback_days
        wait_max = schedule.wait_max_minutes if isinstance(wait_max_minutes, Keep) else wait_max_minutes
        if_missing = if_missing if if_missing is not None else schedule.if_missing
        check_choices(sync_type, missed, lookback)
        check_wait(wait_max, if_missing)
        spec = validated_spec(
            owner, frequency if frequency is not None else schedule.frequency,
            every_minutes=schedule.every_minutes if isinstance(every_minutes, Keep) else every_minutes,
            at=schedule.at_time if isinstance(at, Keep) else at,
            days=schedule.days if isinstance(days, Keep) else days,
            cron=schedule.cron if isinstance(cron, Keep) else cron,
            timezone=timezone if timezone is not None else schedule.timezone)
        up_ids = upstream_ids(schedule.name, after, schedule.id) if after is not None else None  # links: old name
        with self.core.db.atomic():
            Schedule.update(name=target, account=owner, sync_type=sync_type, frequency=spec.frequency,
                            every_minutes=spec.every_minutes, at_time=spec.at_time, days=spec.days, cron=spec.cron,
                            timezone=spec.timezone, lookback_days=lookback, missed_policy=missed,
                            paused=bool(schedule.paused if paused is None else paused), updated_at=utcnow(),
                            export_options=options, wait_max_minutes=wait_max, if_missing=if_missing,
                            waiting_since=schedule.waiting_since if up_ids is None or up_ids else None,
                            ).where(Schedule.id == schedule.id).execute()
            if up_ids is not None:
                deps.set_upstreams(schedule.id, up_ids)
        self._changed(target, "updated")
        return self.get(target)

    def ensure_demo(self, every_minutes: int = 5) -> DemoSetup:
        """The Demo account (any account of the demo platform, else a new "Demo account") and a schedule of it
        (its first, else a new "Demo sync" every `every_minutes`). Checked first, then created in one transaction:
        both or neither."""
        check = self.validate("interval", "UTC", every_minutes=every_minutes, platform="demo")
        if check.errors:
            field, message = next(iter(check.errors.items()))
            raise UserError(f"{field}: {message}")
        with self.core.db.atomic("IMMEDIATE"):  # read, then write: the write lock first (see sync/writer.py)
            account = Account.select().where(Account.platform == "demo").order_by(Account.id).first()
            created_account = account is None
            account_name = (self.core.accounts.add("demo", DEMO_ACCOUNT, "demo-1").name if account is None
                            else account.name)
            schedule = (Schedule.select().join(Account).where(Account.name == account_name)
                        .order_by(Schedule.id).first())
            created_schedule = schedule is None
            if schedule is None:
                taken = [s.name for s in Schedule.select(Schedule.name)]
                name = next(candidate for candidate in (DEMO_SCHEDULE, *(f"{DEMO_SCHEDULE} {n}" for n in range(2, 100)))
                            if names.clash(candidate, taken) is None)
                schedule_name = self.add(name, account_name, "both", "interval", every_minutes=every_minutes).name
            else:
                schedule_name = schedule.name
        return DemoSetup(account=account_name, schedule=schedule_name, created_account=created_account,
                         created_schedule=created_schedule)

    def pause(self, name: str) -> ScheduleInfo:
        return self._set_paused(name, True)

    def resume(self, name: str) -> ScheduleInfo:
        return self._set_paused(name, False)

    def _set_paused(self, name: str, paused: bool) -> ScheduleInfo:
        schedule = schedule_row(name)
        Schedule.update(paused=paused, updated_at=utcnow()).where(Schedule.id == schedule.id).execute()
        self._changed(schedule.name, "paused" if paused else "resumed")
        return self.get(schedule.name)

    def remove(self, name: str, confirmed: bool = False) -> None:
        """Remove a schedule (its runs stay in the history). Schedules that run after it lose that link; unless
        `confirmed`, that is refused with their names first."""
        schedule = schedule_row(name)
        downstream = deps.downstream_names(schedule.id)
        if downstream and not confirmed:
            them = ", ".join(downstream)
            raise UserError(f"remove: {them} run{'s' if len(downstream) == 1 else ''} after {schedule.name!r}; add "
                            f"--yes to remove it and {'that link' if len(downstream) == 1 else 'those links'}")
        with self.core.db.atomic():
            schedule.delete_instance()  # runs keep their schedule_name; history stays; links go (FK cascade)
            alone = [d.id for d in Schedule.select(Schedule.id).where(Schedule.name.in_(downstream))
                     if not deps.upstreams_of(d.id)]
            Schedule.update(waiting_since=None).where(Schedule.id.in_(alone)).execute()  # nothing left to wait for
        self._changed(schedule.name, "removed")
        for other in downstream:
            self._changed(other, "updated")

    def _changed(self, name: str, change: str) -> None:
        if self.core.scheduler is not None:
            self.core.scheduler.sync_jobs()
        self.core.bus.publish(ev.ScheduleChanged(schedule=name, change=change))

    # --- the global pause ---

    def pause_all(self, hours: float | None = None, now: datetime | None = None) -> datetime | None:
        """Pause every schedule until resumed, or for `hours`: the end is stored, so whichever process runs the
        scheduler resumes on time even across a restart (store/timed_pause.py). Returns the end, if any."""
        until = (now or clock.now()) + timedelta(hours=hours) if hours else None
        self._set_paused_all(True, until)
        return until

    def resume_all(self) -> None:
        self._set_paused_all(False)

    def resume_if_due(self, now: datetime | None = None) -> bool:
        """End a timed pause whose end has passed; the scheduler also checks this every few seconds."""
        if not timed_pause.due(now):
            return False
        self._set_paused_all(False)
        return True

    def paused_until(self) -> datetime | None:
        """When a timed pause of all schedules ends (aware UTC); None without one."""
        return timed_pause.paused_until()

    def _set_paused_all(self, paused: bool, until: datetime | None = None) -> None:
        settings.set_value("scheduler.paused_all", paused)  # also ends a timed pause
        if paused and until is not None:  # stored before anyone is told, so listeners read the end too
            settings.set_value("scheduler.paused_until", timed_pause.fmt(until))
        scheduler = self.core.scheduler
        if scheduler is not None:
            scheduler.sync_jobs()
        self.core.bus.publish(ev.SchedulerStateChanged(running=scheduler is not None, paused_all=paused))
