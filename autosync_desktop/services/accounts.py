"""`services.accounts`: add, list, remove, replace credentials, browser sign-in, the connectivity test, the
platforms of this build, the keyring's state and the Dashboard's account cards.

`AccountsService` returns `AccountInfo` / `AccountCard` / `PlatformInfo` / `KeyringState`
(autosync_desktop/domain.py), never peewee rows. `account_row` is for the other service modules only.
"""

from __future__ import annotations

import builtins
import json
import shlex
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from autosync_desktop import clock, names, secrets
from autosync_desktop import events as ev
from autosync_desktop.connectors import credentials as credential_keys
from autosync_desktop.connectors import oauth, registry
from autosync_desktop.connectors.base import ConnectorContext, ConnectorError, PlatformSpec
from autosync_desktop.domain import (
    AccountCard,
    AccountContents,
    AccountInfo,
    AccountRemoval,
    AuthState,
    DataOnRemove,
    DiscoveredAccount,
    Health,
    KeyringState,
    KeyringStatus,
    PlatformInfo,
    RunStatus,
)
from autosync_desktop.services import api_versions, keyring_use, pin_sign_in
from autosync_desktop.services.area import Area
from autosync_desktop.services.core import UserError, _int_in_range, sign_in_hint
from autosync_desktop.store import queries, runs
from autosync_desktop.store.models import (
    ACTIVE_STATUSES,
    Account,
    Campaign,
    DailyStat,
    HealthProbe,
    Schedule,
    SyncRun,
    utcnow,
)
from autosync_desktop.sync import probe, windows


class RemovedAccount(UserError):
    """The account was removed with its data kept: it no longer syncs or has schedules."""


def account_row(name: str, *, removed: bool = False) -> Account:
    """The account's row (the exact name, else the one name equal to it case-insensitively), or UserError with the
    closest known names (for the service modules, not their callers). An account removed with its data kept is
    found only with `removed=True` (to delete that data later)."""
    query = Account.select() if removed else Account.select().where(Account.removed_at.is_null())
    account: Account | None = query.where(Account.name == name).first()
    if account is not None:
        return account
    known = [a.name for a in query.order_by(Account.name)]
    same = [other for other in known if names.key(other) == names.key(name)]
    if len(same) == 1:
        return Account.get(Account.name == same[0])
    removed_one = Account.select().where(Account.name == name, Account.removed_at.is_null(False)).first()
    if removed_one is not None:
        raise RemovedAccount(f"Account {name!r} was removed (its synced data is kept); remove the data with "
                        f"'accounts remove {shlex.quote(name)} --delete-data'")
    raise names.unknown("account", name, known, "see 'accounts list'; add one with 'accounts add'")


def _contents(account: Account) -> AccountContents:
    return AccountContents(
        schedules=Schedule.select().where(Schedule.account == account.id).count(),
        daily_rows=DailyStat.select().where(DailyStat.account == account.id).count(),
        campaigns=Campaign.select().where(Campaign.account == account.id).count())


def _exchanged(spec: PlatformSpec, account_id: str, options: dict[str, str],
               credentials: dict[str, str]) -> dict[str, str]:
    """One-time credentials (TikTok's auth code) traded for lasting ones, only once the keyring can keep them."""
    if spec.exchange_credentials is None:
        return credentials
    keyring = secrets.state()
    if keyring.state != "available":
        raise secrets.SecretsUnavailable(keyring.message)
    try:
        return spec.exchange_credentials(account_id, options, credentials)
    except ConnectorError as exc:
        raise UserError(exc.message) from None


def _kept_name(name: str, today: str) -> str:
    """A free name for an account removed with its data kept: 'NAME (removed YYYY-MM-DD)' (numbered if taken)."""
    taken = [a.name for a in Account.select(Account.name)]
    for number in range(1, 1000):
        suffix = f" (removed {today})" if number == 1 else f" (removed {today}, {number})"
        candidate = name[:names.MAX_LENGTH - len(suffix)] + suffix
        if names.clash(candidate, taken) is None:
            return candidate
    raise UserError(f"Too many removed accounts named {name!r}; delete the data of some with --delete-data")


def _aware(moment: datetime | None) -> datetime | None:
    """Store timestamps are naive UTC; read models carry aware ones."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _options(account: Account) -> dict[str, str]:
    return {str(k): str(v) for k, v in json.loads(account.options or "{}").items()}


class AccountsService(Area):
    """Accounts and their credentials (in the OS keyring)."""

    # --- reading ---

    def get(self, name: str) -> AccountInfo:
        account = account_row(name)
        health = next((h for h in queries.account_health() if h.account_id == account.id), None)
        return self._info(account, health)

    def list(self) -> tuple[AccountInfo, ...]:
        """Every account, by name."""
        health = {h.account_id: h for h in queries.account_health()}
        return tuple(self._info(a, health.get(a.id))
                     for a in Account.select().where(Account.removed_at.is_null()).order_by(Account.name))

    @staticmethod
    def _info(account: Account, h: queries.AccountHealth | None) -> AccountInfo:
        api = api_versions.api_of(account.platform)
        return AccountInfo(
            name=account.name, platform=account.platform, account_id=account.external_id,
            auth_state=AuthState(account.auth_state),
            health=api_versions.health_of(h.health if h else Health.NEVER_SYNCED, api, clock.today()),
            currency=account.currency, timezone=account.timezone,
            last_success_at=_aware(h.last_success_at) if h else None, options=_options(account), api=api)

    def cards(self, now: datetime | None = None) -> tuple[AccountCard, ...]:
        """Health of every account plus data freshness: the last complete day of daily stats and which recent
        days are still settling (fetched again because of the lookback; by age with the freshness planner)."""
        now = now or utcnow()
        fresh = queries.data_freshness()
        accounts = {a.id: a for a in Account.select()}
        cards = []
        for h in queries.account_health(now):
            account = accounts[h.account_id]
            options = _options(account)
            spec = registry.PLATFORMS.get(h.platform)
            lookback = int(options.get("lookback_days") or (spec.default_lookback_days if spec else 0))
            through, synced_at = fresh.get(h.account_id, (None, None))
            settling_from = settling_days = None
            if through is not None:
                zone = account.timezone or options.get("timezone") or "UTC"
                settling_from = windows.settling_since(windows.today_in(zone, now.replace(tzinfo=UTC)), lookback)
                settling_days = max(0, (through - settling_from).days + 1)
            api = api_versions.api_of(h.platform)
            cards.append(AccountCard(
                name=h.name, platform=h.platform, platform_label=spec.label if spec else h.platform,
                sandbox=bool(spec and spec.is_sandbox), health=api_versions.health_of(h.health, api, now.date()),
                auth_state=AuthState(h.auth_state),
                auth_message=account.auth_message, last_success_at=_aware(h.last_success_at),
                last_run_status=RunStatus(h.last_run_status) if h.last_run_status else None,
                errors_24h=h.errors_24h, runs_24h=h.runs_24h,
                avg_latency_ms=None if h.avg_latency_ms is None else round(h.avg_latency_ms, 1),
                data_through=through, data_synced_at=_aware(synced_at), lookback_days=lookback,
                settling_from=settling_from, settling_days=settling_days, api=api))
        return tuple(cards)

    @staticmethod
    def platforms() -> tuple[PlatformInfo, ...]:
        """The platforms of this build (no I/O, fine on the GUI thread)."""
        browser = set(oauth.PROVIDERS)
        return tuple(PlatformInfo(
            name=p.name, label=p.label, option_names=tuple(p.option_names), sandbox=p.is_sandbox,
            available=p.factory is not None, min_interval_minutes=p.min_interval_minutes,
            default_lookback_days=p.default_lookback_days, browser_sign_in=p.name in browser)
            for p in registry.PLATFORMS.values())

    @staticmethod
    def keyring_state(check: bool = False) -> KeyringState:
        """The OS keyring's state and what to do about it, never prompting. While nothing of ours is in the keyring
        it is NOT_NEEDED without opening it, unless `check` (the user looks at it, or is about to store
        credentials). May block (D-Bus): use a worker."""
        if not check and not keyring_use.needed():
            return KeyringState(status=KeyringStatus.NOT_NEEDED, backend="", message=keyring_use.NOT_NEEDED)
        state = secrets.peek()
        return KeyringState(status=KeyringStatus(state.state), backend=state.backend, message=state.message,
                            will_ask=state.will_ask)

    @staticmethod
    def unlock_keyring() -> KeyringState:
        """Open the keyring because the user asked (Unlock): the desktop may prompt to create or unlock it.
        A cancelled prompt is remembered again. Blocks until the prompt is answered: use a worker."""
        state = secrets.unlock()
        return KeyringState(status=KeyringStatus(state.state), backend=state.backend, message=state.message,
                            will_ask=state.will_ask)

    @staticmethod
    def allow_keyring_prompt() -> None:
        """The user is about to store a secret: the keyring may prompt again after a cancelled prompt (no I/O)."""
        secrets.ask_again()

    @staticmethod
    def with_credentials() -> frozenset[str]:
        """The names of the accounts whose credentials are in the keyring (from the store; never opens it)."""
        names_ = [a.name for a in Account.select(Account.name).where(Account.removed_at.is_null())]
        return frozenset(keyring_use.accounts_with_credentials(names_))

    # --- changing ---

    def add(self, platform: str, name: str, account_id: str | None = None,
            options: dict[str, str] | None = None, credentials: dict[str, str] | None = None) -> AccountInfo:
        name = names.clean(name, "--name", "Acme Google Ads")
        spec = registry.platform(platform)  # UnknownPlatform is a UserError
        other = names.clash(name, (a.name for a in Account.select(Account.name)))
        if other is not None:
            same = "" if other == name else " (names are compared ignoring case)"
            raise UserError(f"--name: an account named {other!r} already exists{same}; pick another name")
        if credentials is not None:  # `{}` too: it cannot work
            credentials = credential_keys.check(platform, spec.label, spec.is_sandbox, credentials)
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
        try:  # URL options and numbers, also for an account that has no credentials yet
            spec.check_options(options)
        except ConnectorError as exc:
            raise UserError(exc.message) from None
        if credentials:
            credentials = _exchanged(spec, external_id, options, credentials)
        # Without a token yet (e.g. only a Google developer token), the browser sign-in completes the credentials.
        needs_sign_in = not spec.is_sandbox and (not credentials or (
            (platform in oauth.PROVIDERS or platform in pin_sign_in.PLATFORMS)
            and not {"refresh_token", "access_token"} & credentials.keys()))
        if spec.factory is not None and not needs_sign_in:  # validate options and credentials now, not at 06:00
            try:
                spec.build(external_id, options, credentials, ConnectorContext()).close()
            except ConnectorError as exc:
                raise UserError(exc.message) from None
        if credentials:
            secrets.save_credentials(name, credentials)  # no keyring: SecretsUnavailable, told as it is
        account = Account.create(
            name=name, platform=platform, external_id=external_id, options=json.dumps(options),
            auth_state="needs_sign_in" if needs_sign_in else "ok",
            auth_message=f"No credentials yet: {sign_in_hint(platform, name)}" if needs_sign_in else None)
        self.core.bus.publish(ev.AccountChanged(account=name, change="created"))
        return self._info(account, None)

    def set_credentials(self, name: str, credentials: dict[str, str]) -> str:
        """Replace an account's credentials (e.g. a new Meta token) after checking them with one real call;
        the account's data and history stay. On failure the old credentials are kept."""
        account = account_row(name)
        spec = registry.platform(account.platform)
        credentials = credential_keys.check(account.platform, spec.label, spec.is_sandbox, credentials)
        previous = secrets.load_credentials(name)  # no keyring: SecretsUnavailable, told as it is
        credentials = _exchanged(spec, account.external_id, _options(account), credentials)
        secrets.save_credentials(name, credentials)
        result = probe.probe(account, self.core._credentials_for, self.core.bus)
        if not result.ok:
            if previous is not None:
                secrets.save_credentials(name, previous)
            else:
                secrets.delete_credentials(name)
            raise UserError(f"The new credentials did not work ({result.message}); the old ones are kept")
        Account.update(auth_state="ok", auth_message=None).where(Account.id == account.id).execute()
        self.core.bus.publish(ev.AccountChanged(account=name, change="auth_state", detail="ok"))
        return f"Credentials of {name!r} replaced and checked: {result.message}"

    def contents(self, name: str) -> AccountContents:
        """What removing the account would touch: its schedules, daily rows and campaigns."""
        return _contents(account_row(name, removed=True))

    def remove(self, name: str, data: DataOnRemove = DataOnRemove.REFUSE) -> AccountRemoval:
        """Remove an account, its schedules and its credentials; its past runs stay in the history.

        With schedules or synced data, `data` must say what happens to them: REFUSE (the default) raises UserError
        saying what would go; DELETE deletes them with the account; KEEP deletes the schedules and keeps the
        campaigns and daily stats, readable in Data and exports under 'NAME (removed YYYY-MM-DD)'."""
        account = account_row(name, removed=True)
        name = account.name
        if runs.active_run_of_account(account.id) is not None or SyncRun.select().where(
                (SyncRun.account == account.id) & SyncRun.status.in_(ACTIVE_STATUSES)).exists():
            raise UserError(f"Account {name!r} has a sync in progress; cancel it first ('runs cancel ID')")
        contents = _contents(account)
        if data == DataOnRemove.REFUSE and not contents.empty:
            raise UserError(f"Account {name!r} has {contents.describe()}; add --delete-data to remove them, or "
                            "--keep-data to keep the data and remove only the account and its schedules")
        if data == DataOnRemove.KEEP and account.removed_at is not None:
            raise UserError(f"Account {name!r} is already removed and its data kept; add --delete-data to delete "
                            "the data too")
        if account.removed_at is None and not registry.platform(account.platform).is_sandbox:
            try:
                secrets.delete_credentials(name)
            except secrets.SecretsUnavailable as exc:
                raise UserError(f"Could not remove the credentials of {name!r}: {exc}") from None
        schedules = [s.name for s in Schedule.select(Schedule.name).where(Schedule.account == account.id)]
        kept_as = None
        with self.core.db.atomic():
            if data == DataOnRemove.KEEP and (contents.daily_rows or contents.campaigns):
                kept_as = _kept_name(name, clock.today().isoformat())
                Schedule.delete().where(Schedule.account == account.id).execute()
                HealthProbe.delete().where(HealthProbe.account == account.id).execute()
                Account.update(name=kept_as, removed_at=utcnow(), auth_state="ok", auth_message=None).where(
                    Account.id == account.id).execute()
            else:
                account.delete_instance()  # cascades to schedules, campaigns, stats, state; runs keep the names
        for schedule in schedules:
            self.core.bus.publish(ev.ScheduleChanged(schedule=schedule, change="removed"))
        self.core.bus.publish(ev.AccountChanged(account=name, change="removed"))
        deleted = contents if kept_as is None else AccountContents(contents.schedules, 0, 0)
        return AccountRemoval(name=name, removed=deleted, kept_as=kept_as)

    def discover(self, platform: str, credentials: dict[str, str], options: dict[str, str] | None = None, *,
                 cancel: threading.Event | None = None, timeout_s: float = 60.0) -> builtins.list[DiscoveredAccount]:
        """The accounts `credentials` reach on `platform`, nothing stored (services/discover.py). Blocks on the
        network (at most about `timeout_s`; `cancel` ends it early): call it from a worker in the window."""
        from autosync_desktop.services import discover

        return discover.discover(platform, credentials, options, cancel=cancel, timeout_s=timeout_s)

    @staticmethod
    def credential_rule(platform: str) -> credential_keys.CredentialKeys | None:
        """The credential keys `platform`'s connector reads and which sets of them suffice (None: unknown)."""
        return credential_keys.RULES.get(platform)

    @staticmethod
    def public_client(platform: str) -> bool:
        """Whether the platform's OAuth app has no secret (its declaration in connectors/oauth.py)."""
        provider = oauth.PROVIDERS.get(platform)
        return bool(provider and provider.public_client)

    @staticmethod
    def can_discover(platform: str) -> bool:
        """Whether `discover` can list this platform's accounts (else the account is added by its id)."""
        return registry.platform(platform).discover is not None

    def stored_login(self, name: str) -> tuple[str, dict[str, str], dict[str, str]]:
        """An account's platform, credentials and options, for discovering with what is already stored."""
        account = account_row(name)
        credentials = self.core._credentials_for(account) or {}
        return account.platform, dict(credentials), {str(k): str(v) for k, v in json.loads(account.options or
                                                                                          "{}").items()}

    def add_discovered(self, picked: Sequence[DiscoveredAccount], credentials: dict[str, str],
                       options: dict[str, str] | None = None) -> builtins.list[AccountInfo]:
        """Add several discovered accounts at once, each under a free name with the same credentials."""
        from autosync_desktop.services import discover

        if not picked:
            raise UserError("--add: pick at least one discovered account")
        label = registry.platform(picked[0].platform).label
        return discover.add(self.add, lambda n: names.clash(n, (a.name for a in Account.select(Account.name)))
                            is not None, picked, credentials, options, label)

    def test(self, name: str) -> str:
        """One cheap real call; recorded as a connectivity probe (it feeds the account's health)."""
        account = account_row(name)
        result = probe.probe(account, self.core._credentials_for, self.core.bus)
        if not result.ok:
            raise UserError(result.message)
        return result.message

    def connect(self, name: str, *, on_url: Callable[[str], None], client_id: str | None = None,
                        client_secret: str | None = None, timeout_s: float = 300.0,
                        cancel: threading.Event | None = None, read_pin: Callable[[], str] | None = None) -> str:
        """Sign in with the platform in the system browser (RFC 8252 loopback + PKCE) and keep the refresh
        token in the keyring. Blocks until the browser comes back: call it from a worker, never the GUI.
        X Ads signs in with a PIN instead (services/pin_sign_in.py): `read_pin` returns what the user types."""
        account = account_row(name)
        provider = oauth.PROVIDERS.get(account.platform)
        if account.platform in pin_sign_in.PLATFORMS:
            pin_sign_in.connect(account, on_url=on_url, read_pin=read_pin, client_id=client_id,
                                client_secret=client_secret)
            Account.update(auth_state="ok", auth_message=None).where(Account.id == account.id).execute()
            self.core.bus.publish(ev.AccountChanged(account=name, change="auth_state", detail="ok"))
            return f"Signed in: {name} ({account.platform}) can sync now"
        if provider is None:
            raise UserError(f"{registry.platform(account.platform).label} has no browser sign-in; add the "
                            "account with --credentials-stdin (e.g. a system-user or long-lived token)")
        if provider.public_client and client_secret:
            raise UserError(f"--client-secret-stdin: {provider.platform} signs in as a public client without a "
                            "secret; leave --client-secret-stdin out")
        try:
            if client_id:
                secrets.save_oauth_client(account.platform, client_id, client_secret)
            client = secrets.load_oauth_client(account.platform)
            if not client and provider.shares_client_with:  # e.g. GA4 signs in with the Google Ads client
                client = secrets.load_oauth_client(provider.shares_client_with)
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
            if provider.public_client:
                credentials.pop("client_secret")
            secrets.save_credentials(name, credentials)
        except ConnectorError as exc:
            raise UserError(exc.message) from None
        Account.update(auth_state="ok", auth_message=None).where(Account.id == account.id).execute()
        self.core.bus.publish(ev.AccountChanged(account=name, change="auth_state", detail="ok"))
        return f"Signed in: {name} ({provider.platform}) can sync now"
