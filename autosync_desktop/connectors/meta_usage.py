"""Meta's usage headers: how close an app or ad account is to being throttled, and how long a block lasts.

Meta reports usage as percentages in `X-App-Usage`, `X-Ad-Account-Usage`, `x-fb-ads-insights-throttle` and
`X-Business-Use-Case-Usage` (whose `estimated_time_to_regain_access`, in minutes, is set while Meta blocks the
app or account); `X-Ad-Account-Usage.reset_time_duration` says when the account's score is back at 0. The Meta
connector reads them on every response to pause before Meta blocks it, and to wait for Meta's own estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

_USAGE_PCT_KEYS = {
    "X-App-Usage": ("call_count", "total_cputime", "total_time"),
    "X-Ad-Account-Usage": ("acc_id_util_pct",),
    "x-fb-ads-insights-throttle": ("app_id_util_pct", "acc_id_util_pct"),
}
_BUC_HEADER = "X-Business-Use-Case-Usage"
_BUC_PCT_KEYS = ("call_count", "total_cputime", "total_time")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _json_header(headers: Mapping[str, str], name: str) -> Any:
    raw = headers.get(name)
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _buc_entries(headers: Mapping[str, str]) -> list[dict[str, Any]]:
    value = _json_header(headers, _BUC_HEADER)
    if not isinstance(value, dict):
        return []
    return [entry for entries in value.values() if isinstance(entries, list)
            for entry in entries if isinstance(entry, dict)]


def block_seconds(headers: Mapping[str, str]) -> float | None:
    """The largest `estimated_time_to_regain_access` (minutes) of X-Business-Use-Case-Usage, in seconds.

    Meta sets it above 0 only while it blocks the app or account; None otherwise.
    """
    minutes = [m for m in (_number(e.get("estimated_time_to_regain_access")) for e in _buc_entries(headers))
               if m is not None and m > 0]
    return max(minutes) * 60.0 if minutes else None


def reset_seconds(headers: Mapping[str, str]) -> float | None:
    """X-Ad-Account-Usage `reset_time_duration`: seconds until the account's usage score is back at 0."""
    account = _json_header(headers, "X-Ad-Account-Usage")
    reset = _number(account.get("reset_time_duration")) if isinstance(account, dict) else None
    return reset if reset is not None and reset > 0 else None


def regain_seconds(headers: Mapping[str, str]) -> float | None:
    """Meta's own estimate of when a throttled app or account may call again (None if it gave none)."""
    return block_seconds(headers) or reset_seconds(headers)


@dataclass(frozen=True, slots=True)
class Usage:
    """The highest usage percentage in Meta's headers and where it came from."""

    pct: float
    source: str


def peak_usage(headers: Mapping[str, str]) -> Usage | None:
    best: Usage | None = None
    for header, keys in _USAGE_PCT_KEYS.items():
        value = _json_header(headers, header)
        if isinstance(value, dict):
            for key in keys:
                pct = _number(value.get(key))
                if pct is not None and (best is None or pct > best.pct):
                    best = Usage(pct, f"{header} {key}")
    for entry in _buc_entries(headers):
        for key in _BUC_PCT_KEYS:
            pct = _number(entry.get(key))
            if pct is not None and (best is None or pct > best.pct):
                best = Usage(pct, f"{_BUC_HEADER} {entry.get('type') or '?'} {key}")
    return best
