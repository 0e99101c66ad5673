"""TikTok API for Business (v1.3): the advertiser, its campaigns (every status) and daily campaign reports.

Facts this module relies on (shared/docs/platform-apis.md §4; business-api.tiktok.com/portal/docs, v1.3):
- Every call carries the header `Access-Token: <token>` (not "Bearer"). An advertiser token is long-lived and has
  no refresh grant: a token TikTok rejects means signing in again. Credentials are `{"access_token"}`, or
  `{"app_id", "secret", "auth_code"}`, which `exchange_auth_code` trades once for a token at
  POST /open_api/v1.3/oauth2/access_token/ (the auth code is single-use: the token replaces it in the keyring).
- Answers are HTTP 200 with a `code` even for errors: 0 OK; 40100 (QPS/QPM/QPD limit) → RateLimited;
  40102/40104/40105 (token expired, empty, revoked) → ReauthRequired; 40101/40110 (app credentials, auth code) at
  the exchange → ReauthRequired; 5xxxx and HTTP 5xx → Transient; every other code Permanent with TikTok's message.
  TikTok sends no usage headers: pacing is the http.* settings plus the server's Retry-After when it sends one.
- The advertiser: GET advertiser/info/ (name, currency, `display_timezone`/`timezone`). Report days
  (`stat_time_day`) are in the advertiser's time zone.
- Campaigns: GET campaign/get/ with `filtering={"primary_status": "STATUS_ALL"}` (the default leaves deleted
  campaigns out ⚠), pages of `page_size` up to `page_info.total_page`.
- Daily stats: GET report/integrated/get/ (report_type BASIC, data_level AUCTION_CAMPAIGN, dimensions campaign_id
  + stat_time_day, metrics spend, impressions, clicks, conversion), at most 30 days per request, paged to
  `total_page`. Numbers are strings; money is the advertiser currency's decimal text (to micros through
  Decimal). A metric TikTok leaves out or sends as "-" is unknown (NULL), never 0. TikTok reports no conversion
  value in these metrics: it stays NULL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autosync_desktop import clock, redaction

from .base import (
    AccountInfo,
    CampaignRecord,
    ConnectorContext,
    ConnectorError,
    DailyStatRecord,
    Permanent,
    PlatformSpec,
    RateLimited,
    ReauthRequired,
    Transient,
    money_to_micros,
    retired_api,
)
from .http import HttpClient
from .options import IntOption, UrlOption, numeric_id, parse_options, unknown_options

if TYPE_CHECKING:  # requests (~60 ms) is imported when the first request is made
    import requests

PLATFORM = "tiktok_ads"
LABEL = "TikTok Ads"
API_VERSION = "v1.3"
API_SUNSET: date | None = None  # TikTok has announced no end for v1.3
DEFAULT_API_BASE_URL = "https://business-api.tiktok.com"
TOKEN_PATH = f"/open_api/{API_VERSION}/oauth2/access_token/"
REPORT_MAX_DAYS = 30
METRICS = ("spend", "impressions", "clicks", "conversion")
STATUS_MAP = {"ENABLE": "ACTIVE", "DISABLE": "PAUSED", "DELETE": "REMOVED"}

_RATE_LIMIT_CODES = {40100}
_SIGN_IN_CODES = {40102, 40104, 40105}
_EXCHANGE_CODES = {40101, 40110}
_DAILY = re.compile(r"\bQPD\b|\bday\b|\bdaily\b", re.IGNORECASE)
_RETIRED = re.compile(r"version.*(deprecat|retire|no longer|not supported|offline)", re.IGNORECASE)
_SIGN_IN_AGAIN = "The TikTok access token expired or was revoked — sign in again (accounts set-credentials)"

OPTIONS = (
    UrlOption("api_base_url", DEFAULT_API_BASE_URL),
    IntOption("page_size", 1000, 1, 1000),
)


def normalise_account_id(raw: str) -> str:
    return numeric_id(raw, what="A TikTok advertiser id", example="7012345678901234567")


def seconds_until_utc_midnight() -> float:
    now = clock.now().astimezone(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return max(1.0, (midnight - now).total_seconds())


def split_range(start: date, end: date, max_days: int = REPORT_MAX_DAYS) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    while start <= end:
        last = min(end, start + timedelta(days=max_days - 1))
        out.append((start, last))
        start = last + timedelta(days=1)
    return out


# --- reading answers ------------------------------------------------------------------------------------------

def _body(response: requests.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def classify(response: requests.Response) -> ConnectorError | None:
    """TikTok's answer (HTTP 200 with `code`, or an HTTP error) as one of the five error classes."""
    status = response.status_code
    body = _body(response)
    if status >= 500 or status == 408:
        return Transient(f"TikTok had a temporary server error (HTTP {status})")
    if body is None:
        if status == 429:
            return RateLimited("TikTok is throttling requests (HTTP 429)")
        if 200 <= status < 300:
            return Transient("TikTok sent a malformed response (not JSON)")
        return Permanent(f"TikTok rejected the request (HTTP {status})")
    code = body.get("code")
    message = str(body.get("message") or "")
    platform_message = f"{code} {message}".strip()
    if code == 0 and 200 <= status < 300:
        return None
    if _RETIRED.search(message):
        return retired_api("TikTok", API_VERSION, platform_message=platform_message)
    if code in _RATE_LIMIT_CODES or status == 429:
        if _DAILY.search(message):
            return RateLimited("TikTok's daily request limit is reached", guess_after=seconds_until_utc_midnight(),
                               platform_message=platform_message)
        return RateLimited("TikTok is throttling requests (40100)", platform_message=platform_message)
    if code in _SIGN_IN_CODES or status == 401:
        return ReauthRequired(_SIGN_IN_AGAIN, platform_message=platform_message)
    if code in _EXCHANGE_CODES:
        return ReauthRequired("TikTok refused the app id, secret or auth code (an auth code works once and for an "
                              "hour) — authorize the app again and pass the new auth_code",
                              platform_message=platform_message)
    if isinstance(code, int) and code >= 50000:
        return Transient(f"TikTok had a temporary problem ({code})", platform_message=platform_message)
    if code is None:
        return Transient("TikTok sent an answer without a code")
    return Permanent(f"TikTok refused the request ({code}): {message or 'no message'}",
                     platform_message=platform_message)


def _data(response: requests.Response) -> dict[str, Any]:
    body = _body(response) or {}
    data = body.get("data")
    if not isinstance(data, dict):
        raise Transient("TikTok sent an answer without data")
    return data


def _rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows = data.get("list")
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise Transient("TikTok sent an unexpected list")
    return [r for r in rows if isinstance(r, dict)]


def _total_pages(data: dict[str, Any]) -> int:
    info = data.get("page_info")
    try:
        return int(info.get("total_page") or 0) if isinstance(info, dict) else 0
    except (TypeError, ValueError):
        raise Transient("TikTok sent an unreadable page_info") from None


def _unknown(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", "-"))


def _count(value: Any, what: str) -> int | None:
    if _unknown(value):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise Permanent(f"TikTok sent a non-numeric {what}: {value!r}") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise Permanent(f"TikTok sent a non-integer {what}: {value!r}")
    return int(number)


def _zone(info: dict[str, Any]) -> str | None:
    for key in ("display_timezone", "timezone"):
        name = info.get(key)
        if isinstance(name, str) and name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return None


# --- the auth-code exchange -------------------------------------------------------------------------------------

def exchange_auth_code(account_id: str, options: dict[str, Any], credentials: dict[str, str],
                       ctx: ConnectorContext | None = None) -> dict[str, str]:
    """`{"app_id", "secret", "auth_code"}` traded once for a long-lived token: the credentials to keep
    (app_id, secret and access_token; the used auth code dropped). Credentials with a token come back as given."""
    if credentials.get("access_token") or not credentials.get("auth_code"):
        return credentials
    missing = [k for k in ("app_id", "secret") if not credentials.get(k)]
    if missing:
        raise ReauthRequired(f"TikTok credentials lack {missing[0]}: pass app_id, secret and auth_code, or an "
                             "access_token")
    ctx = ctx or ConnectorContext()
    ctx.platform_label = ctx.platform_label or LABEL
    base = parse_options(OPTIONS, {k: v for k, v in options.items() if k == "api_base_url"})["api_base_url"]
    http = HttpClient(f"{PLATFORM}_oauth", ctx, classify, headers={"Accept": "application/json"})
    try:
        # the auth code works once: never re-sent after an answer, whatever it was
        response = http.request("POST", f"{base}{TOKEN_PATH}", retry=False, json={
            "app_id": credentials["app_id"], "secret": credentials["secret"], "auth_code": credentials["auth_code"]})
    finally:
        http.close()
    data = _data(response)
    token = data.get("access_token")
    if not isinstance(token, str) or not token:
        raise Transient("TikTok's token answer has no access_token")
    redaction.remember([token])
    reached = [str(a) for a in data.get("advertiser_ids") or [] if a is not None]
    if reached and account_id not in reached:
        raise Permanent(f"--account-id: this authorization does not reach TikTok advertiser {account_id} (it reaches "
                        f"{', '.join(reached[:5])}); authorize that advertiser or use its id")
    return {"app_id": credentials["app_id"], "secret": credentials["secret"], "access_token": token}


# --- the connector ----------------------------------------------------------------------------------------------

class TikTokAdsConnector:
    """One TikTok advertiser account."""

    platform = PLATFORM

    def __init__(self, *, account_id: str, options: dict[str, Any], credentials: dict[str, str] | None,
                 ctx: ConnectorContext) -> None:
        self.account_id = normalise_account_id(account_id)
        self.ctx = ctx
        unknown = unknown_options(OPTIONS, options)
        if unknown:
            ctx.log("warning", f"TikTok: ignoring unknown option(s) {', '.join(unknown)}.")
        self.options = dict(options)
        opts = parse_options(OPTIONS, options)
        self.api_base_url: str = opts["api_base_url"]
        self.page_size: int = opts["page_size"]
        self._credentials = {k: str(v) for k, v in (credentials or {}).items() if v is not None}
        if not self._credentials.get("access_token") and not all(
                self._credentials.get(k) for k in ("app_id", "secret", "auth_code")):
            raise ReauthRequired('TikTok credentials are missing: pass {"access_token"} or {"app_id", "secret", '
                                 '"auth_code"} with accounts set-credentials')
        self._info: AccountInfo | None = None
        self._names: dict[str, str] = {}
        self._api = HttpClient(self.platform, ctx, classify, headers={"Accept": "application/json"})

    def refresh_auth(self) -> None:
        raise ReauthRequired(_SIGN_IN_AGAIN)  # TikTok advertiser tokens have no refresh grant

    def _token(self) -> str:
        if not self._credentials.get("access_token"):  # an auth code stored by hand: trade it once, keep the token
            self._credentials = exchange_auth_code(self.account_id, self.options, self._credentials, self.ctx)
            try:
                self.ctx.save_credentials(dict(self._credentials))
            except Exception as exc:  # a locked keyring must not fail the sync under way
                self.ctx.log("warning", f"TikTok: the new access token could not be saved to the keyring "
                                        f"({type(exc).__name__}); store it with accounts set-credentials")
        return self._credentials["access_token"]

    def _get(self, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.api_base_url}/open_api/{API_VERSION}/{endpoint}/"
        query = {k: json.dumps(v, separators=(",", ":")) if isinstance(v, list | dict) else str(v)
                 for k, v in params.items()}
        response = self._api.request("GET", url, params=query, headers={"Access-Token": self._token()})
        return _data(response)

    # --- account ---

    def account_info(self) -> AccountInfo:
        data = self._get("advertiser/info", {"advertiser_ids": [self.account_id],
                                             "fields": ["advertiser_id", "name", "currency", "timezone",
                                                        "display_timezone"]})
        rows = _rows(data)
        info = next((r for r in rows if str(r.get("advertiser_id")) == self.account_id), None)
        if info is None:
            raise Permanent(f"The TikTok token does not reach advertiser {self.account_id}: check the account id, "
                            "or authorize this advertiser for the app")
        zone = _zone(info)
        if zone is None:
            self.ctx.log("warning", f"TikTok: advertiser time zone {info.get('timezone')!r} is unknown; using UTC")
        currency = info.get("currency")
        self._info = AccountInfo(name=str(info["name"]) if info.get("name") else None,
                                 currency=str(currency).upper() if currency else None, timezone=zone or "UTC")
        return self._info

    def _account(self) -> AccountInfo:
        return self._info or self.account_info()

    def _pages(self, endpoint: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        page, total = 1, 1
        while page <= total:
            self.ctx.check()
            data = self._get(endpoint, {**params, "page": page, "page_size": self.page_size})
            total = _total_pages(data)
            yield _rows(data)
            page += 1

    # --- campaigns ---

    def fetch_campaigns(self) -> Iterator[list[CampaignRecord]]:
        currency = self._account().currency
        params = {"advertiser_id": self.account_id, "filtering": {"primary_status": "STATUS_ALL"},
                  "fields": ["campaign_id", "campaign_name", "operation_status", "secondary_status", "modify_time"]}
        for rows in self._pages("campaign/get", params):
            page = [r for r in (self._campaign(row, currency) for row in rows) if r is not None]
            if page:
                yield page

    def _campaign(self, row: dict[str, Any], currency: str | None) -> CampaignRecord | None:
        campaign_id = str(row.get("campaign_id") or "")
        if not campaign_id.isdigit():
            self.ctx.log("warning", f"TikTok: skipped a campaign without a valid id ({row.get('campaign_id')!r})")
            return None
        secondary = str(row.get("secondary_status") or "")
        operation = str(row.get("operation_status") or "")
        status = "REMOVED" if secondary.endswith("_DELETE") else STATUS_MAP.get(operation, "OTHER")
        name = str(row.get("campaign_name") or f"Campaign {campaign_id}")
        self._names[campaign_id] = name
        modified = row.get("modify_time")
        return CampaignRecord(campaign_id=campaign_id, name=name, status=status,
                              status_raw=secondary or operation or None, currency=currency,
                              updated_at=str(modified) if modified else None)

    # --- daily stats ---

    def fetch_daily_stats(self, start: date, end: date) -> Iterator[list[DailyStatRecord]]:
        if start > end:
            raise Permanent(f"The requested date range is empty: {start.isoformat()} is after {end.isoformat()}.")
        currency = self._account().currency
        for first, last in split_range(start, end):
            params = {"advertiser_id": self.account_id, "service_type": "AUCTION", "report_type": "BASIC",
                      "data_level": "AUCTION_CAMPAIGN", "dimensions": ["campaign_id", "stat_time_day"],
                      "metrics": list(METRICS), "start_date": first.isoformat(), "end_date": last.isoformat()}
            for rows in self._pages("report/integrated/get", params):
                page = [r for r in (self._stat(row, first, last, currency) for row in rows) if r is not None]
                if page:
                    yield page

    def _stat(self, row: dict[str, Any], start: date, end: date, currency: str | None) -> DailyStatRecord | None:
        dims = row.get("dimensions")
        metrics = row.get("metrics")
        if not isinstance(dims, dict) or not isinstance(metrics, dict):
            raise Transient("TikTok sent a report row without dimensions or metrics")
        campaign_id = str(dims.get("campaign_id") or "")
        try:
            day = date.fromisoformat(str(dims.get("stat_time_day") or "")[:10])
        except ValueError:
            day = None
        if not campaign_id.isdigit() or day is None or not start <= day <= end:
            self.ctx.log("warning", f"TikTok: skipped a report row outside {start}..{end} or without a campaign")
            return None
        spend = metrics.get("spend")
        conversions = _count(metrics.get("conversion"), "conversion count")
        return DailyStatRecord(
            campaign_id=campaign_id, date=day,
            impressions=_count(metrics.get("impressions"), "impressions count"),
            clicks=_count(metrics.get("clicks"), "clicks count"),
            cost_micros=None if _unknown(spend) else money_to_micros(str(spend).strip()),
            conversions=float(conversions or 0), conversion_value_micros=None, currency=currency,
            campaign_name=self._names.get(campaign_id))

    # --- the rest of the protocol ---

    def test_connection(self) -> str:
        info = self.account_info()
        return (f"Connected to TikTok advertiser {self.account_id} ({info.name}, {info.currency}, "
                f"time zone {info.timezone})")

    def close(self) -> None:
        self._api.close()


SPEC = PlatformSpec(
    name=PLATFORM,
    label=LABEL,
    default_lookback_days=7,
    retention_months=36,  # ⚠ TikTok keeps reports for years; a backfill further back answers an empty report
    min_interval_minutes=5,
    max_window_days=30,
    default_history_days=90,
    factory=TikTokAdsConnector,
    api_version=API_VERSION,
    api_sunset=API_SUNSET,
    normalise_id=normalise_account_id,
    option_names=tuple(rule.name for rule in OPTIONS),
    option_rules=OPTIONS,
    exchange_credentials=lambda account_id, options, credentials: exchange_auth_code(account_id, options, credentials),
)
