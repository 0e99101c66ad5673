"""Account discovery: what a platform's credentials can reach, for `accounts discover` and Add account.

Each platform that can list its accounts has a `discover(options, credentials, ctx)` function (named by its
PlatformSpec.discover) that returns `domain.DiscoveredAccount`s without storing anything. It uses the same HTTP
client, token refresh and error classes as the platform's connector; `checkpoint` between calls makes it end early
when the caller cancels (ctx.cancel_event) or its time is up (ctx.deadline).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from autosync_desktop.connectors.base import AuthExpired, ConnectorContext, Transient

if TYPE_CHECKING:  # domain is imported by the discovery modules themselves, when a listing is asked for
    from autosync_desktop.domain import DiscoveredAccount

T = TypeVar("T")
Discover = Callable[[dict[str, Any], dict[str, str], ConnectorContext], "list[DiscoveredAccount]"]


def lazy(module: str) -> Callable[[dict[str, Any], dict[str, str], ConnectorContext], list[Any]]:
    """PlatformSpec.discover for connectors/<module>.py's `discover`, imported only when a listing is asked for
    (so a sync never loads it)."""
    def discover(options: dict[str, Any], credentials: dict[str, str], ctx: ConnectorContext) -> list[Any]:
        found: list[Any] = importlib.import_module(f"autosync_desktop.connectors.{module}").discover(
            options, credentials, ctx)
        return found
    return discover


def checkpoint(ctx: ConnectorContext, label: str) -> None:
    """Raise Cancelled when the caller cancelled, Transient when the discovery's time is up."""
    ctx.check()
    remaining = ctx.remaining()
    if remaining is not None and remaining <= 0:
        raise Transient(f"Listing the {label} accounts took too long; try again (or add the account by its id)")


def refreshing(send: Callable[[], T], refresh: Callable[[], object], ctx: ConnectorContext, label: str) -> T:
    """`send()`; when the platform says the access token expired, refresh it once and send again."""
    try:
        return send()
    except AuthExpired:
        refresh()
        checkpoint(ctx, label)
        return send()


def unique(found: list[DiscoveredAccount]) -> list[DiscoveredAccount]:
    """`found` in its order, an account listed twice (by id) only the first time."""
    seen: set[str] = set()
    out = []
    for account in found:
        if account.external_id not in seen:
            seen.add(account.external_id)
            out.append(account)
    return out
