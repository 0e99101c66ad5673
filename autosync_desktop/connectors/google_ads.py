"""The Google Ads connector: campaigns and daily campaign metrics over the Google Ads API (REST, GAQL).

API version: `API_VERSION` is "26", current when this was written (released 2026-10-14; v19-v22 are sunset, v22
on 2026-10-07). Google ships about monthly and keeps about four majors live: bump the one constant when Google
announces the sunset of this one. A sunset version's answer ("Version vNN is deprecated", UNSUPPORTED_VERSION)
fails the run as Permanent, saying to update AutoSync. The JSON shapes used here (searchStream
batches, google.rpc errors) have been stable across versions.

Auth: an OAuth2 desktop-app client. The keyring holds {client_id, client_secret, refresh_token,
developer_token[, login_customer_id]}; an access token comes from the refresh grant (connectors/tokens.py),
lazily before the first call and again on refresh_auth(), and lives in memory only. Tokens are never logged
and never put in messages.

Queries go to `customers/{cid}/googleAds:searchStream`, which answers one JSON array of batches with
`results`. int64 fields (ids, impressions, clicks, costMicros) arrive as strings; proto3 JSON leaves out
zero values, so a missing metric is 0. Money: costMicros passes through; conversionsValue is parsed from
the JSON text as a Decimal (never through a float) and converted with money_to_micros.

Conversions by action: each window has a second query, ACTIONS_QUERY (segments.conversion_action_name with
metrics.conversions and metrics.conversions_value; it cannot share a query with impressions, clicks or cost), sent
after the window's stats. Its rows become each (campaign, day) record's `actions`; Google defines
metrics.conversions as the sum over the conversion actions included in "Conversions", so the rows add up to the
blended column. Action rows of a (campaign, day) the stats did not return are logged and left out.

Errors (google.rpc shape, on searchStream possibly wrapped in an array, possibly as the last element of a
200 stream) map onto the classes of connectors/base.py:
- 429 / RESOURCE_EXHAUSTED -> RateLimited, retry_after from quotaErrorDetails.retryDelay ("30s") or
  google.rpc.RetryInfo, else the Retry-After header (filled in by the HTTP layer);
- 408 / 5xx -> Transient; a 200 whose body is not JSON -> Transient;
- 401 -> AuthExpired (the engine refreshes once), except a rejected developer token or customer id
  (Permanent) and a Google user without Google Ads access (ReauthRequired);
- 403 -> Permanent naming what to check (login_customer_id, developer-token approval, account access);
- 400 and other 4xx -> Permanent, with the manager-account case (REQUESTED_METRICS_FOR_MANAGER) explained;
- the token endpoint (connectors/tokens.py): invalid_grant (and a rejected OAuth client) -> ReauthRequired.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from . import google_rpc as rpc
from . import google_values as values
from .base import (
    AccountInfo,
    ActionConversions,
    AuthExpired,
    CampaignRecord,
    ConnectorContext,
    ConnectorError,
    DailyStatRecord,
    Permanent,
    PlatformSpec,
    RateLimited,
    ReauthRequired,
    Transient,
    retired_api,
)
from .discovery import lazy
from .http import HttpClient
from .options import ParsedOption, UrlOption, numeric_id, parse_options, unknown_options
from .paging import stream_pages
from .tokens import RefreshingToken

if TYPE_CHECKING:  # requests (~60 ms) is imported when the first request is made
    import requests

API_VERSION = "26"
DEFAULT_API_BASE_URL = "https://googleads.googleapis.com"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"
REQUIRED_CREDENTIALS = ("client_id", "client_secret", "refresh_token", "developer_token")
PAGE_SIZE = 1000  # records per yielded page

CUSTOMER_QUERY = ("SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone "
                  "FROM customer")
# No WHERE on campaign.status: paused and removed campaigns are synced too (removed ones have past stats).
CAMPAIGN_QUERY = "SELECT customer.currency_code, campaign.id, campaign.name, campaign.status FROM campaign"
STATS_QUERY = ("SELECT customer.currency_code, campaign.id, campaign.name, segments.date, metrics.impressions, "
               "metrics.clicks, metrics.cost_micros, metrics.conversions, metrics.conversions_value "
               "FROM campaign WHERE segments.date BETWEEN '{start}' AND '{end}'")

ACTIONS_QUERY = ("SELECT campaign.id, segments.date, segments.conversion_action_name, metrics.conversions, "
                 "metrics.conversions_value FROM campaign WHERE segments.date BETWEEN '{start}' AND '{end}' "
                 "AND metrics.conversions > 0")

STATUS_MAP = {"ENABLED": "ACTIVE", "PAUSED": "PAUSED", "REMOVED": "REMOVED"}
_DEPRECATED_VERSION = re.compile(r"\bVersion v\d+ is deprecated\b", re.IGNORECASE)  # what a sunset version answers
_MANAGER_HELP = ("this is a manager (MCC) account, which has no metrics of its own; add the client account id "
                 "instead (--account-id) and use login_customer_id={cid} to reach it through this manager")

Json = Any


class AccessDenied(Permanent):
    """403 PERMISSION_DENIED: still a Permanent error; test_connection adds which customers are accessible."""


# --- option and credential parsing ------------------------------------------------------------------------

def customer_id(value: object, field: str) -> str:
    """A Google Ads customer id as 10 digits; accepts the UI's "123-456-7890" form."""
    return numeric_id(value, what=f"Google Ads {field}", length=10, separators="- \t",
                      example="123-456-7890 (10 digits, shown at the top of the Google Ads web interface)")


OPTIONS = (
    UrlOption("api_base_url", DEFAULT_API_BASE_URL),
    UrlOption("token_url", DEFAULT_TOKEN_URL, path_allowed=True),
    ParsedOption("login_customer_id", None, lambda raw: customer_id(raw, "login_customer_id")),
)


def _credentials(credentials: dict[str, str] | None) -> dict[str, str]:
    creds = {str(k): str(v).strip() for k, v in (credentials or {}).items() if v is not None}
    missing = [key for key in REQUIRED_CREDENTIALS if not creds.get(key)]
    if missing:
        raise Permanent(f"The Google Ads credentials lack {', '.join(missing)}. Re-add the account with "
                        f"--credentials-stdin and one JSON object with {', '.join(REQUIRED_CREDENTIALS)} "
                        "(and login_customer_id when you go through a manager account).")
    return creds


# --- the connector ----------------------------------------------------------------------------------------

class GoogleAdsConnector:
    """One Google Ads customer (client account), optionally reached through a manager account."""

    platform = "google_ads"

    def __init__(self, *, account_id: str, options: dict[str, Any], credentials: dict[str, str] | None,
                 ctx: ConnectorContext) -> None:
        self.ctx = ctx
        unknown = unknown_options(OPTIONS, options)
        if unknown:
            ctx.log("warning", f"Google Ads: ignoring unknown option(s) {', '.join(unknown)}")
        opts = parse_options(OPTIONS, options)
        self.customer_id = customer_id(account_id, "account id")
        creds = _credentials(credentials)
        login = opts["login_customer_id"] or creds.get("login_customer_id")
        self.login_customer_id = customer_id(login, "login_customer_id") if login else None
        self.api_base: str = opts["api_base_url"]
        self._tokens = RefreshingToken(platform=self.platform, label="Google", token_url=opts["token_url"],
                                       credentials=creds, ctx=ctx)
        self._accepted: tuple[requests.Response, Json] | None = None  # body parsed by a classifier
        headers = {"developer-token": creds["developer_token"], "Accept": "application/json"}
        if self.login_customer_id:
            headers["login-customer-id"] = self.login_customer_id
        self._api = HttpClient("google_ads", ctx, self._classify_api, headers=headers)

    # --- the Connector protocol ---

    def account_info(self) -> AccountInfo:
        return self._account_info(retry=True)

    def fetch_campaigns(self) -> Iterator[list[CampaignRecord]]:
        rows = values.results(self._search(CAMPAIGN_QUERY))
        yield from stream_pages((self._campaign(row) for row in rows), PAGE_SIZE)

    def fetch_daily_stats(self, start: date, end: date) -> Iterator[list[DailyStatRecord]]:
        if start > end:
            raise Permanent(f"The requested date range is empty: {start.isoformat()} is after {end.isoformat()}.")
        query = STATS_QUERY.format(start=start.isoformat(), end=end.isoformat())
        records = [self._stat(row) for row in values.results(self._search(query))]
        self.ctx.check()
        actions = self._actions(ACTIONS_QUERY.format(start=start.isoformat(), end=end.isoformat()))
        for record in records:
            record.actions = tuple(actions.pop((record.campaign_id, record.date), ()))
        if actions:
            self.ctx.log("warning", f"Google Ads: conversions by action for {len(actions)} (campaign, day) pair(s) "
                                    "without a stats row were left out")
        yield from stream_pages(iter(records), PAGE_SIZE)

    def refresh_auth(self) -> None:
        self._tokens.refresh()

    def test_connection(self) -> str:
        """One customer query (no retries, one token refresh if needed), in plain words."""
        try:
            try:
                info = self._account_info(retry=False)
            except AuthExpired:
                self._tokens.refresh(retry=False)
                info = self._account_info(retry=False)
        except AccessDenied as exc:
            raise AccessDenied(exc.message + self._accessible_hint(), platform_message=exc.platform_message) from exc
        details = ", ".join(v for v in (info.name, info.currency, info.timezone) if v)
        via = f" through manager account {self.login_customer_id}" if self.login_customer_id else ""
        return f"Connected to Google Ads customer {self.customer_id} ({details or 'no details'}){via}"

    def close(self) -> None:
        self._api.close()
        self._tokens.close()

    # --- records ---

    def _account_info(self, *, retry: bool) -> AccountInfo:
        rows = list(values.results(self._search(CUSTOMER_QUERY, retry=retry)))
        if not rows:
            raise Permanent(f"Google Ads returned nothing for customer {self.customer_id}; check the account id.")
        customer = rows[0].get("customer") or {}
        return AccountInfo(name=customer.get("descriptiveName"), currency=customer.get("currencyCode"),
                           timezone=customer.get("timeZone"))

    def _campaign(self, row: dict[str, Any]) -> CampaignRecord:
        campaign = row.get("campaign") or {}
        cid = values.campaign_id(campaign)
        raw = campaign.get("status")
        return CampaignRecord(campaign_id=cid, name=campaign.get("name") or f"Campaign {cid}",
                              status=STATUS_MAP.get(raw or "", "OTHER"), status_raw=raw,
                              currency=(row.get("customer") or {}).get("currencyCode"))

    def _stat(self, row: dict[str, Any]) -> DailyStatRecord:
        campaign = row.get("campaign") or {}
        metrics = row.get("metrics") or {}
        return DailyStatRecord(
            campaign_id=values.campaign_id(campaign),
            date=values.day((row.get("segments") or {}).get("date")),
            impressions=values.int64(metrics.get("impressions"), "metrics.impressions"),
            clicks=values.int64(metrics.get("clicks"), "metrics.clicks"),
            cost_micros=values.int64(metrics.get("costMicros"), "metrics.cost_micros"),
            conversions=values.double(metrics.get("conversions"), "metrics.conversions"),
            conversion_value_micros=values.money_micros(metrics.get("conversionsValue")),
            currency=(row.get("customer") or {}).get("currencyCode"),
            campaign_name=campaign.get("name"),
        )

    def _actions(self, query: str) -> dict[tuple[str, date], list[ActionConversions]]:
        """(campaign, day) -> its conversions per conversion action, by name (a name repeated is added up)."""
        sums: dict[tuple[str, date, str], tuple[float, int]] = {}
        for row in values.results(self._search(query)):
            metrics = row.get("metrics") or {}
            key = (values.campaign_id(row.get("campaign") or {}), values.day((row.get("segments") or {}).get("date")),
                   str((row.get("segments") or {}).get("conversionActionName") or "(unnamed)"))
            count, value = sums.get(key, (0.0, 0))
            sums[key] = (count + values.double(metrics.get("conversions"), "metrics.conversions"),
                         value + values.money_micros(metrics.get("conversionsValue")))
        out: dict[tuple[str, date], list[ActionConversions]] = {}
        for (cid, day, name), (count, value) in sorted(sums.items()):
            out.setdefault((cid, day), []).append(ActionConversions(name, count, value))
        return out

    # --- requests ---

    def _search(self, query: str, *, retry: bool = True) -> Json:
        url = f"{self.api_base}/v{API_VERSION}/customers/{self.customer_id}/googleAds:searchStream"
        return self._call("POST", url, retry=retry, json={"query": query})

    def _call(self, method: str, url: str, *, retry: bool, **kwargs: Any) -> Json:
        token = self._tokens.get(retry=retry)
        response = self._api.request(method, url, retry=retry, headers={"Authorization": f"Bearer {token}"},
                                     **kwargs)
        return self._body(response)

    def _accessible_hint(self) -> str:
        """Which customers the signed-in user reaches directly (for a 403 in test_connection)."""
        try:
            data = self._call("GET", f"{self.api_base}/v{API_VERSION}/customers:listAccessibleCustomers",
                              retry=False)
        except ConnectorError:
            return ""
        ids = [str(name).rsplit("/", 1)[-1] for name in (data or {}).get("resourceNames") or []]
        if not ids:
            return " The signed-in Google user has no directly accessible Google Ads accounts."
        hint = f" The signed-in Google user can open customer(s) {', '.join(ids)} directly."
        if self.customer_id not in ids and not self.login_customer_id:
            hint += (f" {self.customer_id} is not among them: if it is managed through one of them, set the "
                     "option login_customer_id to that manager account's id.")
        return hint

    def _body(self, response: requests.Response) -> Json:
        accepted, self._accepted = self._accepted, None
        if accepted is not None and accepted[0] is response:
            return accepted[1]
        return rpc.load(response)

    # --- classifiers (called by HttpClient for every response) ---

    def _classify_api(self, response: requests.Response) -> ConnectorError | None:
        status = response.status_code
        if 200 <= status < 300:
            return self._accept(response, "Google Ads")
        try:
            error = rpc.find_error(rpc.load(response))
        except ValueError:
            error = None
        return self._api_error(status, error, response.text)

    def _accept(self, response: requests.Response, who: str) -> ConnectorError | None:
        try:
            body = rpc.load(response)
        except ValueError:
            return Transient(f"{who} sent an unreadable answer (malformed or cut-off JSON)",
                             platform_message=f"HTTP {response.status_code}, {len(response.content)} bytes")
        error = rpc.find_error(body)
        if error is not None:  # a searchStream that failed part-way: HTTP 200, the error as the last batch
            code = error.get("code")
            return self._api_error(code if isinstance(code, int) else 500, error, "")
        self._accepted = (response, body)
        return None

    def _api_error(self, status: int, error: dict[str, Any] | None, text: str) -> ConnectorError:
        rpc_status = (error or {}).get("status") or ""
        platform = rpc.platform_message(error, status, text)
        codes = rpc.codes(error or {})
        if "RequestError.UNSUPPORTED_VERSION" in codes or _DEPRECATED_VERSION.search(platform):
            return retired_api("Google Ads", f"v{API_VERSION}", platform_message=platform)
        if status == 429 or rpc_status == "RESOURCE_EXHAUSTED":
            shared = rpc.developer_scope(error or {})
            return RateLimited("Google Ads API rate limit or quota reached" + (
                " for AutoSync's developer token (shared by all your Google Ads accounts)" if shared else ""),
                platform_message=platform, retry_after=rpc.retry_delay(error or {}), shared=shared)
        if status >= 500 or status == 408 or rpc_status in ("UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED"):
            return Transient(f"Google Ads had a temporary server problem (HTTP {status})", platform_message=platform)
        if status == 401 or rpc_status == "UNAUTHENTICATED":
            return self._auth_error(codes, platform)
        if status == 403 or rpc_status == "PERMISSION_DENIED":
            return AccessDenied(self._denied_message(codes, platform), platform_message=platform)
        if "QueryError.REQUESTED_METRICS_FOR_MANAGER" in codes:
            return Permanent(f"Google Ads customer {self.customer_id}: "
                             + _MANAGER_HELP.format(cid=self.customer_id), platform_message=platform)
        if status == 404:
            return Permanent(f"Google Ads answered 404 Not Found: check the account id {self.customer_id} and "
                             f"that API version v{API_VERSION} is still supported ({platform})",
                             platform_message=platform)
        return Permanent(f"Google Ads rejected the request (HTTP {status}): {platform}", platform_message=platform)

    def _auth_error(self, codes: list[str], platform: str) -> ConnectorError:
        if "AuthenticationError.DEVELOPER_TOKEN_INVALID" in codes:
            return Permanent("Google Ads rejected the developer token: check developer_token (API Center of "
                             "your manager account) and re-add the account with --credentials-stdin",
                             platform_message=platform)
        if any(c in codes for c in ("AuthenticationError.CUSTOMER_NOT_FOUND",
                                    "AuthenticationError.CLIENT_CUSTOMER_ID_INVALID")):
            return Permanent(f"Google Ads does not know customer {self.customer_id}: check the account id "
                             f"({platform})", platform_message=platform)
        if "AuthenticationError.NOT_ADS_USER" in codes:
            return ReauthRequired("The signed-in Google account has no Google Ads access — sign in again with a "
                                  "user who can open this account", platform_message=platform)
        return AuthExpired("The Google Ads access token expired or was rejected", platform_message=platform)

    def _denied_message(self, codes: list[str], platform: str) -> str:
        if any(c.endswith(("DEVELOPER_TOKEN_NOT_APPROVED", "DEVELOPER_TOKEN_PROHIBITED")) for c in codes):
            return (f"Google Ads refused the developer token for customer {self.customer_id}: a token with test "
                    f"access only works with test accounts; apply for Basic access in the API Center "
                    f"({platform})")
        if "AuthorizationError.CUSTOMER_NOT_ENABLED" in codes:
            return (f"Google Ads customer {self.customer_id} is not enabled (cancelled, suspended or not fully "
                    f"set up) ({platform})")
        login = self.login_customer_id or "not set"
        return (f"Google Ads denied access to customer {self.customer_id} ({platform}). Check that the signed-in "
                f"Google user can open this account; if you reach it through a manager (MCC) account, that "
                f"login_customer_id is the manager's id (now: {login}); and that the developer token is approved.")

SPEC = PlatformSpec(
    name="google_ads",
    label="Google Ads",
    default_lookback_days=30,
    retention_months=132,  # daily metrics: 11 years (Google Ads data retention policy)
    min_interval_minutes=5,
    max_window_days=30,
    default_history_days=90,
    factory=GoogleAdsConnector,
    api_version=f"v{API_VERSION}",
    api_sunset=None,  # Google announces a sunset a few months ahead; none is announced for v26 yet
    normalise_id=lambda raw: customer_id(raw, "account id"),
    option_names=tuple(rule.name for rule in OPTIONS),
    option_rules=OPTIONS,
    discover=lazy("google_discover"),  # the manager tree (google_discover.py)
)
