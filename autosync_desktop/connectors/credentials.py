"""Which credential keys each platform reads, and the check that refuses a credentials object that cannot work.

Checked before anything is stored (`accounts add`, `accounts set-credentials`): every value is one line of
text of sensible length; the keys are the platform's own (a typo such as `acess_token` is named, not ignored);
the platform's minimum is there (what `accounts connect` cannot add later). A sandbox platform takes none.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from autosync_desktop.errors import UserError

FIELD = "--credentials-stdin"
MAX_VALUE = 4096  # the longest real tokens (LinkedIn, JWT-like) are well under this
# google_ads.REQUIRED_CREDENTIALS, spelled out so that checking credentials never imports a platform's module (and
# its HTTP client) for a store without that platform; tests/gui/test_cold_start.py checks that they agree
GOOGLE_ADS_REQUIRED = ("client_id", "client_secret", "refresh_token", "developer_token")


@dataclass(frozen=True, slots=True)
class CredentialKeys:
    keys: tuple[str, ...]  # every key the connector reads
    needs: tuple[tuple[str, ...], ...]  # at least one of these sets must be complete
    example: str


RULES: dict[str, CredentialKeys] = {
    "google_ads": CredentialKeys(
        keys=(*GOOGLE_ADS_REQUIRED, "login_customer_id"), needs=(("developer_token",),),
        example='{"developer_token": "…"} (then accounts connect), or all of ' + ", ".join(GOOGLE_ADS_REQUIRED)),
    "meta_ads": CredentialKeys(keys=("access_token",), needs=(("access_token",),),
                               example='{"access_token": "EAAB…"}'),
    "linkedin_ads": CredentialKeys(
        keys=("access_token", "refresh_token", "client_id", "client_secret"),
        needs=(("access_token",), ("refresh_token",), ("client_id",)),  # client_id alone: waiting for connect
        example='{"access_token": "…"} or {"client_id", "client_secret", "refresh_token"} (or {"client_id"}, '
                'then accounts connect)'),
    "microsoft_ads": CredentialKeys(
        keys=("developer_token", "client_id", "refresh_token"), needs=(("developer_token",),),
        example='{"developer_token": "…"} (then accounts connect), or {"client_id", "refresh_token", '
                '"developer_token"}'),
    "tiktok_ads": CredentialKeys(
        keys=("access_token", "app_id", "secret", "auth_code"),
        needs=(("access_token",), ("app_id", "secret", "auth_code")),
        example='{"access_token": "…"} or {"app_id", "secret", "auth_code"}'),
    "x_ads": CredentialKeys(
        keys=("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
        needs=(("consumer_key", "consumer_secret"),),  # the app's keys alone: then accounts connect (PIN)
        example='{"consumer_key", "consumer_secret", "access_token", "access_token_secret"} (or the first two, '
                'then accounts connect)'),
    "ga4": CredentialKeys(
        keys=("client_id", "client_secret", "refresh_token"), needs=(("client_id", "client_secret", "refresh_token"),),
        example='{"client_id", "client_secret", "refresh_token"} (or none: accounts connect signs in)'),
}


def _value_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"must be text in quotes, not {type(value).__name__ if value is not None else 'null'}"
    if not value.strip():
        return "is empty"
    if len(value) > MAX_VALUE:
        return f"is {len(value):,} characters long; a credential is at most {MAX_VALUE:,}"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid text (it holds a lone surrogate escape)"
    bad = next((ch for ch in value if unicodedata.category(ch) in ("Cc", "Cf")), None)
    if bad is not None:
        return f"holds the control character U+{ord(bad):04X}; paste the value exactly, on one line"
    return None


def check(platform: str, label: str, sandbox: bool, credentials: dict[str, Any]) -> dict[str, str]:
    """The credentials as strings (trimmed), or UserError naming the missing or bad key and the fix."""
    if sandbox:
        raise UserError(f"{FIELD}: {label} needs no credentials; leave {FIELD} out")
    rule = RULES.get(platform)
    if not credentials:
        example = f", e.g. {rule.example}" if rule else ""
        raise UserError(f"{FIELD}: the JSON object is empty; {label} needs its credentials{example}")
    needed = {key for keys in rule.needs for key in keys} if rule is not None else set(credentials)
    for name, value in credentials.items():
        if rule is not None and name not in rule.keys:
            raise UserError(f"{FIELD}: {name!r} is not a {label} credential; it reads {', '.join(rule.keys)}")
        problem = _value_problem(value)
        if problem == "is empty" and name not in needed:  # e.g. a public OAuth client has no client_secret
            problem = None
        if problem:
            raise UserError(f"{FIELD}: {name} {problem}")
    cleaned = {str(name): str(value).strip() for name, value in credentials.items()}
    if rule is not None and not any(all(cleaned.get(key) for key in keys) for keys in rule.needs):
        missing = next(key for keys in rule.needs for key in keys if key not in cleaned)
        raise UserError(f"{FIELD}: the {label} credentials lack {missing}; give {rule.example}")
    return cleaned
