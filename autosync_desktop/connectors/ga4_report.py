"""GA4 Data API report bodies and answers: building a runReport request, reading its rows, metadata and quota,
and turning rows into the neutral records (connectors/base.py).

Facts (shared/docs/platform-apis.md §7):
- every value in a row is a string; metrics are read by their header's type: integers (sessions, totalUsers)
  must be whole numbers ("412" or "412.0"), keyEvents is a float, totalRevenue is currency text parsed through
  Decimal to micros (never a float);
- `date` is YYYYMMDD in the property's time zone; `(other)` in every dimension is the row that absorbed what a
  high-cardinality report dropped (`metadata.dataLossFromOtherRow`): it has no day and is not stored;
- `(not set)` is GA's placeholder: a session without a campaign id keeps its campaign name as a pseudo-campaign
  `name:<sessionCampaignName>` (e.g. `name:(direct)`, `name:(organic)`, `name:spring_sale` for a manual UTM
  without utm_id); with neither id nor name it is the pseudo-campaign `(not set)` named "(not set)";
- `metadata.samplingMetadatas` (present only when sampled), `subjectToThresholding` and `dataLossFromOtherRow`
  are a report's quality flags; the days of a flagged report carry them in `extra` ("sampled", "thresholded",
  "dataLossFromOtherRow" = "true").
User counts are not additive (one user can visit on two days, or through two sources on one day): `totalUsers`
is stored per campaign and day exactly as GA4 counted it for that row, and never summed, so a campaign-day that
GA4 split over several rows (a campaign renamed that day) has no totalUsers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .base import ActionConversions, DailyStatRecord, Permanent, Transient, money_to_micros

NOT_SET = "(not set)"
OTHER = "(other)"
STAT_DIMENSIONS = ("date", "sessionCampaignId", "sessionCampaignName")
SOURCE_DIMENSIONS = (*STAT_DIMENSIONS, "sessionSource", "sessionMedium")
CAMPAIGN_DIMENSIONS = ("sessionCampaignId", "sessionCampaignName")
STAT_METRICS = ("sessions", "totalUsers", "keyEvents", "totalRevenue")
SOURCE_METRICS = ("sessions",)
EVENT_DIMENSIONS = (*STAT_DIMENSIONS, "eventName")  # key events by name (conversions by action)
EVENT_METRICS = ("keyEvents", "totalRevenue")
SOURCE_SEPARATOR = "; "  # several sources of one campaign-day, in the same order in sessionSource and sessionMedium

Json = Any


def report_body(start: date | str, end: date | str, dimensions: Sequence[str], metrics: Sequence[str],
                offset: int, limit: int) -> dict[str, Any]:
    """A runReport request: one date range, ordered by every dimension so that pages stay stable."""
    return {
        "dateRanges": [{"startDate": str(start), "endDate": str(end)}],
        "dimensions": [{"name": name} for name in dimensions],
        "metrics": [{"name": name} for name in metrics],
        "orderBys": [{"dimension": {"dimensionName": name}} for name in dimensions],
        "limit": str(limit),
        "offset": str(offset),
        "keepEmptyRows": False,
        "returnPropertyQuota": True,
    }


@dataclass(slots=True)
class ReportPage:
    """One page of a runReport answer: each row the value texts in header order; `columns` names the positions."""

    rows: list[list[str]]
    columns: dict[str, int]
    row_count: int | None
    metadata: dict[str, Any]
    quota: dict[str, Any]
    metric_types: dict[str, str]


def read_page(body: Json) -> ReportPage:
    """A runReport answer as a ReportPage; Transient when its shape is not a report (a cut-off proxy answer)."""
    if not isinstance(body, dict):
        raise Transient("Google Analytics sent an unexpected answer (not a report)")
    names: list[str] = []
    types: dict[str, str] = {}
    for header in body.get("dimensionHeaders") or []:
        names.append(str(header.get("name")) if isinstance(header, dict) else "")
    for header in body.get("metricHeaders") or []:
        name = str(header.get("name")) if isinstance(header, dict) else ""
        names.append(name)
        types[name] = str(header.get("type") or "") if isinstance(header, dict) else ""
    rows: list[list[str]] = []
    try:
        for row in body.get("rows") or []:
            values = [v["value"] for v in row["dimensionValues"]] + [v["value"] for v in row["metricValues"]]
            if len(values) != len(names):
                raise Transient("Google Analytics sent a report row that does not match its headers")
            rows.append(values)
    except (KeyError, TypeError):
        raise Transient("Google Analytics sent a report row without its values") from None
    count = body.get("rowCount")
    metadata = body.get("metadata")
    quota = body.get("propertyQuota")
    return ReportPage(rows=rows, columns={name: i for i, name in enumerate(names)},
                      row_count=_count(count) if count is not None else None,
                      metadata=metadata if isinstance(metadata, dict) else {},
                      quota=quota if isinstance(quota, dict) else {}, metric_types=types)


def _count(value: Json) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise Transient(f"Google Analytics sent an unexpected rowCount: {value!r}") from None
    return max(0, number)


# --- values ---------------------------------------------------------------------------------------------------

def whole(text: str, name: str) -> int:
    """An integer metric ("412", or "412.0" as GA4 sometimes sends integers)."""
    if text.isdigit():
        return int(text)
    try:
        value = Decimal(text or "0")
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value != value.to_integral_value():
        raise Permanent(f"Google Analytics sent a non-integer {name}: {text!r}")
    return int(value)


def number(text: str, name: str) -> int | Decimal:
    """A float metric (keyEvents) exactly: an int when it is whole, else a Decimal."""
    if text.isdigit():
        return int(text)
    try:
        value = Decimal(text or "0")
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise Permanent(f"Google Analytics sent a non-numeric {name}: {text!r}")
    return value


_DAYS: dict[str, date] = {}  # YYYYMMDD -> date: a report repeats each day once per campaign


def revenue_micros(text: str) -> int:
    """totalRevenue (currency text, "1234.5") as exact micros; whole amounts skip the Decimal."""
    return int(text) * 1_000_000 if text.isdigit() else money_to_micros(text or "0")


def day_of(text: str) -> date | None:
    """The `date` dimension (YYYYMMDD); None for the `(other)` row or anything that is not a day."""
    day = _DAYS.get(text)
    if day is None and len(text) == 8 and text.isdigit():
        try:
            day = _DAYS[text] = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None
    return day


def campaign_of(campaign_id: str, name: str) -> tuple[str, str]:
    """(campaign id as stored, name) for GA4's sessionCampaignId and sessionCampaignName."""
    if campaign_id.isdigit():  # the usual case, first
        return campaign_id, name.strip() or NOT_SET
    campaign_id, name = campaign_id.strip(), name.strip()
    if campaign_id == OTHER:
        return OTHER, OTHER
    if campaign_id in ("", NOT_SET):
        if name in ("", NOT_SET):
            return NOT_SET, NOT_SET
        return f"name:{name}", name
    return campaign_id, name or NOT_SET


def quality_flags(metadata: dict[str, Any]) -> dict[str, str]:
    """The report's quality flags as `extra` entries: sampled, thresholded, dataLossFromOtherRow."""
    flags: dict[str, str] = {}
    if metadata.get("samplingMetadatas"):
        flags["sampled"] = "true"
    if metadata.get("subjectToThresholding") is True:
        flags["thresholded"] = "true"
    if metadata.get("dataLossFromOtherRow") is True:
        flags["dataLossFromOtherRow"] = "true"
    return flags


def sampling_text(metadata: dict[str, Any]) -> str:
    """How much of the data a sampled report read, in words ("12% of the data (1,200 of 10,000)")."""
    parts = []
    for item in metadata.get("samplingMetadatas") or []:
        if not isinstance(item, dict):
            continue
        try:
            read, space = int(str(item.get("samplesReadCount"))), int(str(item.get("samplingSpaceSize")))
        except ValueError:
            continue
        if space > 0:
            parts.append(f"{100 * read / space:.0f}% of the data ({read:,} of {space:,})")
    return ", ".join(parts) or "part of the data"


# --- campaign-days --------------------------------------------------------------------------------------------

@dataclass(slots=True)
class CampaignDay:
    """One campaign's day, accumulated from the report's rows (sums of additive metrics only)."""

    name: str
    sessions: int = 0
    key_events: int | Decimal = 0
    revenue_micros: int = 0
    users: int | None = None
    rows: int = 0
    name_sessions: int = -1
    sources: list[tuple[int, str, str]] = field(default_factory=list)  # (sessions, source, medium)

    def add(self, sessions_text: str, users_text: str, key_events_text: str, revenue_text: str, name: str) -> None:
        sessions = whole(sessions_text, "sessions")
        self.sessions += sessions
        self.key_events += number(key_events_text, "keyEvents")
        self.revenue_micros += revenue_micros(revenue_text)
        self.rows += 1
        self.users = whole(users_text, "totalUsers") if self.rows == 1 else None
        if sessions > self.name_sessions:  # a campaign renamed during the day: the name with most sessions
            self.name, self.name_sessions = name, sessions

    def record(self, campaign_id: str, day: date, currency: str | None, flags: dict[str, str],
               actions: tuple[ActionConversions, ...] | None = None) -> DailyStatRecord:
        extra = {"sessions": str(self.sessions)}
        if self.users is not None:
            extra["totalUsers"] = str(self.users)
        if self.sources:
            ordered = self.sources if len(self.sources) == 1 else sorted(self.sources,
                                                                         key=lambda s: (-s[0], s[1], s[2]))
            extra["sessionSource"] = SOURCE_SEPARATOR.join(s[1] for s in ordered)
            extra["sessionMedium"] = SOURCE_SEPARATOR.join(s[2] for s in ordered)
        extra.update(flags)
        return DailyStatRecord(campaign_id=campaign_id, date=day, impressions=None, clicks=None, cost_micros=None,
                               conversions=float(self.key_events), conversion_value_micros=self.revenue_micros,
                               currency=currency, campaign_name=self.name, extra=extra, actions=actions)
