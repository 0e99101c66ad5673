"""The platform API version each account's connector speaks, its sunset, and the "needs update" health.

Every connector declares `api_version` and, where the platform has published it, `api_sunset` on its
PlatformSpec. From `UPDATE_NOTICE_DAYS` (60, 14) before a known sunset, an account whose health would otherwise
be healthy, degraded or never synced reads `Health.NEEDS_UPDATE` (sign-in, paused and failing say more and win).
The comparison takes "today" from the caller (the services' clock), never from the wall clock here.
"""

from __future__ import annotations

from datetime import date

from autosync_desktop.connectors import registry
from autosync_desktop.domain import ApiVersion, Health

# The API's own name where "<label without 'Ads'> API" would be wrong.
API_NAMES = {"google_ads": "Google Ads API", "meta_ads": "Meta API", "linkedin_ads": "LinkedIn API",
             "ga4": "Google Analytics Data API"}
OUTRANKED = (Health.HEALTHY, Health.DEGRADED, Health.NEVER_SYNCED)  # the healths "needs update" replaces


def api_of(platform: str) -> ApiVersion | None:
    """The API version the platform's connector speaks (read from the registry at each call), or None."""
    spec = registry.PLATFORMS.get(platform)
    if spec is None or not spec.api_version:
        return None
    name = API_NAMES.get(platform) or f"{spec.label.split(' (')[0].removesuffix(' Ads')} API"
    return ApiVersion(api=name, version=spec.api_version, sunset=spec.api_sunset)


def health_of(stored: str, api: ApiVersion | None, today: date) -> Health:
    """The account's health from the store's verdict, turned to NEEDS_UPDATE near its API version's sunset."""
    health = Health(stored)
    if health in OUTRANKED and api is not None and api.notice_stage(today) is not None:
        return Health.NEEDS_UPDATE
    return health
