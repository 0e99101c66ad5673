"""Schedules in words (pure, no Qt): cron in words, "Daily at 06:00 (Berlin)", next runs, spans, errors, backfills.

Every function takes what it needs (a `now` included) so the tests pin the answers; the GUI passes the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from autosync_desktop.gui import formatting as fmt

DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")  # crontab: 0 = Sunday
_DAY_KEYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
_MONTH_KEYS = tuple(name[:3].lower() for name in MONTH_NAMES)
PLATFORM_SHORT = {"demo": "Demo", "google_ads": "Google", "meta_ads": "Meta", "linkedin_ads": "LinkedIn",
                  "microsoft_ads": "Microsoft", "ga4": "GA4", "tiktok_ads": "TikTok", "x_ads": "X"}
CUSTOM = "Custom schedule"


# --- small words ------------------------------------------------------------------------------------------------


def join_words(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def platform_short(platform: str, label: str | None = None) -> str:
    """The platform's short name for a badge: 'Google', 'Meta', 'GA4', 'Demo'."""
    return PLATFORM_SHORT.get(platform) or (label or platform).split(" ")[0]


def minutes_words(minutes: int | None) -> str:
    """A span of whole minutes in human units: '5 min', '1 h', '1 h 30 min', '2 d', '1 d 6 h'; None is '—'."""
    if minutes is None:
        return "—"
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h" if rest == 0 else f"{hours} h {rest} min"
    days, hours = divmod(hours, 24)
    if rest:
        return f"{days} d {hours} h {rest} min"
    return f"{days} d" if hours == 0 else f"{days} d {hours} h"


def until_words(moment: datetime, now: datetime) -> str:
    """'in 5 min', 'in 2 h 05 min', 'in 14 h', 'in 3 d', or 'due now' (coarser as it is further away)."""
    seconds = (moment - now).total_seconds()
    if seconds <= 30:
        return "due now"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"in {max(1, minutes)} min"
    hours, rest = divmod(minutes, 60)
    if hours < 10:
        return f"in {hours} h" if rest == 0 else f"in {hours} h {rest:02d} min"
    if hours < 48:
        return f"in {round(minutes / 60)} h"
    return f"in {round(minutes / 1440)} d"


def ago_words(moment: datetime, now: datetime) -> str:
    """'just now', '5 min ago', '3 h ago', '2 d ago'."""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // 1440} d ago"


def day_time(moment: datetime, zone: str, now: datetime) -> str:
    """'Sat 5 Dec, 06:00 Berlin' in `zone` (the year too when it is not `now`'s year there)."""
    tz = ZoneInfo(zone) if zone and zone != "UTC" else UTC
    local = moment.astimezone(tz)
    year = f" {local.year}" if local.year != now.astimezone(tz).year else ""
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b')}{year}, {local.strftime('%H:%M')} " \
           f"{fmt.zone_words(zone) or 'UTC'}"


def runs_once_words(after: Sequence[str]) -> str:
    """'Runs once Google daily, Meta daily have all synced successfully since its last run'."""
    return (f"Runs once {', '.join(after)} {'has' if len(after) == 1 else 'have all'} synced successfully since its "
            "last run")


def after_words(after: tuple[str, ...] | list[str]) -> str:
    """'after Google daily, Meta daily' ('' without any)."""
    return f"after {', '.join(after)}" if after else ""


def waiting_words(waiting_for: tuple[str, ...] | list[str], deadline: datetime | None, zone: str) -> str:
    """'Waiting for Meta daily until 08:00 Berlin' ('' when it is not waiting)."""
    if not waiting_for or deadline is None:
        return ""
    tz = ZoneInfo(zone) if zone and zone != "UTC" else UTC
    until = deadline.astimezone(tz).strftime("%H:%M")
    return f"Waiting for {', '.join(waiting_for)} until {until} {fmt.zone_words(zone) or 'UTC'}"


def links_lost_words(names: Sequence[str], downstream: Mapping[str, Sequence[str]]) -> str:
    """For the delete confirmation: 'Morning file runs after Google daily; it will no longer wait for it.' per
    deleted schedule that others run after (those deleted with it left out); '' when none."""
    gone = set(names)
    lines = []
    for name in names:
        others = [d for d in downstream.get(name, ()) if d not in gone]
        if others:
            one = len(others) == 1
            lines.append(f"{', '.join(others)} {'runs' if one else 'run'} after {name}; "
                         f"{'it' if one else 'they'} will no longer wait for it.")
    return "\n".join(lines)


def next_run_text(moment: datetime | None, zone: str, now: datetime, empty: str = "—") -> str:
    """'Sat 5 Dec, 06:00 Berlin · in 14 h' (None is `empty`)."""
    if moment is None:
        return empty
    return f"{day_time(moment, zone, now)} · {until_words(moment, now)}"


# --- cron in words ------------------------------------------------------------------------------------------


class _Unreadable(ValueError):
    """A field this describer does not put into words (the caller says "Custom schedule")."""


def _number(text: str, names: tuple[str, ...] = (), low: int = 0, high: int = 59) -> int:
    key = text.strip().lower()
    if key in names:
        return names.index(key) + low
    if not key.isdigit():
        raise _Unreadable(text)
    value = int(key)
    if not low <= value <= high:
        raise _Unreadable(text)
    return value


class _Field:
    """One cron field: '*', '*/n' (every n from the start), or items (numbers and ranges, each maybe stepped)."""

    def __init__(self, text: str, low: int, high: int, names: tuple[str, ...] = ()) -> None:
        self.text = text
        self.low, self.high = low, high
        self.any = text == "*"
        self.step: int | None = None
        self.items: list[tuple[int, int, int]] = []  # (first, last, step)
        if self.any:
            return
        if text.startswith("*/"):
            self.step = _number(text[2:], (), 1, high + 1)
            return
        for part in text.split(","):
            part, _, step_text = part.partition("/")
            step = _number(step_text, (), 1, high + 1) if step_text else 1
            if "-" in part:
                first_text, last_text = part.split("-", 1)
                first, last = _number(first_text, names, low, high), _number(last_text, names, low, high)
                if last < first:
                    raise _Unreadable(part)
            else:
                first = _number(part, names, low, high)
                last = first if not step_text else high
            self.items.append((first, last, step))

    def single(self) -> int | None:
        """The one value, when the field is exactly one number."""
        if len(self.items) == 1 and self.items[0][0] == self.items[0][1]:
            return self.items[0][0]
        return None

    def values(self) -> list[int]:
        if self.any:
            return list(range(self.low, self.high + 1))
        if self.step is not None:
            return list(range(self.low, self.high + 1, self.step))
        found: set[int] = set()
        for first, last, step in self.items:
            found.update(range(first, last + 1, step))
        return sorted(found)

    def plain_items(self) -> bool:
        """Only numbers and unstepped ranges."""
        return not self.any and self.step is None and all(step == 1 for _, _, step in self.items)

    def words(self, name: Callable[[int], str]) -> list[str]:
        """Each item in words: 'Monday to Friday', 'Sunday' (only for plain items)."""
        out = []
        for first, last, _ in self.items:
            out.append(str(name(first)) if first == last else f"{name(first)} to {name(last)}")
        return out


def _hhmm(hour: int, minute: int) -> str:
    return f"{hour:02d}:{minute:02d}"


def _time_words(minute: _Field, hour: _Field) -> str:
    minute_one = minute.single()
    if minute_one is not None and hour.plain_items():
        hours = hour.values()
        if len(hours) <= 6 and all(first == last for first, last, _ in hour.items):
            return "At " + join_words([_hhmm(h, minute_one) for h in hours])
        if len(hour.items) == 1:
            first, last, _ = hour.items[0]
            return f"Every hour from {_hhmm(first, minute_one)} to {_hhmm(last, minute_one)}"
    if minute.plain_items() and hour.plain_items() and len(minute.values()) * len(hour.values()) <= 6 \
            and all(first == last for first, last, _ in minute.items + hour.items):
        return "At " + join_words([_hhmm(h, m) for h in hour.values() for m in minute.values()])
    past = None
    if minute.plain_items() and all(first == last for first, last, _ in minute.items) and len(minute.items) <= 4:
        past = join_words([f":{m:02d}" for m in minute.values()])
    if hour.any:
        if minute.any:
            return "Every minute"
        if minute.step is not None:
            return "Every minute" if minute.step == 1 else f"Every {minute.step} minutes"
        if past is not None:
            return f"Every hour at {past}"
        raise _Unreadable(minute.text)
    if hour.step is not None and past is not None:
        return ("Every hour" if hour.step == 1 else f"Every {hour.step} hours") + f" at {past}"
    if hour.plain_items() and len(hour.items) == 1 and hour.items[0][0] != hour.items[0][1]:
        first, last, _ = hour.items[0]
        span = f"from {_hhmm(first, 0)} to {_hhmm(last, 59)}"
        if minute.any:
            return f"Every minute {span}"
        if minute.step is not None:
            return f"Every {minute.step} minutes {span}"
        if past is not None:
            return f"Every hour at {past}, {_hhmm(first, 0)} to {_hhmm(last, 59)}"
    raise _Unreadable(hour.text)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def cron_in_words(expr: str | None) -> str | None:
    """A 5-field crontab in words ("0 6 * * 1-5" -> "At 06:00, Monday to Friday"); None when it has forms this
    does not describe (the caller then says "Custom schedule" and shows the next runs)."""
    fields = (expr or "").split()
    if len(fields) != 5:
        return None
    try:
        minute = _Field(fields[0], 0, 59)
        hour = _Field(fields[1], 0, 23)
        dom = _Field(fields[2], 1, 31)
        month = _Field(fields[3], 1, 12, _MONTH_KEYS)
        dow = _Field(fields[4], 0, 7, _DAY_KEYS)
        text = _time_words(minute, hour)
        if not dom.any and not dow.any:
            return None
        if not dow.any:
            if not dow.plain_items():
                return None
            days = sorted({value % 7 for value in dow.values()})
            if days == [1, 2, 3, 4, 5]:
                text += ", Monday to Friday"
            elif days == [0, 6]:
                text += ", on Saturday and Sunday"
            elif len(days) == 7:
                text += ", every day"
            else:
                text += ", " + ("on " if all(f == last for f, last, _ in dow.items) else "") + join_words(
                    dow.words(lambda n: DAY_NAMES[n % 7]))
        elif not dom.any:
            if dom.step is not None:
                text += f", every {dom.step} days"
            elif dom.plain_items():
                days_words = dom.words(_ordinal)
                text += f", on the {join_words(days_words)} of the month"
            else:
                return None
        elif text.startswith("At "):
            text += ", every day"
        if not month.any:
            if month.step is not None:
                text += f", every {month.step} months"
            elif month.plain_items():
                text += ", in " + join_words(month.words(lambda n: MONTH_NAMES[n - 1]))
            else:
                return None
        return text
    except _Unreadable:
        return None


# --- a schedule in a few words ------------------------------------------------------------------------------


def frequency_words(frequency: str, *, every_minutes: int | None = None, at: str | None = None,
                    days: str | None = None, cron: str | None = None, timezone: str | None = None) -> str:
    """'Every 5 min', 'Hourly at :10', 'Daily at 06:00 (Berlin)', 'Mon, Wed at 06:30 (Berlin)', the cron in
    words with its zone, 'Custom schedule (Berlin)', 'Manual only'."""
    zone = f" ({fmt.zone_words(timezone)})" if timezone else ""
    if frequency == "manual":
        return "Manual only"
    if frequency == "interval":
        return f"Every {minutes_words(every_minutes)}" if every_minutes else "Every few minutes"
    if frequency == "hourly":
        return f"Hourly at {at or ':00'}{zone}"
    if frequency == "daily":
        return f"Daily at {at}{zone}"
    if frequency == "weekly":
        chosen = [d for d in (days or "").split(",") if d]
        if chosen == ["mon", "tue", "wed", "thu", "fri"]:
            when = "Mon–Fri"
        elif len(chosen) == 7:
            when = "Daily"
        else:
            when = ", ".join(d.capitalize() for d in chosen) or "Weekly"
        return f"{when} at {at}{zone}"
    if frequency == "cron":
        return (cron_in_words(cron) or CUSTOM) + zone
    return frequency


# --- failures in plain words --------------------------------------------------------------------------------

_RATE = ("429", "rate limit", "rate-limit", "resource_exhausted", "too many requests", "throttl", "quota")
_AUTH = ("401", "unauthori", "invalid_grant", "token expired", "expired token", "sign in again", "revoked",
         "access token", "authexpired", "reauth")
_NETWORK = ("connection refused", "connection reset", "name or service not known", "temporary failure in name",
            "network is unreachable", "failed to establish", "max retries exceeded", "no route to host", "ssl")
_TIMEOUT = ("timed out", "timeout")
_SERVER = ("server error", "internal error", "service unavailable", "bad gateway", "http 500", "http 502",
           "http 503", "http 504", "temporarily unavailable")


def error_words(error: str | None, reason: str | None = None, status: str | None = None) -> str:
    """Why a run did not succeed, for a person ("The platform asked us to slow down (rate limit)"); the raw
    (redacted) message belongs in a tooltip."""
    text = f"{error or ''} {reason or ''}".lower()
    if any(word in text for word in _RATE):
        return "The platform asked us to slow down (rate limit)"
    if any(word in text for word in _AUTH):
        return "The sign-in has expired: sign in again in Settings › Accounts"
    if any(word in text for word in _TIMEOUT):
        return "The platform took too long to answer"
    if any(word in text for word in _NETWORK):
        return "Could not reach the platform (network or a short outage)"
    if any(word in text for word in _SERVER):
        return "The platform had a temporary problem; the next sync tries again"
    if status == "interrupted":
        return "AutoSync stopped while this sync was running"
    if status == "cancelled":
        return "Cancelled"
    if status == "skipped":
        return "Skipped: another run of it was still going"
    if error or reason:
        return "The sync failed: see the run's log"
    return ""


# --- backfill -------------------------------------------------------------------------------------------------


def backfill_words(days: int, windows: int, window_days: int, calls: int) -> str:
    """'42 days in 6 windows of 7 days, about 12 API calls' (one window: '9 days in one window, ...')."""
    day_word = "day" if days == 1 else "days"
    spread = "in one request window" if windows <= 1 else f"in {windows} windows of up to {window_days} days"
    call_word = "API call" if calls == 1 else "API calls"
    return f"{days:,} {day_word} {spread}, about {calls:,} {call_word}"
