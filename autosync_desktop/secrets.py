"""Platform credentials in the OS keyring, never in the database, logs or exports.

A keyring that is missing or locked is an explicit state with a message that says what to do; there is no
plaintext fallback. Every call may block (D-Bus, an unlock prompt): callers keep it off the GUI thread.
Every secret value read or written here is remembered by `redaction` for the rest of the process, so no text the
process stores or shows afterwards (a platform's error that echoes it, a log line) can carry it.

Opening the keyring can make the desktop prompt (a Secret Service without a default keyring asks for a new
password; a locked one asks to unlock). So: `peek()` says what the keyring is like without ever prompting; a
prompt the user cancelled is remembered for the process (`declined()`), and until `ask_again()` every call here
fails as "locked" at once instead of prompting again; and every entry saved or deleted is told to the recorder
(`record_with`), which keeps in the store which secrets exist (names only), so nobody opens the keyring while it
holds nothing of ours.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from types import ModuleType

from autosync_desktop import redaction
from autosync_desktop.errors import USER_ERROR_EXIT, AutoSyncError

SERVICE = "autosync-desktop"
log = logging.getLogger(__name__)


class SecretsUnavailable(AutoSyncError):
    """The keyring cannot be used; `str(exc)` tells the user what to install or unlock."""

    exit_code = USER_ERROR_EXIT


@dataclass(frozen=True, slots=True)
class KeyringState:
    state: str  # available | missing | locked | error
    backend: str
    message: str
    will_ask: str = ""  # what the first access makes the desktop ask: "create" (a new keyring), "unlock", or ""


_MISSING = ("No system keyring is available to store credentials safely. On Linux install and start a Secret "
            "Service (e.g. gnome-keyring or KeePassXC with Secret Service enabled); AutoSync never stores "
            "secrets in plain text.")
_LOCKED = "The system keyring is locked. Unlock it (log in to your desktop session or open your keyring app)."
_DECLINED = ("The keyring's password prompt was cancelled, so AutoSync will not open it again by itself: choose "
             "Unlock in Settings › Accounts when you want to be asked again.")
_NOT_CREATED = ("Your system has no keyring yet: it will ask you to create a password for it the first time AutoSync "
                "stores credentials.")

_lock = threading.Lock()
_declined = False
_recorder: Callable[[str, bool], None] | None = None


def record_with(recorder: Callable[[str, bool], None] | None) -> None:
    """`recorder(entry, stored)` is called after each entry is saved (True) or deleted (False): entry names only
    ("account:NAME", "notify:email:password", "oauth-client:google_ads", "api:token"), never values."""
    global _recorder
    _recorder = recorder


def _record(entry: str, stored: bool) -> None:
    if _recorder is not None:
        _recorder(entry, stored)


def declined() -> bool:
    """The user cancelled a keyring prompt in this process: nothing here opens the keyring until `ask_again()`."""
    return _declined


def ask_again() -> None:
    """The user asked for the keyring (Unlock, saving credentials): the next access may prompt again."""
    global _declined
    with _lock:
        _declined = False


def _decline() -> None:
    global _declined
    with _lock:
        _declined = True
    log.info("a keyring prompt was cancelled; the keyring is not opened again by itself in this process")


def _dismissed(exc: BaseException) -> bool:
    """keyring's InitError for a Secret Service whose "new keyring" prompt was dismissed."""
    return "dismissed" in str(exc).lower()


def _keyring() -> ModuleType:
    """keyring, imported at the first keyring call (~40 ms at start-up otherwise: the window's first frame)."""
    import keyring

    return keyring


def __getattr__(name: str) -> ModuleType:  # `secrets.keyring`, as before the import became lazy
    if name == "keyring":
        return _keyring()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _backend_name() -> str:
    backend = _keyring().get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def peek() -> KeyringState:
    """The keyring's state without ever prompting or creating anything (for a Secret Service: the default alias
    is looked up, not created, and its Locked property read). Other backends do not prompt for a lookup, so they
    are probed with one. May block on D-Bus: keep it off the GUI thread."""
    if _declined:
        return KeyringState("locked", _backend_name(), _DECLINED, "unlock")
    name = _backend_name()
    if "fail" in name.lower() or "null" in name.lower():
        return KeyringState("missing", name, _MISSING)
    if name.startswith("keyring.backends.kwallet."):  # opening KWallet at all may ask for its password
        return KeyringState("available", name, "Credentials are stored in KWallet; it may ask for its password when "
                            "AutoSync first stores or reads them.", "unlock")
    if name != "keyring.backends.SecretService.Keyring":
        return state()  # macOS Keychain, Windows Credential Locker: a lookup does not prompt
    try:
        import secretstorage
        from secretstorage.exceptions import ItemNotFoundException

        with closing(secretstorage.dbus_init()) as connection:
            try:
                collection = secretstorage.get_collection_by_alias(connection, "default")
            except ItemNotFoundException:
                return KeyringState("available", name, _NOT_CREATED, "create")
            if collection.is_locked():
                return KeyringState("locked", name, _LOCKED, "unlock")
    except Exception as exc:  # D-Bus gone, the service refusing: an error, told as it is
        return KeyringState("error", name, f"The system keyring failed ({type(exc).__name__}: {exc})")
    return KeyringState("available", name, f"Credentials are stored in the system keyring ({name}).")


def unlocked() -> bool:
    """The keyring can be read now without any prompt (never prompts itself)."""
    found = peek()
    return found.state == "available" and not found.will_ask


def unlock() -> KeyringState:
    """Open the keyring on the user's request: clears a cancelled prompt, and may prompt (create or unlock)."""
    ask_again()
    return state()


def state() -> KeyringState:
    """The keyring's state by reading from it: this may prompt (create or unlock); `peek()` never does."""
    from keyring.errors import InitError, KeyringError, KeyringLocked, NoKeyringError

    name = _backend_name()
    if _declined:
        return KeyringState("locked", name, _DECLINED, "unlock")
    try:
        _keyring().get_password(SERVICE, "probe")
    except NoKeyringError:
        return KeyringState("missing", name, _MISSING)
    except KeyringLocked:  # the unlock prompt was dismissed
        _decline()
        return KeyringState("locked", name, _LOCKED, "unlock")
    except InitError as exc:
        if not _dismissed(exc):
            return KeyringState("error", name, f"The system keyring failed: {exc}")
        _decline()
        return KeyringState("locked", name, _DECLINED, "unlock")
    except KeyringError as exc:
        return KeyringState("error", name, f"The system keyring failed: {exc}")
    if "fail" in name.lower() or "null" in name.lower():
        return KeyringState("missing", name, _MISSING)
    return KeyringState("available", name, f"Credentials are stored in the system keyring ({name}).")


def _key(account: str) -> str:
    return f"account:{account}"


def account_entry(account: str) -> str:
    """The keyring entry name of an account's credentials (what the recorder is told)."""
    return _key(account)


def channel_entry(channel: str, name: str) -> str:
    return _channel_key(channel, name)


def client_entry(platform: str) -> str:
    return _client_key(platform)


API_TOKEN_ENTRY = "api:token"


def _call(fn, *args):  # type: ignore[no-untyped-def]
    from keyring.errors import InitError, KeyringError, KeyringLocked, NoKeyringError

    if _declined:
        raise SecretsUnavailable(_DECLINED)
    try:
        return fn(*args)
    except NoKeyringError as exc:
        raise SecretsUnavailable(_MISSING) from exc
    except KeyringLocked as exc:  # the unlock prompt was dismissed
        _decline()
        raise SecretsUnavailable(_LOCKED) from exc
    except InitError as exc:
        if not _dismissed(exc):
            raise SecretsUnavailable(f"The system keyring failed: {exc}") from exc
        _decline()  # the Secret Service could not create its keyring: the "new keyring" prompt was dismissed
        raise SecretsUnavailable(_DECLINED) from exc
    except KeyringError as exc:
        raise SecretsUnavailable(f"The system keyring failed: {exc}") from exc
    except Exception as exc:  # a backend's own error (D-Bus, a keychain API): still "the keyring is unavailable"
        raise SecretsUnavailable(f"The system keyring failed ({type(exc).__name__}: {exc})") from exc


def save_credentials(account: str, credentials: dict[str, str]) -> None:
    redaction.remember_credentials(credentials)
    _call(_keyring().set_password, SERVICE, _key(account), json.dumps(credentials))
    _record(_key(account), True)


def load_credentials(account: str) -> dict[str, str] | None:
    raw = _call(_keyring().get_password, SERVICE, _key(account))
    credentials: dict[str, str] | None = json.loads(raw) if raw else None
    redaction.remember_credentials(credentials)
    return credentials


def delete_credentials(account: str) -> None:
    try:
        _call(_keyring().delete_password, SERVICE, _key(account))
    except SecretsUnavailable as exc:
        from keyring.errors import PasswordDeleteError

        if not isinstance(exc.__cause__, PasswordDeleteError):
            raise
    _record(_key(account), False)


def _client_key(platform: str) -> str:
    return f"oauth-client:{platform}"


def save_oauth_client(platform: str, client_id: str, client_secret: str | None) -> None:
    """The user's own OAuth client for a platform, entered once and reused by every sign-in."""
    redaction.remember_credentials(client_secret)
    _call(_keyring().set_password, SERVICE, _client_key(platform),
          json.dumps({"client_id": client_id, "client_secret": client_secret or ""}))
    _record(_client_key(platform), True)


def load_oauth_client(platform: str) -> dict[str, str] | None:
    raw = _call(_keyring().get_password, SERVICE, _client_key(platform))
    client: dict[str, str] | None = json.loads(raw) if raw else None
    redaction.remember_credentials((client or {}).get("client_secret"))  # the client id is not a secret
    return client


def _channel_key(channel: str, name: str) -> str:
    return f"notify:{channel}:{name}"


def save_channel_secret(channel: str, name: str, value: str) -> None:
    """A notification channel's secret (SMTP password, Slack webhook URL, webhook signing secret, Twilio token)."""
    redaction.remember_credentials(value)
    _call(_keyring().set_password, SERVICE, _channel_key(channel, name), value)
    _record(_channel_key(channel, name), True)


def load_channel_secret(channel: str, name: str) -> str | None:
    value: str | None = _call(_keyring().get_password, SERVICE, _channel_key(channel, name)) or None
    redaction.remember_credentials(value)
    return value


def delete_channel_secret(channel: str, name: str) -> None:
    try:
        _call(_keyring().delete_password, SERVICE, _channel_key(channel, name))
    except SecretsUnavailable as exc:
        from keyring.errors import PasswordDeleteError

        if not isinstance(exc.__cause__, PasswordDeleteError):
            raise
    _record(_channel_key(channel, name), False)


_API_TOKEN_KEY = API_TOKEN_ENTRY


def load_api_token() -> str | None:
    """The local REST API's bearer token (None before the first `save_api_token`)."""
    value: str | None = _call(_keyring().get_password, SERVICE, _API_TOKEN_KEY) or None
    redaction.remember([value] if value else [])
    return value


def save_api_token(token: str) -> None:
    """Store (or replace) the local REST API's bearer token."""
    redaction.remember([token])
    _call(_keyring().set_password, SERVICE, _API_TOKEN_KEY, token)
    _record(_API_TOKEN_KEY, True)
