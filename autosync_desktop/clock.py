"""The one clock: wall time (aware UTC), the date in a time zone, monotonic time and sleeping.

No module below `gui/` reads the wall clock directly. A component that needs time takes a `Clock` when it is
built (the engine, the scheduler, the Demo connector, notifications, retention), defaulting to `SYSTEM_CLOCK`;
elsewhere the module functions `now()`, `utcnow_naive()`, `today(tz)` and `monotonic()` read the system clock.
`ShiftedClock` reads a chosen moment when it is made and moves on in real time, so a test can run a sync "on"
a fixed date. Wall time may jump (sleep, NTP, a test travelling in time); `monotonic()` never does, so use it
for durations, deadlines and timeouts.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

TimeZone = str | tzinfo | None


def zone(tz: TimeZone) -> tzinfo:
    """A time zone from an IANA name or a tzinfo; None (or "") means UTC."""
    if tz is None or tz == "":
        return UTC
    return ZoneInfo(tz) if isinstance(tz, str) else tz


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, aware, in UTC."""
        ...

    def today(self, tz: TimeZone = None) -> date:
        """The calendar date in `tz` (an IANA name or tzinfo; None: UTC) at this moment."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary start that never go back (durations, deadlines)."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self, tz: TimeZone = None) -> date:
        return self.now().astimezone(zone(tz)).date()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class ShiftedClock(SystemClock):
    """Reads `start` when it is made and then moves on in real (monotonic) time; with tick=False it stays put."""

    def __init__(self, start: datetime, *, tick: bool = True) -> None:
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs an aware start moment")
        self.start = start.astimezone(UTC)
        self.tick = tick
        self._origin = time.monotonic()

    def now(self) -> datetime:
        if not self.tick:
            return self.start
        return self.start + timedelta(seconds=time.monotonic() - self._origin)


SYSTEM_CLOCK: Clock = SystemClock()


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return SYSTEM_CLOCK.now()


def utcnow_naive() -> datetime:
    """The current moment in UTC without tzinfo: how the store keeps times."""
    return SYSTEM_CLOCK.now().replace(tzinfo=None)


def today(tz: TimeZone = None) -> date:
    """Today's date in `tz` (an IANA name or tzinfo; None: UTC)."""
    return SYSTEM_CLOCK.today(tz)


def monotonic() -> float:
    return SYSTEM_CLOCK.monotonic()
