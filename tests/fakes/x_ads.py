"""A loopback fake of the X Ads API v12 and X's OAuth 1.0a PIN sign-in, strict where the real ones are.

What it checks and serves:
- every request's OAuth 1.0a HMAC-SHA1 signature, recomputed with oauthlib's signature functions from the request
  as received (method, URL, query, header parameters), a timestamp within 5 minutes and a nonce never seen;
  a bad one is 401, like X's;
- POST /oauth/request_token (oauth_callback=oob) → request token; `pin_for(token)` is what the user reads after
  authorizing; POST /oauth/access_token with oauth_verifier=<PIN> → the user's access token and secret;
- GET /12/accounts/:id (name, IANA timezone); /12/accounts/:id/campaigns (count, with_deleted, cursor);
- GET /12/stats/accounts/:id/active_entities and /12/stats/accounts/:id (≤ 20 ids, ≤ 7 days, DAY granularity,
  start_time/end_time at the account's midnight with today's offset, one placement, metric arrays of integers,
  `null` for an entity without activity on that placement); metric_groups is ENGAGEMENT,BILLING or WEB_CONVERSION
  alone (anything else is a 400). WEB_CONVERSION serves conversion_purchases, _sign_ups, _site_visits, _downloads
  and _custom as objects of day arrays (post_engagement, post_view, assisted, metric, order_quantity,
  sale_amount in micros): a whole metric is `null` for a campaign without the pixel or without data in the
  requested days, an element is `null` on a day without data, `conversion_downloads` always has null arrays and
  `conversion_site_visits` no sale_amount;
- x-rate-limit-limit/-remaining/-reset on every answer, and x-account-rate-limit-* on stats answers.

Data is deterministic (hashes of campaign, day, placement and a per-day restatement counter); "today" is `today=`,
by default the clock's date in the account's zone. `stats`/`totals` are the ground truth (placements summed,
zero-activity days left out); `actions`/`blended` the conversions' (the README's rule for X, computed here from the
served numbers on their own). Faults: `fail_next` with the Reply builders at the bottom, `revoke`, `retired`,
`exhaust` (no calls left until a reset).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from oauthlib.oauth1.rfc5849 import signature, utils

from autosync_desktop import clock
from tests.fakes.server import FakeApi, Reply, Request

REQUEST_TOKEN_PATH = "/oauth/request_token"
ACCESS_TOKEN_PATH = "/oauth/access_token"
PLACEMENTS = ("ALL_ON_TWITTER", "PUBLISHER_NETWORK")
METRIC_GROUPS = ("ENGAGEMENT,BILLING", "WEB_CONVERSION")
# X's web conversion metrics and the action names AutoSync stores them under (README, Conversions by action)
CONVERSION_METRICS = {"conversion_purchases": "purchase", "conversion_sign_ups": "sign_up",
                      "conversion_site_visits": "site_visit", "conversion_downloads": "download",
                      "conversion_custom": "custom"}
_STATUSES = (("ACTIVE", False), ("ACTIVE", False), ("PAUSED", False), ("ACTIVE", True), ("DRAFT", False),
             ("ACTIVE", False), ("PAUSED", True))


@dataclass(frozen=True, slots=True)
class FakeCampaign:
    id: str
    name: str
    entity_status: str
    deleted: bool
    placements: tuple[str, ...]
    last_active_days_ago: int | None  # None: never ran
    pixel: bool = True  # False: X sends null for every web conversion metric


@dataclass(frozen=True, slots=True)
class Converted:
    """One web conversion metric of one placement and day: post_engagement, post_view, assisted, sale_amount."""

    post_engagement: int
    post_view: int
    assisted: int
    sale_amount: int | None  # None: the metric has no sale_amount array


@dataclass(frozen=True, slots=True)
class FakeStat:
    campaign_id: str
    date: date
    impressions: int
    clicks: int
    charge_micros: int


def _u64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


@dataclass(frozen=True, slots=True)
class _Secrets:
    """What oauthlib's signing function reads of a client: the two secrets."""

    client_secret: str
    resource_owner_secret: str


def errors(status: int, code: str | int, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"errors": [{"code": code, "message": message}], "request": {"params": {}}},
                 headers=headers or {})


class FakeXAds(FakeApi):
    def __init__(self, *, account_id: str = "18ce54d4x5t", name: str = "Acme X", currency: str = "USD",
                 timezone: str = "America/New_York", campaigns: int = 45, today: date | None = None,
                 history_days: int = 200, page_size: int = 20) -> None:
        super().__init__()
        self.other_accounts: list[dict[str, Any]] = [
            {"id": "18ce54d4x5u", "name": "Acme X Japan", "timezone": "Asia/Tokyo", "approval_status": "ACCEPTED",
             "business_id": "biz-7", "business_name": "Acme Inc", "deleted": False},
            {"id": "18ce54d4x5v", "name": "Acme X Review", "timezone": "America/New_York",
             "approval_status": "UNDER_REVIEW", "deleted": False},
            {"id": "18ce54d4x5w", "name": "Old X", "timezone": "UTC", "approval_status": "ACCEPTED",
             "deleted": True}]
        self.account_id = account_id
        self.name = name
        self.currency = currency
        self.timezone = timezone
        self.today = today or clock.today(timezone)
        self.history_days = history_days
        self.page_size = page_size  # campaigns per page, whatever `count` asks
        self.consumer_key = "xck-CONSUMER-KEY-41aa"
        self.consumer_secret = "xcs-CONSUMER-SECRET-77f0e2"
        self.access_token = "1234567890-XACCESS-TOKEN-0001"
        self.access_token_secret = "xats-ACCESS-SECRET-0001-9d"
        self.tokens: dict[str, str] = {self.access_token: self.access_token_secret}  # valid access tokens
        self.request_tokens: dict[str, str] = {}
        self.issued: list[str] = [self.access_token, self.access_token_secret]
        self.nonces: set[str] = set()
        self.revoked = False
        self.retired = False
        self.remaining = 250
        self.exhausted_until: float | None = None  # epoch seconds: the account-level window is empty until then
        self.stats_requests: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self._restated: dict[date, int] = {}
        self._state = threading.Lock()
        self.campaigns = [self._campaign(i) for i in range(campaigns)]

    def _campaign(self, i: int) -> FakeCampaign:
        status, deleted = _STATUSES[i % len(_STATUSES)]
        placements = PLACEMENTS if i % 3 == 0 else PLACEMENTS[:1]
        last = None if status == "DRAFT" else (0 if status == "ACTIVE" and not deleted else 10 + i % 20)
        return FakeCampaign(_b36(500_000 + i * 977), f"X {i + 1:02d} {status.title()}", status, deleted, placements,
                            last, pixel=i % 4 != 1)

    # --- ground truth -------------------------------------------------------------------------------------

    def restate(self, day: date) -> None:
        with self._state:
            self._restated[day] = self._restated.get(day, 0) + 1

    def placement_stat(self, c: FakeCampaign, day: date, placement: str) -> tuple[int, int, int]:
        """(impressions, clicks, billed_charge_local_micro) of one placement; zeros on a quiet day."""
        days_ago = (self.today - day).days
        if placement not in c.placements or c.last_active_days_ago is None or not (
                c.last_active_days_ago <= days_ago <= self.history_days):
            return 0, 0, 0
        h = _u64(f"{c.id}|{day}|{placement}|{self._restated.get(day, 0)}")
        if h % 100 < 20:
            return 0, 0, 0
        impressions = 50 + (h >> 8) % 9000
        clicks = impressions * ((h >> 24) % 25) // 1000
        return impressions, clicks, impressions * (2000 + (h >> 32) % 30000)

    def stat(self, c: FakeCampaign, day: date) -> FakeStat | None:
        parts = [self.placement_stat(c, day, p) for p in PLACEMENTS]
        total = tuple(sum(values) for values in zip(*parts, strict=True))
        return FakeStat(c.id, day, *total) if any(total) else None

    def placement_conversions(self, c: FakeCampaign, day: date, placement: str) -> dict[str, Converted] | None:
        """The web conversion metrics of one placement and day; None: X has no data for it (null elements).

        Only days with delivery in that placement convert; about 1 in 10 has no data and 1 in 10 only zeros."""
        if not c.pixel or not self.placement_stat(c, day, placement)[0]:
            return None
        h = _u64(f"conv|{c.id}|{day}|{placement}|{self._restated.get(day, 0)}")
        if h % 10 == 0:
            return None
        if h % 10 == 1:
            return {name: Converted(0, 0, 0, None if name == "conversion_site_visits" else 0)
                    for name in CONVERSION_METRICS if name != "conversion_downloads"}
        buys, viewed = (h >> 4) % 3, (h >> 8) % 2
        custom = (h >> 38) % 3 if (h >> 40) % 3 == 0 else 0
        return {
            "conversion_purchases": Converted(buys, viewed, (h >> 12) % 4,
                                              (buys + viewed) * (5_000_000 + (h >> 16) % 95_000_001)),
            "conversion_sign_ups": Converted((h >> 24) % 2, (h >> 26) % 2, (h >> 27) % 2, 0),
            "conversion_site_visits": Converted((h >> 28) % 20, (h >> 33) % 10, (h >> 42) % 5, None),
            "conversion_custom": Converted(custom, 0, 0, custom * 1_250_000)}

    def conversion_day(self, c: FakeCampaign, day: date) -> tuple[bool, dict[str, tuple[int, int | None]]]:
        """(X sent a number that day, action -> (count, value micros)): post_engagement + post_view and
        sale_amount, placements summed; assisted is not counted."""
        parts = [p for p in (self.placement_conversions(c, day, pl) for pl in PLACEMENTS) if p is not None]
        out: dict[str, tuple[int, int | None]] = {}
        for part in parts:
            for name, m in part.items():
                count, value = out.get(CONVERSION_METRICS[name], (0, None))
                value = value if m.sale_amount is None else (value or 0) + m.sale_amount
                out[CONVERSION_METRICS[name]] = (count + m.post_engagement + m.post_view, value)
        return bool(parts), out

    def actions(self, start: date, end: date) -> dict[tuple[str, str, str], tuple[float, int | None]]:
        """(campaign, day, action) -> (count, value micros) of every action with a count or a value."""
        out = {}
        for s in self.stats(start, end):
            _sent, per = self.conversion_day(self._by_id(s.campaign_id), s.date)
            out.update({(s.campaign_id, s.date.isoformat(), action): (float(n), v)
                        for action, (n, v) in per.items() if n or v})
        return out

    def blended(self, start: date, end: date) -> dict[tuple[str, str], tuple[float | None, int | None]]:
        """(campaign, day) -> (conversions, value micros) of every day with stats: the actions' sums, or
        (None, None) when X sent no web conversion number that day."""
        out: dict[tuple[str, str], tuple[float | None, int | None]] = {}
        for s in self.stats(start, end):
            sent, per = self.conversion_day(self._by_id(s.campaign_id), s.date)
            values = [v for _n, v in per.values() if v is not None]
            out[(s.campaign_id, s.date.isoformat())] = (
                (float(sum(n for n, _v in per.values())), sum(values) if values else None) if sent else (None, None))
        return out

    def _by_id(self, campaign_id: str) -> FakeCampaign:
        return next(c for c in self.campaigns if c.id == campaign_id)

    def stats(self, start: date, end: date) -> list[FakeStat]:
        out: list[FakeStat] = []
        day = start
        while day <= end:
            out.extend(s for s in (self.stat(c, day) for c in self.campaigns) if s is not None)
            day += timedelta(days=1)
        return out

    def totals(self, start: date, end: date) -> dict[str, int]:
        rows = self.stats(start, end)
        return {"rows": len(rows), "impressions": sum(r.impressions for r in rows),
                "clicks": sum(r.clicks for r in rows), "charge_micros": sum(r.charge_micros for r in rows)}

    def secrets(self) -> list[str]:
        with self._state:
            return [self.consumer_secret, *self.issued, *self.request_tokens.values()]

    def revoke(self) -> None:
        with self._state:
            self.revoked = True

    def exhaust(self, seconds: int) -> None:
        """The account-level window is used up: the next answer says 0 remaining, resetting in `seconds`."""
        with self._state:
            self.exhausted_until = int(clock.now().timestamp()) + seconds

    def pin_for(self, request_token: str) -> str:
        return str(1_000_000 + _u64(request_token) % 9_000_000)

    # --- signatures ---------------------------------------------------------------------------------------

    def _verify(self, req: Request, token_secret: str | None) -> dict[str, str] | Reply:
        header = req.headers.get("authorization", "")
        if not header.startswith("OAuth "):
            return errors(400, 215, "Bad Authentication data.")
        params = {k: utils.unescape(v) for k, v in utils.parse_authorization_header(header)}
        body = req.body.decode() if "x-www-form-urlencoded" in req.headers.get("content-type", "") else ""
        collected = signature.collect_parameters(uri_query=req.raw_query, body=body,
                                                 headers={"Authorization": header})
        base = signature.signature_base_string(req.method, signature.base_string_uri(self.base_url + req.path),
                                               signature.normalize_parameters(collected))
        secret = self.tokens.get(params.get("oauth_token", ""), "") if token_secret is None else token_secret
        expected = signature.sign_hmac_sha1_with_client(base, _Secrets(self.consumer_secret, secret))
        stamp = int(params.get("oauth_timestamp", "0") or 0)
        with self._state:
            fresh = abs(stamp - clock.now().timestamp()) < 300 and params.get("oauth_nonce") not in self.nonces
            self.nonces.add(params.get("oauth_nonce", ""))
            ok = (params.get("oauth_consumer_key") == self.consumer_key and fresh and
                  params.get("oauth_signature_method") == "HMAC-SHA1" and
                  hmac.compare_digest(expected, params.get("oauth_signature", "")))
            if not ok:
                self.bad_signatures += 1
        return params if ok else errors(401, 32, "Could not authenticate you.")

    # --- routing ------------------------------------------------------------------------------------------

    def handle(self, req: Request) -> Reply:
        if req.path == REQUEST_TOKEN_PATH:
            return self._request_token(req)
        if req.path == ACCESS_TOKEN_PATH:
            return self._access_token(req)
        if self.retired:
            return errors(410, "VERSION_NOT_SUPPORTED", "This version of the Ads API is no longer supported")
        checked = self._verify(req, None)
        if isinstance(checked, Reply):
            return checked
        if self.revoked or checked.get("oauth_token") not in self.tokens:
            return errors(401, "UNAUTHORIZED_ACCESS", "This request is not properly authenticated")
        reply = self._route(req)
        with self._state:
            self.remaining = max(0, self.remaining - 1)
            reset = int(clock.now().timestamp()) + 900
            reply.headers.update({"x-rate-limit-limit": "250", "x-rate-limit-remaining": str(self.remaining),
                                  "x-rate-limit-reset": str(reset)})
            if "/stats/" in req.path:
                empty = self.exhausted_until is not None and clock.now().timestamp() < self.exhausted_until
                reply.headers.update({"x-account-rate-limit-limit": "250",
                                      "x-account-rate-limit-remaining": "0" if empty else "200",
                                      "x-account-rate-limit-reset": str(self.exhausted_until if empty else reset)})
        return reply

    def _route(self, req: Request) -> Reply:
        account = f"/12/accounts/{self.account_id}"
        if req.path == account:
            return Reply(200, {"data": {"id": self.account_id, "name": self.name, "timezone": self.timezone,
                                        "timezone_switch_at": "2020-01-01T05:00:00Z", "approval_status": "ACCEPTED",
                                        "deleted": False}, "request": {"params": {"account_id": self.account_id}}})
        if req.path == account + "/campaigns":
            return self._campaigns(req)
        if req.path == "/12/accounts":
            return self._accounts(req)
        if req.path == f"/12/stats/accounts/{self.account_id}/active_entities":
            return self._active(req)
        if req.path == f"/12/stats/accounts/{self.account_id}":
            return self._stats(req)
        if req.path.startswith(("/12/accounts/", "/12/stats/accounts/")):
            return errors(404, "NOT_FOUND", "Account not found")
        return Reply(404, "<html><body>Sorry, that page does not exist</body></html>")

    def _request_token(self, req: Request) -> Reply:
        checked = self._verify(req, "")
        if isinstance(checked, Reply):
            return checked
        if checked.get("oauth_callback") != "oob":
            return errors(401, 417, "Desktop applications only support the oauth_callback value 'oob'")
        with self._state:
            token = f"req-{len(self.request_tokens) + 1:03d}-{_b36(_u64(str(len(self.nonces))))}"
            self.request_tokens[token] = f"reqsecret-{token}-5e"
        return Reply(200, f"oauth_token={token}&oauth_token_secret={self.request_tokens[token]}"
                          "&oauth_callback_confirmed=true")

    def _access_token(self, req: Request) -> Reply:
        header = {k: utils.unescape(v) for k, v in utils.parse_authorization_header(
            req.headers.get("authorization", "") or 'OAuth x=""')}
        request_token = header.get("oauth_token", "")
        if request_token not in self.request_tokens:
            return errors(401, 89, "Invalid request token.")
        checked = self._verify(req, self.request_tokens[request_token])
        if isinstance(checked, Reply):
            return checked
        if checked.get("oauth_verifier") != self.pin_for(request_token):
            return errors(401, 32, "Invalid oauth_verifier parameter")
        with self._state:
            del self.request_tokens[request_token]  # a request token works once
            n = len(self.tokens) + 1
            token, secret = f"1234567890-XACCESS-TOKEN-{n:04d}", f"xats-ACCESS-SECRET-{n:04d}-9d"
            self.tokens[token] = secret
            self.issued += [token, secret]
            self.revoked = False
        return Reply(200, f"oauth_token={token}&oauth_token_secret={secret}&user_id=1234567890&screen_name=acme")

    def listed_accounts(self) -> list[dict[str, Any]]:
        """GET /12/accounts: the ad accounts the user's tokens reach (this one, then `other_accounts`)."""
        own = {"id": self.account_id, "name": self.name, "timezone": self.timezone, "approval_status": "ACCEPTED",
               "business_id": "biz-7", "business_name": "Acme Inc", "deleted": False}
        return [own, *self.other_accounts]

    def _accounts(self, req: Request) -> Reply:
        """One account per page when asked for 1, else all (cursor = offset), deleted ones only with_deleted."""
        visible = [a for a in self.listed_accounts() if req.arg("with_deleted") == "true" or not a["deleted"]]
        size = min(int(req.arg("count", "200") or 200), 2)  # pages of two, so the cursor is followed
        offset = int(req.arg("cursor", "0") or 0)
        cursor = str(offset + size) if offset + size < len(visible) else None
        return Reply(200, {"data": visible[offset:offset + size], "next_cursor": cursor, "request": {"params": {}}})

    def _campaigns(self, req: Request) -> Reply:
        count = int(req.arg("count", "200") or 200)
        if not 1 <= count <= 1000:
            return errors(400, "INVALID_PARAMETER", "count must be 1..1000")
        visible = [c for c in self.campaigns if (req.arg("with_deleted") == "true" or not c.deleted)
                   and (req.arg("with_draft") == "true" or c.entity_status != "DRAFT")]
        offset = int(req.arg("cursor", "0") or 0)
        size = min(count, self.page_size)
        chunk = visible[offset:offset + size]
        cursor = str(offset + size) if offset + size < len(visible) else None
        data = [{"id": c.id, "name": c.name, "entity_status": c.entity_status, "deleted": c.deleted,
                 "currency": self.currency, "servable": not c.deleted, "funding_instrument_id": "lygyi",
                 "daily_budget_amount_local_micro": 10_000_000, "updated_at": "2026-06-03T21:38:07Z"} for c in chunk]
        return Reply(200, {"data": data, "next_cursor": cursor, "request": {"params": {}}})

    def _days(self, req: Request, max_days: int) -> tuple[date, int] | Reply:
        try:
            start = datetime.strptime(req.arg("start_time") or "", "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            end = datetime.strptime(req.arg("end_time") or "", "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return errors(400, "INVALID_PARAMETER", "Expected time for start_time and end_time")
        offset = clock.now().astimezone(ZoneInfo(self.timezone)).utcoffset() or timedelta(0)
        local_start, local_end = start + offset, end + offset
        if local_start.time() != datetime.min.time() or local_end.time() != datetime.min.time():
            return errors(400, "INVALID_TIME_WINDOW", "start_time and end_time must be at midnight in the "
                                                      "account's time zone for DAY granularity")
        days = (local_end - local_start).days
        if not 1 <= days <= max_days:
            return errors(400, "INVALID_TIME_WINDOW", f"The time window must be 1..{max_days} days")
        return local_start.date(), days

    def _active(self, req: Request) -> Reply:
        span = self._days(req, 90)
        if isinstance(span, Reply):
            return span
        first, days = span
        out = []
        for c in self.campaigns:
            placements = [p for p in PLACEMENTS if any(self.placement_stat(c, first + timedelta(days=i), p)[0]
                                                       for i in range(days))]
            if placements:
                out.append({"entity_id": c.id, "activity_start_time": req.arg("start_time"),
                            "activity_end_time": req.arg("end_time"), "placements": placements})
        return Reply(200, {"data": out, "request": {"params": {}}})

    def _stats(self, req: Request) -> Reply:
        ids = (req.arg("entity_ids") or "").split(",")
        placement = req.arg("placement")
        expected = {"entity": "CAMPAIGN", "granularity": "DAY"}
        groups = req.arg("metric_groups")
        if any(req.arg(k) != v for k, v in expected.items()) or placement not in PLACEMENTS or (
                groups not in METRIC_GROUPS):
            return errors(400, "INVALID_PARAMETER", f"Unsupported parameters {req.query}")
        if not ids or len(ids) > 20:
            return errors(400, "INVALID_PARAMETER", "entity_ids: between 1 and 20 ids")
        span = self._days(req, 7)
        if isinstance(span, Reply):
            return span
        first, days = span
        by_id = {c.id: c for c in self.campaigns}
        with self._state:
            self.stats_requests.append({"first": first, "days": days, "placement": placement, "ids": ids,
                                        "metric_groups": groups})
        if groups == "WEB_CONVERSION":
            return self._web_conversions(ids, first, days, placement)
        data = []
        for entity_id in ids:
            c = by_id.get(entity_id)
            series = [self.placement_stat(c, first + timedelta(days=i), placement) if c else (0, 0, 0)
                      for i in range(days)]
            quiet = not any(s[0] for s in series)
            metrics: dict[str, Any] = {name: None if quiet else [s[k] for s in series] for k, name in enumerate(
                ("impressions", "clicks", "billed_charge_local_micro"))}
            metrics.update(url_clicks=None if quiet else [s[1] // 2 for s in series], retweets=None)
            data.append({"id": entity_id, "id_data": [{"segment": None, "metrics": metrics}]})
        return Reply(200, {"data_type": "stats", "time_series_length": days, "data": data,
                           "request": {"params": {"placement": placement}}})


    def _web_conversions(self, ids: list[str], first: date, days: int, placement: str) -> Reply:
        by_id = {c.id: c for c in self.campaigns}
        data = []
        for entity_id in ids:
            c = by_id.get(entity_id)
            series = [self.placement_conversions(c, first + timedelta(days=i), placement) if c else None
                      for i in range(days)]
            metrics: dict[str, Any] = dict.fromkeys(CONVERSION_METRICS)
            if any(series):
                for name in CONVERSION_METRICS:
                    days_of = [day.get(name) if day else None for day in series]
                    arrays = {
                        "metric": [m.post_engagement + m.post_view if m else None for m in days_of],
                        "post_engagement": [m.post_engagement if m else None for m in days_of],
                        "post_view": [m.post_view if m else None for m in days_of],
                        "assisted": [m.assisted if m else None for m in days_of],
                        "order_quantity": [m.post_engagement + m.post_view if m else None for m in days_of],
                        "sale_amount": [m.sale_amount if m else None for m in days_of]}
                    if name == "conversion_site_visits":
                        arrays["sale_amount"] = None
                    metrics[name] = {k: None if v is None or not any(x is not None for x in v) else v
                                     for k, v in arrays.items()}
            data.append({"id": entity_id, "id_data": [{"segment": None, "metrics": metrics}]})
        return Reply(200, {"data_type": "stats", "time_series_length": days, "data": data,
                           "request": {"params": {"placement": placement, "metric_groups": ["WEB_CONVERSION"]}}})


# --- fault replies (use with fail_next) -----------------------------------------------------------------------

def throttled(reset_in: int | None = None) -> Reply:
    headers = {}
    if reset_in is not None:
        headers = {"x-rate-limit-limit": "250", "x-rate-limit-remaining": "0",
                   "x-rate-limit-reset": str(int(clock.now().timestamp()) + reset_in)}
    return errors(429, "TOO_MANY_REQUESTS", "Rate limit exceeded", headers)


def server_error(status: int = 500) -> Reply:
    code = {500: "INTERNAL_ERROR", 503: "SERVICE_UNAVAILABLE"}.get(status, "OVER_CAPACITY")
    return errors(status, code, "Service unavailable due to request timeout; please retry")


def unavailable(retry_after: int) -> Reply:
    return errors(503, "OVER_CAPACITY", "Over capacity", {"retry-after": str(retry_after)})


def unauthorized() -> Reply:
    return errors(401, "UNAUTHORIZED_ACCESS", "This request is not properly authenticated")


def legacy_expired() -> Reply:
    return Reply(401, {"errors": [{"code": 89, "message": "Invalid or expired token."}]})


def forbidden() -> Reply:
    return errors(403, "UNAUTHORIZED_CLIENT_APPLICATION", "The client application making this request does not "
                                                          "have access to Twitter Ads API")


def dropped() -> Reply:
    return Reply(drop=True)


def html_404() -> Reply:
    return Reply(404, "<html><body>Sorry, that page does not exist</body></html>")


def malformed() -> Reply:
    return Reply(200, '{"data": [{"id": ')
