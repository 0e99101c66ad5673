"""Connectivity probes: one cheap real call per account between syncs, so health stays current.

An account is probed when it had no API activity (run or probe) for `health.probe_minutes`; a probe that finds
the grant dead marks the account "needs sign-in" at once, instead of at the next 06:00 sync.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, replace
from datetime import timedelta

from autosync_desktop import events as ev
from autosync_desktop import redaction
from autosync_desktop.connectors import registry
from autosync_desktop.connectors.base import ConnectorContext, ConnectorError, ReauthRequired
from autosync_desktop.store import settings
from autosync_desktop.store.models import Account, HealthProbe, SyncRun, utcnow
from autosync_desktop.sync.engine import CredentialsFor, http_limits, retry_policy

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ok: bool
    message: str
    latency_ms: float | None
    error_class: str | None = None


def probe(account: Account, credentials_for: CredentialsFor, bus: ev.EventBus | None = None) -> ProbeResult:
    """Make the connector's cheapest call, record it as a HealthProbe, and return what happened."""
    spec = registry.platform(account.platform)
    ctx = ConnectorContext(retry=replace(retry_policy(), max_attempts=1), limits=http_limits(account.platform))
    started = time.perf_counter()
    try:
        credentials = credentials_for(account)
        redaction.remember_credentials(credentials)
        connector = spec.build(account.external_id, json.loads(account.options or "{}"), credentials, ctx)
        try:
            message = connector.test_connection()
        finally:
            connector.close()
        result = ProbeResult(True, message, (time.perf_counter() - started) * 1000)
    except ConnectorError as exc:
        result = ProbeResult(False, f"{exc.error_class}: {exc.message}", None, exc.error_class)
        if isinstance(exc, ReauthRequired):
            Account.update(auth_state="needs_sign_in", auth_message=exc.message).where(
                Account.id == account.id).execute()
    except Exception as exc:  # the keyring, a bug: recorded like any failed probe, never raised into the scheduler
        result = ProbeResult(False, f"{type(exc).__name__}: {exc}", None, type(exc).__name__)
    result = replace(result, message=redaction.clean(result.message))  # `accounts test`, `set-credentials`, the store
    HealthProbe.create(account=account.id, ok=result.ok, latency_ms=result.latency_ms,
                       error_class=result.error_class, message=result.message[:500])
    if bus is not None:
        bus.publish(ev.AccountChanged(account=account.name, change="health", detail=result.message))
    return result


def due_accounts() -> list[Account]:
    """Accounts without API activity (a run or a probe) for `health.probe_minutes` (0 turns probing off)."""
    minutes = settings.get("health.probe_minutes")
    if not minutes:
        return []
    since = utcnow() - timedelta(minutes=minutes)
    due = []
    for account in Account.select().where((Account.auth_state != "needs_sign_in") & Account.removed_at.is_null()):
        recent_run = SyncRun.select().where((SyncRun.account == account.id) & (SyncRun.queued_at >= since)
                                            & (SyncRun.api_calls > 0)).exists()
        recent_probe = HealthProbe.select().where((HealthProbe.account == account.id)
                                                  & (HealthProbe.at >= since)).exists()
        if not recent_run and not recent_probe:
            due.append(account)
    return due


def probe_due(credentials_for: CredentialsFor, bus: ev.EventBus | None = None) -> int:
    count = 0
    for account in due_accounts():
        probe(account, credentials_for, bus)
        count += 1
    return count
