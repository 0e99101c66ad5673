"""Microsoft Advertising (Bing Ads API v13, REST/JSON): the ad account, its campaigns and daily campaign performance.

Facts this module relies on (shared/docs/platform-apis.md §5; learn.microsoft.com, Bing Ads API v13):
- Three hosts: Customer Management `clientcenter.api.bingads.microsoft.com/CustomerManagement/v13/Account/Query`
  (the account: name, currency, `TimeZone`), Campaign Management `campaign.api…/CampaignManagement/v13/Campaigns/
  QueryByAccountId` (campaigns; every type asked for, as Microsoft returns only Search ones by default), and
  Reporting `reporting.api…/Reporting/v13/GenerateReport/Submit` and `/Poll`. Each path names its service, so one
  `--option api_base_url=…` (scheme and host) stands in for all three hosts, e.g. a local test server.
- Every call is a POST with JSON and the headers `Authorization: Bearer`, `DeveloperToken`, `CustomerId` (option
  `customer_id`) and `CustomerAccountId` (the account id, numeric).
- Daily stats come from a CampaignPerformanceReportRequest (connectors/microsoft_report.py): Submit, Poll until
  `Success`, then download the ZIP at once from `ReportDownloadUrl` — without our Authorization header (it is a
  pre-signed storage link, never logged). "Success" without a URL means no data: an empty window. The report's
  `ReportTimeZone` is always the account's own zone (connectors/microsoft_zones.py).
- Errors come as `{"OperationErrors": [{"Code", "ErrorCode", "Message"}], "BatchErrors": [...], "TrackingId"}`
  (ApiFaultDetail) or `{"Errors": [...]}` (AdApiFaultDetail, e.g. authentication):
  117 CallRateExceeded → RateLimited (a Retry-After, when sent, decides the wait); 105 InvalidCredentials and
  109 AuthenticationTokenExpired → AuthExpired (the engine refreshes once, then the account needs sign-in);
  ApiVersionNoLongerSupported → Permanent "update AutoSync"; 5xx → Transient; the rest Permanent with Microsoft's
  message. Microsoft publishes no usage headers: pacing is the http.* settings plus the server's hints.
- Sign-in: Microsoft identity platform as a public client (no secret) with PKCE; the refresh grant carries the
  scope `https://ads.microsoft.com/msads.manage offline_access` (connectors/tokens.py RefreshingToken).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .base import (
    AccountInfo,
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
from .microsoft_report import csv_text, poll_state, read_report, report_request
from .microsoft_zones import iana_to_ms, ms_to_iana
from .options import COMMON_OPTIONS, ParsedOption, UrlOption, numeric_id
from .paging import stream_pages
from .tokens import RefreshingToken
from .urls import UrlRefused, checked_url, is_loopback

if TYPE_CHECKING:  # requests (~60 ms) is imported when the first request is made
    import requests

PLATFORM = "microsoft_ads"
LABEL = "Microsoft Advertising"
API_VERSION = "v13"
API_SUNSET: date | None = None  # Microsoft has announced no end for v13
SCOPE = "https://ads.microsoft.com/msads.manage offline_access"
DEFAULT_TOKEN_URL = "https://login.microsoftonline.com/common/oauth2/v2.0/token"
HOSTS = {  # service -> default base URL; `api_base_url` replaces all of them
    "CustomerManagement": "https://clientcenter.api.bingads.microsoft.com",
    "CampaignManagement": "https://campaign.api.bingads.microsoft.com",
    "Reporting": "https://reporting.api.bingads.microsoft.com",
}
CAMPAIGN_TYPES = "Search Shopping DynamicSearchAds Audience PerformanceMax"  # flags, space-separated
STATUS_MAP = {"Active": "ACTIVE", "Paused": "PAUSED", "BudgetPaused": "PAUSED", "BudgetAndManualPaused": "PAUSED",
              "Deleted": "REMOVED", "Suspended": "OTHER"}

POLL_FIRST_S = 1.0  # first wait between report polls; grows by half each poll ...
POLL_MAX_S = 10.0  # ... up to this
POLL_MAX_WAIT_S = 1800.0  # a report still pending after this is given up (Transient: the engine asks again)
PAGE_SIZE = 5000  # records per page handed to the engine

_RATE_LIMIT_CODES = {117}
_TOKEN_CODES = {105, 109}
_TOKEN_NAMES = {"InvalidCredentials", "AuthenticationTokenExpired"}
_RETIRED_NAMES = {"ApiVersionNoLongerSupported"}


# --- options and ids ------------------------------------------------------------------------------------------

def normalise_account_id(raw: str) -> str:
    return numeric_id(raw, what="A Microsoft Advertising account id (the numeric aid=…, not the account number)",
                      example="149372543")


@dataclass(frozen=True, slots=True)
class RequiredId:
    """A numeric id option that must be given (Microsoft needs the CustomerId header on every call)."""

    name: str
    example: str

    def parse(self, raw: object) -> str:
        if raw is None or not str(raw).strip():
            raise Permanent(f"--option {self.name}: required; the customer id is the cid=… in the address of the "
                            f"Microsoft Advertising web app, e.g. --option {self.name}={self.example}.")
        return numeric_id(raw, what=f"--option {self.name}", example=self.example)


def _base_url(raw: str) -> str:
    try:
        return checked_url(raw, "api_base_url", path_allowed=False, example=HOSTS["CampaignManagement"])
    except UrlRefused as exc:
        raise Permanent(str(exc)) from None


OPTIONS = (
    RequiredId("customer_id", "251186883"),
    ParsedOption("api_base_url", None, _base_url),
    UrlOption("token_url", DEFAULT_TOKEN_URL, path_allowed=True),
)


# --- errors ---------------------------------------------------------------------------------------------------

def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _errors(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return []
    # ApiFaultDetail: OperationErrors + BatchErrors; AdApiFaultDetail (e.g. authentication): Errors
    found = [*(body.get("OperationErrors") or []), *(body.get("BatchErrors") or []), *(body.get("Errors") or [])]
    return [e for e in found if isinstance(e, dict)]


def _code(error: dict[str, Any]) -> int | None:
    try:
        return int(error.get("Code"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def classify(response: requests.Response) -> ConnectorError | None:
    """Microsoft's answer as None (usable) or one of the five error classes."""
    status = response.status_code
    body = _json(response)
    errors = _errors(body)
    if 200 <= status < 300 and not errors:
        return None if isinstance(body, dict) else Transient(f"{LABEL} sent a malformed response (not JSON)")
    codes = {_code(e) for e in errors}
    names = {str(e.get("ErrorCode") or "") for e in errors}
    detail = "; ".join(f"{e.get('ErrorCode') or 'Error'} ({e.get('Code')}): {e.get('Message') or ''}".strip()
                       for e in errors) or f"HTTP {status}"
    tracking = body.get("TrackingId") if isinstance(body, dict) else None
    platform_message = f"{detail} [TrackingId {tracking}]" if tracking else detail
    if names & _RETIRED_NAMES:
        return retired_api(LABEL, API_VERSION, platform_message=platform_message)
    if codes & _RATE_LIMIT_CODES or "CallRateExceeded" in names or status == 429:
        return RateLimited(f"{LABEL} is throttling requests (CallRateExceeded)", platform_message=platform_message)
    if codes & _TOKEN_CODES or names & _TOKEN_NAMES or status == 401:
        return AuthExpired(f"{LABEL} rejected the access token (expired or invalid)",
                           platform_message=platform_message)
    if status >= 500 or status == 408:
        return Transient(f"{LABEL} had a temporary server error (HTTP {status})", platform_message=platform_message)
    first = errors[0].get("Message") if errors else None
    return Permanent(f"{LABEL} refused the request: {first or detail}", platform_message=platform_message)


def classify_download(response: requests.Response) -> ConnectorError | None:
    status = response.status_code
    if 200 <= status < 300:
        return None
    if status in (403, 404, 410) or status >= 500 or status in (408, 429):
        return Transient(f"{LABEL}'s report download failed (HTTP {status}); the report will be asked again")
    return Permanent(f"{LABEL}'s report download was refused (HTTP {status})")


# --- the connector --------------------------------------------------------------------------------------------

class MicrosoftAdsConnector:
    """One Microsoft Advertising ad account."""

    platform = PLATFORM

    def __init__(self, *, account_id: str, options: dict[str, Any], credentials: dict[str, str] | None,
                 ctx: ConnectorContext) -> None:
        self.account_id = normalise_account_id(account_id)
        self.ctx = ctx
        known = {rule.name for rule in OPTIONS} | set(COMMON_OPTIONS)
        unknown = sorted(set(options or {}) - known)
        if unknown:
            ctx.log("warning", f"{LABEL}: ignoring unknown option(s) {', '.join(unknown)}.")
        opts = {rule.name: rule.parse((options or {}).get(rule.name)) for rule in OPTIONS}
        self.customer_id: str = opts["customer_id"]
        base: str | None = opts["api_base_url"]
        self.urls = {service: base or host for service, host in HOSTS.items()}
        creds = {k: str(v) for k, v in (credentials or {}).items() if v is not None}
        if not creds.get("developer_token"):
            raise Permanent(f"{LABEL} needs its developer token: store the credentials again with "
                            '{"developer_token": "…"} (accounts set-credentials NAME --credentials-stdin)')
        if not (creds.get("client_id") and creds.get("refresh_token")):
            raise ReauthRequired(f"{LABEL} credentials are missing or incomplete: sign in again (accounts connect), "
                                 'or pass {"client_id", "refresh_token", "developer_token"}')
        self._tokens = RefreshingToken(platform=PLATFORM, label=LABEL, token_url=opts["token_url"],
                                       credentials=creds, ctx=ctx, scope=SCOPE)
        self._api = HttpClient(PLATFORM, ctx, classify, headers={
            "Accept": "application/json", "DeveloperToken": creds["developer_token"],
            "CustomerId": self.customer_id, "CustomerAccountId": self.account_id})
        self._download = HttpClient(f"{PLATFORM}_download", ctx, classify_download)
        self._info: AccountInfo | None = None
        self._zone_name: str | None = None  # the account's Microsoft TimeZone value

    # --- HTTP ---

    def _post(self, service: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.urls[service]}/{service}/{API_VERSION}/{path}"
        headers = {"Authorization": f"Bearer {self._tokens.get()}"}
        data = _json(self._api.request("POST", url, json=body, headers=headers))
        return data if isinstance(data, dict) else {}

    def refresh_auth(self) -> None:
        self._tokens.refresh()

    # --- account ---

    def account_info(self) -> AccountInfo:
        data = self._post("CustomerManagement", "Account/Query", {"AccountId": int(self.account_id)})
        account = data.get("Account")
        if not isinstance(account, dict):
            raise Permanent(f"{LABEL} sent no account for id {self.account_id}; check the account id and "
                            "--option customer_id")
        self._zone_name = str(account.get("TimeZone") or "")
        currency = account.get("CurrencyCode")
        self._info = AccountInfo(name=str(account["Name"]) if account.get("Name") else None,
                                 currency=str(currency).upper() if currency else None,
                                 timezone=ms_to_iana(self._zone_name))
        return self._info

    def _account(self) -> AccountInfo:
        return self._info if self._info is not None else self.account_info()

    # --- campaigns ---

    def fetch_campaigns(self) -> Iterator[list[CampaignRecord]]:
        currency = self._account().currency
        data = self._post("CampaignManagement", "Campaigns/QueryByAccountId",
                          {"AccountId": int(self.account_id), "CampaignType": CAMPAIGN_TYPES})
        campaigns = data.get("Campaigns")
        if not isinstance(campaigns, list):
            raise Transient(f"{LABEL} sent an unexpected campaign list (no Campaigns)")
        records = [r for r in (self._campaign(c, currency) for c in campaigns if isinstance(c, dict)) if r]
        yield from stream_pages(records, PAGE_SIZE)

    def _campaign(self, item: dict[str, Any], currency: str | None) -> CampaignRecord | None:
        campaign_id = str(item.get("Id") or "").strip()
        if not campaign_id.isdigit():
            self.ctx.log("warning", f"{LABEL}: skipped a campaign without a valid id ({item.get('Id')!r})")
            return None
        raw = str(item.get("Status") or "") or None
        kind = item.get("CampaignType")
        return CampaignRecord(campaign_id=campaign_id, name=str(item.get("Name") or f"Campaign {campaign_id}"),
                              status=STATUS_MAP.get(raw or "", "OTHER"), status_raw=raw, currency=currency,
                              extra={"campaign_type": str(kind)} if kind else None)

    # --- daily stats ---

    def fetch_daily_stats(self, start: date, end: date) -> Iterator[list[DailyStatRecord]]:
        if start > end:
            raise Permanent(f"The requested date range is empty: {start.isoformat()} is after {end.isoformat()}.")
        info = self._account()
        zone = iana_to_ms(info.timezone or "")
        submitted = self._post("Reporting", "GenerateReport/Submit",
                               report_request(self.account_id, start, end, zone))
        request_id = str(submitted.get("ReportRequestId") or "")
        if not request_id:
            raise Transient(f"{LABEL} did not return a ReportRequestId for the performance report")
        url = self._wait_for_report(request_id)
        if url is None:
            self.ctx.log("info", f"{LABEL}: no data from {start.isoformat()} to {end.isoformat()}")
            return
        rows = read_report(csv_text(self._fetch_download(url)), start, end, info.currency)
        if rows.skipped:
            self.ctx.log("warning", f"{LABEL}: skipped {rows.skipped} report row(s) without a campaign or outside "
                                    f"{start.isoformat()}..{end.isoformat()}")
        yield from stream_pages(rows.records, PAGE_SIZE)

    def _wait_for_report(self, request_id: str) -> str | None:
        began = time.monotonic()
        delay = POLL_FIRST_S
        polls = 0
        while True:
            status, url = poll_state(self._post("Reporting", "GenerateReport/Poll", {"ReportRequestId": request_id}))
            polls += 1
            if status == "Success":
                self.ctx.log("info", f"{LABEL} report ready after {polls} poll(s)")
                return url
            if status == "Error":
                raise Transient(f"{LABEL} could not build the performance report (status Error); it will be asked "
                                "again", platform_message=status)
            waited = time.monotonic() - began
            remaining = self.ctx.remaining()
            if waited >= POLL_MAX_WAIT_S or (remaining is not None and remaining <= 0):
                raise Transient(f"{LABEL}'s performance report was not ready within {waited:.0f} s")
            self.ctx.sleep(delay)
            delay = min(delay * 1.5, POLL_MAX_S)

    def _fetch_download(self, url: str) -> bytes:
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(parts.hostname)):
            raise Permanent(f"{LABEL} offered the report at an address that is not https ({parts.hostname}); "
                            "it was not downloaded")
        return self._download.request("GET", url).content

    # --- the rest of the protocol ---

    def test_connection(self) -> str:
        info = self.account_info()
        return (f"Connected to {LABEL} account {self.account_id} ({info.name}, {info.currency}, "
                f"time zone {self._zone_name})")

    def close(self) -> None:
        self._api.close()
        self._download.close()
        self._tokens.close()


SPEC = PlatformSpec(
    name=PLATFORM,
    label=LABEL,
    default_lookback_days=30,
    min_interval_minutes=15,
    max_window_days=30,
    default_history_days=90,
    retention_months=36,  # daily campaign performance data: 36 months (Reporting Data Retention Time Periods)
    factory=MicrosoftAdsConnector,
    api_version=API_VERSION,
    api_sunset=API_SUNSET,
    normalise_id=normalise_account_id,
    option_names=tuple(rule.name for rule in OPTIONS),
    option_rules=OPTIONS,
    discover=lazy("microsoft_discover"),  # AccountsInfo of the customer (microsoft_discover.py)
)
