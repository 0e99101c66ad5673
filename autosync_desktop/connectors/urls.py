"""The one URL rule for every URL option of every connector (`api_base_url`, `token_url`, ...).

A URL option must be https, or plain http only to a loopback host (127.0.0.0/8, ::1, localhost), so a bearer
token never travels in clear text beyond this machine (a local test server or proxy may still stand in). It
carries no user name or password (those belong in the keyring; such a URL is never echoed back), no query and
no fragment; an option that is "scheme and host only" also has no path. A refused URL raises UrlRefused with
one line that names the option and the fix (the options parser turns it into Permanent). Standard library only,
so base.py can apply the rule to every platform's URL options. `origin` and `with_query` help keep a token
on its own host.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

LOOPBACK_NAMES = ("localhost",)
URL_OPTIONS = ("api_base_url", "token_url")  # accepted by every platform, checked by this rule wherever given


class UrlRefused(ValueError):
    """A URL option broke the rule; the message names the option and the fix."""


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_url(raw: object, option: str, *, path_allowed: bool, example: str) -> str:
    """`raw` as a URL that obeys the rule (a trailing slash removed), or UrlRefused naming `option`."""
    text = str(raw if raw is not None else "").strip()
    fix = f"use https://… such as {example} (plain http only to 127.0.0.1, ::1 or localhost)"
    try:
        parts = urlsplit(text)
        port = parts.port  # a malformed port raises ValueError
    except ValueError:
        raise UrlRefused(f"--option {option}: not a valid URL; {fix}.") from None
    if "@" in parts.netloc:
        raise UrlRefused(f"--option {option}: a URL must not carry a user name or password (the URL was not "
                        "stored); credentials go to the keyring with --credentials-stdin.")
    host = parts.hostname
    if parts.scheme not in ("https", "http") or not host or " " in text or port == 0:
        raise UrlRefused(f"--option {option}: {text!r} is not a valid URL; {fix}.")
    if parts.scheme == "http" and not is_loopback(host):
        raise UrlRefused(f"--option {option}: plain http to {host} would send your token unencrypted; {fix}.")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise UrlRefused(f"--option {option}: remove the query or fragment from {text!r}; {fix}.")
    if not path_allowed and parts.path not in ("", "/"):
        raise UrlRefused(f"--option {option}: scheme and host only, such as {example} (AutoSync adds the API "
                        f"path), got {text!r}.")
    return text.rstrip("/")


def origin(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) in lower case: where a token may be sent is decided by this."""
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def with_query(url: str, **changes: str | None) -> str:
    """`url` with query parameters replaced (None removes one) and no fragment."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in changes]
    query.extend((k, v) for k, v in changes.items() if v is not None)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
