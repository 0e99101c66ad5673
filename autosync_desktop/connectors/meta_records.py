"""Meta insights and campaign rows as records: exact money and counts, the conversion action types summed.

Numbers arrive as strings. `spend` and `action_values` are decimal money in the account currency, turned into
micros exactly (`micros`, a fast path equal to money_to_micros); action counts are integers, or decimals for
modelled conversions, summed without floats. Budgets stay as Meta sends them (integers in the minor unit).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .base import ActionConversions, CampaignRecord, DailyStatRecord, Permanent, money_to_micros

_STATUS_MAP = {"ACTIVE": "ACTIVE", "PAUSED": "PAUSED", "DELETED": "REMOVED", "ARCHIVED": "REMOVED"}
_CAMPAIGN_EXTRA = ("effective_status", "objective", "daily_budget", "lifetime_budget", "start_time", "stop_time",
                   "created_time")  # budgets stay as Meta sends them: integers in the currency's minor unit


def micros(text: Any) -> int:
    """Exactly money_to_micros(text), without Decimal for the usual "123.45" (digits, at most 6 decimals)."""
    if text.__class__ is str:
        whole, dot, frac = text.partition(".")
        if whole.isdigit() and whole.isascii() and len(frac) <= 6 and (frac.isdigit() and frac.isascii()
                                                                       if dot else True):
            return int(whole) * 1_000_000 + (int(frac) * _FRAC_SCALE[len(frac)] if frac else 0)
    return money_to_micros(text)


_FRAC_SCALE = (1, 100_000, 10_000, 1_000, 100, 10, 1)


def _count(text: Any) -> int | Decimal:
    """An action count: usually digits ("3"), sometimes a decimal ("1.5") for modelled conversions."""
    if text.__class__ is str and text.isdigit() and text.isascii():
        return int(text)
    return Decimal(text or 0)


def _sum_actions(actions: Any, types: frozenset[str]) -> float:
    total: int | Decimal = 0
    for action in actions:
        if action["action_type"] in types:
            total += _count(action["value"])
    return float(total)


def _sum_action_values(values: Any, types: frozenset[str]) -> int:
    total = 0
    for value in values:
        if value["action_type"] in types:
            total += micros(value["value"])
    return total


def _per_action(actions: Any, values: Any, types: frozenset[str]) -> tuple[ActionConversions, ...]:
    """The conversion types summed into `conversions`, one row each (so the rows add up to the blended numbers):
    its count from `actions`, its value from `action_values` (None when Meta sent no value for that type)."""
    counts: dict[str, int | Decimal] = {}
    for action in actions or ():
        kind = action["action_type"]
        if kind in types:
            counts[kind] = counts.get(kind, 0) + _count(action["value"])
    money: dict[str, int] = {}
    for value in values or ():
        kind = value["action_type"]
        if kind in types:
            money[kind] = money.get(kind, 0) + micros(value["value"])
    return tuple(ActionConversions(kind, float(counts.get(kind, 0)), money.get(kind))
                 for kind in sorted(counts.keys() | money.keys()))


def stat_record(row: Mapping[str, Any], types: frozenset[str], currency: str | None) -> DailyStatRecord:
    """One insights row (level=campaign, time_increment=1) as a record. Numbers arrive as strings.

    Money and counts are summed exactly (integers, Decimal for the rare fractional count), never via float.
    A field Meta did not send is unknown (None), not 0; only the action lists, which Meta leaves out when they
    are empty, count as zero conversions. `actions` holds the same types one by one (`_per_action`).
    """
    get = row.get
    actions = get("actions")
    values = get("action_values")
    impressions, clicks, spend = get("impressions"), get("clicks"), get("spend")
    return DailyStatRecord(
        str(row["campaign_id"]), date.fromisoformat(row["date_start"]),
        None if impressions is None else int(impressions or 0), None if clicks is None else int(clicks or 0),
        None if spend is None else micros(spend), _sum_actions(actions, types) if actions else 0.0,
        _sum_action_values(values, types) if values else 0, get("account_currency") or currency,
        get("campaign_name"), None, _per_action(actions, values, types) if actions or values else ())


def campaign_record(row: Mapping[str, Any], currency: str | None) -> CampaignRecord:
    raw = str(row.get("status") or row.get("effective_status") or "")
    extra = {key: str(row[key]) for key in _CAMPAIGN_EXTRA if row.get(key) is not None}
    return CampaignRecord(campaign_id=str(row["id"]), name=str(row.get("name") or ""),
                          status=_STATUS_MAP.get(raw.upper(), "OTHER"), status_raw=raw or None, currency=currency,
                          updated_at=row.get("updated_time"), extra=extra or None)


ROW_ERRORS = (KeyError, TypeError, ValueError, AttributeError, InvalidOperation)


def unreadable(what: str, exc: Exception) -> Permanent:
    return Permanent(f"Meta sent a {what} row this version cannot read ({type(exc).__name__}: {exc})")
