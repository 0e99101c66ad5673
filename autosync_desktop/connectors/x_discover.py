"""X Ads account discovery: `GET /12/accounts` (cursor pages; deleted accounts left out), every ad account the
signed-in user's tokens reach: id, name, IANA time zone, approval status and business.
"""

from __future__ import annotations

from typing import Any

from autosync_desktop.domain import DiscoveredAccount

from .base import ConnectorContext, Permanent, Transient
from .discovery import checkpoint, unique
from .paging import token_pages
from .x_ads import XAdsConnector, normalise_account_id

PAGE_SIZE = 1000


def discover(options: dict[str, Any], credentials: dict[str, str], ctx: ConnectorContext) -> list[DiscoveredAccount]:
    lister = XAdsConnector(account_id="0", options=options, credentials=credentials, ctx=ctx)

    def fetch(cursor: str | None) -> dict[str, Any]:
        checkpoint(ctx, "X Ads")
        params = {"count": str(PAGE_SIZE), "with_deleted": "false"}
        return lister._get("accounts", {**params, "cursor": cursor} if cursor else params)

    def next_cursor(page: dict[str, Any]) -> str | None:
        cursor = page.get("next_cursor")
        return str(cursor) if cursor else None

    found: list[DiscoveredAccount] = []
    try:
        for page in token_pages(fetch, next_cursor, ctx.check):
            data = page.get("data")
            if not isinstance(data, list):
                raise Transient("X sent an account list without data")
            found.extend(_account(item) for item in data if isinstance(item, dict) and not item.get("deleted"))
    finally:
        lister.close()
    return unique(found)


def _account(item: dict[str, Any]) -> DiscoveredAccount:
    try:
        account_id = normalise_account_id(str(item.get("id") or ""))
    except Permanent:
        raise Permanent(f"X sent an ad account this version cannot read: {item!r:.200}") from None
    return DiscoveredAccount(platform="x_ads", external_id=account_id, name=item.get("name"),
                             timezone=item.get("timezone") or None, status=item.get("approval_status"),
                             parent_id=item.get("business_id") or None)
