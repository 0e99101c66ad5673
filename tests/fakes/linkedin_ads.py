"""A loopback fake of the LinkedIn Marketing API (Rest.li 2.0), strict where the real one is.

What it checks and serves:
- the RAW query string (or a POST tunnel's form body) is parsed as Rest.li 2.0: parentheses, colons and commas
  must be literal structure, values inside (URNs, page tokens) percent-encoded. A wrong encoding is a 400;
- `LinkedIn-Version: YYYYMM` (426 when older than `oldest_version`) and `X-Restli-Protocol-Version: 2.0.0`;
- `Authorization: Bearer` with a token issued by the refresh grant at /oauth/v2/accessToken (optionally
  rotating the refresh token), or one of `static_tokens`;
- GET /rest/adAccounts/{id}; GET /rest/adAccounts/{id}/adCampaigns?q=search (status filter honoured, pages of at
  most `max_page_size` with base64 page tokens); GET /rest/adAnalytics?q=analytics&pivot=CAMPAIGN&DAILY
  (<= 50 campaigns, <= 31 days, zero-activity days omitted, only the requested fields);
- 414 for a GET whose target exceeds `max_get_url_length`, and POST + `X-HTTP-Method-Override: GET` tunnels.

Data is deterministic (hashes of campaign id, day and a per-day restatement counter). "Today" (the last day with
data) is the `today=` given to the fake, by default the clock's date in UTC when it is made. The ground-truth helpers
(`stats`, `totals`) give exactly what a correct sync stores. Faults: `fail_next` (base class) with the Reply
builders at the bottom, `analytics_hook` for a fault on selected analytics requests, `expire_access_tokens`,
`revoke`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from autosync_desktop import clock
from tests.fakes.server import FakeApi, Reply, Request

TOKEN_PATH = "/oauth/v2/accessToken"
STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED", "COMPLETED", "CANCELED", "DRAFT", "PENDING_DELETION", "REMOVED")
_STATUS_CYCLE = ("ACTIVE", "ACTIVE", "PAUSED", "ARCHIVED", "ACTIVE", "COMPLETED", "CANCELED", "ACTIVE", "DRAFT",
                 "PENDING_DELETION", "REMOVED", "ACTIVE")
ANALYTICS_FIELDS = {"dateRange", "pivotValues", "impressions", "clicks", "costInLocalCurrency",
                    "externalWebsiteConversions", "conversionValueInLocalCurrency", "landingPageClicks",
                    "likes", "shares", "comments", "follows", "videoViews", "oneClickLeads"}
_PRIMITIVE = re.compile(r"[A-Za-z0-9._~%-]+")
_CAMPAIGN_URN = re.compile(r"urn:li:sponsoredCampaign:(\d+)")


class RestliError(ValueError):
    """The query is not valid Rest.li 2.0 (or not what the endpoint accepts): a 400."""


# --- Rest.li 2.0 parsing ------------------------------------------------------------------------------------

def parse_restli(text: str) -> Any:
    """One Rest.li 2.0 value from its URL form: List(...), (key:value,...) or a percent-encoded primitive."""
    value, end = _value(text, 0)
    if end != len(text):
        raise RestliError(f"unexpected {text[end]!r} at {end} in {text!r}")
    return value


def _value(s: str, i: int) -> tuple[Any, int]:
    if s.startswith("List(", i):
        return _list(s, i + 5)
    if s.startswith("(", i):
        return _object(s, i + 1)
    return _primitive(s, i)


def _list(s: str, i: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    if s.startswith(")", i):
        return items, i + 1
    while True:
        item, i = _value(s, i)
        items.append(item)
        i = _expect_separator(s, i)
        if s[i - 1] == ")":
            return items, i


def _object(s: str, i: int) -> tuple[dict[str, Any], int]:
    obj: dict[str, Any] = {}
    if s.startswith(")", i):
        return obj, i + 1
    while True:
        key, i = _primitive(s, i)
        if not s.startswith(":", i):
            raise RestliError(f"expected ':' after key {key!r} in {s!r}")
        obj[key], i = _value(s, i + 1)
        i = _expect_separator(s, i)
        if s[i - 1] == ")":
            return obj, i


def _expect_separator(s: str, i: int) -> int:
    if i < len(s) and s[i] in ",)":
        return i + 1
    raise RestliError(f"expected ',' or ')' at {i} in {s!r}")


def _primitive(s: str, i: int) -> tuple[str, int]:
    j = i
    while j < len(s) and s[j] not in "(),:":
        j += 1
    raw = s[i:j]
    if not _PRIMITIVE.fullmatch(raw):
        raise RestliError(f"bad or unencoded value {raw!r} at {i} in {s!r}")
    return unquote(raw), j


def parse_query(raw: str) -> dict[str, str]:
    """Top-level parameters, values still raw (each endpoint parses the ones it knows)."""
    params: dict[str, str] = {}
    for part in raw.split("&") if raw else []:
        key, sep, value = part.partition("=")
        if not sep or not key or key in params:
            raise RestliError(f"bad query parameter {part!r}")
        params[unquote(key)] = value
    return params


# --- deterministic data -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FakeCampaign:
    id: int
    name: str
    status: str
    last_active_days_ago: int | None  # None: never ran (draft); 0: still running

    @property
    def urn(self) -> str:
        return f"urn:li:sponsoredCampaign:{self.id}"


@dataclass(frozen=True, slots=True)
class FakeStat:
    campaign_id: str
    date: date
    impressions: int
    clicks: int
    cost_micros: int
    conversions: int
    conversion_value_micros: int


RULES = {9001: "Purchase", 9002: "Sign-up"}  # the account's conversion rules (GET /rest/conversions)


def split_rules(stat: FakeStat) -> list[tuple[int, int, int]]:
    """A campaign-day's conversions per rule (rule id, count, value micros); rules without any are left out."""
    signups = stat.conversions // 3
    parts = [(9001, stat.conversions - signups, stat.conversion_value_micros), (9002, signups, 0)]
    return [part for part in parts if part[1] or part[2]]


def _day(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def _u64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _money(micros: int) -> str:
    """Exact decimal text as LinkedIn sends it ("45.21", "3.141593", "0")."""
    text = format(Decimal(micros) / Decimal(1_000_000), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class FakeLinkedInAds(FakeApi):
    def __init__(self, *, account_id: int = 507404993, account_name: str = "Acme", currency: str = "USD",
                 campaigns: int = 120, today: date | None = None, history_days: int = 400,
                 max_page_size: int = 40, rotate_refresh: bool = False, max_get_url_length: int | None = None,
                 oldest_version: str = "202501", static_tokens: tuple[str, ...] = (),
                 public_client: bool = False) -> None:
        super().__init__()
        self.other_accounts: list[dict[str, Any]] = [
            {"id": 507404994, "name": "Acme EMEA", "currency": "EUR", "status": "ACTIVE", "type": "BUSINESS",
             "test": False, "reference": "urn:li:organization:1337"},
            {"id": 507404995, "name": "Acme Sandbox", "currency": "USD", "status": "DRAFT", "type": "BUSINESS",
             "test": True, "reference": "urn:li:organization:1337"}]
        self.statistics_requests: list[dict[str, Any]] = []  # q=statistics (conversions by rule), parsed
        self.account_id = account_id
        self.account_name = account_name
        self.currency = currency
        self.today = today or clock.today("UTC")  # LinkedIn reports days in UTC
        self.history_days = history_days
        self.max_page_size = max_page_size
        self.rotate_refresh = rotate_refresh
        self.max_get_url_length = max_get_url_length
        self.oldest_version = oldest_version
        self.client_id = "li-client-7781"
        self.public_client = public_client  # native PKCE app: the refresh grant carries no client_secret
        self.client_secret = "" if public_client else "li-CLIENT-SECRET-9f2c41"
        self.refresh_token = "li-REFRESH-TOKEN-0001-a7c3"
        self.issued_refresh_tokens = [self.refresh_token]
        self.issued_access_tokens: list[str] = []
        self.valid_tokens: set[str] = set(static_tokens)
        self.expired_tokens: set[str] = set()
        self.revoked = False
        self.analytics_hook: Callable[[dict[str, Any]], Reply | None] | None = None
        self.tunnelled = 0  # POST tunnel requests served
        self.too_long = 0  # 414 answers
        self.analytics_requests: list[dict[str, Any]] = []  # parsed, accepted adAnalytics queries
        self._restated: dict[date, int] = {}
        self._state = threading.Lock()
        self.campaigns = [self._campaign(i) for i in range(campaigns)]

    def _campaign(self, i: int) -> FakeCampaign:
        status = _STATUS_CYCLE[i % len(_STATUS_CYCLE)]
        last: int | None = 0
        if status == "DRAFT":
            last = None
        elif status == "PAUSED":
            last = 3 + i % 5
        elif status != "ACTIVE":
            last = 15 + i % 30  # ended campaigns keep their past stats
        return FakeCampaign(600_000_000 + i * 7, f"Campaign {i + 1:03d} {status.title()}", status, last)

    # --- server lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> FakeLinkedInAds:
        super().__enter__()
        assert self._server is not None
        # a client that gave up (timeout test) makes the late answer fail with a broken pipe: not an error here
        self._server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop at once: poke the listening socket so serve_forever sees the shutdown without its 0.5 s poll."""
        assert self._server is not None
        address = self._server.server_address[:2]
        stopper = threading.Thread(target=super().__exit__, args=exc, daemon=True)
        stopper.start()
        while stopper.is_alive():
            with contextlib.suppress(OSError):
                socket.create_connection(address, timeout=0.2).close()
            stopper.join(0.02)

    # --- ground truth -------------------------------------------------------------------------------------

    def restate(self, day: date) -> None:
        """LinkedIn restates a settling day: every campaign's numbers for it change."""
        with self._state:
            self._restated[day] = self._restated.get(day, 0) + 1

    def stat(self, campaign: FakeCampaign, day: date) -> FakeStat | None:
        days_ago = (self.today - day).days
        if campaign.last_active_days_ago is None or days_ago < campaign.last_active_days_ago:
            return None
        if days_ago < 0 or days_ago > self.history_days:
            return None
        h = _u64(f"{campaign.id}|{day.isoformat()}|{self._restated.get(day, 0)}")
        if h % 100 < 12:
            return None  # a zero-activity day: LinkedIn omits it
        impressions = 40 + (h >> 8) % 6000
        clicks = impressions * ((h >> 24) % 40) // 1000
        cost_micros = clicks * (800_000 + (h >> 32) % 9_000_000) if h % 7 else clicks * 1_230_000
        conversions = clicks // (5 + (h >> 44) % 10)
        value_micros = conversions * (20_000_000 + (h >> 50) % 80_000_000)
        return FakeStat(str(campaign.id), day, impressions, clicks, cost_micros, conversions, value_micros)

    def stats(self, start: date, end: date) -> list[FakeStat]:
        out = []
        day = start
        while day <= end:
            out.extend(s for s in (self.stat(c, day) for c in self.campaigns) if s is not None)
            day += timedelta(days=1)
        return out

    def totals(self, start: date, end: date) -> dict[str, int]:
        rows = self.stats(start, end)
        return {"rows": len(rows), "impressions": sum(r.impressions for r in rows),
                "clicks": sum(r.clicks for r in rows), "cost_micros": sum(r.cost_micros for r in rows),
                "conversion_value_micros": sum(r.conversion_value_micros for r in rows)}

    def secrets(self) -> list[str]:
        """Every secret value the connector ever held: none may end up in the data dir."""
        with self._state:
            return [s for s in (self.client_secret, *self.issued_refresh_tokens, *self.issued_access_tokens) if s]

    # --- auth switches ------------------------------------------------------------------------------------

    def expire_access_tokens(self) -> None:
        with self._state:
            self.expired_tokens |= set(self.issued_access_tokens)
            self.valid_tokens -= self.expired_tokens

    def revoke(self) -> None:
        with self._state:
            self.revoked = True

    # --- routing ------------------------------------------------------------------------------------------

    def handle(self, req: Request) -> Reply:
        if req.path == TOKEN_PATH:
            return self._token(req)
        if not req.path.startswith("/rest/"):
            return error(404, "NOT_FOUND", f"No resource at {req.path}")
        raw = self._raw_query(req)
        if isinstance(raw, Reply):
            return raw
        rejected = self._check_headers(req)
        if rejected is not None:
            return rejected
        try:
            return self._route(req.path, raw)
        except RestliError as exc:
            return error(400, "ILLEGAL_ARGUMENT", f"Invalid Rest.li request: {exc}")

    def _raw_query(self, req: Request) -> str | Reply:
        if req.method == "POST":
            if req.headers.get("x-http-method-override", "").upper() != "GET":
                return error(405, "METHOD_NOT_ALLOWED", "Only GET (or a POST tunnel) is supported here")
            if not req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                return error(400, "ILLEGAL_ARGUMENT", "A query tunnel needs Content-Type "
                                                      "application/x-www-form-urlencoded")
            with self._state:
                self.tunnelled += 1
            return req.body.decode("ascii")
        if req.method != "GET":
            return error(405, "METHOD_NOT_ALLOWED", f"{req.method} is not supported here")
        target = len(req.path) + 1 + len(req.raw_query)
        if self.max_get_url_length is not None and target > self.max_get_url_length:
            with self._state:
                self.too_long += 1
            return error(414, "URI_TOO_LONG", "Request-URI Too Long")
        return req.raw_query

    def _check_headers(self, req: Request) -> Reply | None:
        version = req.headers.get("linkedin-version", "")
        if not version:
            return error(400, "VERSION_MISSING", "A version must be present. Please specify a version by adding "
                                                 "the LinkedIn-Version header.")
        if not re.fullmatch(r"\d{6}", version) or version < self.oldest_version:
            return error(426, "NONEXISTENT_VERSION", f"Requested version {version} is not active")
        if req.headers.get("x-restli-protocol-version") != "2.0.0":
            return error(400, "ILLEGAL_ARGUMENT", "This endpoint requires X-Restli-Protocol-Version: 2.0.0")
        auth = req.headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with self._state:
            if self.revoked:
                return error(401, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the "
                                                          "user", 65601)
            if token in self.expired_tokens:
                return error(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65602)
            if token not in self.valid_tokens:
                return error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        return None

    def _route(self, path: str, raw: str) -> Reply:
        params = parse_query(raw)
        account_path = f"/rest/adAccounts/{self.account_id}"
        if path == account_path and not params:
            return Reply(200, {"id": self.account_id, "name": self.account_name, "currency": self.currency,
                               "status": "ACTIVE", "type": "BUSINESS", "test": False,
                               "reference": "urn:li:organization:1337"})
        if path == f"{account_path}/adCampaigns":
            return self._campaigns(params)
        if path == "/rest/adAnalytics":
            return self._analytics(params)
        if path == "/rest/adAccounts":
            return self._accounts(params)
        if path == "/rest/conversions":
            return self._conversions(params)
        if path.startswith("/rest/adAccounts/"):
            return error(404, "NOT_FOUND", "Ad account not found")
        return error(404, "NOT_FOUND", f"No resource at {path}")

    # --- endpoints ----------------------------------------------------------------------------------------

    def _token(self, req: Request) -> Reply:
        if req.method != "POST" or not req.headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"):
            return Reply(400, {"error": "invalid_request", "error_description": "POST a form"})
        form = req.form()
        if form.get("grant_type") != "refresh_token":
            return Reply(400, {"error": "unsupported_grant_type", "error_description": "refresh_token only"})
        secret_ok = "client_secret" not in form if self.public_client else form.get("client_secret") == \
            self.client_secret
        if form.get("client_id") != self.client_id or not secret_ok:
            return Reply(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        with self._state:
            if self.revoked or form.get("refresh_token") != self.refresh_token:
                return Reply(400, {"error": "invalid_grant", "error_description": "The provided authorization "
                                   "grant or refresh token is invalid, expired or revoked"})
            n = len(self.issued_access_tokens) + 1
            access = f"li-ACCESS-TOKEN-{n:04d}-e51b"
            self.issued_access_tokens.append(access)
            self.valid_tokens.add(access)
            if self.rotate_refresh:
                self.refresh_token = f"li-REFRESH-TOKEN-{len(self.issued_refresh_tokens) + 1:04d}-a7c3"
                self.issued_refresh_tokens.append(self.refresh_token)
            refresh = self.refresh_token
        return Reply(200, {"access_token": access, "expires_in": 5183999, "refresh_token": refresh,
                           "refresh_token_expires_in": 31535999, "scope": "r_ads,r_ads_reporting"})

    def _campaigns(self, params: dict[str, str]) -> Reply:
        if parse_restli(params.get("q", "")) != "search":
            raise RestliError("q must be search")
        search = parse_restli(params["search"]) if "search" in params else {}
        if not isinstance(search, dict) or set(search) - {"status"}:
            raise RestliError("search must be an object such as (status:(values:List(ACTIVE)))")
        wanted = set(STATUSES)
        if "status" in search:
            status = search["status"]
            if not isinstance(status, dict) or not isinstance(status.get("values"), list):
                raise RestliError("search.status must be (values:List(...))")
            if set(status["values"]) - set(STATUSES):
                raise RestliError(f"unknown status in {status['values']}")
            wanted = set(status["values"])
        size = int(parse_restli(params.get("pageSize", "100")))
        if not 1 <= size <= 1000:
            raise RestliError("pageSize must be 1..1000")
        size = min(size, self.max_page_size)
        offset = _offset(parse_restli(params["pageToken"])) if "pageToken" in params else 0
        matching = [c for c in self.campaigns if c.status in wanted]
        chunk = matching[offset:offset + size]
        body: dict[str, Any] = {"elements": [self._campaign_json(c) for c in chunk], "metadata": {}}
        if offset + size < len(matching):
            body["metadata"]["nextPageToken"] = base64.b64encode(f"next={offset + size}".encode()).decode()
        return Reply(200, body)

    def listed_accounts(self) -> list[dict[str, Any]]:
        """What GET /rest/adAccounts?q=search lists for the token: this account and `other_accounts`."""
        own = {"id": self.account_id, "name": self.account_name, "currency": self.currency, "status": "ACTIVE",
               "type": "BUSINESS", "test": False, "reference": "urn:li:organization:1337"}
        return [own, *self.other_accounts]

    def _accounts(self, params: dict[str, str]) -> Reply:
        """Ad accounts search, paged with pageToken like the campaigns (pageSize capped at max_page_size)."""
        if parse_restli(params.get("q", "")) != "search":
            raise RestliError("q must be search")
        size = min(int(parse_restli(params.get("pageSize", "100"))), 2)  # small pages, so paging is exercised
        offset = _offset(parse_restli(params["pageToken"])) if "pageToken" in params else 0
        listed = self.listed_accounts()
        body: dict[str, Any] = {"elements": listed[offset:offset + size], "metadata": {}}
        if offset + size < len(listed):
            body["metadata"]["nextPageToken"] = base64.b64encode(f"next={offset + size}".encode()).decode()
        return Reply(200, body)

    def _campaign_json(self, c: FakeCampaign) -> dict[str, Any]:
        return {"id": c.id, "name": c.name, "status": c.status,
                "account": f"urn:li:sponsoredAccount:{self.account_id}",
                "campaignGroup": "urn:li:sponsoredCampaignGroup:7",
                "dailyBudget": {"amount": "50", "currencyCode": self.currency},
                "runSchedule": {"start": 1735689600000},
                "changeAuditStamps": {"created": {"time": 1735600000000},
                                      "lastModified": {"time": 1736000000000 + c.id % 1000 * 1000}}}

    def _analytics(self, params: dict[str, str]) -> Reply:
        if parse_restli(params.get("q", "")) == "statistics":
            return self._statistics(params)
        query = self._analytics_query(params)
        hook = self.analytics_hook
        reply = hook(query) if hook is not None else None
        if reply is not None:
            return reply
        with self._state:
            self.analytics_requests.append(query)
        wanted = set(query["campaigns"])
        elements = []
        day = query["start"]
        while day <= query["end"]:
            for c in self.campaigns:
                stat = self.stat(c, day) if c.id in wanted else None
                if stat is not None:
                    elements.append(_element(c, stat, query["fields"]))
            day += timedelta(days=1)
        return Reply(200, {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})

    def _statistics(self, params: dict[str, str]) -> Reply:
        """The Statistics finder with pivots CAMPAIGN and CONVERSION: each campaign-day split over RULES."""
        if parse_restli(params.get("pivots", "")) != ["CAMPAIGN", "CONVERSION"]:
            raise RestliError("pivots must be List(CAMPAIGN,CONVERSION) here")
        query = self._analytics_query({**params, "q": "analytics", "pivot": "CAMPAIGN"}
                                      if "pivot" not in params else params, extra=("pivots",))
        with self._state:
            self.statistics_requests.append(query)
        wanted = set(query["campaigns"])
        elements = []
        day = query["start"]
        while day <= query["end"]:
            for c in self.campaigns:
                stat = self.stat(c, day) if c.id in wanted else None
                for rule, count, value in split_rules(stat) if stat is not None else ():
                    full = {"dateRange": {"start": _day(day), "end": _day(day)},
                            "pivotValues": [c.urn, f"urn:lla:llaPartnerConversion:{rule}"],
                            "externalWebsiteConversions": count, "conversionValueInLocalCurrency": _money(value)}
                    elements.append({k: v for k, v in full.items() if k in query["fields"]})
            day += timedelta(days=1)
        return Reply(200, {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})

    def expected_actions(self, start: date, end: date) -> dict[tuple[str, date, str], tuple[float, int]]:
        """(campaign id, day, rule name) -> (conversions, value micros) as a correct sync stores them."""
        return {(s.campaign_id, s.date, RULES[rule]): (float(count), value) for s in self.stats(start, end)
                for rule, count, value in split_rules(s)}

    def _conversions(self, params: dict[str, str]) -> Reply:
        if parse_restli(params.get("q", "")) != "account":
            raise RestliError("q must be account")
        if parse_restli(params.get("account", "")) != f"urn:li:sponsoredAccount:{self.account_id}":
            return error(403, "ACCESS_DENIED", "Not enough permissions to access conversions")
        return Reply(200, {"paging": {"start": 0, "count": 10, "links": []}, "elements": [
            {"id": rule, "name": name, "account": f"urn:li:sponsoredAccount:{self.account_id}", "enabled": True}
            for rule, name in RULES.items()]})

    def _analytics_query(self, params: dict[str, str], extra: tuple[str, ...] = ()) -> dict[str, Any]:
        expected = {"q": "analytics", "pivot": "CAMPAIGN", "timeGranularity": "DAILY"}
        for key, value in expected.items():
            if key not in params or parse_restli(params[key]) != value:
                raise RestliError(f"{key} must be {value}")
        unknown = set(params) - {*expected, "dateRange", "campaigns", "fields", *extra}
        if unknown:
            raise RestliError(f"unsupported parameter(s) {sorted(unknown)}")
        start, end = _date_range(parse_restli(params.get("dateRange", "")))
        if (end - start).days + 1 > 31:
            raise RestliError("dateRange is longer than 31 days; DAILY analytics do not paginate")
        campaigns = parse_restli(params.get("campaigns", ""))
        if not isinstance(campaigns, list) or not campaigns:
            raise RestliError("campaigns must be List(<sponsoredCampaign URNs>)")
        if len(campaigns) > 50:
            raise RestliError(f"at most 50 campaigns per request (got {len(campaigns)})")
        ids = []
        for urn in campaigns:
            match = _CAMPAIGN_URN.fullmatch(str(urn))
            if match is None:
                raise RestliError(f"not a sponsoredCampaign URN: {urn!r}")
            ids.append(int(match.group(1)))
        return {"start": start, "end": end, "campaigns": ids, "fields": _fields(params.get("fields", ""))}


# --- helpers --------------------------------------------------------------------------------------------------

def _offset(token: Any) -> int:
    try:
        text = base64.b64decode(str(token), validate=True).decode()
        key, _, value = text.partition("=")
        if key != "next":
            raise ValueError
        return int(value)
    except ValueError:
        raise RestliError(f"invalid pageToken {token!r}") from None


def _date_range(value: Any) -> tuple[date, date]:
    if not isinstance(value, dict) or set(value) != {"start", "end"}:
        raise RestliError("dateRange must be (start:(year:Y,month:M,day:D),end:(...))")
    try:
        days = [date(int(value[k]["year"]), int(value[k]["month"]), int(value[k]["day"])) for k in ("start", "end")]
    except (KeyError, TypeError, ValueError):
        raise RestliError(f"bad dateRange {value!r}") from None
    if days[0] > days[1]:
        raise RestliError("dateRange start is after its end")
    return days[0], days[1]


def _fields(raw: str) -> list[str]:
    if not raw or "%2C" in raw.upper():
        raise RestliError("fields must be a literal comma-separated list")
    fields = raw.split(",")
    if len(fields) > 20 or set(fields) - ANALYTICS_FIELDS:
        raise RestliError(f"bad fields {fields} (at most 20 known fields)")
    return fields


def _element(c: FakeCampaign, s: FakeStat, fields: list[str]) -> dict[str, Any]:
    day = {"year": s.date.year, "month": s.date.month, "day": s.date.day}
    full = {"dateRange": {"start": day, "end": day}, "pivotValues": [c.urn], "impressions": s.impressions,
            "clicks": s.clicks, "costInLocalCurrency": _money(s.cost_micros),
            "externalWebsiteConversions": s.conversions,
            "conversionValueInLocalCurrency": _money(s.conversion_value_micros)}
    return {k: v for k, v in full.items() if k in fields}


# --- fault replies (use with fail_next) -----------------------------------------------------------------------

def error(status: int, code: str, message: str, service_code: int | None = None) -> Reply:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if service_code is not None:
        body["serviceErrorCode"] = service_code
    return Reply(status, body)


def throttled(daily: bool = False) -> Reply:
    text = ("Resource level throttle APPLICATION DAY limit for calls to this resource is reached." if daily
            else "Resource level throttle limit for calls to this resource is reached.")
    return Reply(429, {"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS", "message": text})


def server_error(status: int = 500) -> Reply:
    return error(status, "INTERNAL_SERVER_ERROR" if status == 500 else "SERVICE_UNAVAILABLE", "Internal error")


def expired_token() -> Reply:
    return error(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65602)


def revoked_token() -> Reply:
    return error(401, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the user", 65601)


def invalid_grant() -> Reply:
    return Reply(400, {"error": "invalid_grant",
                       "error_description": "The provided authorization grant or refresh token is invalid, "
                                            "expired or revoked"})


def forbidden() -> Reply:
    return error(403, "ACCESS_DENIED", "Not enough permissions to access: adAnalytics.FINDER-analytics", 100)


def malformed() -> Reply:
    return Reply(200, '{"elements": [{"dateRange": ', headers={"Content-Type": "application/json"})


def slow(delay_s: float) -> Reply:
    return Reply(200, {"elements": []}, delay_s=delay_s)


def dropped() -> Reply:
    return Reply(drop=True)
