"""Meta (Facebook) Marketing API v27.0: the ad account, its campaigns and daily campaign insights.

Version: GRAPH_VERSION (v27.0, 2026-11-04; v25.0 stopped answering ads calls on 2027-02-23, and Meta has not yet
dated v27.0's end). No multi-ID requests, field aliases, method override or batch requests are used (v27.0
forbids them to new apps). Meta's `X-Ad-Api-Version-Warning` header is logged; error #2635 (a deprecated
version) fails the run as Permanent.

Auth: a pasted system-user or long-lived user token, credentials `{"access_token": "…"}`, sent as
`Authorization: Bearer`. Meta has no refresh token for these, so code 190 means "paste a new token"
(ReauthRequired) and `refresh_auth()` says the same.

Options (all optional):
- `api_base_url`: default https://graph.facebook.com; GRAPH_VERSION is appended ("/v25.0/act_…").
- `conversion_action_types`: comma-separated `actions[].action_type` values summed into `conversions`; the
  same types of `action_values` are summed into `conversion_value_micros`. Default "purchase,lead". Meta reports
  one event under several overlapping types (a pixel purchase is counted in offsite_conversion.fb_pixel_purchase,
  purchase and omni_purchase alike), so the default holds only the aggregate types: list fine-grained types
  (e.g. offsite_conversion.fb_pixel_purchase) instead of their aggregate, never together with it.
  Conversions by action (table daily_conversion): one row per listed type that Meta reported that day, its count
  from `actions` and its value from `action_values`; these rows add up exactly to `conversions` and
  `conversion_value_micros` (a type reported without a value has value NULL).
- `async_threshold_days`: a window of at least this many days is fetched through an asynchronous report job
  (POST /act_{id}/insights, poll GET /{report_run_id}, then GET /{report_run_id}/insights), as Meta advises for
  large reports and as tap-facebook and Airbyte do. Default 14: the 29-day lookback windows of scheduled runs
  and 30-day backfill windows go async, a short manual refresh stays one synchronous call; 0 disables jobs.
- `async_max_jobs`: report jobs of one account in flight at once over a run's windows, 1..10, default 4
  (meta_jobs.py: new jobs wait while Meta's usage is above 75 %; windows are still written in date order).
- `page_limit`: rows per page (`limit`), default 500, 25..5000. When Meta answers HTTP 500 "Please reduce the
  amount of data", the limit is halved (not below 25) for the rest of the run and the same page is asked again.

Deleted and archived campaigns are hidden by Meta unless asked for: the campaigns edge gets `effective_status`
and the insights `filtering` on campaign.effective_status with every status. If Meta rejects that filter
(code 100 naming effective_status), the connector retries without DELETED, then without a filter, and logs it.

Errors are classified by `error.code`, not the HTTP status (see `_classify_error`). Usage headers are read on every
response: from USAGE_PAUSE_PCT of any budget, or when Meta announces a block, the platform's requests pause
(PROACTIVE_PAUSE_S, or Meta's own estimate if longer) before Meta blocks the app, instead of retrying into the
block as Airbyte #86316 did.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import orjson

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
)
from .discovery import lazy
from .http import HttpClient
from .meta_errors import TOKEN_INVALID, InvalidParameter, ReduceData, classify_error
from .meta_jobs import DEFAULT_MAX_JOBS, MAX_JOBS, ReportJobs, one_job_pages
from .meta_records import ROW_ERRORS, campaign_record, stat_record, unreadable
from .meta_usage import Usage, block_seconds, peak_usage, reset_seconds
from .options import IntOption, ParsedOption, UrlOption, numeric_id, parse_options, unknown_options
from .paging import next_url_pages
from .urls import origin, with_query

if TYPE_CHECKING:  # requests (~60 ms) is imported when the first request is made
    import requests

PLATFORM = "meta_ads"
GRAPH_VERSION = "v27.0"
GRAPH_SUNSET: date | None = None  # Meta publishes the end of a version later ("TBD" for v27.0 on 2026-12-04)
VERSION_WARNING_HEADER = "X-Ad-Api-Version-Warning"
DEFAULT_API_BASE_URL = "https://graph.facebook.com"
DEFAULT_CONVERSION_ACTION_TYPES = ("purchase", "lead")
DEFAULT_ASYNC_THRESHOLD_DAYS = 14
DEFAULT_PAGE_LIMIT = 500
MIN_PAGE_LIMIT = 25
MAX_PAGE_LIMIT = 5000

USAGE_PAUSE_PCT = 95.0  # pause once any usage percentage reaches this
PROACTIVE_PAUSE_S = 60.0  # how long, unless Meta's estimate is longer (tests make it tiny)
ASYNC_POLL_FIRST_S = 1.0  # first wait between report-job polls; then 40 % of the job's time so far ...
ASYNC_POLL_MAX_S = 10.0  # ... up to this (meta_jobs.poll_delay)
ASYNC_POLL_LOG_EVERY = 5  # log the job's progress on the first poll and every this many polls
ASYNC_MAX_WAIT_S = 1800.0  # a job still running after this is given up (Transient: the engine retries)

CAMPAIGN_FIELDS = ("id,name,status,effective_status,objective,daily_budget,lifetime_budget,start_time,stop_time,"
                   "created_time,updated_time")
INSIGHTS_FIELDS = "campaign_id,campaign_name,impressions,clicks,spend,actions,action_values,account_currency"
ALL_EFFECTIVE_STATUSES = ("ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES")
# Tried in order when Meta rejects the status filter (code 100 naming effective_status).
STATUS_FILTERS: tuple[tuple[str, ...] | None, ...] = (
    ALL_EFFECTIVE_STATUSES, tuple(s for s in ALL_EFFECTIVE_STATUSES if s != "DELETED"), None)

_ACTION_TYPE = re.compile(r"^[A-Za-z0-9_.:\-]+$")
_MALFORMED = object()  # classify's marker for a body that is not JSON


# --- options ---------------------------------------------------------------------------------------------

def _action_types(raw: str) -> frozenset[str]:
    types = [t.strip() for t in raw.split(",") if t.strip()]
    if not types or any(not _ACTION_TYPE.match(t) for t in types):
        raise Permanent("--option conversion_action_types: must be a comma-separated list of action types such as "
                        f"purchase,lead (got {raw!r}).")
    return frozenset(types)


OPTIONS = (
    UrlOption("api_base_url", DEFAULT_API_BASE_URL),
    ParsedOption("conversion_action_types", frozenset(DEFAULT_CONVERSION_ACTION_TYPES), _action_types),
    IntOption("async_threshold_days", DEFAULT_ASYNC_THRESHOLD_DAYS, 0, 3650),
    IntOption("page_limit", DEFAULT_PAGE_LIMIT, MIN_PAGE_LIMIT, MAX_PAGE_LIMIT),
    IntOption("async_max_jobs", DEFAULT_MAX_JOBS, 1, MAX_JOBS),
)


def normalise_account_id(account_id: str) -> str:
    """"act_123", "123" or " act_123 " -> "123" (stored without act_; the API calls add it)."""
    return numeric_id(account_id, what="A Meta ad account id", example="act_1234567890 or 1234567890",
                      prefix="act_")


# --- the connector ---------------------------------------------------------------------------------------

class MetaAdsConnector:
    """One Meta ad account. Pages are yielded as they arrive; nothing buffers a whole report."""

    platform = PLATFORM

    def __init__(self, *, account_id: str, options: dict[str, Any], credentials: dict[str, str] | None,
                 ctx: ConnectorContext) -> None:
        token = str((credentials or {}).get("access_token") or "").strip()
        if not token:
            raise Permanent('Meta Ads needs an access token: re-add the account with --credentials-stdin and '
                            '{"access_token": "…"} (a system-user or long-lived token with ads_read) on stdin.')
        self.account_id = normalise_account_id(account_id)
        self.ctx = ctx
        unknown = unknown_options(OPTIONS, options)
        if unknown:
            ctx.log("warning", f"Meta Ads: ignoring unknown option(s) {', '.join(unknown)}")
        opts = parse_options(OPTIONS, options)
        self.base_url: str = opts["api_base_url"]
        self.action_types: frozenset[str] = opts["conversion_action_types"]
        self.async_threshold_days: int = opts["async_threshold_days"]
        self.limit: int = opts["page_limit"]
        self.max_jobs: int = opts["async_max_jobs"]
        self.usage: Usage | None = None  # the highest usage figure of Meta's latest answer (meta_jobs holds back on it)
        self.currency: str | None = None
        self._origin = origin(self.base_url)
        self._filter_level = {"campaigns": 0, "insights": 0}
        self._last: tuple[requests.Response, Any] | None = None
        self._version_warned = False  # X-Ad-Api-Version-Warning is logged once per run
        self.http = HttpClient(PLATFORM, ctx, self._classify, headers={"Authorization": f"Bearer {token}"},
                               on_response=self._on_response)

    # --- the Connector protocol ---

    def account_info(self) -> AccountInfo:
        return self._account(retry=True)

    def fetch_campaigns(self) -> Iterator[list[CampaignRecord]]:
        def pages(statuses: tuple[str, ...] | None) -> Iterator[list[dict[str, Any]]]:
            params = {"fields": CAMPAIGN_FIELDS}
            if statuses:
                params["effective_status"] = orjson.dumps(list(statuses)).decode()
            return self._pages(f"act_{self.account_id}/campaigns", params, "campaigns")

        for data in self._status_filtered("campaigns", pages):
            try:
                records = [campaign_record(row, self.currency) for row in data]
            except ROW_ERRORS as exc:
                raise unreadable("campaign", exc) from exc
            yield records

    def fetch_daily_stats(self, start: date, end: date) -> Iterator[list[DailyStatRecord]]:
        if start > end:
            raise Permanent(f"The requested date range is empty: {start.isoformat()} is after {end.isoformat()}.")
        days = (end - start).days + 1
        use_job = 0 < self.async_threshold_days <= days

        def pages(statuses: tuple[str, ...] | None) -> Iterator[list[dict[str, Any]]]:
            params = self._insights_params(start, end, statuses)
            if use_job:
                return one_job_pages(self, params)
            return self._pages(f"act_{self.account_id}/insights", params, "insights")

        types, currency = self.action_types, self.currency
        for data in self._status_filtered("insights", pages):
            try:
                records = [stat_record(row, types, currency) for row in data]
            except ROW_ERRORS as exc:
                raise unreadable("insights", exc) from exc
            yield records

    def prefetch_daily_stats(self, windows: Sequence[tuple[date, date]]) -> Iterator[Iterator[list[DailyStatRecord]]]:
        """A run's windows with up to `async_max_jobs` report jobs running ahead (base.PrefetchesWindows)."""
        return iter(ReportJobs(self, windows, self.max_jobs))

    def refresh_auth(self) -> None:
        raise ReauthRequired(TOKEN_INVALID)

    def test_connection(self) -> str:
        info = self._account(retry=False)
        details = ", ".join(x for x in (info.name, info.currency, info.timezone) if x)
        return f"Connected to Meta ad account act_{self.account_id}" + (f" ({details})" if details else "")

    def close(self) -> None:
        self.http.close()

    # --- requests ---

    def _url(self, path: str, params: Mapping[str, str] | None = None) -> str:
        url = f"{self.base_url}/{GRAPH_VERSION}/{path}"
        return f"{url}?{urlencode(params)}" if params else url

    def _call(self, method: str, url: str, *, data: Mapping[str, str] | None = None, retry: bool = True,
              paged: bool = False) -> dict[str, Any]:
        try:
            response = self.http.request(method, url, data=data, retry=retry)
        except ReduceData as exc:
            if paged:  # the pager halves the limit
                raise
            raise Transient(exc.message, platform_message=exc.platform_message) from exc
        last, self._last = self._last, None
        payload = last[1] if last is not None and last[0] is response else _MALFORMED
        if not isinstance(payload, dict):  # classify already turned these into Transient; belt and braces
            raise Transient("Meta sent a response that is not a JSON object")
        return payload

    def _account(self, *, retry: bool) -> AccountInfo:
        payload = self._call("GET", self._url(f"act_{self.account_id}", {"fields": "name,currency,timezone_name"}),
                             retry=retry)
        self.currency = payload.get("currency") or self.currency
        return AccountInfo(name=payload.get("name"), currency=payload.get("currency"),
                           timezone=payload.get("timezone_name"))

    def _insights_params(self, start: date, end: date, statuses: tuple[str, ...] | None) -> dict[str, str]:
        params = {
            "level": "campaign",
            "time_increment": "1",
            "time_range": orjson.dumps({"since": start.isoformat(), "until": end.isoformat()}).decode(),
            "fields": INSIGHTS_FIELDS,
        }
        if statuses:
            params["filtering"] = orjson.dumps(
                [{"field": "campaign.effective_status", "operator": "IN", "value": list(statuses)}]).decode()
        return params

    def _pages(self, path: str, params: Mapping[str, str], what: str) -> Iterator[list[dict[str, Any]]]:
        """GET a list edge and follow `paging.next` until it is absent, one `data` list per page."""
        first = self._url(path, {**params, "limit": str(self.limit)})
        for payload in next_url_pages(first, lambda url: self._page(url, what), self._next_url, self.ctx.check):
            data = payload.get("data")
            if not isinstance(data, list):
                raise Transient(f"Meta sent a {what} page without a data list")
            if data:
                yield data

    def _page(self, url: str, what: str) -> dict[str, Any]:
        while True:
            try:
                return self._call("GET", url, paged=True)
            except ReduceData as exc:
                if self.limit <= MIN_PAGE_LIMIT:
                    raise Transient(f"Meta still asks to reduce the amount of data at {self.limit} rows a page",
                                    platform_message=exc.platform_message) from exc
                self.limit = max(MIN_PAGE_LIMIT, self.limit // 2)
                self.ctx.log("warning", f"Meta asked to reduce the amount of data ({what}); asking again with "
                                        f"limit {self.limit} for the rest of this run")
                url = with_query(url, limit=str(self.limit))

    def _next_url(self, payload: Mapping[str, Any], current: str) -> str | None:
        paging = payload.get("paging")
        nxt = paging.get("next") if isinstance(paging, dict) else None
        if not isinstance(nxt, str) or not nxt:
            return None
        if origin(nxt) == self._origin:  # our token goes only where api_base_url points
            return with_query(nxt, limit=str(self.limit), access_token=None)
        cursors = paging.get("cursors") if isinstance(paging, dict) else None
        after = cursors.get("after") if isinstance(cursors, dict) else None
        if not isinstance(after, str) or not after:
            raise Permanent(f"Meta's next-page link points to another host ({origin(nxt)[1]}) and has no cursor; "
                            "not following it with your token")
        return with_query(current, after=after, limit=str(self.limit))

    def _status_filtered(self, what: str, pages: Callable[[tuple[str, ...] | None], Iterator[list[dict[str, Any]]]],
                         ) -> Iterator[list[dict[str, Any]]]:
        """Run `pages` with the widest status filter Meta accepts (see STATUS_FILTERS)."""
        while True:
            statuses = STATUS_FILTERS[self._filter_level[what]]
            started = False
            try:
                for page in pages(statuses):
                    started = True
                    yield page
                return
            except InvalidParameter as exc:
                narrower = self._filter_level[what] + 1 < len(STATUS_FILTERS)
                if started or not narrower or "effective_status" not in (exc.platform_message or ""):
                    raise
                self._filter_level[what] += 1
                wanted = STATUS_FILTERS[self._filter_level[what]]
                self.ctx.log("warning", f"Meta rejected the {what} status filter ({exc.platform_message}); asking "
                                        f"again with {', '.join(wanted) if wanted else 'no filter'} — some deleted "
                                        "or archived campaigns may be missing")

    # --- hooks for HttpClient ---

    def _classify(self, response: requests.Response) -> ConnectorError | None:
        content = response.content
        try:
            payload: Any = orjson.loads(content) if content else None
        except orjson.JSONDecodeError:
            payload = _MALFORMED
        self._last = (response, payload)  # parsed once: _call takes it from here
        status = response.status_code
        error = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(error, dict):
            return classify_error(status, error, response.headers, self.account_id, GRAPH_VERSION)
        if status == 429:
            return RateLimited("Meta is throttling requests (HTTP 429)")
        if status >= 500:
            return Transient(f"Meta had a temporary server error (HTTP {status})")
        if status >= 400:
            return Permanent(f"Meta answered HTTP {status} without an error description")
        if payload is _MALFORMED or not isinstance(payload, dict):
            return Transient("Meta sent a response that is not valid JSON (cut off or garbled)")
        return None

    def _on_response(self, response: requests.Response) -> float | None:
        """Seconds to pause all Meta requests when usage nears a limit or Meta announced a block, else None."""
        headers = response.headers
        warning = headers.get(VERSION_WARNING_HEADER)
        if warning and not self._version_warned:
            self._version_warned = True
            self.ctx.log("warning", f"Meta says about API {GRAPH_VERSION}: {' '.join(warning.split())[:300]}")
        usage = self.usage = peak_usage(headers)
        near = usage is not None and usage.pct >= USAGE_PAUSE_PCT
        block = block_seconds(headers)
        if not near and not block:
            return None
        max_wait = self.ctx.retry.max_rate_limit_wait_s
        if block and block > max_wait:
            return None  # the error carrying this block defers the run; no process-wide stall in the meantime
        pause = max(PROACTIVE_PAUSE_S if near else 0.0, block or 0.0, (reset_seconds(headers) or 0.0) if near else 0.0)
        pause = min(pause, max_wait)
        if pause <= 0:
            return None
        why = f"usage at {usage.pct:g}% ({usage.source})" if near and usage else "Meta announced a block"
        self.ctx.log("warning", f"Meta {why}; pausing Meta requests for {pause:g} s before Meta blocks the app")
        return pause

SPEC = PlatformSpec(
    name="meta_ads",
    label="Meta Ads",
    default_lookback_days=28,
    retention_months=37,  # Insights serve 37 months
    min_interval_minutes=5,
    max_window_days=30,
    default_history_days=90,
    factory=MetaAdsConnector,
    api_version=GRAPH_VERSION,
    api_sunset=GRAPH_SUNSET,
    normalise_id=normalise_account_id,
    option_names=tuple(rule.name for rule in OPTIONS),
    option_rules=OPTIONS,
    discover=lazy("meta_discover"),  # GET /me/adaccounts (meta_discover.py)
)
