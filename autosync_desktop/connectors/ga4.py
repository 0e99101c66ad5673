"""Google Analytics 4 connector: a GA4 property's sessions, users, key events and revenue per campaign and day,
over the Google Analytics Data API v1beta (`properties/{id}:runReport`), mapped onto connectors/base.py.

- Account id: the numeric property id ("properties/123" is accepted); a `G-…` measurement id is refused with
  where to find the property id.
- Auth: the Google desktop OAuth flow with scope analytics.readonly (connectors/oauth.py, which may reuse the
  OAuth client stored for google_ads); the keyring holds {client_id, client_secret, refresh_token}. Access tokens
  come from the refresh grant (connectors/tokens.py) and live in memory only.
- Days are the property's days: `metadata.timeZone` of the first report is the account's time zone.
- A window is three reports, paged with offset/limit against `rowCount` (connectors/ga4_report.py):
  date + sessionCampaignId + sessionCampaignName with sessions, totalUsers, keyEvents, totalRevenue (the numbers),
  the same plus sessionSource + sessionMedium with sessions (which sources the campaign-day came from, into
  `extra`), and the same plus eventName with keyEvents and totalRevenue (conversions by action: each key event's
  count and revenue; events with neither are not key events and are left out; the counts add up to keyEvents).
  Splitting them keeps totalUsers exact: users are not additive across sources or days.
- Mapping: conversions <- keyEvents; conversion value <- totalRevenue (Decimal -> micros); impressions, clicks
  and cost are not measured by GA4 and stay NULL; sessions, totalUsers, sessionSource, sessionMedium and the
  report's quality flags (sampled, thresholded, dataLossFromOtherRow) go to `extra`.
- Campaigns: GA4 has no campaign list; the campaigns are the distinct (sessionCampaignId, sessionCampaignName)
  seen in the last CAMPAIGN_DAYS days (status OTHER), and any campaign a window's stats name is added as well.
- Pacing: `propertyQuota` of every answer (connectors/ga4_quota.py); a 429 RESOURCE_EXHAUSTED waits for the
  server's RetryInfo or Retry-After, else for what the named quota implies; the daily quota defers the run to
  after midnight Pacific time.
- Errors (google.rpc shape): 401 -> AuthExpired (refreshed once); invalid_grant -> ReauthRequired; a token
  without the analytics scope -> ReauthRequired; 403 -> Permanent naming the fix; 5xx -> Transient; a 404 that is
  not a google.rpc answer means v1beta is gone -> Permanent "update AutoSync".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from . import google_rpc as rpc
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
from .ga4_quota import QuotaPacer, exhausted_wait
from .ga4_report import (
    CAMPAIGN_DIMENSIONS,
    EVENT_DIMENSIONS,
    EVENT_METRICS,
    OTHER,
    SOURCE_DIMENSIONS,
    SOURCE_METRICS,
    STAT_DIMENSIONS,
    STAT_METRICS,
    CampaignDay,
    ReportPage,
    campaign_of,
    day_of,
    number,
    quality_flags,
    read_page,
    report_body,
    revenue_micros,
    sampling_text,
    whole,
)
from .http import HttpClient
from .options import IntOption, UrlOption, numeric_id, parse_options, unknown_options
from .paging import stream_pages
from .tokens import RefreshingToken

if TYPE_CHECKING:  # requests (~60 ms) is imported when the first request is made
    import requests

API_VERSION = "v1beta"
DEFAULT_API_BASE_URL = "https://analyticsdata.googleapis.com"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"
REQUIRED_CREDENTIALS = ("client_id", "client_secret", "refresh_token")
DEFAULT_PAGE_SIZE = 100_000  # rows per runReport page (the API allows up to 250,000)
CAMPAIGN_DAYS = 365  # the campaign list: campaigns seen in this many days up to today
RECORD_PAGE = 1000
LABEL = "Google Analytics"
_MEASUREMENT_ID = re.compile(r"\s*G-[A-Z0-9]+\s*", re.IGNORECASE)
_RETIRED = re.compile(r"\b(deprecated|retired|sunset|no longer (available|supported))\b", re.IGNORECASE)
_SIGN_IN_SCOPE = ("The Google sign-in does not allow reading Google Analytics (scope analytics.readonly) — sign "
                  "in again for this account")

OPTIONS = (
    UrlOption("api_base_url", DEFAULT_API_BASE_URL),
    UrlOption("token_url", DEFAULT_TOKEN_URL, path_allowed=True),
    IntOption("page_size", DEFAULT_PAGE_SIZE, 1, 250_000),
)


def normalise_property_id(raw: str) -> str:
    """A GA4 property id as its digits; a measurement id (G-…) is refused with where to find the property id."""
    if _MEASUREMENT_ID.fullmatch(str(raw or "")):
        raise Permanent(f"{str(raw).strip()} is a measurement id (of a web data stream), not a GA4 property id: use "
                        "the property's number, such as 123456789, shown in Google Analytics under Admin › "
                        "Property settings › Property details.")
    return numeric_id(raw, what="A GA4 property id", prefix="properties/",
                      example="123456789 (Google Analytics: Admin › Property settings › Property details)")


def _positions(page: ReportPage, names: tuple[str, ...]) -> list[int]:
    """Where each named column is in the page's rows; Transient when the answer lacks one."""
    try:
        return [page.columns[name] for name in names]
    except KeyError as exc:
        if not page.rows:
            return [0] * len(names)  # an empty report may leave out its headers
        raise Transient(f"Google Analytics sent a report without the column {exc.args[0]}") from None


def _credentials(credentials: dict[str, str] | None) -> dict[str, str]:
    creds = {str(k): str(v).strip() for k, v in (credentials or {}).items() if v is not None}
    missing = [key for key in REQUIRED_CREDENTIALS if not creds.get(key)]
    if missing:
        raise ReauthRequired(f"The Google Analytics credentials lack {', '.join(missing)}: sign in with "
                             "'autosync accounts connect', or pass {\"client_id\", \"client_secret\", "
                             "\"refresh_token\"} with --credentials-stdin")
    return creds


class GA4Connector:
    """One GA4 property."""

    platform = "ga4"

    def __init__(self, *, account_id: str, options: dict[str, Any], credentials: dict[str, str] | None,
                 ctx: ConnectorContext) -> None:
        self.ctx = ctx
        self.property_id = normalise_property_id(account_id)
        unknown = unknown_options(OPTIONS, options)
        if unknown:
            ctx.log("warning", f"Google Analytics: ignoring unknown option(s) {', '.join(unknown)}")
        opts = parse_options(OPTIONS, options)
        self.page_size: int = opts["page_size"]
        self.report_url = f"{opts['api_base_url']}/{API_VERSION}/properties/{self.property_id}:runReport"
        self._tokens = RefreshingToken(platform=self.platform, label="Google", token_url=opts["token_url"],
                                       credentials=_credentials(credentials), ctx=ctx)
        self._api = HttpClient(self.platform, ctx, self._classify, headers={"Accept": "application/json"})
        self._accepted: tuple[requests.Response, Any] | None = None
        self._pacer = QuotaPacer()
        self._info: AccountInfo | None = None

    # --- the Connector protocol ---

    def account_info(self) -> AccountInfo:
        return self._account_info(retry=True)

    def fetch_campaigns(self) -> Iterator[list[CampaignRecord]]:
        info = self._account()
        today = self.ctx.clock.today(info.timezone)
        best: dict[str, tuple[int, str]] = {}  # campaign id -> (sessions, name): the name with most sessions
        for page in self._report(today - timedelta(days=CAMPAIGN_DAYS), today, CAMPAIGN_DIMENSIONS, ("sessions",)):
            cid_at, name_at, sessions_at = _positions(page, ("sessionCampaignId", "sessionCampaignName", "sessions"))
            for row in page.rows:
                campaign_id, name = campaign_of(row[cid_at], row[name_at])
                sessions = whole(row[sessions_at], "sessions")
                if campaign_id != OTHER and sessions > best.get(campaign_id, (-1, ""))[0]:
                    best[campaign_id] = (sessions, name)
        records = (CampaignRecord(campaign_id=cid, name=name, status="OTHER", currency=info.currency)
                   for cid, (_sessions, name) in sorted(best.items()))
        yield from stream_pages(records, RECORD_PAGE)

    def fetch_daily_stats(self, start: date, end: date) -> Iterator[list[DailyStatRecord]]:
        if start > end:
            raise Permanent(f"The requested date range is empty: {start.isoformat()} is after {end.isoformat()}.")
        currency = self._account().currency
        days: dict[tuple[str, date], CampaignDay] = {}
        flags: dict[str, str] = {}
        sampling: list[str] = []  # how much each sampled page read
        for page in self._report(start, end, STAT_DIMENSIONS, STAT_METRICS):
            flags.update(quality_flags(page.metadata))
            sampling += [sampling_text(page.metadata)] if page.metadata.get("samplingMetadatas") else []
            currency = page.metadata.get("currencyCode") or currency
            at = _positions(page, (*STAT_DIMENSIONS, *STAT_METRICS))
            for day, row in self._rows(page, at[0], start, end):
                campaign_id, name = campaign_of(row[at[1]], row[at[2]])
                entry = days.get((campaign_id, day))
                if entry is None:
                    entry = days[(campaign_id, day)] = CampaignDay(name)
                entry.add(row[at[3]], row[at[4]], row[at[5]], row[at[6]], name)
        sources: dict[tuple[str, date], dict[tuple[str, str], int]] = {}
        for page in self._report(start, end, SOURCE_DIMENSIONS, SOURCE_METRICS):
            flags.update(quality_flags(page.metadata))
            sampling += [sampling_text(page.metadata)] if page.metadata.get("samplingMetadatas") else []
            at = _positions(page, (*SOURCE_DIMENSIONS, *SOURCE_METRICS))
            for day, row in self._rows(page, at[0], start, end):
                campaign_id, _name = campaign_of(row[at[1]], row[at[2]])
                per_day = sources.setdefault((campaign_id, day), {})
                pair = (row[at[3]], row[at[4]])
                per_day[pair] = per_day.get(pair, 0) + whole(row[at[5]], "sessions")
        for key, pairs in sources.items():
            if key in days:
                days[key].sources = [(n, source, medium) for (source, medium), n in pairs.items()]
        events = self._events(start, end, flags, sampling)
        self._log_quality(start, end, flags, sampling)
        records = (day.record(cid, when, currency, flags, events.get((cid, when), ()))
                   for (cid, when), day in sorted(days.items()))
        yield from stream_pages(records, RECORD_PAGE)

    def _events(self, start: date, end: date, flags: dict[str, str],
                sampling: list[str]) -> dict[tuple[str, date], tuple[ActionConversions, ...]]:
        """Key events by eventName per (campaign, day): the window's third report (conversions by action)."""
        sums: dict[tuple[str, date], dict[str, list[Any]]] = {}
        for page in self._report(start, end, EVENT_DIMENSIONS, EVENT_METRICS):
            flags.update(quality_flags(page.metadata))
            sampling += [sampling_text(page.metadata)] if page.metadata.get("samplingMetadatas") else []
            at = _positions(page, (*EVENT_DIMENSIONS, *EVENT_METRICS))
            for day, row in self._rows(page, at[0], start, end):
                count, value = number(row[at[4]], "keyEvents"), revenue_micros(row[at[5]])
                if not count and not value:
                    continue  # an event that is not a key event
                campaign_id, _name = campaign_of(row[at[1]], row[at[2]])
                total = sums.setdefault((campaign_id, day), {}).setdefault(row[at[3]], [0, 0])
                total[0] += count
                total[1] += value
        return {key: tuple(ActionConversions(event, float(n), v) for event, (n, v) in sorted(per.items()))
                for key, per in sums.items()}

    def refresh_auth(self) -> None:
        self._tokens.refresh()

    def test_connection(self) -> str:
        """One tiny report (today's sessions; no retries, one token refresh if needed), in plain words."""
        try:
            info = self._account_info(retry=False)
        except AuthExpired:
            self._tokens.refresh(retry=False)
            info = self._account_info(retry=False)
        details = ", ".join(v for v in (info.timezone, info.currency) if v)
        return f"Connected to Google Analytics 4 property {self.property_id} ({details or 'no details'})"

    def close(self) -> None:
        self._api.close()
        self._tokens.close()

    # --- reports ---

    def _account_info(self, *, retry: bool) -> AccountInfo:
        body = {"dateRanges": [{"startDate": "today", "endDate": "today"}], "metrics": [{"name": "sessions"}],
                "limit": "1", "returnPropertyQuota": True}
        page = self._run(body, retry=retry)
        timezone, currency = page.metadata.get("timeZone"), page.metadata.get("currencyCode")
        self._info = AccountInfo(name=None, currency=str(currency) if currency else None,
                                 timezone=str(timezone) if timezone else None)
        return self._info

    def _account(self) -> AccountInfo:
        return self._info if self._info is not None else self.account_info()

    def _report(self, start: date, end: date, dimensions: tuple[str, ...],
                metrics: tuple[str, ...]) -> Iterator[ReportPage]:
        """Every page of one report: offset/limit until `rowCount`; a report that changes while read is Transient."""
        counts: set[int] = set()

        def fetch(offset: int, limit: int) -> ReportPage:
            page = self._run(report_body(start, end, dimensions, metrics, offset, limit))
            if page.row_count is not None:
                counts.add(page.row_count)
            if len(counts) > 1:
                raise Transient("The Google Analytics report changed while it was read; it will be read again")
            return page

        offset = 0
        while True:  # strictly against rowCount: a page shorter than the limit is not the end while rows remain
            self.ctx.check()
            page = fetch(offset, self.page_size)
            yield page
            offset += len(page.rows)
            total = page.row_count
            if not page.rows or (total is not None and offset >= total) or (
                    total is None and len(page.rows) < self.page_size):
                return

    def _run(self, body: dict[str, Any], *, retry: bool = True) -> ReportPage:
        token = self._tokens.get(retry=retry)
        response = self._api.request("POST", self.report_url, retry=retry, json=body,
                                     headers={"Authorization": f"Bearer {token}"})
        accepted, self._accepted = self._accepted, None
        page = read_page(accepted[1] if accepted is not None and accepted[0] is response else
                         orjson.loads(response.content))
        wait, line = self._pacer.pause(page.quota, self.ctx.clock.now())
        if line:
            self.ctx.log("warning", line)
        if wait > 0:
            self._api.pause_for(wait)
        return page

    def _rows(self, page: ReportPage, date_at: int, start: date, end: date) -> Iterator[tuple[date, list[str]]]:
        """(day, row) for the page's rows on a day of the window ((other) and stray rows are logged, left out)."""
        skipped = 0
        for row in page.rows:
            day = day_of(row[date_at])
            if day is None or not start <= day <= end:
                skipped += 1
                continue
            yield day, row
        if skipped:
            self.ctx.log("warning", f"Google Analytics: left out {skipped} row(s) without a day of "
                                    f"{start.isoformat()}..{end.isoformat()} (such as GA4's '(other)' row)")

    def _log_quality(self, start: date, end: date, flags: dict[str, str], sampling: list[str]) -> None:
        window = f"{start.isoformat()}..{end.isoformat()}"
        if "sampled" in flags:
            self.ctx.log("warning", f"Google Analytics sampled the report for {window} (it read "
                                    f"{sampling[0] if sampling else 'part of the data'}); its days are marked sampled")
        if "thresholded" in flags:
            self.ctx.log("warning", f"Google Analytics applied data thresholds to the report for {window} (rows "
                                    "with few users may be withheld); its days are marked thresholded")
        if "dataLossFromOtherRow" in flags:
            self.ctx.log("warning", f"Google Analytics grouped part of the report for {window} into an '(other)' "
                                    "row, which is not stored; its days are marked dataLossFromOtherRow")

    # --- classification (called by HttpClient for every response) ---

    def _classify(self, response: requests.Response) -> ConnectorError | None:
        status = response.status_code
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = None
        if 200 <= status < 300:
            if not isinstance(body, dict):
                return Transient("Google Analytics sent an unreadable answer (malformed or cut-off JSON)",
                                 platform_message=f"HTTP {status}, {len(response.content)} bytes")
            self._accepted = (response, body)
            return None
        error = rpc.find_error(body)
        message = rpc.platform_message(error, status, "" if error else response.text)
        rpc_status = str((error or {}).get("status") or "")
        text = str((error or {}).get("message") or "")
        if (status == 404 and error is None) or (_RETIRED.search(text) and API_VERSION in text):
            return retired_api(LABEL, API_VERSION, platform_message=message)
        if status == 429 or rpc_status == "RESOURCE_EXHAUSTED":
            meaning, wait = exhausted_wait(text, self.ctx.clock.now())
            return RateLimited(f"Google Analytics is throttling property {self.property_id}: {meaning}",
                               retry_after=rpc.retry_delay(error or {}), guess_after=wait, platform_message=message,
                               shared="for a project" in text.lower())  # the app's Cloud project, not the property
        if status >= 500 or status == 408 or rpc_status in ("UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED"):
            return Transient(f"Google Analytics had a temporary server problem (HTTP {status})",
                             platform_message=message)
        if status == 401 or rpc_status == "UNAUTHENTICATED":
            return AuthExpired("The Google access token expired or was rejected", platform_message=message)
        if status == 403 or rpc_status == "PERMISSION_DENIED":
            return self._denied(error or {}, text, message)
        return Permanent(f"Google Analytics rejected the report request for property {self.property_id} (HTTP "
                         f"{status}): {message}", platform_message=message)

    def _denied(self, error: dict[str, Any], text: str, message: str) -> ConnectorError:
        reasons = {str(d.get("reason")) for d in error.get("details") or [] if isinstance(d, dict)}
        lowered = text.lower()
        if "ACCESS_TOKEN_SCOPE_INSUFFICIENT" in reasons or "insufficient authentication scopes" in lowered:
            return ReauthRequired(_SIGN_IN_SCOPE, platform_message=message)
        if "SERVICE_DISABLED" in reasons or "has not been used in project" in lowered or "is disabled" in lowered:
            return Permanent("The Google Analytics Data API is not enabled in the Google Cloud project of your "
                             "OAuth client: enable it (APIs & Services › Library › Google Analytics Data API), "
                             "then sync again", platform_message=message)
        return Permanent(f"The signed-in Google user cannot read GA4 property {self.property_id}: check the property "
                         "id, or have an administrator add the user (Viewer is enough) under Admin › Property "
                         "access management", platform_message=message)


SPEC = PlatformSpec(
    name="ga4",
    label="Google Analytics 4",
    default_lookback_days=3,
    min_interval_minutes=15,
    max_window_days=30,
    default_history_days=90,
    factory=GA4Connector,
    api_version=API_VERSION,
    api_sunset=None,  # Google has announced no end for v1beta
    normalise_id=normalise_property_id,
    option_names=tuple(rule.name for rule in OPTIONS),
    option_rules=OPTIONS,
    discover=lazy("ga4_discover"),  # the Admin API's accountSummaries (ga4_discover.py)
)
