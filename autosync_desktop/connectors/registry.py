"""Which platforms exist, their defaults (lookback, minimum interval, window size) and how to build each.

Lookback defaults follow the platforms' attribution windows (platform-apis.md): Google 30, Meta 28,
LinkedIn 7, Microsoft 30. A platform whose connector is not in a build has `factory=None`: its accounts can be
added and scheduled, and a sync fails with a plain message instead of pretending.
"""

from __future__ import annotations

from autosync_desktop.connectors import demo, ga4, google_ads, linkedin_ads, meta_ads, microsoft_ads, tiktok_ads, x_ads
from autosync_desktop.connectors.base import PlatformSpec
from autosync_desktop.errors import UserError

PLATFORMS: dict[str, PlatformSpec] = {
    spec.name: spec
    for spec in (
        demo.SPEC,
        google_ads.SPEC,
        meta_ads.SPEC,
        linkedin_ads.SPEC,
        microsoft_ads.SPEC,
        ga4.SPEC,
        tiktok_ads.SPEC,
        x_ads.SPEC,
    )
}


class UnknownPlatform(UserError):
    pass


def platform(name: str) -> PlatformSpec:
    try:
        return PLATFORMS[name]
    except KeyError:
        raise UnknownPlatform(f"--platform: unknown platform {name!r}; choose one of "
                              f"{', '.join(PLATFORMS)}") from None
