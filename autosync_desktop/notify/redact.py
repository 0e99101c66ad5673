"""Masking secrets out of any text that leaves AutoSync (a message, a log line, a stored delivery result).

Two nets: the exact values currently in the keyring (account credentials, OAuth clients, channel secrets),
including their URL-encoded and JSON-escaped forms, and patterns for things that look like tokens (bearer
headers, `token=` parameters, JWTs, Slack webhook paths, well-known token prefixes, long opaque strings).
Masking never reveals a part of the secret.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
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


class RedactingFilter(logging.Filter):
    """Masks secrets in the records of a third-party logger (urllib3 logs each request's path at DEBUG)."""

    def __init__(self, redactor: Callable[[], Redactor]) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg, record.args = self._redactor()(record.getMessage()), ()
        except Exception:
            record.msg, record.args = MASK, ()
        return True


THIRD_PARTY_LOGGERS = ("urllib3.connectionpool",)


def guard_logs(redactor: Callable[[], Redactor]) -> Callable[[], None]:
    """Install a RedactingFilter on the HTTP library's loggers; returns the function that removes it."""
    log_filter = RedactingFilter(redactor)
    for name in THIRD_PARTY_LOGGERS:
        logging.getLogger(name).addFilter(log_filter)

    def remove() -> None:
        for name in THIRD_PARTY_LOGGERS:
            logging.getLogger(name).removeFilter(log_filter)

    return remove
