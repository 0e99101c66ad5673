"""X (Twitter) Ads API v12: the ads account, its campaigns (deleted ones too) and daily campaign analytics.

Facts this module relies on (shared/docs/platform-apis.md §6; docs.x.com/x-ads-api):
- Host `https://ads-api.x.com`, paths `/12/…` (API_VERSION). Every request is signed with OAuth 1.0a (HMAC-SHA1) by
  `requests_oauthlib.OAuth1` on the session: the user's own app (consumer key and secret) and the user's access
  token and secret. Tokens do not expire and cannot be refreshed: a 401 means signing in again
  (`accounts connect`, the PIN flow in connectors/x_signin.py).
- The account: GET /12/accounts/:id → `name`, `timezone` (IANA). Days are the account's days.
- Campaigns: GET /12/accounts/:id/campaigns?count=1000&with_deleted=true&with_draft=true, `cursor` until
  `next_cursor` is null. Ids are text; `entity_status` ACTIVE/PAUSED/DRAFT, `deleted: true` → REMOVED;
  `currency` per campaign.
- Stats: GET /12/stats/accounts/:id/active_entities (entity CAMPAIGN) for the window, then synchronous
  GET /12/stats/accounts/:id for the active ids in chunks of ≤ 20 ids and ≤ 7 days, per placement (ALL_ON_TWITTER,
  PUBLISHER_NETWORK), granularity DAY, two requests each: metric_groups ENGAGEMENT,BILLING, then WEB_CONVERSION
  on its own; the placements are summed per day (connectors/x_stats.py). `billed_charge_local_micro` is already
  micros of the campaign currency: kept exact.
- Conversions (connectors/x_conversions.py): each day's web conversions by action (purchase, sign_up, site_visit,
  download, custom), count = post_engagement + post_view (X's total; assisted left out), value = sale_amount
  (micros); the blended conversions and conversion value are the actions' sums, and stay NULL (unknown), never 0,
  for a campaign-day where X sent no WEB_CONVERSION number at all (null arrays give no rows).
- Pacing: `x-rate-limit-limit/-remaining/-reset` (reset in epoch seconds) and, where X sends them, the
  account-level `x-account-rate-limit-*` headers, which win. With nothing left, the account waits until the reset;
  a 429 waits for that reset (a long one defers the run). 503 honours Retry-After, 5xx and 408 are Transient;
  401 → needs sign-in; other 4xx Permanent with X's message; a retired version → "update AutoSync".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autosync_desktop import clock

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
    retired_api,
)
from .discovery import lazy
from .http import HttpClient
from .options import UrlOption, parse_options, unknown_options
from .paging import token_pages
from .x_conversions import METRIC_GROUP as WEB_CONVERSION
from .x_stats import PLACEMENTS, StatsSum, chunks, day_chunks, day_range

if TYPE_CHECKING:  # requests (~60 ms) is imported when the first request is made
    import requests

PLATFORM = "x_ads"
LABEL = "X Ads"
API_VERSION = "12"
API_SUNSET: date | None = None  # X has announced no end for v12
DEFAULT_API_BASE_URL = "https://ads-api.x.com"
DEFAULT_OAUTH_URL = "https://api.x.com/oauth"  # request_token, authorize, access_token (connectors/x_signin.py)
CREDENTIAL_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
STATUS_MAP = {"ACTIVE": "ACTIVE", "PAUSED": "PAUSED", "DRAFT": "OTHER"}
CAMPAIGN_PAGE_SIZE = 1000
LOW_REMAINING = 0  # with this many calls left in X's window, wait for its reset
METRIC_GROUPS = ("ENGAGEMENT,BILLING", WEB_CONVERSION)  # one request each: X wants WEB_CONVERSION on its own

_ID = re.compile(r"[0-9a-z]{1,32}")
_RETIRED = re.compile(r"version", re.IGNORECASE)
_SIGN_IN_AGAIN = "X rejected the access token (revoked, or the app's keys changed) — sign in again (accounts connect)"

OPTIONS = (
    UrlOption("api_base_url", DEFAULT_API_BASE_URL),
    UrlOption("token_url", DEFAULT_OAUTH_URL, path_allowed=True),
)


def normalise_account_id(raw: str) -> str:
    text = str(raw or "").strip().lower()
    if not _ID.fullmatch(text):
        raise Permanent(f"An X Ads account id is letters and digits such as 18ce54d4x5t (got {str(raw)!r}).")
    return text


def _body(response: requests.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _errors(body: dict[str, Any] | None) -> tuple[str, str]:
    """(code, message) of X's first error, in either shape ({"errors": [...]} or the legacy {"code": 89})."""
    if not body:
        return "", ""
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else body
    return str(first.get("code") or ""), str(first.get("message") or "")


def _header_number(headers: Any, name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def rate_window(headers: Any) -> tuple[int | None, int | None]:
    """(remaining, reset epoch seconds): the account-level headers when X sends them, else the user-level ones."""
    for prefix in ("x-account-rate-limit-", "x-rate-limit-"):
        remaining, reset = _header_number(headers, prefix + "remaining"), _header_number(headers, prefix + "reset")
        if remaining is not None or reset is not None:
            return remaining, reset
    return None, None


def seconds_to_reset(reset: int | None) -> float | None:
    if reset is None:
        return None
    return max(0.0, reset - clock.now().timestamp())


def classify(response: requests.Response) -> ConnectorError | None:
    status = response.status_code
    body = _body(response)
    if 200 <= status < 300:
        return None if body is not None else Transient("X sent a malformed response (not JSON)")
    code, message = _errors(body)
    platform_message = f"{code} {message}".strip() or f"HTTP {status}"
    if status in (404, 410) and _RETIRED.search(f"{code} {message}"):
        return retired_api("X", API_VERSION, platform_message=platform_message)
    if status == 401:
        return ReauthRequired(_SIGN_IN_AGAIN, platform_message=platform_message)
    if status == 429:
        _remaining, reset = rate_window(response.headers)
        # only the user-level window answered: it is the signed-in user's, shared by every ad account it reads
        shared = _header_number(response.headers, "x-account-rate-limit-reset") is None and reset is not None
        return RateLimited("X is throttling requests (429)", retry_after=seconds_to_reset(reset),
                           platform_message=platform_message, shared=shared)
    if status >= 500 or status == 408:
        return Transient(f"X had a temporary server error (HTTP {status})", platform_message=platform_message)
    if status == 403:
        return Permanent(f"X refused access to the ads account ({code or status}): {message or 'no message'} — "
                         "the app needs Ads API access and the user a role on the account",
                         platform_message=platform_message)
    return Permanent(f"X refused the request ({code or f'HTTP {status}'}): {message or 'no message'}",
                     platform_message=platform_message)


class XAdsConnector:
    """One X Ads account."""

    platform = PLATFORM

    def __init__(self, *, account_id: str, options: dict[str, Any], credentials: dict[str, str] | None,
                 ctx: ConnectorContext) -> None:
        self.account_id = normalise_account_id(account_id)
        self.ctx = ctx
        unknown = unknown_options(OPTIONS, options)
        if unknown:
            ctx.log("warning", f"X: ignoring unknown option(s) {', '.join(unknown)}.")
        opts = parse_options(OPTIONS, options)
        self.api_base_url: str = opts["api_base_url"]
        creds = {k: str(v) for k, v in (credentials or {}).items() if v}
        missing = [k for k in CREDENTIAL_KEYS if not creds.get(k)]
        if missing:
            raise ReauthRequired(f"X credentials lack {missing[0]}: sign in again (accounts connect), or pass all of "
                                 f"{', '.join(CREDENTIAL_KEYS)}")
        self._api = HttpClient(self.platform, ctx, classify, headers={"Accept": "application/json"},
                               on_response=self._pace)
        from requests_oauthlib import OAuth1  # ~16 ms, loaded when an X account syncs

        self._api.session.auth = OAuth1(creds["consumer_key"], creds["consumer_secret"], creds["access_token"],
                                        creds["access_token_secret"])  # signs every request, nothing by hand
        self._info: AccountInfo | None = None
        self._campaigns: dict[str, CampaignRecord] | None = None

    def refresh_auth(self) -> None:
        raise ReauthRequired(_SIGN_IN_AGAIN)  # OAuth 1.0a tokens have no refresh

    @staticmethod
    def _pace(response: requests.Response) -> float | None:
        """With no calls left in X's window, wait until it resets (the account-level window first)."""
        remaining, reset = rate_window(response.headers)
        if remaining is not None and remaining <= LOW_REMAINING and response.status_code != 429:
            return seconds_to_reset(reset) or None
        return None

    def _get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        response = self._api.request("GET", f"{self.api_base_url}/{API_VERSION}/{path}", params=params or {})
        return _body(response) or {}

    # --- account ---

    def _account_data(self) -> tuple[str | None, str]:
        """(name, IANA time zone) of the account: one call."""
        data = self._get(f"accounts/{self.account_id}").get("data")
        if not isinstance(data, dict):
            raise Transient("X sent an account answer without data")
        zone = str(data.get("timezone") or "")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise Permanent(f"X names the account's time zone {zone!r}, which this AutoSync does not know") from None
        return (str(data["name"]) if data.get("name") else None), zone

    def account_info(self) -> AccountInfo:
        name, zone = self._account_data()
        first = self._get(f"accounts/{self.account_id}/campaigns", {"count": "1", "with_deleted": "true",
                                                                     "with_draft": "true"}).get("data")
        currency = first[0].get("currency") if isinstance(first, list) and first and isinstance(first[0], dict) \
            else None
        self._info = AccountInfo(name=name, currency=str(currency).upper() if currency else None, timezone=zone)
        return self._info

    def _account(self) -> AccountInfo:
        return self._info or self.account_info()

    # --- campaigns ---

    def fetch_campaigns(self) -> Iterator[list[CampaignRecord]]:
        seen: dict[str, CampaignRecord] = {}
        path = f"accounts/{self.account_id}/campaigns"

        def fetch(cursor: str | None) -> dict[str, Any]:
            params = {"count": str(CAMPAIGN_PAGE_SIZE), "with_deleted": "true", "with_draft": "true"}
            return self._get(path, {**params, "cursor": cursor} if cursor else params)

        def next_cursor(page: dict[str, Any]) -> str | None:
            cursor = page.get("next_cursor")
            return str(cursor) if cursor else None

        for page in token_pages(fetch, next_cursor, self.ctx.check):
            data = page.get("data")
            if not isinstance(data, list):
                raise Transient("X sent a campaign list without data")
            records = [r for r in (self._campaign(item) for item in data) if r is not None]
            seen.update((r.campaign_id, r) for r in records)
            if records:
                yield records
        self._campaigns = seen

    def _campaign(self, item: Any) -> CampaignRecord | None:
        campaign_id = str(item.get("id") or "") if isinstance(item, dict) else ""
        if not _ID.fullmatch(campaign_id.lower()):
            self.ctx.log("warning", "X: skipped a campaign without a valid id")
            return None
        raw = str(item.get("entity_status") or "") or None
        status = "REMOVED" if item.get("deleted") is True else STATUS_MAP.get(raw or "", "OTHER")
        currency = item.get("currency")
        return CampaignRecord(campaign_id=campaign_id, name=str(item.get("name") or f"Campaign {campaign_id}"),
                              status=status, status_raw=raw, currency=str(currency).upper() if currency else None,
                              updated_at=str(item["updated_at"]) if item.get("updated_at") else None)

    def _campaign_map(self) -> dict[str, CampaignRecord]:
        if self._campaigns is None:
            for _page in self.fetch_campaigns():
                pass
        assert self._campaigns is not None
        return self._campaigns

    # --- daily stats ---

    def fetch_daily_stats(self, start: date, end: date) -> Iterator[list[DailyStatRecord]]:
        if start > end:
            raise Permanent(f"The requested date range is empty: {start.isoformat()} is after {end.isoformat()}.")
        info = self._account()
        zone = info.timezone or "UTC"
        now = self.ctx.clock.now()  # X's rule: midnight with the zone's offset of today
        start_time, end_time = day_range(start, end, zone, now)
        active = self._get(f"stats/accounts/{self.account_id}/active_entities",
                           {"entity": "CAMPAIGN", "start_time": start_time, "end_time": end_time}).get("data")
        if not isinstance(active, list):
            raise Transient("X sent an active-entities answer without data")
        by_placement: dict[str, set[str]] = {}
        for entity in active:
            entity_id = str(entity.get("entity_id") or "") if isinstance(entity, dict) else ""
            placements = entity.get("placements") if isinstance(entity, dict) else None
            for placement in placements if isinstance(placements, list) and placements else PLACEMENTS:
                if entity_id and placement in PLACEMENTS:
                    by_placement.setdefault(str(placement), set()).add(entity_id)
        if not by_placement:
            return
        campaigns = self._campaign_map()
        total = StatsSum()
        for first, last in day_chunks(start, end):
            chunk_start, chunk_end = day_range(first, last, zone, now)
            for placement in PLACEMENTS:
                for ids in chunks(sorted(by_placement.get(placement, ()))):
                    for groups in METRIC_GROUPS:
                        self.ctx.check()
                        body = self._get(f"stats/accounts/{self.account_id}", {
                            "entity": "CAMPAIGN", "entity_ids": ",".join(ids), "start_time": chunk_start,
                            "end_time": chunk_end, "granularity": "DAY", "metric_groups": groups,
                            "placement": placement})
                        total.add_answer(body, first, (last - first).days + 1)
        records = total.records({cid: c.name for cid, c in campaigns.items()},
                                {cid: c.currency for cid, c in campaigns.items()}, info.currency)
        if records:
            yield records

    # --- the rest of the protocol ---

    def test_connection(self) -> str:
        name, zone = self._account_data()  # one cheap call
        return f"Connected to X Ads account {self.account_id} ({name}, time zone {zone})"

    def close(self) -> None:
        self._api.close()


SPEC = PlatformSpec(
    name=PLATFORM,
    label=LABEL,
    default_lookback_days=14,  # billing is adjusted for up to 14 days
    retention_months=None,  # ⚠ X states no limit; it asks not to re-query data older than 30 days needlessly
    min_interval_minutes=5,
    max_window_days=30,
    default_history_days=90,
    factory=XAdsConnector,
    api_version=API_VERSION,
    api_sunset=API_SUNSET,
    normalise_id=normalise_account_id,
    option_names=tuple(rule.name for rule in OPTIONS),
    option_rules=OPTIONS,
    discover=lazy("x_discover"),  # GET /12/accounts (x_discover.py)
)
