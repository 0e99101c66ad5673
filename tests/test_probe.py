"""Connectivity probes between syncs keep account health current and catch dead sign-ins early."""

from __future__ import annotations

from datetime import timedelta

from autosync_desktop import events as ev
from autosync_desktop.connectors.base import ReauthRequired, Transient
from autosync_desktop.store import queries, settings
from autosync_desktop.store.models import Account, HealthProbe, SyncRun, utcnow
from autosync_desktop.sync import probe


def _creds(account: Account) -> None:
    return None


def test_only_accounts_without_recent_activity_are_due(store, scripted) -> None:
    quiet = Account.create(name="quiet", platform="scripted", external_id="q")
    busy = Account.create(name="busy", platform="scripted", external_id="b")
    SyncRun.create(account=busy, account_name="busy", platform="scripted", status="succeeded", api_calls=3)
    Account.create(name="signin", platform="scripted", external_id="s", auth_state="needs_sign_in")
    assert [a.name for a in probe.due_accounts()] == ["quiet"]
    assert probe.probe_due(_creds) == 1
    assert probe.due_accounts() == []  # probed just now
    HealthProbe.update(at=utcnow() - timedelta(minutes=16)).execute()
    assert [a.name for a in probe.due_accounts()] == ["quiet"]
    settings.set_value("health.probe_minutes", 0)
    assert probe.due_accounts() == []
    assert HealthProbe.get().account_id == quiet.id


def test_a_failing_probe_degrades_health_and_a_dead_grant_needs_sign_in(store, scripted, bus, recorder) -> None:
    account = Account.create(name="acct", platform="scripted", external_id="a")
    SyncRun.create(account=account, account_name="acct", platform="scripted", status="succeeded",
                   queued_at=utcnow() - timedelta(hours=2), finished_at=utcnow() - timedelta(hours=2), api_calls=5)
    scripted.failures = [Transient("connection reset by peer")]
    result = probe.probe(account, _creds, bus)
    assert not result.ok and result.error_class == "Transient" and "connection reset" in result.message
    assert queries.account_health()[0].health == "degraded"
    ok = probe.probe(account, _creds, bus)
    assert ok.ok and ok.message == "Scripted platform reachable" and ok.latency_ms is not None
    scripted.failures = [ReauthRequired("refresh token revoked")]
    probe.probe(account, _creds, bus)
    assert Account.get_by_id(account.id).auth_state == "needs_sign_in"
    assert queries.account_health()[0].health == "needs_sign_in"
    assert len(recorder.of(ev.AccountChanged)) == 3
