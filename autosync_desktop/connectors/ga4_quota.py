"""GA4 Data API quotas: pacing from `propertyQuota` and the wait a RESOURCE_EXHAUSTED answer implies.

Every runReport asks for `returnPropertyQuota: true`; the answer says what the request consumed and what
remains of each of the property's quotas (platform-apis.md §7). `QuotaPacer.pause` reads that after each
answer: when less than 10 % of a quota remains, it spreads what is left over the quota's period (an hour, or
until the daily reset at midnight Pacific time), one request every `period / requests left` seconds, capped at
MAX_PAUSE_S, so a long sync slows down instead of running into a 429 that would lock it out for up to an hour.
A quota's size is the standard property's (or what an answer showed to be larger: a 360 property).

`exhausted_wait` reads a 429's message ("Exhausted concurrent requests quota." ...) for the wait that quota
implies; the server's own hint (RetryInfo, Retry-After) always wins over it (connectors/http.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")  # GA4's daily quotas reset at midnight Pacific time
LOW_SHARE = 0.10  # slow down below 10 % remaining
MAX_PAUSE_S = 60.0
RESET_MARGIN_S = 60.0  # a deferred run starts this long after the daily reset
CONCURRENT_PAUSE_S = 1.0

STANDARD_LIMITS = {
    "tokensPerDay": 200_000,
    "tokensPerHour": 40_000,
    "tokensPerProjectPerHour": 14_000,
    "concurrentRequests": 10,
    "serverErrorsPerProjectPerHour": 10,
    "potentiallyThresholdedRequestsPerHour": 120,
}
HOURLY = ("tokensPerHour", "tokensPerProjectPerHour", "serverErrorsPerProjectPerHour",
          "potentiallyThresholdedRequestsPerHour")

# A 429's message -> (what it means, the wait in seconds; None: until the daily reset). Airbyte's waits.
EXHAUSTED = (
    ("concurrent requests", "too many concurrent requests for the property", 30.0),
    ("tokens per day", "the property's daily quota is used up (it resets at midnight Pacific time)", None),
    ("for a project per hour", "the project's hourly quota for this property is used up", 1800.0),
    ("tokens per hour", "the property's hourly quota is used up", 1800.0),
    ("potentially thresholded", "the hourly quota of potentially thresholded requests is used up", 1800.0),
    ("server errors", "the hourly quota of server errors is used up", 3600.0),
)


def seconds_until_pacific_midnight(now: datetime, margin_s: float = 0.0) -> float:
    """Seconds from `now` (aware) to the next midnight in Pacific time (DST-correct), plus `margin_s`."""
    local = now.astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=PACIFIC)
    return max(1.0, (midnight - now).total_seconds() + margin_s)


def exhausted_wait(message: str, now: datetime) -> tuple[str, float | None]:
    """(plain meaning, seconds to wait or None when the message names no known quota)."""
    text = message.lower()
    for fragment, meaning, wait in EXHAUSTED:
        if fragment in text:
            return meaning, seconds_until_pacific_midnight(now, RESET_MARGIN_S) if wait is None else wait
    return "a quota of the property is used up", None


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


@dataclass
class QuotaPacer:
    """Reads `propertyQuota` after each answer; `pause` says how long to wait before the next request."""

    limits: dict[str, int] = field(default_factory=lambda: dict(STANDARD_LIMITS))
    warned: set[str] = field(default_factory=set)

    def pause(self, quota: dict[str, Any], now: datetime) -> tuple[float, str | None]:
        """(seconds, a log line the first time a quota runs low, else None)."""
        longest, line = 0.0, None
        for name, status in quota.items():
            if not isinstance(status, dict) or name not in self.limits:
                continue
            remaining, consumed = _int(status.get("remaining", 0)), _int(status.get("consumed", 0)) or 0
            if remaining is None:
                continue
            limit = self.limits[name] = max(self.limits[name], remaining + consumed)
            if remaining >= LOW_SHARE * limit:
                continue
            if name == "concurrentRequests":
                wait = CONCURRENT_PAUSE_S
            else:
                period = 3600.0 if name in HOURLY else seconds_until_pacific_midnight(now)
                requests_left = max(1.0, remaining / max(1, consumed))
                wait = min(MAX_PAUSE_S, period / requests_left)
            if wait > longest:
                longest = wait
            if name not in self.warned:
                self.warned.add(name)
                line = (f"Google Analytics: {remaining:,} of {limit:,} left in the property's {name} quota "
                        f"(under {LOW_SHARE:.0%}); slowing down to one request every {wait:.1f} s")
        return longest, line
