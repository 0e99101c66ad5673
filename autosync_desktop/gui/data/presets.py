"""Date presets of the Data page (Yesterday, Last 7 / 30 / 90 days, This month): pure, from a `today` passed in.

Ranges are inclusive day ranges like the ad platforms' own ("Last 7 days" ends yesterday, because today's
numbers are still coming in). Only calendar days are counted, so a day with a DST change is one day like any
other. "All dates" is no date filter; "Custom" keeps the dates the user picks.
"""

from __future__ import annotations

from datetime import date, timedelta

ALL = "all"
CUSTOM = "custom"
PRESETS: tuple[tuple[str, str], ...] = (
    (ALL, "All dates"), ("yesterday", "Yesterday"), ("last_7", "Last 7 days"), ("last_30", "Last 30 days"),
    ("last_90", "Last 90 days"), ("this_month", "This month"), (CUSTOM, "Custom…"))


def preset_range(key: str, today: date) -> tuple[date, date] | None:
    """The (first, last) days of preset `key` seen from `today`; None for "all" and "custom" (no range of its
    own). Raises KeyError for an unknown key."""
    yesterday = today - timedelta(days=1)
    if key in (ALL, CUSTOM):
        return None
    if key == "yesterday":
        return yesterday, yesterday
    if key.startswith("last_"):
        days = int(key.removeprefix("last_"))
        if days not in (7, 30, 90):
            raise KeyError(key)
        return today - timedelta(days=days), yesterday
    if key == "this_month":
        return today.replace(day=1), today
    raise KeyError(key)


def label_of(key: str) -> str:
    return dict(PRESETS)[key]


def range_text(first: date, last: date) -> str:
    """'2026-11-27' for one day, else '2026-11-01 – 2026-11-30 (30 days)'."""
    if first == last:
        return first.isoformat()
    days = (last - first).days + 1
    return f"{first.isoformat()} – {last.isoformat()} ({days} days)"
