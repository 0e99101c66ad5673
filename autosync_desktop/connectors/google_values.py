"""Reading Google Ads' values (searchStream rows): int64s sent as strings, doubles, money as exact micros, dates.

A value of an unexpected type is a Permanent error naming the field; a missing metric reads as 0 (Google omits
zero metrics from proto3 JSON)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from .base import Permanent, money_to_micros

Json = Any


def int64(value: Json, field: str) -> int:
    """An int64 (a JSON string, sometimes a number); missing means 0."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise Permanent(f"Google Ads sent an unexpected {field} value: {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise Permanent(f"Google Ads sent an unexpected {field} value: {value!r}") from exc


def double(value: Json, field: str) -> float:
    if value is None or value == "":
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise Permanent(f"Google Ads sent an unexpected {field} value: {value!r}") from exc


def money_micros(value: Json) -> int:
    """conversionsValue (a double, parsed from the JSON text as Decimal) to micros, never via float."""
    return 0 if value is None else money_to_micros(str(value))


def campaign_id(campaign: dict[str, Any]) -> str:
    if campaign.get("id") in (None, ""):
        raise Permanent("Google Ads sent a campaign row without campaign.id")
    return str(int64(campaign["id"], "campaign.id"))


def day(value: Json) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise Permanent(f"Google Ads sent an unexpected segments.date value: {value!r}") from exc


def results(batches: Json) -> Iterator[dict[str, Any]]:
    """The result rows of a searchStream answer (an array of batches; a lone batch object is accepted)."""
    for batch in batches if isinstance(batches, list) else [batches]:
        if isinstance(batch, dict):
            yield from (row for row in batch.get("results") or [] if isinstance(row, dict))
