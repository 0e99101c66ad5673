"""`accounts connect` for X Ads: the PIN-based OAuth 1.0a sign-in (connectors/x_signin.py) with the user's own
app, its keys taken from --client-id/--client-secret-stdin (kept in the keyring for the platform), else from the
account's stored credentials, else from the platform's stored app; the user's access token and secret go to the
keyring with the app keys. Blocks until the PIN is typed: call it from a worker, never the GUI thread.
X's modules (and their HTTP client) are imported by `connect()`, so a store without X never loads them.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from autosync_desktop import secrets
from autosync_desktop.connectors.base import ConnectorError
from autosync_desktop.connectors.options import parse_options
from autosync_desktop.errors import UserError
from autosync_desktop.store.models import Account

PLATFORMS = ("x_ads",)  # x_signin.PLATFORM (a test checks it)


def connect(account: Account, *, on_url: Callable[[str], None], read_pin: Callable[[], str] | None,
            client_id: str | None, client_secret: str | None) -> None:
    """Sign `account` in with a PIN and store its four credentials; UserError in one line when it cannot."""
    from autosync_desktop.connectors import x_ads, x_signin

    if read_pin is None:
        raise UserError(f"X signs in with a PIN: run autosync accounts connect {account.name!r} in a terminal")
    if client_id and not client_secret:
        raise UserError("--client-secret-stdin: X needs the app's API key secret (consumer secret) with --client-id")
    try:
        stored = dict(secrets.load_credentials(account.name) or {})
        if client_id and client_secret:
            secrets.save_oauth_client(x_signin.PLATFORM, client_id, client_secret)
            key, secret = client_id, client_secret
        else:
            key, secret = stored.get("consumer_key", ""), stored.get("consumer_secret", "")
            if not (key and secret):
                client = secrets.load_oauth_client(x_signin.PLATFORM) or {}
                key, secret = client.get("client_id", ""), client.get("client_secret", "")
        if not (key and secret):
            raise UserError(f"--client-id: no X app keys yet. {x_signin.SETUP_HELP} Then pass --client-id API_KEY "
                            "and --client-secret-stdin.")
        options = json.loads(account.options or "{}")
        oauth_url = parse_options(x_ads.OPTIONS, {"token_url": options.get("token_url")})["token_url"]
        with x_signin.PinSignIn(key, secret, oauth_url) as flow:
            on_url(flow.start())
            tokens = flow.finish(read_pin())
        secrets.save_credentials(account.name, {**stored, "consumer_key": key, "consumer_secret": secret, **tokens})
    except ConnectorError as exc:
        raise UserError(exc.message) from None
