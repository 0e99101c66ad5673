"""Which secrets this store has put in the OS keyring (entry names only, never values), so that AutoSync opens the
keyring only when something of ours is in it.

Opening a Secret Service that has no keyring yet makes the desktop ask for a new keyring password, and a locked one
asks to unlock it. So the window and the service decide from the store, not by probing the keyring, whether the
keyring is needed at all: while no account, notification channel or API token has a secret stored, nothing opens
it (the keyring state reads "not needed yet", redaction has no keyring values to load).

`secrets` tells `record` about every entry it saves or deletes (installed when this module is imported, as every
services process does). A new store starts with an empty index (store/db.py); a store from before the index gets
one derived without the keyring: every account of a platform that takes credentials (and its platform's OAuth
client), every notification channel with a setting of its own, the API token once the API was on.
"""

from __future__ import annotations

from collections.abc import Iterable

from autosync_desktop import secrets
from autosync_desktop.connectors import oauth, registry
from autosync_desktop.notify import registry as channels
from autosync_desktop.store import settings
from autosync_desktop.store.models import Account, Setting, database_proxy

STATE_KEY = settings.KEYRING_INDEX
NOT_NEEDED = ("Not needed yet: no account or notification channel has a secret stored, so AutoSync does not open the "
              "system keyring. It is used when you add an account that needs credentials.")


def _needs_credentials(platform: str) -> bool:
    return platform not in registry.PLATFORMS or not registry.platform(platform).is_sandbox


def _derived() -> set[str]:
    """What a store written before the index probably holds in the keyring (assumed, never looked up)."""
    found: set[str] = set()
    platforms: set[str] = set()
    for account in Account.select(Account.name, Account.platform).where(Account.removed_at.is_null()):
        if _needs_credentials(account.platform):
            found.add(secrets.account_entry(account.name))
            platforms.add(account.platform)
    found.update(secrets.client_entry(p) for p in oauth.PROVIDERS if p in platforms)
    keys = [row.key for row in Setting.select(Setting.key)]
    for channel, names in channels.SECRETS.items():
        if any(key.startswith(f"notify.{channel}.") for key in keys):
            found.update(secrets.channel_entry(channel, name) for name in names)
    if settings.get("api.enabled") or settings.get("api.token_generation"):
        found.add(secrets.API_TOKEN_ENTRY)
    return found


def entries() -> frozenset[str]:
    """The keyring entries this store's secrets live in (from the store only: never opens the keyring)."""
    stored = settings.get(STATE_KEY)
    return frozenset(stored) if isinstance(stored, list) else frozenset(_derived())


def needed() -> bool:
    """Something of ours is in the keyring: an account's credentials, a channel's secret or the API token."""
    return bool(entries())


def has(entry: str) -> bool:
    return entry in entries()


def accounts_with_credentials(names: Iterable[str]) -> set[str]:
    """Those of `names` whose credentials are in the keyring (by the store)."""
    stored = entries()
    return {name for name in names if secrets.account_entry(name) in stored}


def record(entry: str, stored: bool) -> None:
    """`secrets`' recorder: an entry was saved (True) or deleted (False)."""
    if database_proxy.obj is None:  # no store open in this process (nothing to keep the record in)
        return
    with database_proxy.atomic("IMMEDIATE"):  # read, then write: the write lock first (see sync/writer.py)
        current = set(entries())
        changed = (current | {entry}) if stored else (current - {entry})
        if changed != current or settings.get(STATE_KEY) is None:
            settings.set_state(STATE_KEY, sorted(changed))


secrets.record_with(record)  # every process that uses the services keeps the index
