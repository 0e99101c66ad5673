"""LinkedIn ad account discovery: `GET /rest/adAccounts?q=search` (pages by pageToken), every sponsored ad account
the signed-in member can open. Fields: id, name, currency, status (a test account is marked "(test)") and the
owning organization (`reference`). Days are UTC for every LinkedIn account (see linkedin_ads.py).
"""

from __future__ import annotations

from typing import Any

from autosync_desktop.domain import DiscoveredAccount

from .base import ConnectorContext, Permanent
from .discovery import checkpoint, refreshing, unique
from .linkedin_ads import LinkedInAdsConnector
from .linkedin_rest import elements as _elements
from .linkedin_rest import restli_encode
from .paging import token_pages

PAGE_SIZE = 100


def discover(options: dict[str, Any], credentials: dict[str, str], ctx: ConnectorContext) -> list[DiscoveredAccount]:
    lister = LinkedInAdsConnector(account_id="1", options=options, credentials=credentials, ctx=ctx)

    def fetch(token: str | None) -> dict[str, Any]:
        checkpoint(ctx, "LinkedIn")
        params = [("q", "search"), ("pageSize", str(PAGE_SIZE))]
        query = [*params, ("pageToken", restli_encode(token))] if token else params
        return refreshing(lambda: lister._get("/rest/adAccounts", query), lister.refresh_auth, ctx, "LinkedIn")

    def next_token(data: dict[str, Any]) -> str | None:
        metadata = data.get("metadata")
        token = metadata.get("nextPageToken") if isinstance(metadata, dict) else None
        return token if isinstance(token, str) else None

    found: list[DiscoveredAccount] = []
    try:
        for data in token_pages(fetch, next_token, ctx.check):
            found.extend(_account(element) for element in _elements(data, "ad account list"))
    finally:
        lister.close()
    return unique(found)


def _account(element: dict[str, Any]) -> DiscoveredAccount:
    raw = str(element.get("id") or "").rsplit(":", 1)[-1]
    if not raw.isdigit():
        raise Permanent(f"LinkedIn sent an ad account this version cannot read: {element!r:.200}")
    status = str(element.get("status") or "") or None
    if status and element.get("test"):
        status += " (test)"
    reference = str(element.get("reference") or "")
    currency = element.get("currency")
    return DiscoveredAccount(platform="linkedin_ads", external_id=raw, name=element.get("name"),
                             currency=str(currency).upper() if currency else None, timezone="UTC", status=status,
                             parent_id=reference.rsplit(":", 1)[-1] if reference else None)
