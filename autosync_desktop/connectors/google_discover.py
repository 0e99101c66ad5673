"""Google Ads account discovery: the customers the OAuth user reaches, with every manager's client tree.

`customers:listAccessibleCustomers` gives only the customers the user can open directly (the top of each tree).
For each of them a `customer_client` query, sent with `login-customer-id` set to that customer, returns the manager
itself (level 0) and all its direct and indirect clients (level 1, 2, ...), with `manager` and `hidden` flags; a
customer that is not a manager answers with its own row. A client found under a manager is reached with
`login_customer_id` = that top manager (what `accounts add` needs for it), the manager at the top and customers
opened directly need none. With the option (or credential) `login_customer_id`, only that manager's tree is listed.
"""

from __future__ import annotations

from typing import Any

from autosync_desktop.domain import DiscoveredAccount

from .base import ConnectorContext, Permanent
from .discovery import checkpoint, refreshing, unique
from .google_ads import API_VERSION, GoogleAdsConnector, customer_id
from .google_values import results as _results

CLIENT_QUERY = ("SELECT customer_client.client_customer, customer_client.id, customer_client.level, "
                "customer_client.manager, customer_client.hidden, customer_client.descriptive_name, "
                "customer_client.currency_code, customer_client.time_zone, customer_client.status "
                "FROM customer_client")
PLACEHOLDER_ID = "0000000000"  # the lister's own customer id is set per query


def discover(options: dict[str, Any], credentials: dict[str, str], ctx: ConnectorContext) -> list[DiscoveredAccount]:
    opts = {k: v for k, v in options.items() if k != "login_customer_id"}
    creds = {k: v for k, v in credentials.items() if k != "login_customer_id"}
    start = options.get("login_customer_id") or credentials.get("login_customer_id")
    lister = GoogleAdsConnector(account_id=PLACEHOLDER_ID, options=opts, credentials=creds, ctx=ctx)
    try:
        if start:
            roots = [customer_id(start, "login_customer_id")]
        else:
            answer = _call(lister, ctx, lambda: lister._call(
                "GET", f"{lister.api_base}/v{API_VERSION}/customers:listAccessibleCustomers", retry=True))
            roots = [str(name).rsplit("/", 1)[-1] for name in (answer or {}).get("resourceNames") or []]
        trees = []
        for root in roots:
            checkpoint(ctx, "Google Ads")
            trees.append(_tree(lister, ctx, root))
        # managers' trees first, so a client that is also opened directly is shown where it sits
        trees.sort(key=lambda tree: not (tree and tree[0].is_manager))
        return unique([account for tree in trees for account in tree])
    finally:
        lister.close()


def _call(lister: GoogleAdsConnector, ctx: ConnectorContext, send: Any) -> Any:
    """One call; an expired access token is refreshed once."""
    return refreshing(send, lister.refresh_auth, ctx, "Google Ads")


def _tree(lister: GoogleAdsConnector, ctx: ConnectorContext, root: str) -> list[DiscoveredAccount]:
    lister.customer_id = root  # the customer the lister's error messages name
    url = f"{lister.api_base}/v{API_VERSION}/customers/{root}/googleAds:searchStream"

    def send() -> Any:
        token = lister._tokens.get()
        response = lister._api.request("POST", url, headers={"Authorization": f"Bearer {token}",
                                                             "login-customer-id": root},
                                       json={"query": CLIENT_QUERY})
        return lister._body(response)

    rows = [row.get("customerClient") or {} for row in _results(_call(lister, ctx, send))]
    found = [_account(row, root) for row in rows]
    if not found:
        raise Permanent(f"Google Ads listed nothing for customer {root}")
    found.sort(key=lambda a: (a.level, not a.is_manager, (a.name or "").lower(), a.external_id))
    return found


def _account(row: dict[str, Any], root: str) -> DiscoveredAccount:
    raw = row.get("id") or str(row.get("clientCustomer") or "").rsplit("/", 1)[-1]
    try:
        cid = str(int(raw))
        level = int(row.get("level") or 0)
    except (TypeError, ValueError):
        raise Permanent(f"Google Ads sent a customer_client row this version cannot read: {row!r:.200}") from None
    return DiscoveredAccount(
        platform="google_ads", external_id=cid, name=row.get("descriptiveName"), currency=row.get("currencyCode"),
        timezone=row.get("timeZone"), is_manager=bool(row.get("manager")), level=level,
        login_customer_id=root if level > 0 else None, status=row.get("status"), hidden=bool(row.get("hidden")),
        parent_id=root if level == 1 else None)  # deeper: under a sub-manager the listing does not name
