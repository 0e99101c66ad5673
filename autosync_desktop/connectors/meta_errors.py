"""Meta's error codes mapped onto the five error classes (by `error.code`, not the HTTP status).

Meta throttles with codes 4/17/32/613/80000-80014 (usually HTTP 400): RateLimited, waiting for Meta's own
estimate from the usage headers; code 190 is a dead token (ReauthRequired: paste a new one); codes 1, 2, subcode
99 and `is_transient` are Transient; 10 and 200-299 are permissions and 2635 a retired API version (Permanent).
HTTP 500 "Please reduce the amount of data" is ReduceData (the pager halves its page size) and code 100 is
InvalidParameter (a rejected status filter falls back to a narrower one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import ConnectorError, Permanent, RateLimited, ReauthRequired, Transient, retired_api
from .meta_usage import regain_seconds

THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
TRANSIENT_CODES = frozenset({1, 2})
APP_THROTTLE_CODE = 4  # the app's limit: every ad account this app reads shares it
DEPRECATED_VERSION_CODE = 2635  # "(#2635) You are calling a deprecated version of the Ads API"
_THROTTLE_NAMES = {4: "app request limit", 17: "user request limit", 32: "page request limit",
                   613: "ad account request limit", 80000: "ads insights limit", 80004: "ads management limit"}
TOKEN_INVALID = "The Meta access token is invalid or expired — paste a new system-user or long-lived token"
_TOKEN_MESSAGES = {
    463: "The Meta access token has expired — paste a new system-user or long-lived token",
    460: "The Meta access token was invalidated by a password change — paste a new system-user or long-lived token",
    458: "The Meta app behind this token was removed from the user — paste a new system-user or long-lived token",
}


class ReduceData(Permanent):
    """HTTP 500 "Please reduce the amount of data": never retried as is; the pager halves `limit` instead."""


class InvalidParameter(Permanent):
    """Meta code 100; distinct so that a rejected status filter can fall back to a narrower one."""


def _platform_message(error: Mapping[str, Any]) -> str:
    text = str(error.get("error_user_msg") or error.get("message") or "no message")
    code = error.get("code")
    sub = error.get("error_subcode")
    trace = error.get("fbtrace_id")
    detail = f"code {code}" + (f", subcode {sub}" if sub else "") + (f", fbtrace_id {trace}" if trace else "")
    return f"{text} ({detail})"


def _as_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def classify_error(status: int, error: Mapping[str, Any], headers: Mapping[str, str], account_id: str,
                   version: str) -> ConnectorError:
    """Meta's error object ({"error": {"code", "error_subcode", "message", ...}}) as one of the five classes."""
    code = _as_int(error.get("code"))
    sub = _as_int(error.get("error_subcode"))
    message = str(error.get("message") or "")
    platform = _platform_message(error)
    if code == DEPRECATED_VERSION_CODE:
        return retired_api("Meta", version, platform_message=platform)
    if code == 190:
        return ReauthRequired(_TOKEN_MESSAGES.get(sub or 0, TOKEN_INVALID), platform_message=platform)
    if code in THROTTLE_CODES:
        name = _THROTTLE_NAMES.get(code or 0, "rate limit")
        return RateLimited(f"Meta is throttling requests ({name}, code {code})",
                           retry_after=regain_seconds(headers), platform_message=platform,
                           shared=code == APP_THROTTLE_CODE)
    if status == 500 and "reduce the amount of data" in message.lower():
        return ReduceData("Meta asked to reduce the amount of data per request", platform_message=platform)
    if code in TRANSIENT_CODES or sub == 99 or error.get("is_transient") is True or status >= 500:
        return Transient("Meta had a temporary problem", platform_message=platform)
    if code == 10 or (code is not None and 200 <= code <= 299):
        return Permanent(f"Meta denied access to ad account act_{account_id}: the token needs the ads_read "
                         "permission and access to this ad account (assign the system user or person to it "
                         "in Business Settings)", platform_message=platform)
    if code == 100:
        return InvalidParameter("Meta rejected the request as invalid", platform_message=platform)
    return Permanent(f"Meta rejected the request (code {code}, HTTP {status})", platform_message=platform)
