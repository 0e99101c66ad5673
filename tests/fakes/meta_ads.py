"""A loopback fake of the Meta Marketing API (Graph v25.0) for the meta_ads connector's tests and benchmark.

Serves one ad account: `GET /act_{id}`, `GET /act_{id}/campaigns`, `GET|POST /act_{id}/insights` (sync, or an
async report job), `GET /{report_run_id}` (job status) and `GET /{report_run_id}/insights`. Like Meta it
- wants `Authorization: Bearer <token>` (or `access_token=`), and answers code 190 otherwise;
- hides DELETED and ARCHIVED campaigns (and their insights) unless the request filters on effective_status;
- sends numbers as strings, omits zero-activity days, puts several overlapping action types in `actions` and
  `action_values`, and pages with cursors whose `paging.next` is an absolute URL back to this server that
  carries the token as `access_token=` (a client must not send it on, or log it);
- sends the usage headers on every response (`usage_pct`, `regain_minutes`).

"Today" is the `today=` given to the fake (the account's date in its `timezone`), by default the clock's date
there when the fake is made; data run from `days` days before `last_day` (default: the day after today) to it.
Data are deterministic: a (campaign, day) row comes from a stable hash of the campaign id, the day and the
day's version, which `restate(day)` bumps (the past changes, as Meta's attribution does). `rows()` and
`totals()` are the ground truth, over every campaign whatever its status. Faults: queue the module's reply
helpers (`throttle`, `reduce_data`, `server_error`, ...) with `fail_next`; `max_limit` answers "reduce the
amount of data" while `limit` is above it; `reject_deleted_filter` rejects DELETED in status filters;
`failing_jobs` makes that many report jobs end "Job Failed"; with `job_seconds` a report job runs that long in
wall time (from its POST) instead of `job_polls` polls, and `peak_jobs` is the most jobs that ran at once;
`page_faults` are served to requests for a second or later page (which `fail_next`, matching paths only,
cannot single out). `prerender()` renders a range's sync pages to bytes once, so that a benchmark measures the
client rather than this server.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import orjson

from autosync_desktop import clock
from tests.fakes.server import FakeApi, Reply, Request

VERSION = "v27.0"
RETIRED_VERSIONS = ("v23.0", "v24.0", "v25.0")  # answered with error #2635, as Meta does after a version's end
HIDDEN_BY_DEFAULT = frozenset({"DELETED", "ARCHIVED"})
PURCHASE_TYPES = ("offsite_conversion.fb_pixel_purchase", "purchase", "omni_purchase")
LEAD_TYPES = ("offsite_conversion.fb_pixel_lead", "lead")
_STATUS_CYCLE = ("ACTIVE", "PAUSED", "ARCHIVED", "DELETED", "ACTIVE", "ACTIVE")
_JSON = {"Content-Type": "application/json; charset=UTF-8"}


# --- fault replies -----------------------------------------------------------------------------------------

def error_body(code: int, message: str, *, subcode: int | None = None, is_transient: bool = False,
               user_msg: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                             "is_transient": is_transient, "fbtrace_id": "AbCdEfGhIjK"}
    if subcode is not None:
        error["error_subcode"] = subcode
    if user_msg is not None:
        error["error_user_title"] = "Error"
        error["error_user_msg"] = user_msg
    return {"error": error}


def buc_header(pct: float, eta_minutes: float, account_id: str = "1234") -> dict[str, str]:
    entry = {"type": "ads_insights", "call_count": pct, "total_cputime": pct, "total_time": pct,
             "estimated_time_to_regain_access": eta_minutes, "ads_api_access_tier": "standard_access"}
    return {"X-Business-Use-Case-Usage": orjson.dumps({account_id: [entry]}).decode()}


def throttle(code: int = 17, *, eta_minutes: float = 0.0, subcode: int | None = 2446079,
             status: int = 400) -> Reply:
    """A throttle error; the BUC header says 100 % and when access comes back (minutes, may be fractional)."""
    body = error_body(code, "(#17) User request limit reached" if code == 17 else f"(#{code}) Too many calls",
                      subcode=subcode, is_transient=True)
    return Reply(status, body, buc_header(100, eta_minutes))


def reduce_data() -> Reply:
    return Reply(500, error_body(1, "Please reduce the amount of data you're asking for, then retry your request"))


def server_error(status: int = 500) -> Reply:
    return Reply(status, error_body(1, "An unknown error occurred"))


def unavailable() -> Reply:
    return Reply(503, "<html><body>Service Unavailable</body></html>", {"Content-Type": "text/html"})


def transient_code2() -> Reply:
    """Code 2 with is_transient, on HTTP 400: the code, not the status, makes it transient."""
    return Reply(400, error_body(2, "An unexpected error has occurred. Please retry your request later.",
                                 is_transient=True))


def invalid_token(subcode: int | None = 463) -> Reply:
    text = "Session has expired on Monday, 01-Jun-26 09:00:00 PDT." if subcode == 463 else "Invalid OAuth token."
    return Reply(400, error_body(190, f"Error validating access token: {text}", subcode=subcode))


def permission_denied() -> Reply:
    return Reply(403, error_body(200, "(#200) Ad account owner has NOT grant ads_management or ads_read "
                                      "permission"))


def malformed() -> Reply:
    return Reply(200, '{"data": [{"campaign_id": "1202', dict(_JSON))


def timeout(seconds: float) -> Reply:
    return Reply(200, {"data": []}, delay_s=seconds)


def dropped() -> Reply:
    return Reply(drop=True)


# --- data ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FakeCampaign:
    id: str
    name: str
    status: str
    effective_status: str
    last_day: date  # no activity after this day


@dataclass(slots=True)
class Totals:
    rows: int = 0
    impressions: int = 0
    clicks: int = 0
    cost_micros: int = 0
    conversions: Decimal = Decimal(0)
    conversion_value_micros: int = 0


@dataclass(slots=True)
class Job:
    since: date
    until: date
    allowed: frozenset[str]
    polls_left: int
    fails: bool
    done: bool = False
    polls: int = 0
    started: float = 0.0  # time.monotonic() at its POST
    seconds: float | None = None  # wall time it takes (None: job_polls polls)

    def running(self, now: float) -> bool:
        return not self.done if self.seconds is None else now < self.started + self.seconds


@dataclass(slots=True)
class _Query:
    since: date
    until: date
    allowed: frozenset[str]


def _u64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _money(cents: int, short: bool = False) -> str:
    whole, frac = divmod(cents, 100)
    text = f"{whole}.{frac:02d}"
    return text.rstrip("0").rstrip(".") if short else text


def _micros(text: str) -> int:
    return int(Decimal(text) * 1_000_000)


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)[1])


class MetaFake(FakeApi):
    def __init__(self, *, account_id: str = "1234", name: str = "Acme", currency: str = "EUR",
                 timezone: str = "Europe/Berlin", campaigns: int = 12, days: int = 150, last_day: date | None = None,
                 token: str = "meta-test-token-5f3a9c", job_polls: int = 3, usage_pct: float = 5.0,
                 all_active: bool = False, zero_days_pct: int = 8, today: date | None = None,
                 job_seconds: float | None = None) -> None:
        super().__init__()
        self.other_accounts: list[tuple[str, str, str, str, int, str | None]] = [
            ("2000000001", "Acme Outlet", "USD", "America/New_York", 1, "Acme Group"),
            ("2000000002", "Old Promo Account", "EUR", "Europe/Berlin", 2, None),
            ("2000000003", "Closed Test", "GBP", "Europe/London", 101, None)]
        self.account_id = account_id
        self.name = name
        self.currency = currency
        self.timezone = timezone
        self.token = token
        self.today = today or clock.today(timezone)
        self.last_day = last_day or self.today + timedelta(days=1)
        self.first_day = self.last_day - timedelta(days=days - 1)
        self.campaigns = [self._make_campaign(i, all_active) for i in range(campaigns)]
        self.zero_days_pct = zero_days_pct  # share of (campaign, day) pairs without activity, hence without a row
        self.job_polls = job_polls
        self.job_seconds = job_seconds
        self.peak_jobs = 0
        self.usage_pct = usage_pct
        self.regain_minutes = 0.0
        self.max_limit: int | None = None
        self.reject_deleted_filter = False
        self.failing_jobs = 0
        self.page_faults: list[Reply] = []  # served, in order, to requests for a second or later page
        self.version_warning: str | None = None  # sent as X-Ad-Api-Version-Warning on every answer when set
        self.jobs: dict[str, Job] = {}
        self._versions: dict[date, int] = {}
        self._rendered: dict[tuple[Any, ...], bytes] = {}
        self._state = threading.Lock()

    # --- ground truth and knobs ---

    def _make_campaign(self, i: int, all_active: bool) -> FakeCampaign:
        status = "ACTIVE" if all_active else _STATUS_CYCLE[i % len(_STATUS_CYCLE)]
        effective = "WITH_ISSUES" if status == "ACTIVE" and i % len(_STATUS_CYCLE) == 5 else status
        stop = {"ACTIVE": 0, "PAUSED": 5 + i % 7, "ARCHIVED": 45 + i % 5, "DELETED": 70 + i % 10}[status]
        return FakeCampaign(str(120210000000000000 + i + 1), f"Campaign {i + 1:03d} – {status.title()}", status,
                            effective, self.last_day - timedelta(days=stop))

    def restate(self, day: date) -> None:
        """Meta revises a past day (late-attributed conversions): every campaign's numbers for `day` change."""
        with self._state:
            self._versions[day] = self._versions.get(day, 0) + 1

    def row(self, campaign: FakeCampaign, day: date) -> dict[str, Any] | None:
        """The insights row of one campaign and day, or None for a zero-activity day."""
        if day > campaign.last_day or not self.first_day <= day <= self.last_day:
            return None
        h = _u64(f"{campaign.id}|{day.isoformat()}|{self._versions.get(day, 0)}")
        if h % 100 < self.zero_days_pct:
            return None
        impressions = 200 + (h >> 8) % 20_000
        clicks = impressions * (5 + (h >> 24) % 40) // 1000
        cents = clicks * (20 + (h >> 32) % 180) + (h >> 58) % 100
        pixel_purchases = clicks * ((h >> 44) % 5) // 100
        app_purchases = (h >> 48) % 2 if pixel_purchases else 0
        purchases = pixel_purchases + app_purchases
        pixel_leads, other_leads = (h >> 50) % 3, (h >> 52) % 2
        pixel_value = pixel_purchases * (1500 + (h >> 20) % 9000)
        purchase_value = pixel_value + app_purchases * 2499
        counts = (("link_click", clicks * 4 // 5), ("page_engagement", clicks + (h >> 56) % 10),
                  ("offsite_conversion.fb_pixel_add_to_cart", pixel_purchases * 3 + (h >> 54) % 4),
                  ("offsite_conversion.fb_pixel_purchase", pixel_purchases), ("purchase", purchases),
                  ("omni_purchase", purchases), ("offsite_conversion.fb_pixel_lead", pixel_leads),
                  ("lead", pixel_leads + other_leads))
        values = (("offsite_conversion.fb_pixel_purchase", pixel_value), ("purchase", purchase_value),
                  ("omni_purchase", purchase_value))
        out: dict[str, Any] = {
            "campaign_id": campaign.id, "campaign_name": campaign.name, "impressions": str(impressions),
            "clicks": str(clicks), "spend": _money(cents, short=(h >> 40) % 3 == 0),
        }
        actions = [{"action_type": t, "value": str(v)} for t, v in counts if v]
        if actions:
            out["actions"] = actions
        action_values = [{"action_type": t, "value": _money(v)} for t, v in values if v]
        if action_values:
            out["action_values"] = action_values
        out.update(account_currency=self.currency, date_start=day.isoformat(), date_stop=day.isoformat())
        return out

    def rows(self, since: date, until: date, allowed: frozenset[str] | None = None) -> list[dict[str, Any]]:
        """Rows ordered by (date, campaign) for the campaigns whose effective status is allowed (None: all)."""
        out = []
        day = since
        while day <= until:
            for campaign in self.campaigns:
                if allowed is None or campaign.effective_status in allowed:
                    row = self.row(campaign, day)
                    if row is not None:
                        out.append(row)
            day += timedelta(days=1)
        return out

    def totals(self, since: date, until: date, action_types: tuple[str, ...] | frozenset[str]) -> Totals:
        t = Totals()
        for row in self.rows(since, until):
            t.rows += 1
            t.impressions += int(row["impressions"])
            t.clicks += int(row["clicks"])
            t.cost_micros += _micros(row["spend"])
            t.conversions += sum((Decimal(a["value"]) for a in row.get("actions", ())
                                  if a["action_type"] in action_types), Decimal(0))
            t.conversion_value_micros += sum(_micros(a["value"]) for a in row.get("action_values", ())
                                             if a["action_type"] in action_types)
        return t

    def report_polls(self) -> int:
        return sum(job.polls for job in self.jobs.values())

    def usage_headers(self) -> dict[str, str]:
        pct = self.usage_pct
        return {
            "X-App-Usage": orjson.dumps({"call_count": pct, "total_cputime": pct / 2, "total_time": pct / 2}).decode(),
            "X-Ad-Account-Usage": orjson.dumps({"acc_id_util_pct": pct, "reset_time_duration": 0,
                                                "ads_api_access_tier": "standard_access"}).decode(),
            **buc_header(pct, self.regain_minutes, self.account_id),
            "x-fb-ads-insights-throttle": orjson.dumps({"app_id_util_pct": pct, "acc_id_util_pct": pct,
                                                       "ads_api_access_tier": "standard_access"}).decode(),
        }

    def prerender(self, since: date, until: date, limit: int, allowed: frozenset[str]) -> int:
        """Render the sync insights pages of a range to bytes once; returns the number of pages.

        `allowed` must be the status filter the client sends: pages are found by (range, filter, limit, offset).
        """
        items = self.rows(since, until, allowed)
        params = self._insights_query_params(since, until, allowed, limit)
        path = f"/{VERSION}/act_{self.account_id}/insights"
        pages = 0
        for offset in range(0, max(len(items), 1), limit):
            body = self._page_body(path, params, items, offset, limit)
            self._rendered[(since, until, allowed, limit, offset)] = body
            pages += 1
        return pages

    # --- plumbing ---

    def _dispatch(self, req: Request) -> Reply:
        reply = super()._dispatch(req)
        warning = {"X-Ad-Api-Version-Warning": self.version_warning} if self.version_warning else {}
        return replace(reply, headers={**self.usage_headers(), **warning, **reply.headers})

    def handle(self, req: Request) -> Reply:
        if req.arg("after") and self.page_faults:
            with self._state:
                if self.page_faults:
                    return self.page_faults.pop(0)
        params = {k: v[0] for k, v in req.query.items()}
        if req.method == "POST":
            params.update(req.form())
        if not self._authorized(req, params):
            return Reply(400, error_body(190, "Invalid OAuth access token - Cannot parse access token"))
        parts = req.path.strip("/").split("/")
        if parts[0] in RETIRED_VERSIONS:
            return Reply(400, error_body(2635, f"(#2635) You are calling a deprecated version of the Ads API. "
                                               f"Please update to the latest version: {VERSION}."))
        if len(parts) < 2 or parts[0] != VERSION:
            return Reply(404, error_body(100, f"Unknown path {req.path}"))
        node, edge = parts[1], "/".join(parts[2:])
        if node == "me" and edge == "adaccounts" and req.method == "GET":
            return self._paged(req, params, [self._listed(a) for a in self.listed_accounts()])
        if node.startswith("act_"):
            if node != f"act_{self.account_id}":
                return Reply(400, error_body(100, f"Unsupported get request. Object with ID '{node}' does not "
                                                  "exist", subcode=33))
            return self._account_route(req, edge, params)
        job = self.jobs.get(node)
        if job is None:
            return Reply(400, error_body(100, f"Unsupported get request. Object with ID '{node}' does not exist",
                                         subcode=33))
        if edge == "" and req.method == "GET":
            return self._poll(node, job)
        if edge == "insights" and req.method == "GET":
            if not job.done or job.fails:
                return Reply(400, error_body(100, "The report is not ready"))
            return self._paged(req, params, self.rows(job.since, job.until, job.allowed))
        return Reply(400, error_body(100, f"Unsupported request {req.method} {req.path}"))

    def listed_accounts(self) -> list[tuple[str, str, str, str, int, str | None]]:
        """What GET /me/adaccounts lists for the token: (id digits, name, currency, zone, account_status, business);
        this fake's own account first, then `other_accounts` (three by default: one disabled, one closed)."""
        return [(self.account_id, self.name, self.currency, self.timezone, 1, "Acme Group"), *self.other_accounts]

    @staticmethod
    def _listed(account: tuple[str, str, str, str, int, str | None]) -> dict[str, Any]:
        digits, name, currency, zone, status, business = account
        row: dict[str, Any] = {"account_id": digits, "id": f"act_{digits}", "name": name, "currency": currency,
                               "timezone_name": zone, "account_status": status}
        if business:
            row["business"] = {"id": "5550001", "name": business}
        return row

    def _authorized(self, req: Request, params: dict[str, str]) -> bool:
        return req.headers.get("authorization") == f"Bearer {self.token}" or params.get("access_token") == self.token

    def _account_route(self, req: Request, edge: str, params: dict[str, str]) -> Reply:
        if edge == "" and req.method == "GET":
            return Reply(200, {"name": self.name, "currency": self.currency, "timezone_name": self.timezone,
                               "id": f"act_{self.account_id}"})
        if edge == "campaigns" and req.method == "GET":
            return self._campaigns(req, params)
        if edge == "insights":
            query = self._insights_query(params)
            if isinstance(query, Reply):
                return query
            if req.method == "POST":
                return self._start_job(query)
            return self._sync_insights(req, params, query)
        return Reply(400, error_body(100, f"Unsupported request {req.method} {req.path}"))

    def _campaigns(self, req: Request, params: dict[str, str]) -> Reply:
        raw = params.get("effective_status")
        allowed = frozenset(orjson.loads(raw)) if raw else None
        if allowed is not None and self.reject_deleted_filter and "DELETED" in allowed:
            return Reply(400, error_body(100, "(#100) Param effective_status[2] must be one of {ACTIVE, PAUSED, "
                                              "ARCHIVED, IN_PROCESS, WITH_ISSUES}"))
        items = [{"id": c.id, "name": c.name, "status": c.status, "effective_status": c.effective_status,
                  "objective": "OUTCOME_SALES", "daily_budget": "5000", "start_time": "2025-01-01T00:00:00+0100",
                  "created_time": "2024-12-20T10:00:00+0100", "updated_time": "2026-01-05T08:30:00+0100"}
                 for c in self.campaigns
                 if (c.effective_status in allowed if allowed is not None else c.status not in HIDDEN_BY_DEFAULT)]
        return self._paged(req, params, items)

    def _insights_query(self, params: dict[str, str]) -> _Query | Reply:
        fields = set((params.get("fields") or "").split(","))
        needed = {"campaign_id", "impressions", "clicks", "spend", "actions", "action_values"}
        if params.get("level") != "campaign" or params.get("time_increment") != "1" or not needed <= fields:
            return Reply(400, error_body(100, "(#100) level=campaign, time_increment=1 and the fields are required"))
        try:
            time_range = orjson.loads(params.get("time_range") or "")
            since, until = date.fromisoformat(time_range["since"]), date.fromisoformat(time_range["until"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return Reply(400, error_body(100, "(#100) time_range must be {'since':YYYY-MM-DD,'until':YYYY-MM-DD}"))
        allowed = frozenset(c.effective_status for c in self.campaigns if c.status not in HIDDEN_BY_DEFAULT)
        if params.get("filtering"):
            for rule in orjson.loads(params["filtering"]):
                if rule.get("field") == "campaign.effective_status" and rule.get("operator") == "IN":
                    allowed = frozenset(rule["value"])
        if self.reject_deleted_filter and "DELETED" in allowed:
            return Reply(400, error_body(100, "(#100) Filtering field campaign.effective_status with operation in "
                                              "and value DELETED is not supported"))
        return _Query(since, until, allowed)

    def _insights_query_params(self, since: date, until: date, allowed: frozenset[str], limit: int) -> dict[str, str]:
        """The parameters the meta_ads connector sends (for next links of pre-rendered pages)."""
        return {"level": "campaign", "time_increment": "1",
                "time_range": orjson.dumps({"since": since.isoformat(), "until": until.isoformat()}).decode(),
                "fields": "campaign_id,campaign_name,impressions,clicks,spend,actions,action_values,account_currency",
                "filtering": orjson.dumps([{"field": "campaign.effective_status", "operator": "IN",
                                            "value": sorted(allowed)}]).decode(),
                "limit": str(limit)}

    def _sync_insights(self, req: Request, params: dict[str, str], query: _Query) -> Reply:
        limit = int(params.get("limit") or 25)
        if self.max_limit is not None and limit > self.max_limit:
            return reduce_data()
        body = self._rendered.get((query.since, query.until, query.allowed, limit, _offset(params.get("after"))))
        if body is not None:
            return Reply(200, body, dict(_JSON))
        return self._paged(req, params, self.rows(query.since, query.until, query.allowed))

    def _start_job(self, query: _Query) -> Reply:
        with self._state:
            run_id = str(9_000_000_000 + len(self.jobs) + 1)
            fails = self.failing_jobs > 0
            self.failing_jobs -= 1 if fails else 0
            now = time.monotonic()
            job = Job(query.since, query.until, query.allowed, self.job_polls, fails, started=now,
                      seconds=self.job_seconds)
            self.jobs[run_id] = job
            self.peak_jobs = max(self.peak_jobs, sum(j.running(now) for j in self.jobs.values()))
        return Reply(200, {"report_run_id": run_id})

    def _poll(self, run_id: str, job: Job) -> Reply:
        with self._state:
            job.polls += 1
            if job.seconds is not None:
                if job.running(time.monotonic()):
                    return Reply(200, {"id": run_id, "async_status": "Job Running", "async_percent_completion": min(
                        99, int(100 * (time.monotonic() - job.started) / job.seconds))})
                job.done = True
                status, percent = ("Job Failed", 40) if job.fails else ("Job Completed", 100)
            elif job.polls_left > 0:
                job.polls_left -= 1
                done = self.job_polls - job.polls_left
                status, percent = "Job Running", int(100 * done / (self.job_polls + 1))
            else:
                job.done = True
                status, percent = ("Job Failed", 40) if job.fails else ("Job Completed", 100)
        return Reply(200, {"id": run_id, "async_status": status, "async_percent_completion": percent})

    def _paged(self, req: Request, params: dict[str, str], items: list[dict[str, Any]]) -> Reply:
        limit = int(params.get("limit") or 25)
        if self.max_limit is not None and limit > self.max_limit and "insights" in req.path:
            return reduce_data()
        return Reply(200, self._page_body(req.path, params, items, _offset(params.get("after")), limit), dict(_JSON))

    def _page_body(self, path: str, params: dict[str, str], items: list[dict[str, Any]], offset: int,
                   limit: int) -> bytes:
        page = items[offset:offset + limit]
        paging: dict[str, Any] = {"cursors": {"before": _cursor(offset), "after": _cursor(offset + len(page))}}
        if offset + limit < len(items):
            query = {k: v for k, v in params.items() if k not in ("after", "access_token")}
            query.update(limit=str(limit), after=_cursor(offset + len(page)), access_token=self.token)
            paging["next"] = f"{self.base_url}{path}?{urlencode(query)}"
        return orjson.dumps({"data": page, "paging": paging})


@dataclass(slots=True)
class Seen:
    """What a test wants to know about the requests a fake received."""

    limits: list[int] = field(default_factory=list)
    tokens_in_query: int = 0


def seen(fake: MetaFake, fragment: str = "") -> Seen:
    out = Seen()
    for req in fake.calls(fragment):
        if req.arg("limit"):
            out.limits.append(int(req.arg("limit") or 0))
        if req.arg("access_token"):
            out.tokens_in_query += 1
    return out
