"""Meta (Facebook) Marketing API, Graph v25.0: the ad account, its campaigns and daily campaign insights.

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
- `async_threshold_days`: a window of at least this many days is fetched through an asynchronous report job
  (POST /act_{id}/insights, poll GET /{report_run_id}, then GET /{report_run_id}/insights), as Meta advises for
  large reports and as tap-facebook and Airbyte do. Default 14: the 29-day lookback windows of scheduled runs
  and 30-day backfill windows go async, a short manual refresh stays one synchronous call; 0 disables jobs.
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
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import orjson
import requests

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
)
from .http import HttpClient

PLATFORM = "meta_ads"
GRAPH_VERSION = "v25.0"
DEFAULT_API_BASE_URL = "https://graph.facebook.com"
DEFAULT_CONVERSION_ACTION_TYPES = ("purchase", "lead")
DEFAULT_ASYNC_THRESHOLD_DAYS = 14
DEFAULT_PAGE_LIMIT = 500
MIN_PAGE_LIMIT = 25
MAX_PAGE_LIMIT = 5000

USAGE_PAUSE_PCT = 95.0  # pause once any usage percentage reaches this
PROACTIVE_PAUSE_S = 60.0  # how long, unless Meta's estimate is longer (tests make it tiny)
ASYNC_POLL_FIRST_S = 1.0  # first wait between report-job polls; grows by half each poll ...
ASYNC_POLL_MAX_S = 10.0  # ... up to this
ASYNC_POLL_LOG_EVERY = 5  # log the job's progress on the first poll and every this many polls
ASYNC_MAX_WAIT_S = 1800.0  # a job still running after this is given up (Transient: the engine retries)

CAMPAIGN_FIELDS = ("id,name,status,effective_status,objective,daily_budget,lifetime_budget,start_time,stop_time,"
                   "created_time,updated_time")
INSIGHTS_FIELDS = "campaign_id,campaign_name,impressions,clicks,spend,actions,action_values,account_currency"
ALL_EFFECTIVE_STATUSES = ("ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES")
# Tried in order when Meta rejects the status filter (code 100 naming effective_status).
STATUS_FILTERS: tuple[tuple[str, ...] | None, ...] = (
    ALL_EFFECTIVE_STATUSES, tuple(s for s in ALL_EFFECTIVE_STATUSES if s != "DELETED"), None)

THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
TRANSIENT_CODES = frozenset({1, 2})
_THROTTLE_NAMES = {4: "app request limit", 17: "user request limit", 32: "page request limit",
                   613: "ad account request limit", 80000: "ads insights limit", 80004: "ads management limit"}
_STATUS_MAP = {"ACTIVE": "ACTIVE", "PAUSED": "PAUSED", "DELETED": "REMOVED", "ARCHIVED": "REMOVED"}
_CAMPAIGN_EXTRA = ("effective_status", "objective", "daily_budget", "lifetime_budget", "start_time", "stop_time",
                   "created_time")  # budgets stay as Meta sends them: integers in the currency's minor unit
_TOKEN_INVALID = "The Meta access token is invalid or expired — paste a new system-user or long-lived token"
_TOKEN_MESSAGES = {
    463: "The Meta access token has expired — paste a new system-user or long-lived token",
    460: "The Meta access token was invalidated by a password change — paste a new system-user or long-lived token",
    458: "The Meta app behind this token was removed from the user — paste a new system-user or long-lived token",
}
_ACTION_TYPE = re.compile(r"^[A-Za-z0-9_.:\-]+$")
_MALFORMED = object()  # classify's marker for a body that is not JSON
_USAGE_PCT_KEYS = {
    "X-App-Usage": ("call_count", "total_cputime", "total_time"),
    "X-Ad-Account-Usage": ("acc_id_util_pct",),
    "x-fb-ads-insights-throttle": ("app_id_util_pct", "acc_id_util_pct"),
}
_BUC_HEADER = "X-Business-Use-Case-Usage"
_BUC_PCT_KEYS = ("call_count", "total_cputime", "total_time")


class _ReduceData(Permanent):
    """HTTP 500 "Please reduce the amount of data": never retried as is; the pager halves `limit` instead."""


class _InvalidParameter(Permanent):
    """Meta code 100; distinct so that a rejected status filter can fall back to a narrower one."""


# --- options ---------------------------------------------------------------------------------------------

def _int_option(options: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    raw = options.get(name)
    if raw is None or raw == "":
        return default
    try:
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise ValueError
        value = int(str(raw).strip()) if not isinstance(raw, float) else int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise Permanent(f"Meta Ads option {name!r} must be a whole number from {low} to {high} (got {raw!r}).")
    return value


def _base_url_option(options: Mapping[str, Any]) -> str:
    raw = str(options.get("api_base_url") or DEFAULT_API_BASE_URL).strip().rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise Permanent(f"Meta Ads option 'api_base_url' must be an http(s) URL such as {DEFAULT_API_BASE_URL} "
                        f"(got {raw!r}).")
    return raw


def _action_types_option(options: Mapping[str, Any]) -> frozenset[str]:
    raw = options.get("conversion_action_types")
    if raw is None or str(raw).strip() == "":
        return frozenset(DEFAULT_CONVERSION_ACTION_TYPES)
    types = [t.strip() for t in str(raw).split(",") if t.strip()]
    bad = [t for t in types if not _ACTION_TYPE.match(t)]
    if not types or bad:
        raise Permanent("Meta Ads option 'conversion_action_types' must be a comma-separated list of action types "
                        f"such as purchase,lead (got {raw!r}).")
    return frozenset(types)


def normalise_account_id(account_id: str) -> str:
    """"act_123", "123" or " act_123 " -> "123"."""
    text = str(account_id or "").strip()
    if text[:4].lower() == "act_":
        text = text[4:]
    if not text.isdigit():
        raise Permanent(f"A Meta ad account id is a number such as act_1234567890 (got {account_id!r}).")
    return text


# --- URLs --------------------------------------------------------------------------------------------------

def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _set_query(url: str, **changes: str | None) -> str:
    """`url` with query parameters replaced (None removes one)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in changes]
    query.extend((k, v) for k, v in changes.items() if v is not None)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


# --- response reading ------------------------------------------------------------------------------------

def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _json_header(headers: Mapping[str, str], name: str) -> Any:
    raw = headers.get(name)
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _buc_entries(headers: Mapping[str, str]) -> list[dict[str, Any]]:
    value = _json_header(headers, _BUC_HEADER)
    if not isinstance(value, dict):
        return []
    return [entry for entries in value.values() if isinstance(entries, list)
            for entry in entries if isinstance(entry, dict)]


def block_seconds(headers: Mapping[str, str]) -> float | None:
    """The largest `estimated_time_to_regain_access` (minutes) of X-Business-Use-Case-Usage, in seconds.

    Meta sets it above 0 only while it blocks the app or account; None otherwise.
    """
    minutes = [m for m in (_number(e.get("estimated_time_to_regain_access")) for e in _buc_entries(headers))
               if m is not None and m > 0]
    return max(minutes) * 60.0 if minutes else None


def reset_seconds(headers: Mapping[str, str]) -> float | None:
    """X-Ad-Account-Usage `reset_time_duration`: seconds until the account's usage score is back at 0."""
    account = _json_header(headers, "X-Ad-Account-Usage")
    reset = _number(account.get("reset_time_duration")) if isinstance(account, dict) else None
    return reset if reset is not None and reset > 0 else None


def regain_seconds(headers: Mapping[str, str]) -> float | None:
    """Meta's own estimate of when a throttled app or account may call again (None if it gave none)."""
    return block_seconds(headers) or reset_seconds(headers)


@dataclass(frozen=True, slots=True)
class Usage:
    """The highest usage percentage in Meta's headers and where it came from."""

    pct: float
    source: str


def peak_usage(headers: Mapping[str, str]) -> Usage | None:
    best: Usage | None = None
    for header, keys in _USAGE_PCT_KEYS.items():
        value = _json_header(headers, header)
        if isinstance(value, dict):
            for key in keys:
                pct = _number(value.get(key))
                if pct is not None and (best is None or pct > best.pct):
                    best = Usage(pct, f"{header} {key}")
    for entry in _buc_entries(headers):
        for key in _BUC_PCT_KEYS:
            pct = _number(entry.get(key))
            if pct is not None and (best is None or pct > best.pct):
                best = Usage(pct, f"{_BUC_HEADER} {entry.get('type') or '?'} {key}")
    return best


def _platform_message(error: Mapping[str, Any]) -> str:
    text = str(error.get("error_user_msg") or error.get("message") or "no message")
    code = error.get("code")
    sub = error.get("error_subcode")
    trace = error.get("fbtrace_id")
    detail = f"code {code}" + (f", subcode {sub}" if sub else "") + (f", fbtrace_id {trace}" if trace else "")
    return f"{text} ({detail})"


def _as_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


# --- record mapping ----------------------------------------------------------------------------------------

def micros(text: Any) -> int:
    """Exactly money_to_micros(text), without Decimal for the usual "123.45" (digits, at most 6 decimals)."""
    if text.__class__ is str:
        whole, dot, frac = text.partition(".")
        if whole.isdigit() and whole.isascii() and len(frac) <= 6 and (frac.isdigit() and frac.isascii()
                                                                       if dot else True):
            return int(whole) * 1_000_000 + (int(frac) * _FRAC_SCALE[len(frac)] if frac else 0)
    return money_to_micros(text)


_FRAC_SCALE = (1, 100_000, 10_000, 1_000, 100, 10, 1)


def _count(text: Any) -> int | Decimal:
    """An action count: usually digits ("3"), sometimes a decimal ("1.5") for modelled conversions."""
    if text.__class__ is str and text.isdigit() and text.isascii():
        return int(text)
    return Decimal(text or 0)


def _sum_actions(actions: Any, types: frozenset[str]) -> float:
    total: int | Decimal = 0
    for action in actions:
        if action["action_type"] in types:
            total += _count(action["value"])
    return float(total)


def _sum_action_values(values: Any, types: frozenset[str]) -> int:
    total = 0
    for value in values:
        if value["action_type"] in types:
            total += micros(value["value"])
    return total


def stat_record(row: Mapping[str, Any], types: frozenset[str], currency: str | None) -> DailyStatRecord:
    """One insights row (level=campaign, time_increment=1) as a record. Numbers arrive as strings.

    Money and counts are summed exactly (integers, Decimal for the rare fractional count), never via float.
    """
    get = row.get
    actions = get("actions")
    values = get("action_values")
    return DailyStatRecord(
        str(row["campaign_id"]), date.fromisoformat(row["date_start"]), int(get("impressions") or 0),
        int(get("clicks") or 0), micros(get("spend")), _sum_actions(actions, types) if actions else 0.0,
        _sum_action_values(values, types) if values else 0, get("account_currency") or currency,
        get("campaign_name"))


def campaign_record(row: Mapping[str, Any], currency: str | None) -> CampaignRecord:
    raw = str(row.get("status") or row.get("effective_status") or "")
    extra = {key: str(row[key]) for key in _CAMPAIGN_EXTRA if row.get(key) is not None}
    return CampaignRecord(campaign_id=str(row["id"]), name=str(row.get("name") or ""),
                          status=_STATUS_MAP.get(raw.upper(), "OTHER"), status_raw=raw or None, currency=currency,
                          updated_at=row.get("updated_time"), extra=extra or None)


_ROW_ERRORS = (KeyError, TypeError, ValueError, AttributeError, InvalidOperation)


def _unreadable(what: str, exc: Exception) -> Permanent:
    return Permanent(f"Meta sent a {what} row this version cannot read ({type(exc).__name__}: {exc})")


# --- the connector ---------------------------------------------------------------------------------------

class MetaAdsConnector:
    """One Meta ad account. Pages are yielded as they arrive; nothing buffers a whole report."""

    platform = PLATFORM

    def __init__(self, *, account_id: str, options: dict[str, Any], credentials: dict[str, str] | None,
                 ctx: ConnectorContext) -> None:
        options = dict(options or {})
        token = str((credentials or {}).get("access_token") or "").strip()
        if not token:
            raise Permanent('Meta Ads needs an access token: re-add the account with --credentials-stdin and '
                            '{"access_token": "…"} (a system-user or long-lived token with ads_read) on stdin.')
        self.account_id = normalise_account_id(account_id)
        self.ctx = ctx
        self.base_url = _base_url_option(options)
        self.action_types = _action_types_option(options)
        self.async_threshold_days = _int_option(options, "async_threshold_days", DEFAULT_ASYNC_THRESHOLD_DAYS, 0,
                                                3650)
        self.limit = _int_option(options, "page_limit", DEFAULT_PAGE_LIMIT, MIN_PAGE_LIMIT, MAX_PAGE_LIMIT)
        self.currency: str | None = None
        self._origin = _origin(self.base_url)
        self._filter_level = {"campaigns": 0, "insights": 0}
        self._last: tuple[requests.Response, Any] | None = None
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
            except _ROW_ERRORS as exc:
                raise _unreadable("campaign", exc) from exc
            yield records

    def fetch_daily_stats(self, start: date, end: date) -> Iterator[list[DailyStatRecord]]:
        if start > end:
            raise Permanent(f"The requested date range is empty: {start.isoformat()} is after {end.isoformat()}.")
        days = (end - start).days + 1
        use_job = 0 < self.async_threshold_days <= days

        def pages(statuses: tuple[str, ...] | None) -> Iterator[list[dict[str, Any]]]:
            params = self._insights_params(start, end, statuses)
            if use_job:
                return self._report_job_pages(params)
            return self._pages(f"act_{self.account_id}/insights", params, "insights")

        types, currency = self.action_types, self.currency
        for data in self._status_filtered("insights", pages):
            try:
                records = [stat_record(row, types, currency) for row in data]
            except _ROW_ERRORS as exc:
                raise _unreadable("insights", exc) from exc
            yield records

    def refresh_auth(self) -> None:
        raise ReauthRequired(_TOKEN_INVALID)

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
        except _ReduceData as exc:
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
        url: str | None = self._url(path, {**params, "limit": str(self.limit)})
        while url is not None:
            payload = self._page(url, what)
            data = payload.get("data")
            if not isinstance(data, list):
                raise Transient(f"Meta sent a {what} page without a data list")
            if data:
                yield data
            url = self._next_url(payload, url)

    def _page(self, url: str, what: str) -> dict[str, Any]:
        while True:
            try:
                return self._call("GET", url, paged=True)
            except _ReduceData as exc:
                if self.limit <= MIN_PAGE_LIMIT:
                    raise Transient(f"Meta still asks to reduce the amount of data at {self.limit} rows a page",
                                    platform_message=exc.platform_message) from exc
                self.limit = max(MIN_PAGE_LIMIT, self.limit // 2)
                self.ctx.log("warning", f"Meta asked to reduce the amount of data ({what}); asking again with "
                                        f"limit {self.limit} for the rest of this run")
                url = _set_query(url, limit=str(self.limit))

    def _next_url(self, payload: Mapping[str, Any], current: str) -> str | None:
        paging = payload.get("paging")
        nxt = paging.get("next") if isinstance(paging, dict) else None
        if not isinstance(nxt, str) or not nxt:
            return None
        if _origin(nxt) == self._origin:  # our token goes only where api_base_url points
            return _set_query(nxt, limit=str(self.limit), access_token=None)
        cursors = paging.get("cursors") if isinstance(paging, dict) else None
        after = cursors.get("after") if isinstance(cursors, dict) else None
        if not isinstance(after, str) or not after:
            raise Permanent(f"Meta's next-page link points to another host ({_origin(nxt)[1]}) and has no cursor; "
                            "not following it with your token")
        return _set_query(current, after=after, limit=str(self.limit))

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
            except _InvalidParameter as exc:
                narrower = self._filter_level[what] + 1 < len(STATUS_FILTERS)
                if started or not narrower or "effective_status" not in (exc.platform_message or ""):
                    raise
                self._filter_level[what] += 1
                wanted = STATUS_FILTERS[self._filter_level[what]]
                self.ctx.log("warning", f"Meta rejected the {what} status filter ({exc.platform_message}); asking "
                                        f"again with {', '.join(wanted) if wanted else 'no filter'} — some deleted "
                                        "or archived campaigns may be missing")

    # --- asynchronous report jobs ---

    def _report_job_pages(self, params: Mapping[str, str]) -> Iterator[list[dict[str, Any]]]:
        started = self._call("POST", self._url(f"act_{self.account_id}/insights"), data=params)
        run_id = str(started.get("report_run_id") or "")
        if not run_id:
            raise Transient("Meta did not return a report_run_id for the insights report job")
        self._wait_for_job(run_id)
        yield from self._pages(f"{quote(run_id, safe='')}/insights", {}, "insights")

    def _wait_for_job(self, run_id: str) -> None:
        url = self._url(quote(run_id, safe=""), {"fields": "id,async_status,async_percent_completion"})
        began = time.monotonic()
        delay = ASYNC_POLL_FIRST_S
        polls = 0
        while True:
            job = self._call("GET", url)
            polls += 1
            status = str(job.get("async_status") or "")
            percent = job.get("async_percent_completion")
            if status == "Job Completed":
                self.ctx.log("info", f"Meta report {run_id} ready after {polls} poll(s)")
                return
            if status in ("Job Failed", "Job Skipped"):
                raise Transient(f"Meta's insights report job {run_id} ended with {status!r}; it will be asked again",
                                platform_message=status)
            if polls % ASYNC_POLL_LOG_EVERY == 1:
                self.ctx.log("info", f"Meta report {run_id}: {status or 'pending'}, {percent or 0}% done")
            waited = time.monotonic() - began
            remaining = self.ctx.remaining()
            if waited >= ASYNC_MAX_WAIT_S or (remaining is not None and remaining <= 0):
                raise Transient(f"Meta's insights report job {run_id} did not finish within {waited:.0f} s")
            self.ctx.sleep(delay)
            delay = min(delay * 1.5, ASYNC_POLL_MAX_S)

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
            return self._classify_error(status, error, response.headers)
        if status == 429:
            return RateLimited("Meta is throttling requests (HTTP 429)")
        if status >= 500:
            return Transient(f"Meta had a temporary server error (HTTP {status})")
        if status >= 400:
            return Permanent(f"Meta answered HTTP {status} without an error description")
        if payload is _MALFORMED or not isinstance(payload, dict):
            return Transient("Meta sent a response that is not valid JSON (cut off or garbled)")
        return None

    def _classify_error(self, status: int, error: Mapping[str, Any], headers: Mapping[str, str]) -> ConnectorError:
        code = _as_int(error.get("code"))
        sub = _as_int(error.get("error_subcode"))
        message = str(error.get("message") or "")
        platform = _platform_message(error)
        if code == 190:
            return ReauthRequired(_TOKEN_MESSAGES.get(sub or 0, _TOKEN_INVALID), platform_message=platform)
        if code in THROTTLE_CODES:
            name = _THROTTLE_NAMES.get(code or 0, "rate limit")
            return RateLimited(f"Meta is throttling requests ({name}, code {code})",
                               retry_after=regain_seconds(headers), platform_message=platform)
        if status == 500 and "reduce the amount of data" in message.lower():
            return _ReduceData("Meta asked to reduce the amount of data per request", platform_message=platform)
        if code in TRANSIENT_CODES or sub == 99 or error.get("is_transient") is True or status >= 500:
            return Transient("Meta had a temporary problem", platform_message=platform)
        if code == 10 or (code is not None and 200 <= code <= 299):
            return Permanent(f"Meta denied access to ad account act_{self.account_id}: the token needs the ads_read "
                             "permission and access to this ad account (assign the system user or person to it "
                             "in Business Settings)", platform_message=platform)
        if code == 100:
            return _InvalidParameter("Meta rejected the request as invalid", platform_message=platform)
        return Permanent(f"Meta rejected the request (code {code}, HTTP {status})", platform_message=platform)

    def _on_response(self, response: requests.Response) -> float | None:
        """Seconds to pause all Meta requests when usage nears a limit or Meta announced a block, else None."""
        headers = response.headers
        usage = peak_usage(headers)
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
    min_interval_minutes=5,
    max_window_days=30,
    default_history_days=90,
    factory=MetaAdsConnector,
    option_names=("api_base_url", "conversion_action_types", "async_threshold_days", "page_limit"),
)
