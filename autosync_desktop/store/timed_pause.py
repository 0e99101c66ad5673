""""Pause all for N hours": the pause's end is a setting (`scheduler.paused_until`), so it survives restarts.

Any change of `scheduler.paused_all` clears it (store/settings.py), so a leftover end never ends a later
open-ended pause. Whoever runs the scheduler resumes when `due()` (sync/scheduler.py polls it).
"""

from __future__ import annotations

from datetime import UTC, datetime

from autosync_desktop import clock
from autosync_desktop.store import settings

PAUSED_ALL = "scheduler.paused_all"
PAUSED_UNTIL = "scheduler.paused_until"


def fmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(value: object) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def paused_until() -> datetime | None:
    return parse(settings.get(PAUSED_UNTIL)) if settings.get(PAUSED_ALL) else None


def due(now: datetime | None = None) -> bool:
    until = paused_until()
    return until is not None and until <= (now or clock.now())
