"""Reading the google.rpc error model that Google's REST APIs share (Google Ads; GA4 answers the same way).

`find_error` finds `{"error": {...}}` in a body (also inside an array, as searchStream sends it), `codes`
lists its GoogleAdsError codes ("QueryError.REQUESTED_METRICS_FOR_MANAGER"), `retry_delay` reads the server's
wait (quotaErrorDetails.retryDelay or google.rpc.RetryInfo) and `platform_message` makes one readable line.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # requests (~60 ms) is imported when the first request is made
    import requests


Json = Any
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)s?\s*")


def load(response: requests.Response) -> Json:
    """The body as JSON, exact decimals kept as Decimal; raises ValueError when it is not JSON."""
    return json.loads(response.content, parse_float=Decimal)


def find_error(body: Json) -> dict[str, Any] | None:
    """The google.rpc error object of a body: {"error": {...}} or an array holding one."""
    items = body if isinstance(body, list) else [body]
    for item in items:
        error = item.get("error") if isinstance(item, dict) else None
        if isinstance(error, dict):
            return error
    return None


def ads_errors(error: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and isinstance(detail.get("errors"), list):
            out.extend(e for e in detail["errors"] if isinstance(e, dict))
    return out


def error_code(item: dict[str, Any]) -> str | None:
    """One GoogleAdsError's code as "QueryError.REQUESTED_METRICS_FOR_MANAGER"."""
    for kind, value in (item.get("errorCode") or {}).items():
        return f"{kind[:1].upper()}{kind[1:]}.{value}"
    return None


def codes(error: dict[str, Any]) -> list[str]:
    return [code for item in ads_errors(error) if (code := error_code(item))]


def duration(value: object) -> float | None:
    """A protobuf Duration in JSON ("30s", "1.5s") as seconds."""
    match = _DURATION.fullmatch(str(value)) if value is not None else None
    return float(match.group(1)) if match else None


def developer_scope(error: dict[str, Any]) -> bool:
    """True when a quota error's `quotaErrorDetails.rateScope` is DEVELOPER: the developer token's limit, shared by
    every account the app reaches (ACCOUNT: this customer's own)."""
    return any(((item.get("details") or {}).get("quotaErrorDetails") or {}).get("rateScope") == "DEVELOPER"
               for item in ads_errors(error))


def retry_delay(error: dict[str, Any]) -> float | None:
    for item in ads_errors(error):
        quota = (item.get("details") or {}).get("quotaErrorDetails") or {}
        delay = duration(quota.get("retryDelay"))
        if delay is not None:
            return delay
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            delay = duration(detail.get("retryDelay"))
            if delay is not None:
                return delay
    return None


def platform_message(error: dict[str, Any] | None, http_status: int, text: str) -> str:
    if not error:
        snippet = " ".join(text.split())[:200]
        return f"HTTP {http_status}" + (f": {snippet}" if snippet else "")
    head = f"{error.get('status') or f'HTTP {http_status}'}: {error.get('message') or 'no message'}"
    details = [": ".join(str(p) for p in (error_code(item), item.get("message")) if p) for item in ads_errors(error)]
    message = "; ".join([head, *(d for d in details[:3] if d)])
    return message if len(message) <= 600 else message[:597] + "…"
