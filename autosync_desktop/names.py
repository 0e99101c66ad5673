"""Names of accounts and schedules: one rule for what is accepted, how names compare, and how they are shown.

- A new name is normalised (Unicode NFC, surrounding whitespace trimmed) and refused when it is empty, longer than
  `MAX_LENGTH`, or holds a control or format character (categories Cc, Cf, Cs: newlines, ANSI escapes, NUL,
  zero-width characters, bidi controls, lone surrogates).
- Names compare case-insensitively (`key`: casefolded, control and format characters dropped), so "Demo", "demo"
  and "De\u200bmo" cannot coexist. Names already stored stay as they are.
- `printable` escapes control and format characters for a terminal (never a raw escape sequence);
  `suggestions` picks the few closest known names for an "unknown name" message.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

from autosync_desktop.errors import UserError

MAX_LENGTH = 100
_REFUSED_CATEGORIES = ("Cc", "Cf", "Cs")
MAX_SUGGESTIONS = 3


def _refused(ch: str) -> bool:
    return unicodedata.category(ch) in _REFUSED_CATEGORIES


def clean(raw: str | None, field: str, example: str) -> str:
    """`raw` as a new name (NFC, trimmed), or UserError naming `field` and what is wrong."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if not name:
        raise UserError(f"{field}: a name is needed, e.g. {field} {example!r}")
    bad = next((ch for ch in name if _refused(ch)), None)
    if bad is not None:
        raise UserError(f"{field}: the name holds the invisible or control character U+{ord(bad):04X}; "
                        "use letters, digits, spaces and punctuation only")
    if len(name) > MAX_LENGTH:
        raise UserError(f"{field}: at most {MAX_LENGTH} characters (got {len(name)}); pick a shorter name")
    return name


def key(name: str) -> str:
    """What two names are compared by: NFC, control and format characters dropped, trimmed, casefolded."""
    text = unicodedata.normalize("NFC", name)
    return "".join(ch for ch in text if not _refused(ch)).strip().casefold()


def clash(name: str, existing: Iterable[str]) -> str | None:
    """The existing name that `name` cannot coexist with (equal by `key`), or None."""
    wanted = key(name)
    return next((other for other in existing if key(other) == wanted), None)


def printable(name: str) -> str:
    """`name` safe for a terminal: control and format characters as \\xNN / \\uNNNN escapes, the rest as is."""
    if not any(_refused(ch) for ch in name):
        return name
    out = []
    for ch in name:
        if not _refused(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def suggestions(name: str, known: Iterable[str], limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Up to `limit` known names closest to `name` (case-insensitive), best first."""
    by_key: dict[str, str] = {}
    for other in known:
        by_key.setdefault(key(other), other)
    close = difflib.get_close_matches(key(name), list(by_key), n=limit, cutoff=0.6)
    return [by_key[k] for k in close]


def unknown(kind: str, name: str, known: Iterable[str], hint: str) -> UserError:
    """'Unknown account 'x'; did you mean 'X'?' with at most a few suggestions, never the whole list."""
    names = list(known)
    close = suggestions(name, names)
    if close:
        return UserError(f"Unknown {kind} {name!r}; did you mean {' or '.join(repr(n) for n in close)}? ({hint})")
    return UserError(f"Unknown {kind} {name!r} ({hint})")
