"""LinkedIn's Rest.li 2.0 wire format: building query values, URNs, and reading elements into records.

Rest.li 2.0 query syntax: parentheses, colons and commas are structure and stay literal; values inside it (URNs,
page tokens) are percent-encoded. `requests` would encode the structure too, so the connector builds query
strings here and hands a finished URL to HttpClient. Elements carry integers (sometimes as decimal strings),
money as decimal strings in the account currency, dates as (year, month, day) objects and times in epoch ms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .base import DailyStatRecord, Permanent, money_to_micros

if TYPE_CHECKING:  # requests is imported when the first request is made
    import requests

CAMPAIGN_URN_PREFIX = "urn:li:sponsoredCampaign:"


def restli_encode(value: str) -> str:
    """A value inside Rest.li structure: everything but unreserved characters is percent-encoded."""
    return quote(value, safe="")


def restli_list(values: Sequence[str]) -> str:
    return "List(" + ",".join(restli_encode(v) for v in values) + ")"


def restli_date(day: date) -> str:
    return f"(year:{day.year},month:{day.month},day:{day.day})"


def restli_date_range(start: date, end: date) -> str:
    return f"(start:{restli_date(start)},end:{restli_date(end)})"


def query_string(params: Sequence[tuple[str, str]]) -> str:
    """Join already-encoded parameters; the Rest.li structure characters stay literal."""
    return "&".join(f"{key}={value}" for key, value in params)


def campaign_urn(campaign_id: str) -> str:
    return f"{CAMPAIGN_URN_PREFIX}{campaign_id}"


def campaign_id_of(value: Any) -> str | None:
    """A campaign id from an int id, a digit string or a sponsoredCampaign URN."""
    text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
    if text.startswith(CAMPAIGN_URN_PREFIX):
        text = text[len(CAMPAIGN_URN_PREFIX):]
    return text if text.isdigit() else None


def as_int(value: Any, what: str) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if isinstance(value, bool) or not number.is_finite() or number != number.to_integral_value():
        raise Permanent(f"LinkedIn sent a non-integer {what}: {value!r}")
    return int(number)


def as_float(value: Any, what: str) -> float:
    if value is None or value == "":
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Permanent(f"LinkedIn sent a non-numeric {what}: {value!r}") from None


def date_of(value: Any) -> date | None:
    if not isinstance(value, dict):
        return None
    try:
        return date(int(value["year"]), int(value["month"]), int(value["day"]))
    except (KeyError, TypeError, ValueError):
        return None


def ms_to_iso(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value / 1000, UTC).isoformat().replace("+00:00", "Z")


def _sent(element: dict[str, Any], key: str, parse: Callable[[Any], int]) -> int | None:
    """The metric parsed, or None when LinkedIn did not send it (unknown, not zero)."""
    value = element.get(key)
    return None if value is None else parse(value)


def stat_record(element: dict[str, Any], names: dict[str, str], currency: str | None) -> DailyStatRecord | None:
    """One adAnalytics element (pivot CAMPAIGN, DAILY) as a record; None without a campaign or a day.
    A metric LinkedIn did not send is unknown (None), not 0 (the conversions count, a NOT NULL column, is 0)."""
    pivots = element.get("pivotValues")
    campaign_id = campaign_id_of(pivots[0]) if isinstance(pivots, list) and pivots else None
    date_range = element.get("dateRange")
    day = date_of(date_range.get("start")) if isinstance(date_range, dict) else None
    if campaign_id is None or day is None:
        return None
    return DailyStatRecord(
        campaign_id=campaign_id,
        date=day,
        impressions=_sent(element, "impressions", lambda v: as_int(v, "impressions count")),
        clicks=_sent(element, "clicks", lambda v: as_int(v, "clicks count")),
        cost_micros=_sent(element, "costInLocalCurrency", money_to_micros),
        conversions=as_float(element.get("externalWebsiteConversions"), "conversions count"),
        conversion_value_micros=_sent(element, "conversionValueInLocalCurrency", money_to_micros),
        currency=currency,
        campaign_name=names.get(campaign_id),
    )


# --- responses --------------------------------------------------------------------------------------------------

def response_body(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def platform_message(body: dict[str, Any], response: requests.Response) -> str:
    parts = [str(body[k]) for k in ("code", "message") if body.get(k)]
    return " ".join(parts) if parts else f"HTTP {response.status_code}"


def is_json_object(response: requests.Response) -> bool:
    try:
        return isinstance(response.json(), dict)
    except ValueError:
        return False


def elements(data: dict[str, Any], what: str) -> list[dict[str, Any]]:
    elements = data.get("elements", [])
    if not isinstance(elements, list):
        raise Permanent(f"LinkedIn sent an unexpected {what} response (no list of elements).")
    return [e for e in elements if isinstance(e, dict)]
