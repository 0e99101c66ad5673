"""Schedules: validate, add, update, pause (one, all, for some hours), remove, list, next runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from autosync_desktop import events as ev
from autosync_desktop.connectors import registry
from autosync_desktop.services.core import UserError, _int_in_range, iso
from autosync_desktop.store import queries, settings, timed_pause
from autosync_desktop.store.models import FREQUENCIES, MISSED_POLICIES, SCHEDULE_TYPES, Account, Schedule, utcnow
from autosync_desktop.sync import triggers
from autosync_desktop.sync.scheduler import SchedulerService, spec_of


class SchedulesMixin:
    """Schedules and the global pause; tells a scheduler in this process to re-read its jobs."""

    bus: ev.EventBus
    scheduler: SchedulerService | None

    if TYPE_CHECKING:  # provided by AccountsMixin (accounts.py)
        def account(self, name: str) -> Account: ...

    def schedule(self, name: str) -> Schedule:
        schedule = Schedule.get_or_none(Schedule.name == name)
        if schedule is None:
            known = ", ".join(s.name for s in Schedule.select(Schedule.name).order_by(Schedule.name)) or "none"
            raise UserError(f"Unknown schedule {name!r} (schedules: {known})")
        return schedule

    def _validated_spec(self, account: Account, frequency: str, *, every_minutes: int | None, at: str | None,
                        days: str | None, cron: str | None, timezone: str | None) -> triggers.TriggerSpec:
        if frequency not in FREQUENCIES:
            raise UserError(f"--frequency: must be one of {', '.join(FREQUENCIES)}")
        spec = triggers.TriggerSpec(frequency=frequency, timezone=timezone or triggers.system_timezone(),
                                    every_minutes=every_minutes, at_time=at, days=days, cron=cron)
        try:
            return triggers.validate(spec, min_interval_minutes=registry.platform(account.platform)
                                     .min_interval_minutes)
        except triggers.ScheduleSpecError as exc:
            raise UserError(str(exc)) from None

    def add_schedule(self, name: str, account: str, sync_type: str = "both", frequency: str = "daily", *,
                     every_minutes: int | None = None, at: str | None = None, days: str | None = None,
                     cron: str | None = None, timezone: str | None = None, lookback_days: int | None = None,
                     missed: str = "run_once", paused: bool = False) -> Schedule:
        name = (name or "").strip()
        if not name:
            raise UserError("--name: a schedule needs a name, e.g. --name 'Daily Google Ads'")
        if Schedule.get_or_none(Schedule.name == name) is not None:
            raise UserError(f"--name: a schedule named {name!r} already exists; pick another name")
        owner = self.account(account)
        self._check_choices(sync_type, missed, lookback_days)
        spec = self._validated_spec(owner, frequency, every_minutes=every_minutes, at=at, days=days, cron=cron,
                                    timezone=timezone)
        schedule = Schedule.create(
            name=name, account=owner, sync_type=sync_type, frequency=spec.frequency,
            every_minutes=spec.every_minutes, at_time=spec.at_time, days=spec.days, cron=spec.cron,
            timezone=spec.timezone, lookback_days=lookback_days, missed_policy=missed, paused=paused)
        self._schedules_changed(schedule, "created")
        return schedule

    def update_schedule(self, name: str, **changes: Any) -> Schedule:
        """Change some fields of a schedule; the same validation as add_schedule applies to the result."""
        schedule = self.schedule(name)
        new_name = (changes.pop("new_name", None) or name).strip()
        if new_name != name and Schedule.get_or_none(Schedule.name == new_name) is not None:
            raise UserError(f"--name: a schedule named {new_name!r} already exists; pick another name")
        owner = self.account(changes["account"]) if "account" in changes else schedule.account
        merged = {
            "sync_type": changes.get("sync_type", schedule.sync_type),
            "frequency": changes.get("frequency", schedule.frequency),
            "every_minutes": changes.get("every_minutes", schedule.every_minutes),
            "at": changes.get("at", schedule.at_time), "days": changes.get("days", schedule.days),
            "cron": changes.get("cron", schedule.cron), "timezone": changes.get("timezone", schedule.timezone),
            "lookback_days": changes.get("lookback_days", schedule.lookback_days),
            "missed": changes.get("missed", schedule.missed_policy),
            "paused": changes.get("paused", schedule.paused),
        }
        self._check_choices(merged["sync_type"], merged["missed"], merged["lookback_days"])
        spec = self._validated_spec(owner, merged["frequency"], every_minutes=merged["every_minutes"],
                                    at=merged["at"], days=merged["days"], cron=merged["cron"],
                                    timezone=merged["timezone"])
        Schedule.update(name=new_name, account=owner, sync_type=merged["sync_type"], frequency=spec.frequency,
                        every_minutes=spec.every_minutes, at_time=spec.at_time, days=spec.days, cron=spec.cron,
                        timezone=spec.timezone, lookback_days=merged["lookback_days"],
                        missed_policy=merged["missed"], paused=bool(merged["paused"]), updated_at=utcnow(),
                        ).where(Schedule.id == schedule.id).execute()
        updated = Schedule.get_by_id(schedule.id)
        self._schedules_changed(updated, "updated")
        return updated

    @staticmethod
    def _check_choices(sync_type: str, missed: str, lookback_days: int | None) -> None:
        if sync_type not in SCHEDULE_TYPES:
            raise UserError(f"--type: must be one of {', '.join(SCHEDULE_TYPES)}")
        if missed not in MISSED_POLICIES:
            raise UserError(f"--missed: must be one of {', '.join(MISSED_POLICIES)}")
        if lookback_days is not None:
            _int_in_range("--lookback-days", lookback_days, 0, 365)

    def _schedules_changed(self, schedule: Schedule, change: str) -> None:
        if self.scheduler is not None:
            self.scheduler.sync_jobs()
        self.bus.publish(ev.ScheduleChanged(schedule=schedule.name, change=change))

    def set_paused(self, name: str, paused: bool) -> Schedule:
        schedule = self.schedule(name)
        Schedule.update(paused=paused, updated_at=utcnow()).where(Schedule.id == schedule.id).execute()
        schedule = Schedule.get_by_id(schedule.id)
        self._schedules_changed(schedule, "paused" if paused else "resumed")
        return schedule

    def set_paused_all(self, paused: bool, until: datetime | None = None) -> None:
        settings.set_value("scheduler.paused_all", paused)  # also ends a timed pause
        if paused and until is not None:  # stored before anyone is told, so listeners read the end too
            settings.set_value("scheduler.paused_until", timed_pause.fmt(until))
        if self.scheduler is not None:
            self.scheduler.sync_jobs()
        self.bus.publish(ev.SchedulerStateChanged(running=self.scheduler is not None, paused_all=paused))

    def pause_all(self, hours: float | None = None, now: datetime | None = None) -> datetime | None:
        """Pause every schedule until resumed, or for `hours`: the end is stored, so whichever process runs the
        scheduler resumes on time even across a restart (store/timed_pause.py)."""
        until = (now or datetime.now(UTC)) + timedelta(hours=hours) if hours else None
        self.set_paused_all(True, until)
        return until

    def resume_if_due(self, now: datetime | None = None) -> bool:
        """End a timed pause whose end has passed; the scheduler also checks this every few seconds."""
        if not timed_pause.due(now):
            return False
        self.set_paused_all(False)
        return True

    def remove_schedule(self, name: str) -> None:
        schedule = self.schedule(name)
        schedule.delete_instance()  # runs keep their schedule_name; history stays
        self._schedules_changed(schedule, "removed")

    def next_runs(self, name: str, count: int = 5) -> list[datetime]:
        if count < 1 or count > 100:
            raise UserError("--count: must be between 1 and 100")
        schedule = self.schedule(name)
        if schedule.paused or settings.get("scheduler.paused_all"):
            return []
        return triggers.next_runs(spec_of(schedule), count)

    def list_schedules(self) -> list[dict[str, Any]]:
        last = queries.last_runs_by_schedule()
        paused_all = settings.get("scheduler.paused_all")
        out = []
        for schedule in Schedule.select(Schedule, Account).join(Account).order_by(Schedule.name):
            run = last.get(schedule.id)
            out.append({
                "name": schedule.name, "account": schedule.account.name, "platform": schedule.account.platform,
                "type": schedule.sync_type, "frequency": schedule.frequency,
                "description": triggers.describe(spec_of(schedule)), "every_minutes": schedule.every_minutes,
                "at": schedule.at_time, "days": schedule.days, "cron": schedule.cron,
                "timezone": schedule.timezone, "lookback_days": schedule.lookback_days,
                "missed": schedule.missed_policy, "paused": bool(schedule.paused or paused_all),
                "next_run_at": None if schedule.paused or paused_all else iso(self._next_run(schedule)),
                "last_status": run.status if run else None,
                "last_run_at": iso(run.queued_at) if run else None,
            })
        return out

    @staticmethod
    def _next_run(schedule: Schedule) -> datetime | None:
        """The next run the scheduler wrote back, or the trigger's own answer when none is stored yet."""
        if schedule.next_run_at is not None and schedule.next_run_at > utcnow():
            return schedule.next_run_at
        upcoming = triggers.next_runs(spec_of(schedule), 1) if schedule.frequency != "manual" else []
        return upcoming[0] if upcoming else None
