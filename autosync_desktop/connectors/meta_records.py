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


def _by_type(items: Any, types: frozenset[str], parse: Any) -> dict[str, Any]:
    """The listed types' values of an action list, parsed and summed per type (one pass)."""
    out: dict[str, Any] = {}
    for item in items:
        kind = item["action_type"]
        if kind in types:
            out[kind] = out.get(kind, 0) + parse(item["value"])
    return out


def stat_record(row: Mapping[str, Any], types: frozenset[str], currency: str | None) -> DailyStatRecord:
    """One insights row (level=campaign, time_increment=1) as a record. Numbers arrive as strings.

    Money and counts are summed exactly (integers, Decimal for the rare fractional count), never via float.
    A field Meta did not send is unknown (None), not 0; only the action lists, which Meta leaves out when they
    are empty, count as zero conversions. `actions` holds the listed types one by one, adding up to the blended
    numbers: its count from `actions`, its value from `action_values` (None when Meta sent no value for it).
    """
    get = row.get
    actions = get("actions")
    values = get("action_values")
    impressions, clicks, spend = get("impressions"), get("clicks"), get("spend")
    counts = _by_type(actions, types, _count) if actions else {}
    money = _by_type(values, types, micros) if values else {}
    per_action: tuple[ActionConversions, ...] = ()
    if counts or money:
        kinds = counts.keys() | money.keys()
        per_action = tuple(ActionConversions(kind, float(counts.get(kind, 0)), money.get(kind))
                           for kind in (sorted(kinds) if len(kinds) > 1 else kinds))
    return DailyStatRecord(
        str(row["campaign_id"]), date.fromisoformat(row["date_start"]),
        None if impressions is None else int(impressions or 0), None if clicks is None else int(clicks or 0),
        None if spend is None else micros(spend), float(sum(counts.values())) if counts else 0.0,
        sum(money.values()) if money else 0, get("account_currency") or currency,
        get("campaign_name"), None, per_action)


def campaign_record(row: Mapping[str, Any], currency: str | None) -> CampaignRecord:
    raw = str(row.get("status") or row.get("effective_status") or "")
    extra = {key: str(row[key]) for key in _CAMPAIGN_EXTRA if row.get(key) is not None}
    return CampaignRecord(campaign_id=str(row["id"]), name=str(row.get("name") or ""),
                          status=_STATUS_MAP.get(raw.upper(), "OTHER"), status_raw=raw or None, currency=currency,
                          updated_at=row.get("updated_time"), extra=extra or None)


ROW_ERRORS = (KeyError, TypeError, ValueError, AttributeError, InvalidOperation)


def unreadable(what: str, exc: Exception) -> Permanent:
    return Permanent(f"Meta sent a {what} row this version cannot read ({type(exc).__name__}: {exc})")
