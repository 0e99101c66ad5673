"""Platform credentials in the OS keyring, never in the database, logs or exports.

A keyring that is missing or locked is an explicit state with a message that says what to do; there is no
plaintext fallback. Every call may block (D-Bus, an unlock prompt): callers keep it off the GUI thread.
Every secret value read or written here is remembered by `redaction` for the rest of the process, so no text the
process stores or shows afterwards (a platform's error that echoes it, a log line) can carry it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import keyring
from keyring.errors import KeyringError, KeyringLocked, NoKeyringError, PasswordDeleteError

from autosync_desktop import redaction
from autosync_desktop.errors import USER_ERROR_EXIT, AutoSyncError

SERVICE = "autosync-desktop"


class SecretsUnavailable(AutoSyncError):
    """The keyring cannot be used; `str(exc)` tells the user what to install or unlock."""

    exit_code = USER_ERROR_EXIT


@dataclass(frozen=True, slots=True)
class KeyringState:
    state: str  # available | missing | locked | error
    backend: str
    message: str


_MISSING = ("No system keyring is available to store credentials safely. On Linux install and start a Secret "
            "Service (e.g. gnome-keyring or KeePassXC with Secret Service enabled); AutoSync never stores "
            "secrets in plain text.")
_LOCKED = "The system keyring is locked. Unlock it (log in to your desktop session or open your keyring app)."


def state() -> KeyringState:
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    try:
        keyring.get_password(SERVICE, "probe")
    except NoKeyringError:
        return KeyringState("missing", name, _MISSING)
    except KeyringLocked:
        return KeyringState("locked", name, _LOCKED)
    except KeyringError as exc:
        return KeyringState("error", name, f"The system keyring failed: {exc}")
    if "fail" in name.lower() or "null" in name.lower():
        return KeyringState("missing", name, _MISSING)
    return KeyringState("available", name, f"Credentials are stored in the system keyring ({name}).")


def _key(account: str) -> str:
    return f"account:{account}"


def _call(fn, *args):  # type: ignore[no-untyped-def]
    try:
        return fn(*args)
    except NoKeyringError as exc:
        raise SecretsUnavailable(_MISSING) from exc
    except KeyringLocked as exc:
        raise SecretsUnavailable(_LOCKED) from exc
    except KeyringError as exc:
        raise SecretsUnavailable(f"The system keyring failed: {exc}") from exc
    except Exception as exc:  # a backend's own error (D-Bus, a keychain API): still "the keyring is unavailable"
        raise SecretsUnavailable(f"The system keyring failed ({type(exc).__name__}: {exc})") from exc


def save_credentials(account: str, credentials: dict[str, str]) -> None:
    redaction.remember_credentials(credentials)
    _call(keyring.set_password, SERVICE, _key(account), json.dumps(credentials))


def load_credentials(account: str) -> dict[str, str] | None:
    raw = _call(keyring.get_password, SERVICE, _key(account))
    credentials: dict[str, str] | None = json.loads(raw) if raw else None
    redaction.remember_credentials(credentials)
    return credentials


def delete_credentials(account: str) -> None:
    try:
        _call(keyring.delete_password, SERVICE, _key(account))
    except SecretsUnavailable as exc:
        if isinstance(exc.__cause__, PasswordDeleteError):
            return
        raise


def _client_key(platform: str) -> str:
    return f"oauth-client:{platform}"


def save_oauth_client(platform: str, client_id: str, client_secret: str | None) -> None:
    """The user's own OAuth client for a platform, entered once and reused by every sign-in."""
    redaction.remember_credentials(client_secret)
    _call(keyring.set_password, SERVICE, _client_key(platform),
          json.dumps({"client_id": client_id, "client_secret": client_secret or ""}))


def load_oauth_client(platform: str) -> dict[str, str] | None:
    raw = _call(keyring.get_password, SERVICE, _client_key(platform))
    client: dict[str, str] | None = json.loads(raw) if raw else None
    redaction.remember_credentials((client or {}).get("client_secret"))  # the client id is not a secret
    return client


def _channel_key(channel: str, name: str) -> str:
    return f"notify:{channel}:{name}"


def save_channel_secret(channel: str, name: str, value: str) -> None:
    """A notification channel's secret (SMTP password, Slack webhook URL, webhook signing secret, Twilio token)."""
    redaction.remember_credentials(value)
    _call(keyring.set_password, SERVICE, _channel_key(channel, name), value)


def load_channel_secret(channel: str, name: str) -> str | None:
    value: str | None = _call(keyring.get_password, SERVICE, _channel_key(channel, name)) or None
    redaction.remember_credentials(value)
    return value


def delete_channel_secret(channel: str, name: str) -> None:
    try:
        _call(keyring.delete_password, SERVICE, _channel_key(channel, name))
    except SecretsUnavailable as exc:
        if isinstance(exc.__cause__, PasswordDeleteError):
            return
        raise


_API_TOKEN_KEY = "api:token"


def load_api_token() -> str | None:
    """The local REST API's bearer token (None before the first `save_api_token`)."""
    value: str | None = _call(keyring.get_password, SERVICE, _API_TOKEN_KEY) or None
    redaction.remember([value] if value else [])
    return value


def save_api_token(token: str) -> None:
    """Store (or replace) the local REST API's bearer token."""
    redaction.remember([token])
    _call(keyring.set_password, SERVICE, _API_TOKEN_KEY, token)
