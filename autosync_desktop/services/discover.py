"""Account discovery for `services.accounts.discover`: list what credentials reach, add several picked accounts.

Discovery calls the platform (connectors/discovery.py) within a deadline, with one retry per call, and ends early
when `cancel` is set; its errors come back as one redacted line (UserError). Nothing is stored by listing; `add`
stores each picked account with the same credentials and the options it needs (Google: login_customer_id).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from autosync_desktop import redaction
from autosync_desktop.connectors import registry
from autosync_desktop.connectors.base import Cancelled, ConnectorContext, ConnectorError
from autosync_desktop.domain import AccountInfo, DiscoveredAccount
from autosync_desktop.errors import UserError

DEFAULT_TIMEOUT_S = 60.0


def discover(platform: str, credentials: dict[str, str], options: dict[str, str] | None = None, *,
             cancel: threading.Event | None = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> list[DiscoveredAccount]:
    """The accounts `credentials` reach on `platform` (nothing is stored). Blocks on the network for at most
    about `timeout_s` (plus one request's timeout): call it from a worker in the window."""
    from autosync_desktop.sync.engine import http_limits, retry_policy  # the engine's settings, loaded when used

    spec = registry.platform(platform)
    if spec.discover is None:
        raise UserError(f"--platform: {spec.label} cannot list its accounts here; add the account by its id "
                        "(accounts add --account-id)")
    if not 0 < timeout_s <= 3600:
        raise UserError("--timeout: must be more than 0 and at most 3600 seconds")
    opts: dict[str, Any] = dict(options or {})
    creds = {str(k): str(v).strip() for k, v in (credentials or {}).items() if v is not None}
    if not creds:
        raise UserError(f"--credentials-stdin: {spec.label} needs credentials to list its accounts")
    redaction.remember_credentials(creds)  # an error that echoes them is masked
    try:
        spec.check_options(opts)
    except ConnectorError as exc:
        raise UserError(exc.message) from None
    policy = retry_policy()  # one retry, after at most 2 s (someone is waiting for the list)
    retry = replace(policy, max_attempts=2, base_delay_s=min(policy.base_delay_s, 2.0), max_delay_s=2.0,
                    max_rate_limit_wait_s=min(30.0, timeout_s))
    limits = http_limits(platform)
    ctx = ConnectorContext(cancel_event=cancel, deadline=time.monotonic() + timeout_s, retry=retry,
                           limits=replace(limits, timeout_s=min(limits.timeout_s, timeout_s)))
    ctx.platform_label = spec.label
    try:
        found = spec.discover(opts, creds, ctx)
    except Cancelled:
        raise UserError(f"Listing the {spec.label} accounts was cancelled") from None
    except ConnectorError as exc:
        raise UserError(redaction.clean(f"{exc.error_class}: {exc.message}")) from None
    return [account for account in found if isinstance(account, DiscoveredAccount)]


def pick(found: Iterable[DiscoveredAccount], wanted: Iterable[str]) -> list[DiscoveredAccount]:
    """The discovered accounts named in `wanted` (ids; "all": every one that is not a manager or hidden)."""
    found = list(found)
    wanted = [w.strip() for w in wanted if w.strip()]
    if "all" in wanted:
        return [a for a in found if not a.is_manager and not a.hidden]
    by_id = {a.external_id: a for a in found}
    by_digits = {"".join(ch for ch in a.external_id if ch.isdigit()): a for a in found}
    out = []
    for want in wanted:
        account = by_id.get(want) or by_digits.get("".join(ch for ch in want if ch.isdigit()) or want)
        if account is None:
            raise UserError(f"--add: {want} is not among the discovered accounts "
                            f"({', '.join(a.external_id for a in found) or 'none'})")
        if account not in out:
            out.append(account)
    return out


def name_for(account: DiscoveredAccount, label: str, taken: Callable[[str], bool]) -> str:
    """A free account name: the platform's name for it, else "<label> <id>"; "(<id>)" added when it is taken."""
    base = " ".join((account.name or "").split()) or f"{label} {account.external_id}"
    return base if not taken(base) else f"{base} ({account.external_id})"


def options_for(account: DiscoveredAccount, options: dict[str, str] | None) -> dict[str, str]:
    """The options an added account keeps: the listing's (API base URL...) and how to reach it."""
    out = {k: v for k, v in (options or {}).items() if k != "login_customer_id"}
    if account.login_customer_id:
        out["login_customer_id"] = account.login_customer_id
    if account.platform == "microsoft_ads" and account.parent_id:  # every Microsoft call names the customer
        out["customer_id"] = account.parent_id
    return out


def add(add_one: Callable[[str, str, str, dict[str, str], dict[str, str]], AccountInfo],
        taken: Callable[[str], bool], picked: Iterable[DiscoveredAccount], credentials: dict[str, str],
        options: dict[str, str] | None, label: str) -> list[AccountInfo]:
    """Add every picked account (`add_one` is AccountsService.add); the first failure stops with what was added."""
    added: list[AccountInfo] = []
    for account in picked:
        name = name_for(account, label, taken)
        try:
            added.append(add_one(account.platform, name, account.external_id, options_for(account, options),
                                 dict(credentials)))
        except UserError as exc:
            done = f" (added so far: {', '.join(a.name for a in added)})" if added else ""
            raise UserError(f"{name}: {exc}{done}") from None
    return added
