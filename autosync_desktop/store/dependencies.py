"""The schedule_dependency table and the run facts the dependency rules need (sync/dependencies.py decides).

Reads and short writes only; no decisions here. Touches Schedule, ScheduleDependency and SyncRun.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import cast

from autosync_desktop.store.models import Schedule, ScheduleDependency, SyncRun

ENDED = ("succeeded", "failed", "cancelled", "interrupted")  # a skipped run says nothing about an upstream's data


def edges() -> dict[str, list[str]]:
    """Every schedule's name -> the names of the schedules it runs after (all schedules present)."""
    up = Schedule.alias()
    names = cast(Iterable[tuple[str]], Schedule.select(Schedule.name).tuples())
    out: dict[str, list[str]] = {name: [] for (name,) in names}
    rows = cast(Iterable[tuple[str, str]], ScheduleDependency.select(Schedule.name, up.name)
                .join(Schedule, on=(ScheduleDependency.schedule == Schedule.id))
                .switch(ScheduleDependency).join(up, on=(ScheduleDependency.upstream == up.id)).tuples())
    for name, upstream in rows:
        out.setdefault(name, []).append(upstream)
    for ups in out.values():
        ups.sort(key=str.casefold)
    return out


def upstreams_of(schedule_id: int) -> list[Schedule]:
    return list(Schedule.select().join(ScheduleDependency, on=(ScheduleDependency.upstream == Schedule.id))
                .where(ScheduleDependency.schedule == schedule_id).order_by(Schedule.name))


def downstream_names(schedule_id: int) -> list[str]:
    rows = cast(Iterable[tuple[str]], Schedule.select(Schedule.name).join(
        ScheduleDependency, on=(ScheduleDependency.schedule == Schedule.id)).where(
        ScheduleDependency.upstream == schedule_id).tuples())
    return sorted((name for (name,) in rows), key=str.casefold)


def set_upstreams(schedule_id: int, upstream_ids: Sequence[int]) -> None:
    """Replace the schedule's upstreams (call inside the caller's transaction)."""
    ScheduleDependency.delete().where(ScheduleDependency.schedule == schedule_id).execute()
    if upstream_ids:
        ScheduleDependency.insert_many([{"schedule": schedule_id, "upstream": u} for u in dict.fromkeys(upstream_ids)]
                                       ).execute()


def dependent_schedules() -> list[Schedule]:
    """The schedules that run after at least one other, by id."""
    ids = ScheduleDependency.select(ScheduleDependency.schedule).distinct()
    return list(Schedule.select().where(Schedule.id.in_(ids)).order_by(Schedule.id))


def since(schedule: Schedule) -> datetime:
    """When the schedule last ran (its newest run's queued_at, whatever its status), else when it was created."""
    last = (SyncRun.select(SyncRun.queued_at).where(SyncRun.schedule == schedule.id)
            .order_by(SyncRun.queued_at.desc(), SyncRun.id.desc()).first())
    return last.queued_at if last is not None else schedule.created_at


def latest_ended(upstream_ids: Iterable[int], after: datetime) -> dict[int, tuple[str, datetime]]:
    """Each upstream's newest run that ended (succeeded, failed, cancelled, interrupted) after `after`:
    id -> (status, finished_at). Upstreams without one are absent."""
    out: dict[int, tuple[str, datetime]] = {}
    for upstream_id in upstream_ids:
        run = (SyncRun.select(SyncRun.status, SyncRun.finished_at)
               .where((SyncRun.schedule == upstream_id) & SyncRun.status.in_(ENDED) & (SyncRun.finished_at > after))
               .order_by(SyncRun.finished_at.desc(), SyncRun.id.desc()).first())
        if run is not None:
            out[upstream_id] = (run.status, run.finished_at)
    return out


def set_waiting(schedule_id: int, since_at: datetime | None) -> None:
    Schedule.update(waiting_since=since_at).where(Schedule.id == schedule_id).execute()
