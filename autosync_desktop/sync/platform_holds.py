"""Platform holds: a rate limit shared by a platform's accounts (the app's limit) holds their scheduled runs.

When a run is deferred by a limit the connector marked `shared` (connectors/base.py RateLimited: Google Ads'
developer token, Meta's app limit, LinkedIn's daily application limit, a GA4 Cloud project's quota), the other
accounts of that platform would only hit the same wall and fail. The scheduler keeps one hold per platform until
the limit's reset (the server's hint, or the connector's guess when it gave none) and starts their scheduled runs
then instead; manual runs still go ahead (the person asked). The holds outlive a restart: `to_json`/`from_json`
give the form the scheduler keeps in the store (its app state), so a reopened app does not send every account
into the same wall again. Thread-safe; pure apart from the lock (times are the caller's).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Hold:
    platform: str
    until: datetime  # aware UTC: the limit's reset
    account: str  # the account whose run met the limit
    run_id: int


class PlatformHolds:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holds: dict[str, Hold] = {}

    def hold(self, hold: Hold) -> None:
        """Hold the platform until `hold.until` (a later reset wins over an earlier one)."""
        with self._lock:
            current = self._holds.get(hold.platform)
            if current is None or hold.until > current.until:
                self._holds[hold.platform] = hold

    def current(self, now: datetime) -> list[Hold]:
        """The holds still lasting at `now`, by platform."""
        with self._lock:
            return sorted((h for h in self._holds.values() if h.until > now), key=lambda h: h.platform)

    def active(self, platform: str, now: datetime) -> Hold | None:
        """The platform's hold while it lasts, else None (an expired one is forgotten)."""
        with self._lock:
            current = self._holds.get(platform)
            if current is not None and current.until <= now:
                del self._holds[platform]
                return None
            return current


def to_json(holds: list[Hold]) -> list[dict[str, Any]]:
    return [{"platform": h.platform, "until": h.until.astimezone(UTC).isoformat(), "account": h.account,
             "run_id": h.run_id} for h in holds]


def from_json(data: Any) -> list[Hold]:
    """The holds kept by `to_json`; anything unreadable (an older or hand-edited value) is left out."""
    holds: list[Hold] = []
    for item in data if isinstance(data, list) else []:
        try:
            until = datetime.fromisoformat(str(item["until"]))
            holds.append(Hold(platform=str(item["platform"]), account=str(item["account"]), run_id=int(item["run_id"]),
                              until=until if until.tzinfo else until.replace(tzinfo=UTC)))
        except (KeyError, TypeError, ValueError):
            continue
    return holds


def held_words(hold: Hold, platform_label: str) -> str:
    """Why a scheduled run waits, in plain words (the run's reason and the log)."""
    return (f"Held until {hold.until:%Y-%m-%d %H:%M} UTC: the limit all your {platform_label} accounts share was "
            f"reached (run #{hold.run_id}, {hold.account}); this schedule runs then")
