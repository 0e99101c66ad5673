"""Meta ad account discovery: `GET /me/adaccounts` (paged with cursors), every ad account the token reaches.

Fields: account_id (digits, what `accounts add --account-id` takes), name, currency, timezone_name,
account_status (a number, shown as Meta's word: 1 ACTIVE, 2 DISABLED, 101 CLOSED, ...) and the owning business.
"""

from __future__ import annotations

from typing import Any

from autosync_desktop.domain import DiscoveredAccount

from .base import ConnectorContext, Permanent
from .discovery import checkpoint, unique
from .meta_ads import MetaAdsConnector

FIELDS = "account_id,name,currency,timezone_name,account_status,business"
ACCOUNT_STATUS = {1: "ACTIVE", 2: "DISABLED", 3: "UNSETTLED", 7: "PENDING_RISK_REVIEW", 8: "PENDING_SETTLEMENT",
                  9: "IN_GRACE_PERIOD", 100: "PENDING_CLOSURE", 101: "CLOSED", 201: "ANY_ACTIVE", 202: "ANY_CLOSED"}


def discover(options: dict[str, Any], credentials: dict[str, str], ctx: ConnectorContext) -> list[DiscoveredAccount]:
    lister = MetaAdsConnector(account_id="1", options=options, credentials=credentials, ctx=ctx)
    found: list[DiscoveredAccount] = []
    try:
        for page in lister._pages("me/adaccounts", {"fields": FIELDS}, "ad accounts"):
            checkpoint(ctx, "Meta")
            found.extend(_account(row) for row in page)
    finally:
        lister.close()
    return unique(found)


def _account(row: dict[str, Any]) -> DiscoveredAccount:
    digits = str(row.get("account_id") or str(row.get("id") or "").removeprefix("act_"))
    if not digits.isdigit():
        raise Permanent(f"Meta sent an ad account this version cannot read: {row!r:.200}")
    status = row.get("account_status")
    owner = row.get("business")
    business: dict[str, Any] = owner if isinstance(owner, dict) else {}
    return DiscoveredAccount(platform="meta_ads", external_id=digits, name=row.get("name"),
                             currency=row.get("currency"), timezone=row.get("timezone_name"),
                             status=ACCOUNT_STATUS.get(status, str(status)) if status is not None else None,
                             parent_id=str(business["id"]) if business.get("id") else None)
