"""Microsoft Advertising account discovery: `CustomerManagement/v13/AccountsInfo/Query` for the customer (option
`customer_id`, required, as for every Microsoft account): each account's id, name, number and life-cycle status.
AccountsInfo carries no currency or time zone; the first sync of an added account fills them in.
"""

from __future__ import annotations

from typing import Any

from autosync_desktop.domain import DiscoveredAccount

from .base import ConnectorContext, Permanent
from .discovery import checkpoint, refreshing, unique
from .microsoft_ads import MicrosoftAdsConnector


def discover(options: dict[str, Any], credentials: dict[str, str], ctx: ConnectorContext) -> list[DiscoveredAccount]:
    lister = MicrosoftAdsConnector(account_id="1", options=options, credentials=credentials, ctx=ctx)
    lister._api.session.headers.pop("CustomerAccountId", None)  # the listing is not about one account
    try:
        checkpoint(ctx, "Microsoft Advertising")
        body = {"CustomerId": int(lister.customer_id), "OnlyParentAccounts": False}
        data = refreshing(lambda: lister._post("CustomerManagement", "AccountsInfo/Query", body),
                          lister.refresh_auth, ctx, "Microsoft Advertising")
    finally:
        lister.close()
    items = data.get("AccountsInfo")
    if not isinstance(items, list):
        raise Permanent("Microsoft Advertising sent no AccountsInfo list")
    return unique([_account(item, lister.customer_id) for item in items if isinstance(item, dict)])


def _account(item: dict[str, Any], customer: str) -> DiscoveredAccount:
    raw = str(item.get("Id") or "")
    if not raw.isdigit():
        raise Permanent(f"Microsoft Advertising sent an account this version cannot read: {item!r:.200}")
    status = item.get("AccountLifeCycleStatus")
    return DiscoveredAccount(platform="microsoft_ads", external_id=raw, name=item.get("Name"),
                             status=str(status) if status else None, parent_id=customer)
