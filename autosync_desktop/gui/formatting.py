"""Text for times, durations, counts and money as the window shows them. Pure functions, no Qt.

Times arrive from the services as ISO 8601 UTC strings ("2026-11-28T06:00:00Z") and are shown in the display
zone: the machine's local time zone (default) or UTC, chosen in Settings > Display.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from autosync_desktop.domain import ApiVersion
from autosync_desktop.services.schedules import SchedulesService

_zone_name = "local"


def set_display_zone(name: str) -> None:
    """"local" (the machine's zone) or "UTC"."""
    global _zone_name
    _zone_name = "UTC" if name == "UTC" else "local"


def display_zone_name() -> str:
    return _zone_name


def display_zone() -> tzinfo:
    return UTC if _zone_name == "UTC" else ZoneInfo(SchedulesService.default_timezone())


def zone_label() -> str:
    return "UTC" if _zone_name == "UTC" else SchedulesService.default_timezone()


def utc_offset_minutes(now: datetime | None = None) -> int:
    """The display zone's current offset from UTC, for per-day buckets."""
    moment = (now or datetime.now(UTC)).astimezone(display_zone())
    offset = moment.utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def parse(value: str | datetime | None) -> datetime | None:
    """An ISO string or datetime as an aware UTC datetime (naive means UTC)."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local(value: str | datetime | None) -> datetime | None:
    moment = parse(value)
    return moment.astimezone(display_zone()) if moment else None


def fmt_time(value: str | datetime | None, seconds: bool = False, empty: str = "—") -> str:
    """'2026-11-28 06:00' in the display zone (today's times still show the date: logs are read later)."""
    moment = local(value)
    if moment is None:
        return empty
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def fmt_clock(value: str | datetime | None, empty: str = "—") -> str:
    """'06:00' for today, 'Sat 06:00' within a week, else the date and time."""
    moment = local(value)
    if moment is None:
        return empty
    today = datetime.now(display_zone()).date()
    days = (moment.date() - today).days
    if days == 0:
        return moment.strftime("%H:%M")
    if days == 1:
        return moment.strftime("tomorrow %H:%M")
    if 1 < days < 7:
        return moment.strftime("%a %H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


def fmt_short(value: str | datetime | None, empty: str = "—") -> str:
    """'06:00:12' today, else '11-28 06:00' (activity lines)."""
    moment = local(value)
    if moment is None:
        return empty
    if moment.date() == datetime.now(display_zone()).date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%m-%d %H:%M")


def fmt_span(seconds: float) -> str:
    """A short duration in words: '45 s', '3 min 05 s', '2 h 10 min', '3 d 4 h'."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s" if minutes < 10 else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def fmt_countdown(target: str | datetime | None, now: datetime | None = None) -> str:
    moment = parse(target)
    if moment is None:
        return ""
    delta = (moment - (now or datetime.now(UTC))).total_seconds()
    return "due now" if delta <= 0 else f"in {fmt_span(delta)}"


def fmt_ago(value: str | datetime | None, now: datetime | None = None, empty: str = "never") -> str:
    moment = parse(value)
    if moment is None:
        return empty
    delta = ((now or datetime.now(UTC)) - moment).total_seconds()
    if delta < 5:
        return "just now"
    return f"{fmt_span(delta)} ago"


def fmt_duration(seconds: float | None, empty: str = "—") -> str:
    if seconds is None:
        return empty
    if seconds < 10:
        return f"{seconds:.2f} s" if seconds < 1 else f"{seconds:.1f} s"
    return fmt_span(seconds)


def fmt_int(value: int | float | None, empty: str = "—") -> str:
    if value is None:
        return empty
    return f"{int(value):,}"


def fmt_number(value: float | None, decimals: int = 2, empty: str = "—") -> str:
    if value is None:
        return empty
    return f"{value:,.{decimals}f}"


def fmt_pct(value: float | None, empty: str = "—") -> str:
    return empty if value is None else f"{value * 100:.1f} %"


def fmt_bytes(size: int | None) -> str:
    if size is None:
        return "—"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def fmt_money(text: str | None, currency: str | None = None, empty: str = "—") -> str:
    """An exact decimal money string ('165309.42') with thousands separators and its currency; never via float."""
    if text is None or text == "":
        return empty
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return str(text)
    exponent = amount.as_tuple().exponent
    digits = -exponent if isinstance(exponent, int) else 2
    shown = f"{amount:,.{max(2, digits)}f}"
    return f"{shown} {currency}" if currency else shown


def fmt_date(value: str | date | None, empty: str = "—") -> str:
    if value is None or value == "":
        return empty
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def fmt_change(current: float | None, previous: float | None, kind: str = "relative") -> tuple[str, int]:
    """The change vs the previous period as text and a direction (+1 up, -1 down, 0 flat/unknown).

    kind "relative": '+12.5 %' of the previous value; "points": percentage points (for rates)."""
    if current is None or previous is None:
        return ("no data before" if current is not None else "—"), 0
    if kind == "points":
        diff = (current - previous) * 100
        if abs(diff) < 0.05:
            return "±0 pts", 0
        return f"{diff:+.1f} pts", 1 if diff > 0 else -1
    if previous == 0:
        if current == 0:
            return "±0 %", 0
        return "new", 1
    change = (current - previous) / previous * 100
    if abs(change) < 0.05:
        return "±0 %", 0
    return f"{change:+.1f} %", 1 if change > 0 else -1


def fmt_api(api: ApiVersion | None, empty: str = "") -> str:
    """'Meta API v27.0 · until 23 Feb 2027' (without the sunset when the platform has not published one)."""
    if api is None:
        return empty
    return f"{api.words} · {api.until_words}" if api.until_words else api.words
