"""X Ads analytics in pieces X accepts: day ranges at the account's midnight, chunks of ids and days, and the
per-placement answers summed into one record per campaign and day.

Facts (shared/docs/platform-apis.md §6): synchronous stats take at most 20 entity ids and 7 days per request, one
placement per request; with DAY granularity `start_time` and `end_time` (exclusive) must fall on midnight in the
account's time zone, expressed with the zone's UTC offset of *today* (not of the day asked for, across a DST
change); element i of each metric array is day start + i. A metric that is `null` means no activity for that
placement; a day where nothing happened in any placement is left out, like every platform's zero-activity days.
The WEB_CONVERSION answers (connectors/x_conversions.py) are added up alongside; a day with web conversions but no
delivery in any placement (a late conversion) is kept, with 0 impressions, clicks and cost, as X's answer says.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .base import DailyStatRecord, Transient
from .x_conversions import ConversionSum

MAX_IDS = 20
MAX_DAYS = 7
PLACEMENTS = ("ALL_ON_TWITTER", "PUBLISHER_NETWORK")
METRICS = {"impressions": "impressions", "clicks": "clicks", "cost_micros": "billed_charge_local_micro"}


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def midnight(day: date, zone: str, now: datetime) -> datetime:
    """`day`'s midnight in `zone` with the zone's offset at `now` (X's rule for DAY granularity)."""
    offset = now.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) - offset


def day_range(start: date, end: date, zone: str, now: datetime) -> tuple[str, str]:
    """start_time and (exclusive) end_time covering the days start..end."""
    return utc_text(midnight(start, zone, now)), utc_text(midnight(end + timedelta(days=1), zone, now))


def chunks(items: Sequence[str], size: int = MAX_IDS) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield list(items[i:i + size])


def day_chunks(start: date, end: date, size: int = MAX_DAYS) -> Iterator[tuple[date, date]]:
    while start <= end:
        last = min(end, start + timedelta(days=size - 1))
        yield start, last
        start = last + timedelta(days=1)


def _series(metrics: dict[str, Any], name: str, length: int) -> list[int] | None:
    values = metrics.get(name)
    if values is None:
        return None
    if not isinstance(values, list) or len(values) != length:
        raise Transient(f"X sent a {name} series of the wrong length")
    out = []
    for value in values:
        if value is None:
            out.append(0)
        elif isinstance(value, int) and not isinstance(value, bool):
            out.append(value)
        else:
            raise Transient(f"X sent a non-integer {name} value: {value!r}")
    return out


@dataclass
class DayTotals:
    """One campaign-day summed over placements; None: no placement reported the metric."""

    values: dict[str, int | None] = field(default_factory=lambda: dict.fromkeys(METRICS))
    url_clicks: int | None = None

    def add(self, key: str, value: int) -> None:
        self.values[key] = (self.values[key] or 0) + value


class StatsSum:
    """Adds up the answers (ENGAGEMENT/BILLING and WEB_CONVERSION) of every placement and chunk of one window."""

    def __init__(self) -> None:
        self.days: dict[tuple[str, date], DayTotals] = {}
        self.conversions = ConversionSum()

    def add_answer(self, body: dict[str, Any], first: date, length: int) -> None:
        data = body.get("data")
        if not isinstance(data, list):
            raise Transient("X sent a stats answer without data")
        for entity in data:
            entity_id = str(entity.get("id") or "") if isinstance(entity, dict) else ""
            segments = entity.get("id_data") if isinstance(entity, dict) else None
            if not entity_id or not isinstance(segments, list):
                raise Transient("X sent a stats entry without id or id_data")
            for segment in segments:
                metrics = segment.get("metrics") if isinstance(segment, dict) else None
                if isinstance(metrics, dict):
                    self._add_metrics(entity_id, metrics, first, length)

    def _add_metrics(self, entity_id: str, metrics: dict[str, Any], first: date, length: int) -> None:
        self.conversions.add_metrics(entity_id, metrics, first, length)
        series = {key: _series(metrics, name, length) for key, name in METRICS.items()}
        url_clicks = _series(metrics, "url_clicks", length)
        for i in range(length):
            if not any(values is not None and values[i] for values in series.values()):
                continue  # nothing happened in this placement that day
            day = self.days.setdefault((entity_id, first + timedelta(days=i)), DayTotals())
            for key, values in series.items():
                if values is not None:
                    day.add(key, values[i])
            if url_clicks is not None:
                day.url_clicks = (day.url_clicks or 0) + url_clicks[i]

    def records(self, names: dict[str, str], currencies: dict[str, str | None],
                default_currency: str | None) -> list[DailyStatRecord]:
        out = []
        quiet: dict[str, int | None] = dict.fromkeys(METRICS, 0)  # a day with conversions only: no delivery
        converted_only = {key for key, found in self.conversions.days.items()
                          if key not in self.days and found.actions()}
        for key in sorted(self.days.keys() | converted_only):
            campaign_id, day = key
            totals = self.days.get(key) or DayTotals(values=dict(quiet))
            converted = self.conversions.get(key)
            conversions, value = converted.blended()
            extra = {"url_clicks": str(totals.url_clicks)} if totals.url_clicks is not None else None
            out.append(DailyStatRecord(
                campaign_id=campaign_id, date=day, impressions=totals.values["impressions"],
                clicks=totals.values["clicks"], cost_micros=totals.values["cost_micros"], conversions=conversions,
                conversion_value_micros=value, currency=currencies.get(campaign_id) or default_currency,
                campaign_name=names.get(campaign_id), extra=extra, actions=converted.actions()))
        return out
