"""Which platforms exist, their defaults (lookback, minimum interval, window size) and how to build each.

Lookback defaults follow the platforms' attribution windows (platform-apis.md): Google 30, Meta 28,
LinkedIn 7. A platform whose connector module is not in this build has `factory=None`: accounts can be
added and scheduled, and a sync fails with a plain message instead of pretending.
"""

from __future__ import annotations

from autosync_desktop.connectors import demo
from autosync_desktop.connectors.base import PlatformSpec

PLATFORMS: dict[str, PlatformSpec] = {
    spec.name: spec
    for spec in (
        demo.SPEC,
        __import__("autosync_desktop.connectors.google_ads", fromlist=["SPEC"]).SPEC,
        __import__("autosync_desktop.connectors.meta_ads", fromlist=["SPEC"]).SPEC,
        __import__("autosync_desktop.connectors.linkedin_ads", fromlist=["SPEC"]).SPEC,
    )
}


class UnknownPlatform(ValueError):
    pass


def platform(name: str) -> PlatformSpec:
    try:
        return PLATFORMS[name]
    except KeyError:
        raise UnknownPlatform(f"--platform: unknown platform {name!r}; choose one of "
                              f"{', '.join(PLATFORMS)}") from None
