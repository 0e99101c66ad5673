"""GA4 property discovery: the Google Analytics Admin API's `GET /v1beta/accountSummaries` (pages by
pageToken), every GA4 property the signed-in user can read, under its Analytics account.

The property id is what `accounts add --account-id` takes; `parent_id` is the Analytics account. Summaries carry no
currency or time zone (the first sync reads the property's zone from its report). The Admin API lives on its own
host (ADMIN_BASE_URL); a non-default `api_base_url` option (a test server) stands in for it too.
"""

from __future__ import annotations

from typing import Any

import orjson

from autosync_desktop.domain import DiscoveredAccount

from .base import ConnectorContext, Permanent
from .discovery import checkpoint, refreshing, unique
from .ga4 import API_VERSION, DEFAULT_API_BASE_URL, GA4Connector
from .paging import token_pages

ADMIN_BASE_URL = "https://analyticsadmin.googleapis.com"
PAGE_SIZE = 200


def discover(options: dict[str, Any], credentials: dict[str, str], ctx: ConnectorContext) -> list[DiscoveredAccount]:
    lister = GA4Connector(account_id="1", options=options, credentials=credentials, ctx=ctx)
    base = str(options.get("api_base_url") or "").rstrip("/")
    url = f"{base if base and base != DEFAULT_API_BASE_URL else ADMIN_BASE_URL}/{API_VERSION}/accountSummaries"

    def get(token: str | None) -> dict[str, Any]:
        params = {"pageSize": str(PAGE_SIZE), **({"pageToken": token} if token else {})}
        response = lister._api.request("GET", url, params=params,
                                       headers={"Authorization": f"Bearer {lister._tokens.get()}"})
        accepted, lister._accepted = lister._accepted, None
        body = accepted[1] if accepted is not None and accepted[0] is response else orjson.loads(response.content)
        return body if isinstance(body, dict) else {}

    def fetch(token: str | None) -> dict[str, Any]:
        checkpoint(ctx, "Google Analytics")
        return refreshing(lambda: get(token), lister.refresh_auth, ctx, "Google Analytics")

    def next_token(page: dict[str, Any]) -> str | None:
        token = page.get("nextPageToken")
        return token if isinstance(token, str) and token else None

    found: list[DiscoveredAccount] = []
    try:
        for page in token_pages(fetch, next_token, ctx.check):
            for summary in page.get("accountSummaries") or []:
                if isinstance(summary, dict):
                    found.extend(_properties(summary))
    finally:
        lister.close()
    return unique(found)


def _properties(summary: dict[str, Any]) -> list[DiscoveredAccount]:
    account = str(summary.get("account") or "").rsplit("/", 1)[-1] or None
    out = []
    for prop in summary.get("propertySummaries") or []:
        if not isinstance(prop, dict):
            continue
        raw = str(prop.get("property") or "").rsplit("/", 1)[-1]
        if not raw.isdigit():
            raise Permanent(f"Google Analytics sent a property this version cannot read: {prop!r:.200}")
        kind = str(prop.get("propertyType") or "").removeprefix("PROPERTY_TYPE_") or None
        name = prop.get("displayName")
        if summary.get("displayName") and name:
            name = f"{summary['displayName']} › {name}"
        out.append(DiscoveredAccount(platform="ga4", external_id=raw, name=name, status=kind, parent_id=account))
    return out
