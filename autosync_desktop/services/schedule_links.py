"""Schedules that wait for each other, on the service side: who runs after whom (by name), the description with
'after ...', and the checks of `--after` (known names, not itself, no cycle), `--wait-max` and `--if-missing`.

For services/schedules.py; reads store/dependencies.py, decides nothing the rules in sync/dependencies.py decide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from autosync_desktop import names
from autosync_desktop.errors import UserError
from autosync_desktop.store import dependencies as deps
from autosync_desktop.store.models import IF_MISSING, Schedule
from autosync_desktop.sync import dependencies as rules
from autosync_desktop.sync import triggers


def _row(name: str) -> Schedule:
    from autosync_desktop.services.schedules import schedule_row

    return schedule_row(name)


@dataclass(frozen=True, slots=True)
class Links:
    """Who runs after whom, by name, read once per listing."""

    up: dict[str, list[str]]
    down: dict[str, list[str]]

    @staticmethod
    def read() -> Links:
        up = deps.edges()
        down: dict[str, list[str]] = {}
        for name, ups in up.items():
            for upstream in ups:
                down.setdefault(upstream, []).append(name)
        return Links(up, {k: sorted(v, key=str.casefold) for k, v in down.items()})


def describe(spec: triggers.TriggerSpec, after: Sequence[str]) -> str:
    """'Daily at 06:00 (Europe/Berlin)'; 'after Google daily, Meta daily' for a schedule started only by the
    schedules it runs after; 'Daily at 07:00 (UTC), after Google daily' with both."""
    if not after:
        return triggers.describe(spec)
    names_ = ", ".join(after)
    return f"after {names_}" if spec.frequency == "manual" else f"{triggers.describe(spec)}, after {names_}"


def cycle_in(name: str | None, after: Sequence[str], edges: Mapping[str, Sequence[str]]) -> str | None:
    """The message for `--after` when `name` running after `after` would make a schedule wait for itself, else
    None (pure: `edges` maps each schedule to the names it runs after now, e.g. from the cards' `after`)."""
    if name is not None and any(names.key(a) == names.key(name) for a in after):
        return f"--after: {name!r} cannot run after itself; pick other schedules"
    path = rules.find_cycle(name, after, edges) if name else None
    return rules.cycle_words(path) if path else None


def upstream_ids(name: str, after: Sequence[str], current: int | None) -> list[int]:
    """The ids of the schedules named in `--after` (checked: known, not itself, no cycle)."""
    cleaned = [a.strip() for a in after if a.strip()]
    ids: list[int] = []
    resolved: list[str] = []
    for upstream in cleaned:
        try:
            row = _row(upstream)
        except UserError as exc:
            raise UserError(f"--after: {exc}") from None
        if row.id == current or names.key(row.name) == names.key(name):
            raise UserError(f"--after: {name!r} cannot run after itself; pick other schedules")
        ids.append(row.id)
        resolved.append(row.name)
    message = cycle_in(name, resolved, deps.edges())
    if message:
        raise UserError(message)
    return list(dict.fromkeys(ids))


def check_wait(wait_max_minutes: int | None, if_missing: str | None) -> None:
    if wait_max_minutes is not None and not rules.MIN_WAIT_MINUTES <= wait_max_minutes <= rules.MAX_WAIT_MINUTES:
        raise UserError("--wait-max: wait between 1 minute and 7 days (e.g. 30m, 2h)")
    if if_missing is not None and if_missing not in IF_MISSING:
        raise UserError(f"--if-missing: must be one of {', '.join(IF_MISSING)}")
