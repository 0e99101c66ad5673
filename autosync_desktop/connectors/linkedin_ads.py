"""LinkedIn Marketing API connector: the sponsored ad account, its campaigns (all statuses) and daily campaign
analytics (adAnalytics, pivot CAMPAIGN, DAILY), mapped onto the records of connectors/base.py.

Facts this module relies on (shared/docs/platform-apis.md §3):
- Every call carries `Authorization: Bearer`, `LinkedIn-Version: YYYYMM` and `X-Restli-Protocol-Version: 2.0.0`.
  LINKEDIN_VERSION is 202607 (July 2026, the newest LinkedIn documents; 202601 retires on 2027-01-15). Between
  them LinkedIn changed nothing this module reads: adAnalytics gained metrics (202606) and adCampaigns changed on
  the write side (202602 budget pricing, 202607 campaign creation); the search finder, the fields and the
  analytics finder used here are unchanged. LinkedIn supports a version for at least a year and publishes the
  date later (none yet for 202607). `--option linkedin_version=YYYYMM` overrides it; a retired version is
  answered with HTTP 426, which fails the run as Permanent.
- Rest.li 2.0 wire format (query building, URNs, elements): connectors/linkedin_rest.py.
- adAnalytics does not paginate: windows stay <= 30 days and campaigns go in groups of <= 50. A URL that is
  too long (> MAX_URL_LENGTH, or a 414 answer) is re-sent as POST with `X-HTTP-Method-Override: GET` and the
  query as a form body.
- LinkedIn reports analytics by UTC day, so the account's time zone is UTC.
- Access tokens come from the refresh grant (connectors/tokens.py, lazily on the first call); a refresh token
  that LinkedIn rotates is saved back to the keyring. Tokens never appear in logs or messages.
- A 429 carries no Retry-After as a rule; when it does, that wait decides. Only without one does a message
  naming the daily limit defer to midnight UTC (when LinkedIn's daily limits reset).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from autosync_desktop import clock

from . import linkedin_conversions as by_action
from . import linkedin_rest as rest
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
from .linkedin_rest import (
    campaign_id_of,
    campaign_urn,
    ms_to_iso,
    query_string,
    restli_date_range,
    restli_encode,
    restli_list,
    stat_record,
)
from .options import TextOption, UrlOption, numeric_id, parse_options, unknown_options
from .paging import token_pages
from .tokens import RefreshingToken

if TYPE_CHECKING:  # requests (~60 ms) is imported when the first request is made
    import requests

LINKEDIN_VERSION = "202607"  # YYYYMM; LinkedIn sunsets a version about a year after its release: keep it current
LINKEDIN_SUNSET: date | None = None  # not yet published by LinkedIn for 202607 (at least a year after July 2026)
DEFAULT_API_BASE_URL = "https://api.linkedin.com"
DEFAULT_TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
RESTLI_PROTOCOL_VERSION = "2.0.0"

MAX_URL_LENGTH = 8000  # longer GET URLs are tunnelled as POST up front
CAMPAIGN_PAGE_SIZE = 500
ANALYTICS_GROUP_SIZE = 50  # campaigns per adAnalytics request
ANALYTICS_MAX_DAYS = 30  # adAnalytics does not paginate: keep each request's date range short

LINKEDIN_STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED", "COMPLETED", "CANCELED", "DRAFT", "PENDING_DELETION", "REMOVED")
STATUS_MAP = {
    "ACTIVE": "ACTIVE",
    "PAUSED": "PAUSED",
    "ARCHIVED": "REMOVED",
    "CANCELED": "REMOVED",
    "REMOVED": "REMOVED",
    "PENDING_DELETION": "REMOVED",
    "COMPLETED": "OTHER",
    "DRAFT": "OTHER",
}
ANALYTICS_FIELDS = ("dateRange", "pivotValues", "impressions", "clicks", "costInLocalCurrency",
                    "externalWebsiteConversions", "conversionValueInLocalCurrency")

ACCOUNT_URN_PREFIX = "urn:li:sponsoredAccount:"
_EXPIRED_SERVICE_CODES = range(65600, 65603)
_VERSION_WORD = re.compile(r"\bversion\b", re.IGNORECASE)
_DAILY_LIMIT = re.compile(r"\bday\b|\bdaily\b", re.IGNORECASE)
_SIGN_IN_AGAIN = "LinkedIn sign-in expired or was revoked — sign in again"


def normalise_account_id(raw: str) -> str:
    return numeric_id(raw, what="A LinkedIn ad account id", example=f"507404993 (or {ACCOUNT_URN_PREFIX}507404993)",
                      prefix=ACCOUNT_URN_PREFIX)


def seconds_until_utc_midnight(now: datetime | None = None) -> float:
    """When LinkedIn's daily limits reset."""
    now = now or clock.now()
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return max(1.0, (midnight - now).total_seconds())


def split_range(start: date, end: date, max_days: int = ANALYTICS_MAX_DAYS) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    while start <= end:
        last = min(end, start + timedelta(days=max_days - 1))
        out.append((start, last))
        start = last + timedelta(days=1)
    return out


# --- options --------------------------------------------------------------------------------------------------

OPTIONS = (
    UrlOption("api_base_url", DEFAULT_API_BASE_URL),
    UrlOption("token_url", DEFAULT_TOKEN_URL, path_allowed=True),
    TextOption("linkedin_version", LINKEDIN_VERSION, r"20\d\d(0[1-9]|1[0-2])", f"YYYYMM such as {LINKEDIN_VERSION}"),
)


class _UriTooLong(Permanent):
    """HTTP 414: the connector re-sends the query as a POST tunnel."""


# --- the connector --------------------------------------------------------------------------------------------

class LinkedInAdsConnector:
    """One LinkedIn sponsored ad account."""

    platform = "linkedin_ads"

    def __init__(self, *, account_id: str, options: dict[str, Any], credentials: dict[str, str] | None,
                 ctx: ConnectorContext) -> None:
        self.account_id = normalise_account_id(account_id)
        self.ctx = ctx
        unknown = unknown_options(OPTIONS, options)
        if unknown:
            ctx.log("warning", f"LinkedIn: ignoring unknown option(s) {', '.join(unknown)}.")
        opts = parse_options(OPTIONS, options)
        self.api_base_url: str = opts["api_base_url"]
        self.version: str = opts["linkedin_version"]
        # client_secret may be empty: an app with LinkedIn's native PKCE flow is a public client
        creds = {k: str(v) for k, v in (credentials or {}).items() if v is not None}
        if not (creds.get("client_id") and creds.get("refresh_token")) and not creds.get("access_token"):
            raise ReauthRequired("LinkedIn credentials are missing or incomplete: sign in again, or pass "
                                 '{"client_id", "client_secret", "refresh_token"} or {"access_token"}')
        self._tokens = RefreshingToken(platform=self.platform, label="LinkedIn", token_url=opts["token_url"],
                                       credentials=creds, ctx=ctx)
        self._tunnel = False  # after one 414, every query goes as a POST tunnel
        self._info: AccountInfo | None = None
        self._campaigns: list[tuple[str, str]] | None = None  # (campaign_id, name), complete list
        self.rules: dict[str, str] | None = None  # conversion rule id -> name, read once per run
        self._api = HttpClient(self.platform, ctx, self._classify, headers={
            "LinkedIn-Version": self.version,
            "X-Restli-Protocol-Version": RESTLI_PROTOCOL_VERSION,
            "Accept": "application/json",
        })

    def refresh_auth(self) -> None:
        self._tokens.refresh()

    # --- HTTP ---

    def _classify(self, response: requests.Response) -> ConnectorError | None:
        status = response.status_code
        if 200 <= status < 300:
            if rest.is_json_object(response):
                return None
            return Transient("LinkedIn sent a malformed response (not JSON)")
        body = rest.response_body(response)
        message = rest.platform_message(body, response)
        code = str(body.get("code") or "")
        if status == 426 or code in ("VERSION_MISSING", "NONEXISTENT_VERSION") or (
                status == 400 and _VERSION_WORD.search(str(body.get("message") or ""))):
            override = self.version != LINKEDIN_VERSION  # the account's own option named the old version
            return retired_api("LinkedIn", self.version, platform_message=message,
                               note=f" (or remove --option linkedin_version={self.version})" if override else "")
        if status == 401:
            return self._classify_401(body, message)
        if status == 403:
            return Permanent(f"The signed-in LinkedIn member lacks access to ad account {self.account_id} — needs "
                             "the r_ads_reporting permission and a role on the account", platform_message=message)
        if status == 414:
            return _UriTooLong("LinkedIn: request URL too long", platform_message=message)
        if status == 429:
            return self._classify_429(body, message)
        if status >= 500:
            return Transient(f"LinkedIn had a temporary server error (HTTP {status})", platform_message=message)
        return Permanent(f"LinkedIn rejected the request (HTTP {status}): {body.get('message') or message}",
                         platform_message=message)

    @staticmethod
    def _classify_401(body: dict[str, Any], message: str) -> ConnectorError:
        code = str(body.get("code") or "")
        if code == "REVOKED_ACCESS_TOKEN" or "revoked" in str(body.get("message") or "").lower():
            return ReauthRequired(_SIGN_IN_AGAIN, platform_message=message)
        service_code = body.get("serviceErrorCode")
        expired = code == "EXPIRED_ACCESS_TOKEN" or service_code in _EXPIRED_SERVICE_CODES
        text = "The LinkedIn access token expired" if expired else "LinkedIn rejected the access token"
        return AuthExpired(text, platform_message=message)

    @staticmethod
    def _classify_429(body: dict[str, Any], message: str) -> RateLimited:
        # LinkedIn usually sends no Retry-After (when it does, the HTTP layer lets it decide). A daily limit
        # resets at midnight UTC: that is the guess, and the engine defers the run rather than hammering.
        if _DAILY_LIMIT.search(str(body.get("message") or "")):
            return RateLimited("LinkedIn's daily request limit is reached (it resets at midnight UTC)",
                               guess_after=seconds_until_utc_midnight(), platform_message=message, shared=True)
        return RateLimited("LinkedIn is throttling requests", retry_after=None, platform_message=message)

    def _get(self, path: str, params: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
        """A Rest.li GET (params already encoded); tunnelled as POST when the URL is too long."""
        url = f"{self.api_base_url}{path}"
        query = query_string(params)
        if query and (self._tunnel or len(url) + 1 + len(query) > MAX_URL_LENGTH):
            return self._post_tunnel(url, query)
        headers = {"Authorization": f"Bearer {self._tokens.get()}"}
        try:
            response = self._api.request("GET", f"{url}?{query}" if query else url, headers=headers)
        except _UriTooLong:
            if not query:
                raise
            self._tunnel = True
            self.ctx.log("info", "LinkedIn answered 414 (URL too long): sending queries as POST with "
                                 "X-HTTP-Method-Override: GET")
            return self._post_tunnel(url, query)
        return rest.response_body(response)

    def _post_tunnel(self, url: str, query: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._tokens.get()}", "X-HTTP-Method-Override": "GET",
                   "Content-Type": "application/x-www-form-urlencoded"}
        return rest.response_body(self._api.request("POST", url, data=query.encode("ascii"), headers=headers))

    # --- account ---

    def account_info(self) -> AccountInfo:
        data = self._get(f"/rest/adAccounts/{self.account_id}")
        currency = data.get("currency")
        # LinkedIn reports analytics by UTC day whatever the account's own settings: dates are UTC dates.
        self._info = AccountInfo(name=str(data["name"]) if data.get("name") else None,
                                 currency=str(currency).upper() if currency else None, timezone="UTC")
        return self._info

    def _account(self) -> AccountInfo:
        return self._info if self._info is not None else self.account_info()

    # --- campaigns ---

    def fetch_campaigns(self) -> Iterator[list[CampaignRecord]]:
        currency = self._account().currency
        seen: list[tuple[str, str]] = []
        for elements in self._campaign_pages():
            page = [r for r in (self._campaign_record(e, currency) for e in elements) if r is not None]
            seen.extend((r.campaign_id, r.name) for r in page)
            if page:
                yield page
        self._campaigns = seen

    def _campaign_pages(self) -> Iterator[list[dict[str, Any]]]:
        path = f"/rest/adAccounts/{self.account_id}/adCampaigns"
        search = f"(status:(values:{restli_list(LINKEDIN_STATUSES)}))"

        def fetch(token: str | None) -> dict[str, Any]:
            params = [("q", "search"), ("search", search), ("pageSize", str(CAMPAIGN_PAGE_SIZE))]
            return self._get(path, [*params, ("pageToken", restli_encode(token))] if token else params)

        def next_token(data: dict[str, Any]) -> str | None:
            metadata = data.get("metadata")
            token = metadata.get("nextPageToken") if isinstance(metadata, dict) else None
            return token if isinstance(token, str) else None

        for data in token_pages(fetch, next_token, self.ctx.check):
            yield rest.elements(data, "campaign list")

    def _campaign_record(self, element: dict[str, Any], currency: str | None) -> CampaignRecord | None:
        campaign_id = campaign_id_of(element.get("id"))
        if campaign_id is None:
            self.ctx.log("warning", f"LinkedIn: skipped a campaign without a valid id ({element.get('id')!r})")
            return None
        raw = str(element.get("status") or "") or None
        audit = element.get("changeAuditStamps")
        modified = audit.get("lastModified") if isinstance(audit, dict) else None
        return CampaignRecord(
            campaign_id=campaign_id,
            name=str(element.get("name") or f"Campaign {campaign_id}"),
            status=STATUS_MAP.get(raw or "", "OTHER"),
            status_raw=raw,
            currency=currency,
            updated_at=ms_to_iso(modified.get("time")) if isinstance(modified, dict) else None,
        )

    def _campaign_list(self) -> list[tuple[str, str]]:
        if self._campaigns is None:
            for _page in self.fetch_campaigns():
                pass
        assert self._campaigns is not None
        return self._campaigns

    # --- daily stats ---

    def fetch_daily_stats(self, start: date, end: date) -> Iterator[list[DailyStatRecord]]:
        if start > end:
            raise Permanent(f"The requested date range is empty: {start.isoformat()} is after {end.isoformat()}.")
        currency = self._account().currency
        campaigns = sorted(self._campaign_list(), key=lambda c: int(c[0]))
        names = dict(campaigns)
        for first, last in split_range(start, end):
            for i in range(0, len(campaigns), ANALYTICS_GROUP_SIZE):
                self.ctx.check()
                group = [cid for cid, _name in campaigns[i:i + ANALYTICS_GROUP_SIZE]]
                data = self._get("/rest/adAnalytics", self._analytics_params(group, first, last))
                page = self._stat_records(rest.elements(data, "analytics"), first, last, names, currency)
                if page:
                    by_action.attach(self, group, first, last, page)  # conversions by rule (linkedin_conversions.py)
                    yield page

    @staticmethod
    def _analytics_params(campaign_ids: Sequence[str], start: date, end: date) -> list[tuple[str, str]]:
        return [
            ("q", "analytics"),
            ("pivot", "CAMPAIGN"),
            ("timeGranularity", "DAILY"),
            ("dateRange", restli_date_range(start, end)),
            ("campaigns", restli_list([campaign_urn(c) for c in campaign_ids])),
            ("fields", ",".join(ANALYTICS_FIELDS)),
        ]

    def _stat_records(self, elements: list[dict[str, Any]], start: date, end: date, names: dict[str, str],
                      currency: str | None) -> list[DailyStatRecord]:
        out: dict[tuple[str, date], DailyStatRecord] = {}
        skipped = 0
        for element in elements:
            record = stat_record(element, names, currency)
            if record is None or not start <= record.date <= end:
                skipped += 1
                continue
            out[(record.campaign_id, record.date)] = record
        if skipped:
            self.ctx.log("warning", f"LinkedIn: skipped {skipped} analytics row(s) without a campaign or outside "
                                    f"{start.isoformat()}..{end.isoformat()}")
        return list(out.values())

    # --- the rest of the protocol ---

    def test_connection(self) -> str:
        info = self.account_info()
        return f"Connected to LinkedIn ad account {self.account_id} ({info.name}, {info.currency})"

    def close(self) -> None:
        self._api.close()
        self._tokens.close()


SPEC = PlatformSpec(
    name="linkedin_ads",
    label="LinkedIn Ads",
    default_lookback_days=7,
    retention_months=24,  # adAnalytics: about 2 years of history
    min_interval_minutes=5,
    max_window_days=30,
    default_history_days=90,
    factory=LinkedInAdsConnector,
    api_version=LINKEDIN_VERSION,
    api_sunset=LINKEDIN_SUNSET,
    normalise_id=normalise_account_id,
    option_names=tuple(rule.name for rule in OPTIONS),
    option_rules=OPTIONS,
    discover=lazy("linkedin_discover"),  # GET /rest/adAccounts?q=search (linkedin_discover.py)
)
