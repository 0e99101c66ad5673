"""X's PIN-based OAuth 1.0a sign-in (out-of-band): request token → the user authorizes in the browser and reads
a PIN → access token. The desktop way to get a user's token for the user's own X app (docs.x.com, "PIN-based
authorization"; shared/docs/platform-apis.md §6).

1. POST {oauth}/request_token with `oauth_callback=oob`, signed with the app's consumer key and secret;
2. the user opens {oauth}/authorize?oauth_token=… (the browser), approves, and X shows a PIN;
3. POST {oauth}/access_token with the request token and `oauth_verifier=<PIN>` → `oauth_token`,
   `oauth_token_secret` (the user's access token and secret; they do not expire).
Every request is signed by `requests_oauthlib.OAuth1`. `{oauth}` is the account's `token_url` option (default
https://api.x.com/oauth), under the one URL rule, so a local test server can stand in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode

from autosync_desktop import redaction

from .base import ConnectorError, Permanent, RateLimited, ReauthRequired, Transient
from .http import USER_AGENT

if TYPE_CHECKING:  # requests and requests_oauthlib are imported at the sign-in
    import requests
    from requests_oauthlib import OAuth1

PLATFORM = "x_ads"
TIMEOUT_S = 30.0
SETUP_HELP = ("Use your own X developer app with Ads API access (developer.x.com: Projects & Apps > your app > Keys "
              "and tokens: API Key and Secret).")


def _form(response: requests.Response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(response.text or "").items() if v}


def _error(response: requests.Response, step: str) -> ConnectorError | None:
    status = response.status_code
    if 200 <= status < 300:
        return None
    if status == 401:
        return ReauthRequired(f"X refused the {step}: check the app's API key and secret (consumer key and "
                              "secret), that the app has Ads API access, and type the PIN exactly as X shows it")
    if status == 429:
        return RateLimited(f"X is throttling sign-in requests ({step})")
    if status >= 500:
        return Transient(f"X's sign-in had a temporary problem (HTTP {status}); try again")
    return Permanent(f"X refused the {step} (HTTP {status})")


class PinSignIn:
    """One PIN sign-in: `start()` gives the address to open, `finish(pin)` the access token and secret."""

    def __init__(self, consumer_key: str, consumer_secret: str, oauth_url: str) -> None:
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.oauth_url = oauth_url.rstrip("/")
        self._request_token: tuple[str, str] | None = None
        import requests

        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        redaction.remember([consumer_secret])

    def __enter__(self) -> PinSignIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.close()

    def _post(self, path: str, auth: OAuth1, step: str) -> dict[str, str]:
        import requests

        try:
            response = self.session.post(f"{self.oauth_url}/{path}", auth=auth, timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            raise Transient(f"Could not reach X's sign-in ({type(exc).__name__}); check the connection") from None
        error = _error(response, step)
        if error is not None:
            raise error
        return _form(response)

    def start(self) -> str:
        """Ask for a request token; the address where the user authorizes the app and reads the PIN."""
        from requests_oauthlib import OAuth1  # ~16 ms, loaded at an X sign-in

        auth = OAuth1(self.consumer_key, self.consumer_secret, callback_uri="oob")
        form = self._post("request_token", auth, "request for a sign-in token")
        token, secret = form.get("oauth_token"), form.get("oauth_token_secret")
        if not token or not secret or form.get("oauth_callback_confirmed") != "true":
            raise Transient("X's sign-in answered without a request token")
        redaction.remember([secret])
        self._request_token = (token, secret)
        return f"{self.oauth_url}/authorize?{urlencode({'oauth_token': token})}"

    def finish(self, pin: str) -> dict[str, str]:
        """Trade the PIN for the user's access token and secret (keys access_token, access_token_secret)."""
        if self._request_token is None:
            raise RuntimeError("start() first")
        pin = pin.strip()
        if not pin.isdigit():
            raise Permanent("The PIN is the number X shows after you authorize the app (digits only); sign in again")
        token, secret = self._request_token
        from requests_oauthlib import OAuth1

        auth = OAuth1(self.consumer_key, self.consumer_secret, token, secret, verifier=pin)
        form = self._post("access_token", auth, "PIN")
        access, access_secret = form.get("oauth_token"), form.get("oauth_token_secret")
        if not access or not access_secret:
            raise Transient("X's sign-in answered without an access token")
        redaction.remember([access, access_secret])
        return {"access_token": access, "access_token_secret": access_secret}
