"""Which platforms exist, their defaults (lookback, minimum interval, window size) and how to build each.

Lookback defaults follow the platforms' attribution windows (platform-apis.md): Google 30, Meta 28,
LinkedIn 7, Microsoft 30. A platform whose connector is not in a build has `factory=None`: its accounts can be
added and scheduled, and a sync fails with a plain message instead of pretending.

The platforms are known by name here; each connector module (which holds its `SPEC`) is imported when its spec is
first asked for - `platform("demo")` or `PLATFORMS["demo"]` imports only `connectors/demo.py`. Listing the names
(`list(PLATFORMS)`, `name in PLATFORMS`, `platform_names()`) imports none; `PLATFORMS.values()` / `.items()`
import them all. A Demo-only store therefore never loads the real platforms' modules to show its window.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

from autosync_desktop.connectors.base import PlatformSpec
from autosync_desktop.errors import UserError

# platform name -> its module in autosync_desktop.connectors (which defines SPEC), in the order they are listed
MODULES: dict[str, str] = {
    "demo": "demo",
    "google_ads": "google_ads",
    "meta_ads": "meta_ads",
    "linkedin_ads": "linkedin_ads",
    "microsoft_ads": "microsoft_ads",
    "ga4": "ga4",
    "tiktok_ads": "tiktok_ads",
    "x_ads": "x_ads",
}


class PlatformSpecs(MutableMapping[str, PlatformSpec]):
    """The platforms by name; a connector module is imported the first time its spec is read.

    Setting an entry (tests register a scripted platform, or replace a spec) wins over the module's SPEC;
    deleting one forgets it until the module's name is registered again.
    """

    def __init__(self, modules: dict[str, str]) -> None:
        self._entries: dict[str, PlatformSpec | str] = dict(modules)  # a str: its module, not imported yet

    def __getitem__(self, name: str) -> PlatformSpec:
        entry = self._entries[name]
        if isinstance(entry, PlatformSpec):
            return entry
        # Python imports a module once, also when two threads ask at the same time: both get the same SPEC
        spec = importlib.import_module(f"autosync_desktop.connectors.{entry}").SPEC
        if not isinstance(spec, PlatformSpec) or spec.name != name:
            raise TypeError(f"connectors/{entry}.py: SPEC is not the PlatformSpec of {name!r}")
        if self._entries.get(name) == entry:  # unless it was replaced meanwhile
            self._entries[name] = spec
        return spec

    def __setitem__(self, name: str, spec: PlatformSpec) -> None:
        self._entries[name] = spec

    def __delitem__(self, name: str) -> None:
        del self._entries[name]

    def __contains__(self, name: object) -> bool:  # without importing the module
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


PLATFORMS = PlatformSpecs(MODULES)


class UnknownPlatform(UserError):
    pass


def platform_names() -> tuple[str, ...]:
    """Every platform's name, in the listed order, without importing any connector."""
    return tuple(PLATFORMS)


def platform(name: str) -> PlatformSpec:
    try:
        return PLATFORMS[name]
    except KeyError:
        raise UnknownPlatform(f"--platform: unknown platform {name!r}; choose one of "
                              f"{', '.join(PLATFORMS)}") from None
