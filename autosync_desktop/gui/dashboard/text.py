"""Words and numbers of the Dashboard: SI-abbreviated counts, relative times, chart day labels, uptime, and a
failed run's error in plain words (the Schedules page's words, gui/scheduler/describe.error_words, so one error
reads the same on every page). Pure functions, no Qt (times are passed in, never read from the wall clock).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime

from autosync_desktop.domain import ErrorClass
from autosync_desktop.gui.scheduler import describe

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def si(value: float) -> str:
    """A count for an axis label: 950 -> "950", 250000 -> "250k", 1200000 -> "1.2M", 2500 -> "2.5k"."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    units = ((1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T"))
    index = max((i for i, (threshold, _) in enumerate(units) if value >= threshold), default=-1)
    if index < 0:
        return f"{sign}{int(value)}" if value == int(value) else f"{sign}{value:.1f}".rstrip("0").rstrip(".")
    while True:
        threshold, suffix = units[index]
        scaled = value / threshold
        text = f"{scaled:.1f}".rstrip("0").rstrip(".") if scaled < 99.95 else f"{scaled:.0f}"
        if text != "1000" or index == len(units) - 1:
            return f"{sign}{text}{suffix}"
        index += 1  # 999,999 -> "1M", not "1000k"


def ago(moment: datetime | None, now: datetime, empty: str = "—") -> str:
    """How long ago, rounded to one unit: "just now", "45 s ago", "3 min ago", "2 h ago", "4 d ago"."""
    if moment is None:
        return empty
    seconds = (now - moment).total_seconds()
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


def uptime(seconds: float) -> str:
    """"45 s", "12 min", "3 h 12 min", "2 d 5 h"."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def day_label(day: date) -> str:
    """"Nov 22" (English month names whatever the machine's locale: the rest of the window is English too)."""
    return f"{MONTHS[day.month - 1]} {day.day}"


def nice_step(top: float, ticks: int = 4) -> float:
    """A 1/2/5 x 10^n step giving at most about `ticks` intervals from 0 to `top` (>= 1 for counts)."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    magnitude = float(10.0 ** math.floor(math.log10(raw)))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def duration_unit(top_s: float) -> tuple[str, float]:
    """The unit a duration axis reads best in for values up to `top_s`: ("ms", 0.001), ("s", 1), ("min", 60)
    or ("h", 3600)."""
    if top_s >= 2 * 3600:
        return "h", 3600.0
    if top_s >= 120:
        return "min", 60.0
    if 0 < top_s < 1:
        return "ms", 0.001
    return "s", 1.0


# --- a failed run's error, in plain words -----------------------------------------------------------------

_AUTH = (ErrorClass.AUTH_EXPIRED, ErrorClass.REAUTH_REQUIRED)
_RATE_WORDS = ("429", "rate limit", "rate-limit", "ratelimit", "resource_exhausted", "too many requests", "throttl",
               "quota")
_AUTH_WORDS = ("401", "unauthori", "invalid_grant", "token expired", "expired token", "sign in again",
               "access token", "revoked")
_NETWORK_WORDS = ("connection refused", "connection reset", "connection aborted", "name or service not known",
                  "temporary failure in name resolution", "network is unreachable", "failed to establish",
                  "max retries exceeded", "no route to host", "getaddrinfo", "connecterror", "ssl")
_TIMEOUT_WORDS = ("timed out", "timeout")


# a message the Schedules page files under each kind: its sentence for that kind is the Dashboard's too
_PROBE = {"timeout": "timed out", "network": "connection refused", "server": "service unavailable"}


def _is_server(error: str | None) -> bool:
    """The platform answered with a temporary error (HTTP 5xx), as the Schedules page recognises one."""
    return describe.error_words(error) == describe.error_words(_PROBE["server"])


def error_kind(error_class: str | None, error: str | None) -> str:
    """"auth", "rate_limit", "network", "server", "timeout", "interrupted", "cancelled", "refused" or "other"."""
    text = (error or "").lower()
    if error_class in _AUTH or any(w in text for w in _AUTH_WORDS):
        return "auth"
    if error_class == ErrorClass.RATE_LIMITED or any(w in text for w in _RATE_WORDS):
        return "rate_limit"
    if error_class == ErrorClass.TIMEOUT or any(w in text for w in _TIMEOUT_WORDS):
        return "timeout"
    if any(w in text for w in _NETWORK_WORDS):
        return "network"
    if error_class == ErrorClass.TRANSIENT or _is_server(error):
        return "server"  # the platform answered with a temporary error (5xx)
    if error_class == ErrorClass.INTERRUPTED:
        return "interrupted"
    if error_class == ErrorClass.CANCELLED:
        return "cancelled"
    if error_class == ErrorClass.PERMANENT:
        return "refused"
    return "other"


def plain_reason(error_class: str | None, error: str | None, retry_at: datetime | None = None,
                 clock: Callable[[datetime], str] | None = None) -> str:
    """Why a run failed, for a person: "The sign-in has expired", "The platform asked us to slow down; it will
    retry at 14:05", ... (`clock` renders `retry_at`; the raw message stays available as a detail)."""
    kind = error_kind(error_class, error)
    if kind == "auth":
        if error_class == ErrorClass.REAUTH_REQUIRED:
            return "The platform revoked access: sign in again"
        return "The sign-in has expired"
    if kind == "rate_limit":
        if retry_at is not None and clock is not None:
            return f"The platform asked us to slow down; it will retry at {clock(retry_at)}"
        return "The platform asked us to slow down; the next sync tries again"
    if kind in ("timeout", "network", "server"):  # the Schedules page's words for the same error
        return describe.error_words(_PROBE[kind])
    if kind == "interrupted":
        return "AutoSync stopped while this sync was running (closed, asleep or crashed)"
    if kind == "cancelled":
        return "Cancelled"
    if kind == "refused":
        return "The platform refused the request: check the account's settings"
    return "Something went wrong in AutoSync: see the log"
