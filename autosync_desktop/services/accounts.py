"""Accounts: add, list, remove, replace credentials, browser sign-in, and the connectivity test."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from autosync_desktop import events as ev
from autosync_desktop import secrets
from autosync_desktop.connectors import oauth, registry
from autosync_desktop.connectors.base import ConnectorContext, ConnectorError
from autosync_desktop.services.core import UserError, _int_in_range, iso, sign_in_hint
from autosync_desktop.store import queries, runs
from autosync_desktop.store.models import ACTIVE_STATUSES, Account, SyncRun
from autosync_desktop.sync import probe


def account_row(name: str) -> Account:
    """The account's row, or UserError naming the known ones (for the service modules, not their callers)."""
    account = Account.get_or_none(Account.name == name)
    if account is None:
        known = ", ".join(a.name for a in Account.select(Account.name).order_by(Account.name)) or "none yet"
        raise UserError(f"Unknown account {name!r} (accounts: {known}); add it with 'accounts add'")
    return account


class AccountsMixin:
    """Accounts and their credentials (in the OS keyring). Uses the state set by ServicesCore."""

    bus: ev.EventBus

    if TYPE_CHECKING:  # provided by ServicesCore (core.py)
        def _credentials_for(self, account: Account) -> dict[str, str] | None: ...

    def account(self, name: str) -> Account:
        return account_row(name)

    def add_account(self, platform: str, name: str, account_id: str | None = None,
                    options: dict[str, str] | None = None, credentials: dict[str, str] | None = None) -> Account:
        name = (name or "").strip()
        if not name:
            raise UserError("--name: an account needs a name, e.g. --name 'Acme Google Ads'")
        try:
            spec = registry.platform(platform)
        except registry.UnknownPlatform as exc:
            raise UserError(str(exc)) from None
        if Account.get_or_none(Account.name == name) is not None:
            raise UserError(f"--name: an account named {name!r} already exists; pick another name")
        options = dict(options or {})
        unknown = sorted(set(options) - set(spec.option_names) - {"lookback_days", "api_base_url", "token_url"})
        if unknown:
            allowed = ", ".join((*spec.option_names, "lookback_days")) or "lookback_days"
            raise UserError(f"--option: {', '.join(unknown)} not known for {spec.label}; allowed: {allowed}")
        if "lookback_days" in options:
            _int_in_range("--option lookback_days", options["lookback_days"], 0, 365)
        external_id = (account_id or "").strip() or (name if spec.is_sandbox else "")
        if not external_id:
            raise UserError(f"--account-id: {spec.label} needs the platform's account id")
        try:
            external_id = spec.canonical_id(external_id)
        except ConnectorError as exc:
            raise UserError(f"--account-id: {exc.message}") from None
        # Without a token yet (e.g. only a Google developer token), the browser sign-in completes the credentials.
        needs_sign_in = not spec.is_sandbox and (not credentials or (
            platform in oauth.PROVIDERS and not {"refresh_token", "access_token"} & credentials.keys()))
        if spec.factory is not None and not needs_sign_in:  # validate options and credentials now, not at 06:00
            try:
                spec.build(external_id, options, credentials, ConnectorContext()).close()
            except ConnectorError as exc:
                raise UserError(exc.message) from None
        if credentials:
            try:
                secrets.save_credentials(name, credentials)
            except secrets.SecretsUnavailable as exc:
                raise UserError(str(exc)) from None
        account = Account.create(
            name=name, platform=platform, external_id=external_id, options=json.dumps(options),
            auth_state="needs_sign_in" if needs_sign_in else "ok",
            auth_message=f"No credentials yet: {sign_in_hint(platform, name)}" if needs_sign_in else None)
        self.bus.publish(ev.AccountChanged(account=name, change="created"))
        return account

    def set_credentials(self, name: str, credentials: dict[str, str]) -> str:
        """Replace an account's credentials (e.g. a new Meta token) after checking them with one real call;
        the account's data and history stay. On failure the old credentials are kept."""
        account = self.account(name)
        spec = registry.platform(account.platform)
        if spec.is_sandbox:
            raise UserError(f"{spec.label} needs no credentials")
        if not credentials:
            raise UserError("--credentials-stdin: expected one JSON object with the credentials")
        try:
            previous = secrets.load_credentials(name)
            secrets.save_credentials(name, credentials)
            result = probe.probe(account, self._credentials_for, self.bus)
            if not result.ok:
                if previous is not None:
                    secrets.save_credentials(name, previous)
                else:
                    secrets.delete_credentials(name)
                raise UserError(f"The new credentials did not work ({result.message}); the old ones are kept")
        except secrets.SecretsUnavailable as exc:
            raise UserError(str(exc)) from None
        Account.update(auth_state="ok", auth_message=None).where(Account.id == account.id).execute()
        self.bus.publish(ev.AccountChanged(account=name, change="auth_state", detail="ok"))
        return f"Credentials of {name!r} replaced and checked: {result.message}"

    def list_accounts(self) -> list[dict[str, Any]]:
        health = {h.account_id: h for h in queries.account_health()}
        out = []
        for account in Account.select().order_by(Account.name):
            h = health.get(account.id)
            out.append({
                "name": account.name, "platform": account.platform, "account_id": account.external_id,
                "auth_state": account.auth_state, "health": h.health if h else "never_synced",
                "currency": account.currency, "timezone": account.timezone,
                "last_success_at": iso(h.last_success_at) if h else None,
                "options": json.loads(account.options or "{}"),
            })
        return out

    def remove_account(self, name: str) -> None:
        account = self.account(name)
        if runs.active_run_of_account(account.id) is not None or SyncRun.select().where(
                (SyncRun.account == account.id) & SyncRun.status.in_(ACTIVE_STATUSES)).exists():
            raise UserError(f"Account {name!r} has a sync in progress; cancel it first ('runs cancel ID')")
        if not registry.platform(account.platform).is_sandbox:
            try:
                secrets.delete_credentials(name)
            except secrets.SecretsUnavailable as exc:
                raise UserError(f"Could not remove the credentials of {name!r}: {exc}") from None
        schedules = [s.name for s in account.schedules]
        account.delete_instance()  # cascades to schedules, campaigns, stats, state; runs keep the names
        for schedule in schedules:
            self.bus.publish(ev.ScheduleChanged(schedule=schedule, change="removed"))
        self.bus.publish(ev.AccountChanged(account=name, change="removed"))

    def test_account(self, name: str) -> str:
        """One cheap real call; recorded as a connectivity probe (it feeds the account's health)."""
        account = self.account(name)
        result = probe.probe(account, self._credentials_for, self.bus)
        if not result.ok:
            raise UserError(result.message)
        return result.message

    def connect_account(self, name: str, *, on_url: Callable[[str], None], client_id: str | None = None,
                        client_secret: str | None = None, timeout_s: float = 300.0,
                        cancel: threading.Event | None = None) -> str:
        """Sign in with the platform in the system browser (RFC 8252 loopback + PKCE) and keep the refresh
        token in the keyring. Blocks until the browser comes back: call it from a worker, never the GUI."""
        account = self.account(name)
        provider = oauth.PROVIDERS.get(account.platform)
        if provider is None:
            raise UserError(f"{registry.platform(account.platform).label} has no browser sign-in; add the "
                            "account with --credentials-stdin (e.g. a system-user or long-lived token)")
        try:
            if client_id:
                secrets.save_oauth_client(account.platform, client_id, client_secret)
            client = secrets.load_oauth_client(account.platform)
            if not client:
                raise UserError(f"--client-id: no OAuth client for {provider.platform} yet. "
                                f"{provider.setup_help} Then pass --client-id (and --client-secret-stdin).")
            options = json.loads(account.options or "{}")
            with oauth.LoopbackSignIn(provider, client["client_id"], client.get("client_secret") or None,
                                      token_url=options.get("token_url")) as flow:
                on_url(flow.authorization_url)
                code = flow.wait_for_code(timeout_s, cancel)
                tokens = flow.exchange(code)
            if not tokens.get("refresh_token"):
                raise UserError("The platform returned no refresh token; remove AutoSync's access in your "
                                "account's security settings and sign in again")
            credentials = dict(secrets.load_credentials(name) or {})
            credentials.update({"client_id": client["client_id"], "client_secret": client.get("client_secret", ""),
                                "refresh_token": tokens["refresh_token"]})
            secrets.save_credentials(name, credentials)
        except secrets.SecretsUnavailable as exc:
            raise UserError(str(exc)) from None
        except ConnectorError as exc:
            raise UserError(exc.message) from None
        Account.update(auth_state="ok", auth_message=None).where(Account.id == account.id).execute()
        self.bus.publish(ev.AccountChanged(account=name, change="auth_state", detail="ok"))
        return f"Signed in: {name} ({provider.platform}) can sync now"
