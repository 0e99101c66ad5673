"""The one options parser of the connectors, and the one way account ids are normalised.

A platform declares its options as rules (`IntOption`, `UrlOption`, `TextOption`, `ChoiceOption`) on its
PlatformSpec. `parse_options` turns the account's stored text options into typed values with defaults, and
refuses a bad value with one plain line that names the option (Permanent; `accounts add` shows it with exit 2).
The same rules check the options at `accounts add`, also for an account that has no credentials yet.

`numeric_id` is every platform's account-id rule: the digits, after an optional platform prefix ("act_",
"urn:li:sponsoredAccount:") and the separators people type ("123-456-7890"); the prefix alone is not an id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .base import Permanent
from .urls import UrlRefused, checked_url

# Read by the engine (window lookback) and accepted by every connector.
COMMON_OPTIONS = ("lookback_days",)


@dataclass(frozen=True, slots=True)
class IntOption:
    """A whole number within bounds."""

    name: str
    default: int
    low: int
    high: int

    def parse(self, raw: object) -> int:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return self.default
        text = str(raw).strip()
        if isinstance(raw, bool) or not re.fullmatch(r"[+-]?\d{1,12}", text) or not self.low <= int(text) <= self.high:
            raise Permanent(f"--option {self.name}: must be a whole number from {self.low} to {self.high} "
                            f"(got {_shown(raw)}).")
        return int(text)


@dataclass(frozen=True, slots=True)
class UrlOption:
    """A URL under the one URL rule (connectors/urls.py); `path_allowed=False`: scheme and host only."""

    name: str
    default: str
    path_allowed: bool = False

    def parse(self, raw: object) -> str:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return self.default
        try:
            return checked_url(raw, self.name, path_allowed=self.path_allowed, example=self.default)
        except UrlRefused as exc:
            raise Permanent(str(exc)) from None


@dataclass(frozen=True, slots=True)
class TextOption:
    """Free text checked by `pattern` (a full match), with `hint` saying what is expected."""

    name: str
    default: str
    pattern: str
    hint: str

    def parse(self, raw: object) -> str:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return self.default
        text = str(raw).strip()
        if not re.fullmatch(self.pattern, text):
            raise Permanent(f"--option {self.name}: must be {self.hint} (got {_shown(raw)}).")
        return text


@dataclass(frozen=True, slots=True)
class ParsedOption:
    """An option with its own parser (e.g. an id list); `parse` raises Permanent naming the option."""

    name: str
    default: Any
    parser: Callable[[str], Any]

    def parse(self, raw: object) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return self.default
        return self.parser(str(raw).strip())


OptionRule = IntOption | UrlOption | TextOption | ParsedOption


def parse_options(rules: Iterable[OptionRule], options: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every rule's value (its default when unset); Permanent naming the first bad option."""
    given = dict(options or {})
    return {rule.name: rule.parse(given.get(rule.name)) for rule in rules}


def unknown_options(rules: Iterable[OptionRule], options: Mapping[str, Any] | None) -> list[str]:
    names = {rule.name for rule in rules} | set(COMMON_OPTIONS)
    return sorted(set(options or {}) - names)


def numeric_id(raw: object, *, what: str, example: str, prefix: str = "", separators: str = "",
               length: int | None = None) -> str:
    """An account id as its digits: `prefix` (any case) and `separators` dropped; refuses anything else."""
    text = str(raw if raw is not None else "").strip()
    if prefix and text[:len(prefix)].lower() == prefix.lower():
        text = text[len(prefix):]
    for separator in separators:
        text = text.replace(separator, "")
    if not (text.isascii() and text.isdigit()) or (length is not None and len(text) != length):
        raise Permanent(f"{what} must be a number such as {example} (got {_shown(raw)}).")
    return text


def _shown(raw: object) -> str:
    text = repr(str(raw))
    return text if len(text) <= 60 else text[:57] + "…'"
