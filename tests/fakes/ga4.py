"""A loopback fake of the Google Analytics 4 Data API v1beta (runReport) and Google's token endpoint.

What it checks and serves:
- POST /v1beta/properties/{id}:runReport with `Authorization: Bearer` (a token from the refresh grant at /token);
  a version it does not serve (`served_versions`) is a 404 HTML page, as Google answers for an unknown path; another
  property is 403 PERMISSION_DENIED; a token without the analytics scope is 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT;
- the request body: one date range (YYYY-MM-DD, today, yesterday, NdaysAgo), known dimensions and metrics,
  `limit`/`offset` (int64: a JSON string or number; limit <= 250,000), keepEmptyRows false;
- answers shaped like GA4's: every value a string, `metricHeaders` with types, `rows` and `rowCount` left out of an
  empty report, `metadata` (currencyCode, timeZone, and on demand samplingMetadatas, subjectToThresholding,
  dataLossFromOtherRow with an `(other)` row), and `propertyQuota` (what the request consumed, what remains)
  when `returnPropertyQuota` is true.

Data is deterministic (hashes of campaign, source/medium, day and a per-day restatement counter), per
(day, campaign, source/medium), zero-activity combinations omitted. Users are not additive: a campaign-day's
totalUsers is less than the sum over its sources. "Today" is the `today=` given to the fake, by default the
clock's date in the property's time zone. `expected()` gives exactly what a correct sync stores.
Faults: `fail_next` (base class) with the Reply builders at the bottom, `expire_access_tokens`, `revoke`.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import socket
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from autosync_desktop import clock
from tests.fakes.server import FakeApi, Reply, Request

TOKEN_PATH = "/token"
REPORT = ":runReport"
SCOPE = "https://www.googleapis.com/auth/analytics.readonly"
DIMENSIONS = {"date", "sessionCampaignId", "sessionCampaignName", "sessionSource", "sessionMedium", "country",
              "eventName"}
METRIC_TYPES = {"sessions": "TYPE_INTEGER", "totalUsers": "TYPE_INTEGER", "keyEvents": "TYPE_FLOAT",
                "totalRevenue": "TYPE_CURRENCY"}
STANDARD_QUOTA = {"tokensPerDay": 200_000, "tokensPerHour": 40_000, "concurrentRequests": 10,
                  "serverErrorsPerProjectPerHour": 10, "potentiallyThresholdedRequestsPerHour": 120,
                  "tokensPerProjectPerHour": 14_000}
_PAIRS = ((("google", "cpc"),), (("facebook", "paid_social"),), (("google", "cpc"), ("youtube.com", "video")),
          (("newsletter", "email"),))
Row = tuple[tuple[str, ...], list[str]]  # (dimension values, metric values)
_REPORT_PATH = re.compile(r"/(v\w+)/properties/(\d+):runReport")
_DAYS_AGO = re.compile(r"(\d+)daysAgo")


@dataclass(frozen=True, slots=True)
class FakeCampaign:
    id: str  # sessionCampaignId as GA4 sends it ("(not set)" for sessions without one)
    name: str
    pairs: tuple[tuple[str, str], ...]  # (sessionSource, sessionMedium)
    last_active_days_ago: int  # 0: still running

    @property
    def stored_id(self) -> str:
        """The campaign id a correct connector stores (the documented (not set) rule)."""
        if self.id != "(not set)":
            return self.id
        return "(not set)" if self.name == "(not set)" else f"name:{self.name}"


@dataclass(frozen=True, slots=True)
class Fact:
    """One (day, campaign, source/medium) of the property."""

    day: date
    campaign: FakeCampaign
    pair: tuple[str, str]
    sessions: int
    users: int
    key_events: int
    revenue_micros: int


def events_of(fact: Fact) -> list[tuple[str, int, int]]:
    """A fact's events as (eventName, key events, revenue micros): `purchase` (all the revenue), `generate_lead`
    (a third of the key events) and `page_view` (not a key event: 0, 0), so the key events add up to the fact's."""
    leads = fact.key_events // 3
    return [("generate_lead", leads, 0), ("page_view", 0, 0), ("purchase", fact.key_events - leads,
                                                                 fact.revenue_micros)]


def _u64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def money(micros: int) -> str:
    """Exact decimal text as GA4 sends currency ("1234.5", "19.99", "0")."""
    text = format(Decimal(micros) / Decimal(1_000_000), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class FakeGA4(FakeApi):
    def __init__(self, *, property_id: str = "312345678", time_zone: str = "America/Los_Angeles",
                 currency: str = "USD", campaigns: int = 40, today: date | None = None, history_days: int = 400,
                 quota_remaining: dict[str, int] | None = None, token_cost: int = 7) -> None:
        super().__init__()
        self.other_summaries: list[dict[str, Any]] = [
            {"name": "accountSummaries/70002", "account": "accounts/70002", "displayName": "Acme Labs",
             "propertySummaries": [
                 {"property": "properties/400000001", "displayName": "Labs App", "propertyType":
                  "PROPERTY_TYPE_ORDINARY", "parent": "accounts/70002"},
                 {"property": "properties/400000002", "displayName": "Labs Rollup", "propertyType":
                  "PROPERTY_TYPE_ROLLUP", "parent": "accounts/70002"}]},
            {"name": "accountSummaries/70003", "account": "accounts/70003", "displayName": "Empty account"}]
        self.property_id = property_id
        self.time_zone = time_zone
        self.currency = currency
        self.today = today or clock.today(time_zone)  # GA4 days are the property's days
        self.history_days = history_days
        self.served_versions = {"v1beta"}
        self.client_id = "1234-ga.apps.googleusercontent.com"
        self.client_secret = "GOCSPX-ga4-CLIENT-SECRET-77"
        self.refresh_token = "1//ga4-REFRESH-TOKEN-0001"
        self.scope_ok = True  # False: tokens lack the analytics scope (e.g. a Google Ads refresh token)
        self.issued_access_tokens: list[str] = []
        self.valid_tokens: set[str] = set()
        self.expired_tokens: set[str] = set()
        self.revoked = False
        self.sampled_days: set[date] = set()
        self.thresholded = False
        self.other_row = False  # add GA4's "(other)" row and set dataLossFromOtherRow
        self.row_cap: int | None = None  # answer at most this many rows a page, whatever the limit (a server cap)
        self.token_cost = token_cost
        self.quota = {name: (quota_remaining or {}).get(name, limit) for name, limit in STANDARD_QUOTA.items()}
        self.reports: list[dict[str, Any]] = []  # accepted runReport requests, parsed
        self._restated: dict[date, int] = {}
        self._state = threading.Lock()
        specials = [FakeCampaign("(not set)", "(direct)", (("(direct)", "(none)"),), 0),
                    FakeCampaign("(not set)", "(organic)", (("google", "organic"), ("bing", "organic")), 0),
                    FakeCampaign("(not set)", "(referral)", (("news.example", "referral"),), 0),
                    FakeCampaign("(not set)", "spring_sale", (("newsletter", "email"),), 0),
                    FakeCampaign("(not set)", "(not set)", (("app.example", "(not set)"),), 0)]
        self.campaigns = specials + [
            FakeCampaign(str(21_812_345_678 + 13 * i), f"Campaign {i + 1:03d}", _PAIRS[i % len(_PAIRS)],
                         20 + i % 30 if i % 5 == 4 else 0) for i in range(campaigns)]

    # --- server lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> FakeGA4:
        super().__enter__()
        assert self._server is not None
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
        """GA4 processes a recent day again: its numbers change."""
        with self._state:
            self._restated[day] = self._restated.get(day, 0) + 1

    def fact(self, campaign: FakeCampaign, pair: tuple[str, str], day: date) -> Fact | None:
        days_ago = (self.today - day).days
        if days_ago < campaign.last_active_days_ago or days_ago < 0 or days_ago > self.history_days:
            return None
        h = _u64(f"{campaign.id}|{campaign.name}|{pair}|{day.isoformat()}|{self._restated.get(day, 0)}")
        if h % 100 < 15:
            return None  # no sessions: GA4 leaves the row out
        sessions = 1 + (h >> 8) % 500
        users = max(1, sessions - (h >> 20) % (sessions // 3 + 1))
        key_events = sessions * ((h >> 30) % 10) // 100
        revenue_micros = key_events * (500 + (h >> 40) % 9000) * 10_000 if (h >> 36) % 3 else 0
        return Fact(day, campaign, pair, sessions, users, key_events, revenue_micros)

    def facts(self, start: date, end: date) -> list[Fact]:
        out = []
        day = start
        while day <= end:
            out.extend(f for c in self.campaigns for p in c.pairs if (f := self.fact(c, p, day)) is not None)
            day += timedelta(days=1)
        return out

    @staticmethod
    def day_users(facts: list[Fact]) -> int:
        """Users of one campaign-day: fewer than the sum over its sources (one user can come through two)."""
        users = [f.users for f in facts]
        return sum(users) - (min(users) // 3 if len(users) > 1 else 0)

    def expected(self, start: date, end: date) -> dict[tuple[str, str], dict[str, Any]]:
        """(stored campaign id, ISO date) -> what a correct sync stores for it."""
        grouped: dict[tuple[str, str], list[Fact]] = {}
        for f in self.facts(start, end):
            grouped.setdefault((f.campaign.stored_id, f.day.isoformat()), []).append(f)
        out = {}
        for key, facts in grouped.items():
            ordered = sorted(facts, key=lambda f: (-f.sessions, f.pair))
            out[key] = {"name": facts[0].campaign.name, "sessions": sum(f.sessions for f in facts),
                        "users": self.day_users(facts), "key_events": sum(f.key_events for f in facts),
                        "revenue_micros": sum(f.revenue_micros for f in facts),
                        "sources": "; ".join(f.pair[0] for f in ordered),
                        "mediums": "; ".join(f.pair[1] for f in ordered)}
        return out

    def secrets(self) -> list[str]:
        with self._state:
            return [self.client_secret, self.refresh_token, *self.issued_access_tokens]

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
        if req.path == "/v1beta/accountSummaries" and req.method == "GET":
            return self._summaries(req)
        match = _REPORT_PATH.fullmatch(req.path)
        if match is None or match.group(1) not in self.served_versions or req.method != "POST":
            return not_found_page(req.path)
        auth = req.headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with self._state:
            if token in self.expired_tokens or token not in self.valid_tokens or self.revoked:
                return unauthenticated()
        if not self.scope_ok:
            return scope_insufficient()
        if match.group(2) != self.property_id:
            return permission_denied()
        try:
            query = self._query(req.json())
        except (ValueError, TypeError, KeyError) as exc:
            return rpc_error(400, "INVALID_ARGUMENT", str(exc))
        return self._report(query)

    def listed_summaries(self) -> list[dict[str, Any]]:
        """The Admin API's account summaries for the user: this property under "Acme Analytics", then `other`."""
        own = {"name": "accountSummaries/70001", "account": "accounts/70001", "displayName": "Acme Analytics",
               "propertySummaries": [{"property": f"properties/{self.property_id}", "displayName": "Acme Web",
                                      "propertyType": "PROPERTY_TYPE_ORDINARY", "parent": "accounts/70001"}]}
        return [own, *self.other_summaries]

    def _summaries(self, req: Request) -> Reply:
        """One account summary per page (pageToken = offset), so paging is exercised."""
        auth = req.headers.get("authorization", "")
        with self._state:
            if auth[7:] not in self.valid_tokens or self.revoked:
                return unauthenticated()
        listed = self.listed_summaries()
        offset = int(req.arg("pageToken", "0") or 0)
        body: dict[str, Any] = {"accountSummaries": listed[offset:offset + 1]}
        if offset + 1 < len(listed):
            body["nextPageToken"] = str(offset + 1)
        return Reply(200, body)

    def _token(self, req: Request) -> Reply:
        form = req.form()
        if form.get("grant_type") != "refresh_token":
            return Reply(400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"})
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return Reply(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        with self._state:
            if self.revoked or form.get("refresh_token") != self.refresh_token:
                return invalid_grant()
            access = f"ya29.ga4-ACCESS-{len(self.issued_access_tokens) + 1:04d}"
            self.issued_access_tokens.append(access)
            self.valid_tokens.add(access)
        return Reply(200, {"access_token": access, "expires_in": 3599, "scope": SCOPE, "token_type": "Bearer"})

    # --- runReport ----------------------------------------------------------------------------------------

    def _day(self, text: Any) -> date:
        text = str(text)
        if text == "today":
            return self.today
        if text == "yesterday":
            return self.today - timedelta(days=1)
        match = _DAYS_AGO.fullmatch(text)
        if match:
            return self.today - timedelta(days=int(match.group(1)))
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"Invalid date {text!r}: use YYYY-MM-DD, NdaysAgo, yesterday or today") from None

    def _query(self, body: Any) -> dict[str, Any]:
        ranges = body["dateRanges"]
        if not isinstance(ranges, list) or len(ranges) != 1:
            raise ValueError("This fake serves exactly one dateRange")
        start, end = self._day(ranges[0]["startDate"]), self._day(ranges[0]["endDate"])
        if start > end:
            raise ValueError("startDate is after endDate")
        dimensions = [d["name"] for d in body.get("dimensions") or []]
        metrics = [m["name"] for m in body["metrics"]]
        for name in dimensions:
            if name not in DIMENSIONS:
                raise ValueError(f"Field {name} is not a valid dimension.")
        for name in metrics:
            if name not in METRIC_TYPES:
                raise ValueError(f"Field {name} is not a valid metric.")
        limit, offset = int(body.get("limit") or 10_000), int(body.get("offset") or 0)
        if not 0 < limit <= 250_000 or offset < 0:
            raise ValueError("limit must be 1..250000 and offset >= 0")
        if body.get("keepEmptyRows"):
            raise ValueError("this fake serves keepEmptyRows: false only")
        query = {"start": start, "end": end, "dimensions": dimensions, "metrics": metrics, "limit": limit,
                 "offset": offset, "quota": bool(body.get("returnPropertyQuota"))}
        with self._state:
            self.reports.append(query)
        return query

    def _report(self, query: dict[str, Any]) -> Reply:
        return Reply(200, self.report_body(query, self.report_rows(query)))

    def report_rows(self, query: dict[str, Any], facts: list[Fact] | None = None) -> list[Row]:
        """Every row of a report, in order (`facts`: the window's facts when the caller already has them)."""
        dims, metrics = query["dimensions"], query["metrics"]
        if "eventName" in dims:
            return self._event_rows(query, facts)
        groups: dict[tuple[str, ...], list[Fact]] = {}
        for f in facts if facts is not None else self.facts(query["start"], query["end"]):
            values = {"date": f.day.strftime("%Y%m%d"), "sessionCampaignId": f.campaign.id,
                      "sessionCampaignName": f.campaign.name, "sessionSource": f.pair[0],
                      "sessionMedium": f.pair[1], "country": "Germany"}
            groups.setdefault(tuple(values[d] for d in dims), []).append(f)
        rows = [(key, self._metrics(facts, dims, metrics)) for key, facts in sorted(groups.items())]
        if self.other_row and dims:
            rows.append((tuple("(other)" for _ in dims), ["3" if m in ("sessions", "totalUsers") else "0"
                                                          for m in metrics]))
        return rows

    def _event_rows(self, query: dict[str, Any], facts: list[Fact] | None) -> list[Row]:
        """Rows of a report with eventName (keyEvents and totalRevenue only): each fact split by events_of."""
        dims, metrics = query["dimensions"], query["metrics"]
        sums: dict[tuple[str, ...], list[int]] = {}
        for f in facts if facts is not None else self.facts(query["start"], query["end"]):
            for event, key_events, revenue in events_of(f):
                values = {"date": f.day.strftime("%Y%m%d"), "sessionCampaignId": f.campaign.id,
                          "sessionCampaignName": f.campaign.name, "eventName": event}
                total = sums.setdefault(tuple(values[d] for d in dims), [0, 0])
                total[0] += key_events
                total[1] += revenue
        return [(key, [{"keyEvents": str(n), "totalRevenue": money(v)}[m] for m in metrics])
                for key, (n, v) in sorted(sums.items())]

    def expected_events(self, start: date, end: date) -> dict[tuple[str, str, str], tuple[int, int]]:
        """(stored campaign id, ISO date, eventName) -> (key events, revenue micros), key events only."""
        out: dict[tuple[str, str, str], tuple[int, int]] = {}
        for f in self.facts(start, end):
            for event, key_events, revenue in events_of(f):
                if key_events or revenue:
                    key = (f.campaign.stored_id, f.day.isoformat(), event)
                    n, v = out.get(key, (0, 0))
                    out[key] = (n + key_events, v + revenue)
        return out

    def report_body(self, query: dict[str, Any], rows: list[Row]) -> dict[str, Any]:
        """The answer to `query` (its offset and limit) from all of the report's rows."""
        dims, metrics = query["dimensions"], query["metrics"]
        page = rows[query["offset"]:query["offset"] + min(query["limit"], self.row_cap or query["limit"])]
        body: dict[str, Any] = {
            "dimensionHeaders": [{"name": d} for d in dims],
            "metricHeaders": [{"name": m, "type": METRIC_TYPES[m]} for m in metrics],
            "metadata": self._metadata(query), "kind": "analyticsData#runReport"}
        if rows:
            body["rowCount"] = len(rows)
        if page:
            body["rows"] = [{"dimensionValues": [{"value": v} for v in key],
                             "metricValues": [{"value": v} for v in values]} for key, values in page]
        if query["quota"]:
            body["propertyQuota"] = self._consume()
        return body

    def _metrics(self, facts: list[Fact], dims: list[str], metrics: list[str]) -> list[str]:
        by_day: dict[tuple[date, str, str], list[Fact]] = {}
        for f in facts:
            by_day.setdefault((f.day, f.campaign.id, f.campaign.name), []).append(f)
        users = (sum(f.users for f in facts) if "sessionSource" in dims
                 else sum(self.day_users(group) for group in by_day.values()))
        values = {"sessions": str(sum(f.sessions for f in facts)), "totalUsers": str(users),
                  "keyEvents": str(sum(f.key_events for f in facts)),
                  "totalRevenue": money(sum(f.revenue_micros for f in facts))}
        return [values[m] for m in metrics]

    def _metadata(self, query: dict[str, Any]) -> dict[str, Any]:
        metadata: dict[str, Any] = {"currencyCode": self.currency, "timeZone": self.time_zone}
        if any(query["start"] <= d <= query["end"] for d in self.sampled_days):
            metadata["samplingMetadatas"] = [{"samplesReadCount": "120000", "samplingSpaceSize": "1000000"}]
        if self.thresholded:
            metadata["subjectToThresholding"] = True
        if self.other_row:
            metadata["dataLossFromOtherRow"] = True
        return metadata

    def _consume(self) -> dict[str, Any]:
        with self._state:
            out = {}
            for name in STANDARD_QUOTA:
                cost = self.token_cost if name.startswith("tokens") else 0
                self.quota[name] = max(0, self.quota[name] - cost)
                out[name] = {"consumed": cost, "remaining": self.quota[name]}
            return out


# --- fault replies (use with fail_next) -----------------------------------------------------------------------

def rpc_error(code: int, status: str, message: str, details: list[dict[str, Any]] | None = None) -> Reply:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    return Reply(code, {"error": error})


def exhausted(message: str = "Exhausted concurrent requests quota.", retry_delay: str | None = None) -> Reply:
    details = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}] if retry_delay \
        else None
    return rpc_error(429, "RESOURCE_EXHAUSTED", message, details)


def server_error(status: int = 500) -> Reply:
    if status == 503:
        return rpc_error(503, "UNAVAILABLE", "The service is currently unavailable.")
    return rpc_error(500, "INTERNAL", "Internal error encountered.")


def unauthenticated() -> Reply:
    return rpc_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 "
                                             "access token, login cookie or other valid authentication credential.")


def permission_denied() -> Reply:
    return rpc_error(403, "PERMISSION_DENIED", "User does not have sufficient permissions for this property. To "
                                               "learn more about Property ID, see https://developers.google.com/"
                                               "analytics/devguides/reporting/data/v1/property-id.")


def scope_insufficient() -> Reply:
    return rpc_error(403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.",
                     [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                       "domain": "googleapis.com"}])


def service_disabled() -> Reply:
    return rpc_error(403, "PERMISSION_DENIED", "Google Analytics Data API has not been used in project 1234 before "
                                               "or it is disabled.",
                     [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED"}])


def invalid_grant() -> Reply:
    return Reply(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})


def not_found_page(path: str) -> Reply:
    return Reply(404, f"<!DOCTYPE html><html><title>Error 404 (Not Found)!!1</title><p>The requested URL <code>"
                      f"{path}</code> was not found on this server.", headers={"Content-Type": "text/html"})


def malformed() -> Reply:
    return Reply(200, '{"dimensionHeaders": [{"name": "date"}], "rows": [{"dimensionValues": ',
                 headers={"Content-Type": "application/json"})


def dropped() -> Reply:
    return Reply(drop=True)
