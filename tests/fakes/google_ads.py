"""A loopback fake of the Google Ads API (REST) and Google's OAuth token endpoint, with ground truth.

Serves, on 127.0.0.1 only:
- `POST /token`: the refresh grant (form-encoded); checks client id/secret and the refresh token, issues
  fresh access tokens; `revoke_refresh_token()` makes it answer 400 invalid_grant.
- `GET /v{N}/customers:listAccessibleCustomers`.
- `POST /v{N}/customers/{cid}/googleAds:searchStream` for the customer, campaign and daily-stats GAQL the
  connector sends. Answers are arrays of batches; only the selected fields are returned, int64 values are
  strings, zero metrics are left out (proto3 JSON) and zero-activity (campaign, day) rows are omitted.
Every API call must carry `Authorization: Bearer <a live token>` (401 otherwise; `expire_access_tokens()`
kills the live ones) and the right `developer-token`; with `require_login_customer_id` the client customer
answers 403 PERMISSION_DENIED unless `login-customer-id` names its manager.

Data are deterministic (a hash of campaign id and date). "Today" (the last day with data) is the `today=` given
to the fake, in its account's zone Europe/Berlin; by default the clock's date there when the fake is made or
`reset()`. `restate(day)` changes the numbers of a past day, as conversions credited back to the click date do;
`expected_rows` / `totals` give the ground truth; `expected_actions` the conversions by action (the query with
`segments.conversion_action_name`: each day's conversions split over ACTIONS, adding up to the day's exactly).
Faults: `fail_next(path_fragment, reply)` from FakeApi, plus
`fail_query(gaql_fragment, reply)` for one kind of query; the reply helpers below build the platform's error shapes.
`echo_secrets(times)` makes the next API calls fail (400 INVALID_ARGUMENT) with a message that repeats the request's
`Authorization` and `developer-token` headers and the client secret, as a careless proxy or platform might.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from autosync_desktop import clock
from autosync_desktop.connectors.google_ads import API_VERSION
from tests.fakes.server import FakeApi, Reply, Request

CUSTOMER_ID = "1234567890"
MANAGER_ID = "9876543210"
CUSTOMER_NAME = "Acme Shoes"
CURRENCY = "EUR"
TIME_ZONE = "Europe/Berlin"

CLIENT_ID = "1234-fakeclient.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-fake-client-secret-9q7w"
REFRESH_TOKEN = "1//fake-refresh-token-Zr81kQ"
DEVELOPER_TOKEN = "fake-developer-token-Lm2Pz7"
CREDENTIALS = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN,
               "developer_token": DEVELOPER_TOKEN}
SECRETS = (CLIENT_SECRET, REFRESH_TOKEN, DEVELOPER_TOKEN)

SEARCH_STREAM = "googleAds:searchStream"
TOKEN_PATH = "/token"
_ADS_FAILURE = f"type.googleapis.com/google.ads.googleads.v{API_VERSION}.errors.GoogleAdsFailure"


@dataclass(frozen=True)
class FakeCampaign:
    id: str
    name: str
    status: str  # the API's enum value
    stopped_days_ago: int | None = None  # last day with activity, counted back from today


CAMPAIGNS = (
    FakeCampaign("20111001", "Brand Search", "ENABLED"),
    FakeCampaign("20111002", "Generic – Running Shoes", "ENABLED"),
    FakeCampaign("20111003", "Spring Sale", "PAUSED", stopped_days_ago=12),
    FakeCampaign("20111004", "Old Promo", "REMOVED", stopped_days_ago=35),
    FakeCampaign("20111005", "Legacy Display", "UNKNOWN", stopped_days_ago=50),
)


@dataclass(frozen=True)
class StatRow:
    campaign_id: str
    campaign_name: str
    day: date
    impressions: int
    clicks: int
    cost_micros: int
    conversion_quarters: int  # conversions = quarters / 4
    value_millis: int  # conversions value in thousandths of the currency

    @property
    def conversions(self) -> float:
        return self.conversion_quarters / 4

    @property
    def value_micros(self) -> int:
        return self.value_millis * 1000


@dataclass(frozen=True)
class FakeClient:
    """A customer in the manager's tree (customer_client rows of MANAGER_ID)."""

    id: str
    name: str
    level: int
    manager: bool = False
    hidden: bool = False
    currency: str = CURRENCY
    time_zone: str = TIME_ZONE
    status: str = "ENABLED"


SUB_MANAGER_ID = "5550001111"
# MANAGER_ID's tree: the manager itself, three clients at level 1 (one a manager, one hidden), one at level 2
TREE = (
    FakeClient(MANAGER_ID, "Acme Agency (MCC)", 0, manager=True),
    FakeClient(CUSTOMER_ID, CUSTOMER_NAME, 1),
    FakeClient(SUB_MANAGER_ID, "Acme Europe (sub-manager)", 1, manager=True),
    FakeClient("5550002222", "Old Shop", 1, hidden=True, status="CANCELED"),
    FakeClient("5550003333", "Boots Ltd", 2, currency="GBP", time_zone="Europe/London"),
)

ACTIONS = ("Purchase", "Sign-up")  # conversion action names; a day's conversions are split over them


def split_actions(row: StatRow) -> dict[str, tuple[int, int]]:
    """A row's conversions per action as (quarters, value millis); zero actions left out, as the API does."""
    signup = row.conversion_quarters // 3
    parts = {"Purchase": (row.conversion_quarters - signup, row.value_millis - signup * 1000),
             "Sign-up": (signup, signup * 1000)}
    return {name: part for name, part in parts.items() if part[0]}


@dataclass(frozen=True)
class Totals:
    rows: int
    impressions: int
    clicks: int
    cost_micros: int
    conversion_value_micros: int


@dataclass
class _QueryFault:
    fragment: str
    reply: Reply
    times: int


# --- replies for faults ------------------------------------------------------------------------------------

def ads_error(kind: str, value: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """One GoogleAdsError, e.g. ads_error("queryError", "REQUESTED_METRICS_FOR_MANAGER", "...")."""
    item: dict[str, Any] = {"errorCode": {kind: value}, "message": message}
    if details:
        item["details"] = details
    return item


def google_error(code: int, status: str, message: str, *, errors: tuple[dict[str, Any], ...] = (),
                 wrapped: bool = False, headers: dict[str, str] | None = None) -> Reply:
    """A google.rpc error body; `wrapped` puts it in an array, as searchStream may."""
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if errors:
        error["details"] = [{"@type": _ADS_FAILURE, "errors": list(errors), "requestId": "fake-req-err"}]
    body: Any = [{"error": error}] if wrapped else {"error": error}
    return Reply(code, body, headers=dict(headers or {}))


def rate_limited(retry_delay: str | None = "30s", *, retry_after: str | None = None,
                 wrapped: bool = False) -> Reply:
    details = {"quotaErrorDetails": {"rateScope": "DEVELOPER", "rateName": "Number of operations for basic "
                                     "access", **({"retryDelay": retry_delay} if retry_delay else {})}}
    return google_error(429, "RESOURCE_EXHAUSTED", "Too many requests. Retry in a while.",
                        errors=(ads_error("quotaError", "RESOURCE_EXHAUSTED", "Too many requests.", details),),
                        wrapped=wrapped, headers={"Retry-After": retry_after} if retry_after else None)


def server_error(code: int = 503, *, wrapped: bool = False) -> Reply:
    status = {500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}.get(code, "UNKNOWN")
    return google_error(code, status, "The service is currently unavailable.", wrapped=wrapped)


def slow(seconds: float) -> Reply:
    """Answer only after `seconds` (longer than the client's timeout: a timeout)."""
    return Reply(504, {"error": {"code": 504, "status": "DEADLINE_EXCEEDED", "message": "late"}}, delay_s=seconds)


def dropped() -> Reply:
    return Reply(drop=True)


def malformed() -> Reply:
    return Reply(200, '[{"results": [{"campaign": {"id": "2011')


def broken_stream() -> Reply:
    """HTTP 200, but the stream ends in an error element: a searchStream that failed part-way."""
    return Reply(200, [{"fieldMask": "campaign.id", "requestId": "fake-partial"},
                       {"error": {"code": 503, "status": "UNAVAILABLE",
                                  "message": "The service is currently unavailable."}}])


def invalid_grant() -> Reply:
    return Reply(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})


def unauthenticated(kind: str = "OAUTH_TOKEN_EXPIRED") -> Reply:
    return google_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth "
                        "2 access token, login cookie or other valid authentication credential.",
                        errors=(ads_error("authenticationError", kind, "Authentication of the request failed."),))


def permission_denied(message: str = "User doesn't have permission to access customer. Note: If you're "
                      "accessing a client customer, the manager's customer id must be set in the "
                      "'login-customer-id' header.", kind: str = "USER_PERMISSION_DENIED") -> Reply:
    return google_error(403, "PERMISSION_DENIED", "The caller does not have permission",
                        errors=(ads_error("authorizationError", kind, message),))


# --- the fake ---------------------------------------------------------------------------------------------

_SELECT = re.compile(r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<resource>\w+)(?P<rest>.*)$", re.I | re.S)
_BETWEEN = re.compile(r"segments\.date\s+BETWEEN\s+'(\d{4}-\d{2}-\d{2})'\s+AND\s+'(\d{4}-\d{2}-\d{2})'", re.I)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _u64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


class FakeGoogleAds(FakeApi):
    def __init__(self, *, require_login_customer_id: str | None = None, batch_size: int = 40,
                 api_version: str = API_VERSION, today: date | None = None) -> None:
        super().__init__()
        self._given_today = today
        self.today = today or clock.today(TIME_ZONE)  # the last day with data, in the account's zone
        self.require_login_customer_id = require_login_customer_id  # reach the client only via this manager
        self.batch_size = batch_size  # results per searchStream batch
        self.api_version = api_version
        self.refresh_revoked = False
        self.issued_tokens: list[str] = []
        self.arrivals: list[tuple[float, str]] = []  # (time.monotonic(), path) of every request
        self.unauthorized = 0  # 401s answered for a dead or missing access token
        self.echoes = 0  # API calls still to answer with an error that echoes the request's secrets
        self._live_tokens: set[str] = set()
        self._restated: dict[date, int] = {}
        self._query_faults: list[_QueryFault] = []
        self._seq = itertools.count(1)
        self._state = threading.Lock()

    # --- switches for tests ---

    def reset(self, today: date | None = None) -> None:
        """Back to a fresh state, so tests can share one server (starting and stopping one costs ~0.5 s).

        `today` as in the constructor: default the one given there, else the clock's date in Berlin now.
        """
        self.today = today or self._given_today or clock.today(TIME_ZONE)
        with self._lock:
            self.requests.clear()
            self.faults.clear()
        with self._state:
            self._live_tokens.clear()
            self._restated.clear()
            self._query_faults.clear()
            self.issued_tokens.clear()
            self.arrivals.clear()
        self.require_login_customer_id = None
        self.refresh_revoked = False
        self.unauthorized = 0
        self.echoes = 0

    def echo_secrets(self, times: int = 1) -> None:
        """The next `times` API calls (not the token endpoint) fail with an error text that quotes the secrets."""
        with self._state:
            self.echoes = times

    def expire_access_tokens(self) -> None:
        with self._state:
            self._live_tokens.clear()

    def revoke_refresh_token(self) -> None:
        self.refresh_revoked = True

    def restate(self, day: date, bump: int = 3) -> None:
        """Change a past day's numbers for every campaign active on it (conversions credited late)."""
        with self._state:
            self._restated[day] = self._restated.get(day, 0) + bump

    def fail_query(self, fragment: str, reply: Reply, times: int = 1) -> None:
        """Serve `reply` to the next `times` searchStream queries whose GAQL contains `fragment`."""
        with self._state:
            self._query_faults.append(_QueryFault(fragment, reply, times))

    def token_calls(self) -> int:
        return len(self.calls(TOKEN_PATH))

    def search_calls(self, fragment: str = "") -> list[Request]:
        return [r for r in self.calls(SEARCH_STREAM) if fragment in (r.json() or {}).get("query", "")]

    # --- ground truth ---

    def expected_rows(self, start: date, end: date) -> list[StatRow]:
        today = self.today
        rows: list[StatRow] = []
        day = start
        while day <= min(end, today):
            rows.extend(r for c in CAMPAIGNS if (r := self._row(c, day, today)) is not None)
            day += timedelta(days=1)
        return rows

    def expected_actions(self, start: date, end: date) -> dict[tuple[str, date, str], tuple[float, int]]:
        """(campaign, day, action) -> (conversions, value micros), for the rows in [start, end]."""
        return {(r.campaign_id, r.day, name): (quarters / 4, millis * 1000)
                for r in self.expected_rows(start, end) for name, (quarters, millis) in split_actions(r).items()}

    def totals(self, start: date, end: date) -> Totals:
        rows = self.expected_rows(start, end)
        return Totals(len(rows), sum(r.impressions for r in rows), sum(r.clicks for r in rows),
                      sum(r.cost_micros for r in rows), sum(r.value_micros for r in rows))

    def _row(self, campaign: FakeCampaign, day: date, today: date) -> StatRow | None:
        if campaign.stopped_days_ago is not None and day > today - timedelta(days=campaign.stopped_days_ago):
            return None
        h = _u64(f"{campaign.id}|{day.isoformat()}")
        if h % 9 == 0:
            return None  # a zero-activity day: the API leaves it out
        bump = self._restated.get(day, 0)
        impressions = 40 + h % 2500 + 10 * bump
        clicks = impressions * ((h >> 12) % 6) // 100 + bump  # 0 % .. 5 %: some days have no clicks
        cost = clicks * (150_000 + ((h >> 20) % 200) * 10_000)
        quarters = ((h >> 32) % 12 if clicks else 0) + bump
        millis = quarters * (2_000 + (h >> 40) % 9_000) + (5 if quarters else 0)  # e.g. 12.345: not float-safe
        return StatRow(campaign.id, campaign.name, day, impressions, clicks, cost, quarters, millis)

    # --- serving ---

    def _dispatch(self, req: Request) -> Reply:
        with self._state:
            self.arrivals.append((time.monotonic(), req.path))
        return super()._dispatch(req)

    def handle(self, req: Request) -> Reply:
        if req.path == TOKEN_PATH:
            return self._token(req)
        match = re.fullmatch(r"/v(\d+)/(.+)", req.path)
        if match is None or match.group(1) != self.api_version:
            return Reply(404, "<html><body>Not Found</body></html>")
        with self._state:
            echo, self.echoes = self.echoes > 0, max(0, self.echoes - 1)
        if echo:  # before the auth check: a proxy in front of Google answers whatever the credentials
            return google_error(400, "INVALID_ARGUMENT", f"Request contains an invalid argument. Received headers: "
                                f"Authorization: {req.headers.get('authorization')}; developer-token: "
                                f"{req.headers.get('developer-token')}; client_secret={CLIENT_SECRET} "
                                f"(client secret {CLIENT_SECRET}, token {req.headers.get('developer-token')})")
        denied = self._check_auth(req)
        if denied is not None:
            return denied
        route = match.group(2)
        if route == "customers:listAccessibleCustomers" and req.method == "GET":
            return Reply(200, {"resourceNames": [f"customers/{c}" for c in self._accessible()]})
        stream = re.fullmatch(r"customers/(\d+)/googleAds:searchStream", route)
        if stream is not None and req.method == "POST":
            return self._search(stream.group(1), req)
        return google_error(404, "NOT_FOUND", f"Method not found: {route}")

    def _token(self, req: Request) -> Reply:
        form = req.form()
        if req.method != "POST" or form.get("grant_type") != "refresh_token":
            return Reply(400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"})
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return Reply(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        if self.refresh_revoked or form.get("refresh_token") != REFRESH_TOKEN:
            return invalid_grant()
        token = f"ya29.fake-{next(self._seq)}-{secrets.token_hex(8)}"
        with self._state:
            self._live_tokens.add(token)
            self.issued_tokens.append(token)
        return Reply(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer",
                           "scope": "https://www.googleapis.com/auth/adwords"})

    def _check_auth(self, req: Request) -> Reply | None:
        auth = req.headers.get("authorization", "")
        with self._state:
            live = auth.startswith("Bearer ") and auth[len("Bearer "):] in self._live_tokens
            if not live:
                self.unauthorized += 1
        if not live:
            return unauthenticated()
        if req.headers.get("developer-token") != DEVELOPER_TOKEN:
            return unauthenticated("DEVELOPER_TOKEN_INVALID")
        return None

    def _accessible(self) -> list[str]:
        return [MANAGER_ID] if self.require_login_customer_id else [CUSTOMER_ID, MANAGER_ID]

    def _search(self, cid: str, req: Request) -> Reply:
        login = req.headers.get("login-customer-id")
        if cid not in (CUSTOMER_ID, MANAGER_ID) or (login is not None and login not in (MANAGER_ID, cid)):
            return permission_denied()
        if cid == CUSTOMER_ID and self.require_login_customer_id and login != self.require_login_customer_id:
            return permission_denied()
        query = str((req.json() or {}).get("query", ""))
        fault = self._query_fault(query)
        if fault is not None:
            return fault
        parsed = _SELECT.match(query)
        if parsed is None:
            return google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
                                errors=(ads_error("queryError", "UNEXPECTED_END_OF_QUERY", "Bad GAQL."),))
        fields = [f.strip() for f in parsed.group("fields").split(",")]
        rows = self._rows(cid, parsed.group("resource").lower(), parsed.group("rest"), fields)
        if isinstance(rows, Reply):
            return rows
        return Reply(200, self._batches([self._project(r, fields) for r in rows], fields))

    def _query_fault(self, query: str) -> Reply | None:
        with self._state:
            for fault in self._query_faults:
                if fault.fragment in query and fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self._query_faults.remove(fault)
                    return fault.reply
        return None

    def _rows(self, cid: str, resource: str, rest: str, fields: list[str]) -> list[dict[str, Any]] | Reply:
        manager = cid == MANAGER_ID
        customer = {"resourceName": f"customers/{cid}", "id": cid, "currencyCode": CURRENCY,
                    "timeZone": TIME_ZONE, "manager": manager,
                    "descriptiveName": "Acme Agency (MCC)" if manager else CUSTOMER_NAME}
        if resource == "customer":
            return [{"customer": customer}]
        if resource == "customer_client":  # a manager: its whole tree; any other customer: its own row
            clients = TREE if manager else (TREE[1],)
            level = 0 if manager else 1
            return [{"customerClient": {
                "resourceName": f"customers/{cid}/customerClients/{c.id}", "clientCustomer": f"customers/{c.id}",
                "id": c.id, "level": str(c.level - level), "manager": c.manager, "hidden": c.hidden,
                "descriptiveName": c.name, "currencyCode": c.currency, "timeZone": c.time_zone, "status": c.status}}
                for c in clients]
        if resource != "campaign":
            return google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
                                errors=(ads_error("queryError", "INVALID_RESOURCE_NAME", f"{resource}?"),))
        between = _BETWEEN.search(rest)
        if any(f.startswith("metrics.") for f in fields) and manager:
            return google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", errors=(
                ads_error("queryError", "REQUESTED_METRICS_FOR_MANAGER",
                          "Metrics cannot be requested for a manager account. To retrieve metrics, issue "
                          "separate requests against each client account under the manager account."),))
        if manager:
            return []
        if between is None:
            return [{"customer": customer, "campaign": self._campaign(c)} for c in CAMPAIGNS]
        start, end = (date.fromisoformat(d) for d in between.groups())
        campaigns = {c.id: c for c in CAMPAIGNS}
        if "segments.conversion_action_name" in fields:
            return [{"customer": customer, "campaign": self._campaign(campaigns[r.campaign_id]),
                     "segments": {"date": r.day.isoformat(), "conversionActionName": name},
                     "metrics": self._action_metrics(quarters, millis)}
                    for r in self.expected_rows(start, end) for name, (quarters, millis) in split_actions(r).items()]
        return [{"customer": customer, "campaign": self._campaign(campaigns[r.campaign_id]),
                 "segments": {"date": r.day.isoformat()}, "metrics": self._metrics(r)}
                for r in self.expected_rows(start, end)]

    @staticmethod
    def _action_metrics(quarters: int, millis: int) -> dict[str, Any]:
        metrics: dict[str, Any] = {"conversions": quarters / 4, "conversionsValue": float(Decimal(millis) / 1000)}
        return {k: v for k, v in metrics.items() if v not in (0, 0.0)}

    @staticmethod
    def _campaign(c: FakeCampaign) -> dict[str, Any]:
        return {"resourceName": f"customers/{CUSTOMER_ID}/campaigns/{c.id}", "id": c.id, "name": c.name,
                "status": c.status}

    @staticmethod
    def _metrics(r: StatRow) -> dict[str, Any]:
        """proto3 JSON: int64 as strings, doubles as numbers, zero values left out."""
        metrics: dict[str, Any] = {"impressions": str(r.impressions), "clicks": str(r.clicks),
                                   "costMicros": str(r.cost_micros), "conversions": r.conversions,
                                   "conversionsValue": float(Decimal(r.value_millis) / 1000)}
        return {k: v for k, v in metrics.items() if v not in ("0", 0, 0.0)}

    @staticmethod
    def _project(row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        """Only the selected fields (plus each resource's resourceName), as the API answers."""
        out: dict[str, Any] = {}
        for name in fields:
            resource, _, attr = name.partition(".")
            resource = _camel(resource)  # customer_client -> customerClient, as the JSON names it
            source = row.get(resource, {})
            key = _camel(attr)
            if key in source and source[key] not in (False, "0"):  # proto3 JSON leaves out defaults
                target = out.setdefault(resource, {})
                target[key] = source[key]
                if "resourceName" in source:
                    target.setdefault("resourceName", source["resourceName"])
        return out

    def _batches(self, results: list[dict[str, Any]], fields: list[str]) -> list[dict[str, Any]]:
        mask = ",".join(f"{r}.{_camel(a)}" for r, _, a in (f.partition(".") for f in fields))
        chunks = [results[i:i + self.batch_size] for i in range(0, len(results), self.batch_size)] or [[]]
        batches = []
        for chunk in chunks:
            batch: dict[str, Any] = {"fieldMask": mask, "requestId": f"fake-{next(self._seq)}"}
            if chunk:
                batch["results"] = chunk
            batches.append(batch)
        return batches
