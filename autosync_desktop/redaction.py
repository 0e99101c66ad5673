"""The one redaction of AutoSync: every text that enters the store or leaves the process goes through `clean`.

Two nets: the exact secret values this process has seen (what it read from or wrote to the keyring: account
credentials, OAuth clients, channel secrets, new credentials being checked, access tokens a refresh returned),
including their URL-encoded and JSON-escaped forms, and patterns for things that look like tokens (bearer
headers, `token=` parameters, JWTs, Slack webhook paths, well-known token prefixes, long opaque strings).
Masking never reveals a part of the secret.

The doors that call `clean` (each text is redacted where it crosses one): the store's free-text columns (a run's
error and reason, run events, health probes, an account's sign-in message: `store.models.RedactedTextField`),
the engine's events on the bus (the window's feed, notifications), every error's one line (`errors.one_line`:
the CLI's stderr, the window's status bar), connectivity checks (`accounts test`, `set-credentials`), delivery
results of notifications and the log file (`logs.py`). `secrets.py` calls `remember` for every value it reads or
writes. Stdlib only, so every layer can import it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

MASK = "[redacted]"
MIN_SECRET_LENGTH = 8  # shorter keyring values (flags, ids like "1") are not masked as literal text

_NAMES = (r"access_token|refresh_token|id_token|auth_token|client_secret|developer_token|app_secret|password|passwd"
          r"|secret|token|api_key|apikey|private_key|signature|sig|key")
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization: Bearer xyz / Basic xyz
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{6,}"), rf"\1\2{MASK}"),
    # name=value (query strings, form bodies) and "name": "value" (JSON, repr of dicts); not "token: expired"
    (re.compile(rf"""(?i)(\b(?:{_NAMES})=)([^"'&\s,;]{{4,}})"""), rf"\1{MASK}"),
    (re.compile(rf"""(?i)(["'](?:{_NAMES})["']\s*:\s*["'])([^"']{{4,}})"""), rf"\1{MASK}"),
    # https://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)([^/\s@]+)@"), rf"\1{MASK}@"),
    # Slack incoming webhooks and tokens
    (re.compile(r"(?i)(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_-]+"), rf"\1{MASK}"),
    (re.compile(r"(/services/)T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+"), rf"\1{MASK}"),  # a webhook path alone
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), MASK),
    # JWTs, Google access/refresh tokens, Meta tokens
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}"), MASK),
    (re.compile(r"\bya29\.[A-Za-z0-9._-]{10,}"), MASK),
    (re.compile(r"(?<![A-Za-z0-9])1//[A-Za-z0-9._-]{10,}"), MASK),
    (re.compile(r"\bEAA[A-Za-z0-9]{20,}"), MASK),
    # anything long and opaque that mixes letters and digits (no spaces, dots or slashes: not a path or a name)
    (re.compile(r"(?<![A-Za-z0-9_+=-])(?=[A-Za-z0-9_+=-]*\d)(?=[A-Za-z0-9_+=-]*[A-Za-z])[A-Za-z0-9_+=-]{32,}"
                r"(?![A-Za-z0-9_+=-])"), MASK),
)


def secret_strings(value: Any) -> list[str]:
    """Every string inside a credentials value (a dict of them, a JSON text, a list), for `Redactor`."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in secret_strings(v)]
    if isinstance(value, list | tuple | set):
        return [s for v in value for s in secret_strings(v)]
    text = str(value)
    if text[:1] in "{[":
        try:
            return secret_strings(json.loads(text))
        except ValueError:
            pass
    return [text]


class Redactor:
    """Callable text -> text with the given secret values and token-like strings masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.values = tuple({s.strip() for s in secrets if s and len(s.strip()) >= MIN_SECRET_LENGTH})
        forms: set[str] = set()
        for secret in self.values:
            forms.update({secret, quote(secret, safe=""), quote(secret, safe="/:"), json.dumps(secret)[1:-1]})
            if secret.startswith(("https://", "http://")):  # a URL with a token: HTTP logs show only its path
                parts = urlsplit(secret)
                path = parts.path + (f"?{parts.query}" if parts.query else "")
                if len(path) >= 12:
                    forms.add(path)
        self._values = sorted(forms, key=len, reverse=True)  # longest first: a secret containing another

    def __call__(self, text: str | None) -> str:
        if not text:
            return text or ""
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text


def redact(text: str | None, secrets: Iterable[str] = ()) -> str:
    return Redactor(secrets)(text)


# --- the process's known secrets -------------------------------------------------------------------------------

_lock = threading.Lock()
_known = Redactor()


def remember(values: Iterable[str]) -> None:
    """Mask these exact values (keyring secrets, their parts) in every later `clean`; earlier ones stay masked."""
    global _known
    fresh = [v for v in values if v and len(v.strip()) >= MIN_SECRET_LENGTH and v.strip() not in _known.values]
    if not fresh:
        return
    with _lock:
        _known = Redactor([*_known.values, *fresh])


# Keys of a credentials object whose values are identifiers, not secrets (they appear in normal messages).
NOT_SECRET_KEYS = frozenset({"client_id", "login_customer_id", "customer_id", "account_id", "token_type", "scope",
                             "expires_in", "access_token_expires_at"})


def remember_credentials(value: Any) -> None:
    """`remember` every string inside a credentials value (a dict, a JSON text, a list), except identifiers."""
    if isinstance(value, Mapping):
        value = {k: v for k, v in value.items() if k not in NOT_SECRET_KEYS}
    remember(secret_strings(value))


def known() -> Redactor:
    """The redactor with every value remembered so far (plus the token patterns)."""
    return _known


def clean(text: str | None) -> str:
    """`text` with every remembered secret and anything token-shaped masked ("" for None)."""
    return _known(text)


def forget_all() -> None:
    """Drop the remembered values (tests; a process never forgets what it has read)."""
    global _known
    with _lock:
        _known = Redactor()
