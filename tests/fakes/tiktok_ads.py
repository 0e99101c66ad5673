"""A loopback fake of TikTok API for Business v1.3, strict where the real one is.

What it checks and serves (every answer HTTP 200 with `code`, as TikTok does):
- `Access-Token: <token>` on every call (a "Bearer" Authorization header is not read: 40104 empty token);
- POST /open_api/v1.3/oauth2/access_token/ JSON {app_id, secret, auth_code}: the auth code works once (40110 after);
- GET advertiser/info/?advertiser_ids=[...]&fields=[...];
- GET campaign/get/?advertiser_id=&filtering={"primary_status": "STATUS_ALL"}&page=&page_size= (deleted campaigns
  only with STATUS_ALL; pages of at most `max_page_size`);
- GET report/integrated/get/ (BASIC, AUCTION_CAMPAIGN, dimensions ["campaign_id","stat_time_day"], <= 30 days,
  metrics as strings, zero-activity days omitted, pages to total_page).

Data is deterministic (hashes of campaign id, day and a per-day restatement counter); "today" is `today=`, by
default the clock's date in the advertiser's zone. `stats`/`totals` are the ground truth a correct sync stores.
Faults: `fail_next` with the Reply builders at the bottom, `expire`, `revoke`, `retired`; `new_auth_code`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from autosync_desktop import clock
from tests.fakes.server import FakeApi, Reply, Request

PREFIX = "/open_api/v1.3/"
TOKEN_PATH = PREFIX + "oauth2/access_token/"
INFO_PATH = PREFIX + "advertiser/info/"
CAMPAIGNS_PATH = PREFIX + "campaign/get/"
REPORT_PATH = PREFIX + "report/integrated/get/"
_CYCLE = (("ENABLE", "CAMPAIGN_STATUS_ENABLE"), ("ENABLE", "CAMPAIGN_STATUS_ENABLE"),
          ("DISABLE", "CAMPAIGN_STATUS_DISABLE"), ("ENABLE", "CAMPAIGN_STATUS_BUDGET_EXCEED"),
          ("DISABLE", "CAMPAIGN_STATUS_DELETE"), ("ENABLE", "CAMPAIGN_STATUS_ENABLE"))


@dataclass(frozen=True, slots=True)
class FakeCampaign:
    id: str
    name: str
    operation_status: str
    secondary_status: str
    last_active_days_ago: int


@dataclass(frozen=True, slots=True)
class FakeStat:
    campaign_id: str
    date: date
    impressions: int
    clicks: int
    spend_micros: int
    conversions: int


def _u64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _money(micros: int) -> str:
    return format(Decimal(micros) / Decimal(1_000_000), "f")


def answer(code: int, message: str, data: Any = None) -> Reply:
    return Reply(200, {"code": code, "message": message, "request_id": f"2026{code:05d}ABC", "data": data or {}})


class FakeTikTokAds(FakeApi):
    def __init__(self, *, advertiser_id: str = "7012345678901234567", name: str = "Acme TikTok",
                 currency: str = "EUR", timezone: str = "Europe/Berlin", campaigns: int = 30,
                 today: date | None = None, history_days: int = 200, max_page_size: int = 40) -> None:
        super().__init__()
        self.advertiser_id = advertiser_id
        self.name = name
        self.currency = currency
        self.timezone = timezone
        self.today = today or clock.today(timezone)
        self.history_days = history_days
        self.max_page_size = max_page_size
        self.app_id = "7300000000000000001"
        self.secret = "tt-APP-SECRET-5c1e9a"
        self.auth_code = "tt-AUTH-CODE-0001-77aa"
        self.access_token = "tt-ACCESS-TOKEN-f00d-0001"
        self.issued = [self.access_token]
        self.used_codes: set[str] = set()
        self.dead: dict[str, int] = {}  # token -> 40102 (expired) or 40105 (revoked)
        self.retired = False
        self.report_requests: list[dict[str, Any]] = []
        self._restated: dict[date, int] = {}
        self._state = threading.Lock()
        self.campaigns = [self._campaign(i) for i in range(campaigns)]

    def _campaign(self, i: int) -> FakeCampaign:
        operation, secondary = _CYCLE[i % len(_CYCLE)]
        last = 0 if secondary != "CAMPAIGN_STATUS_DELETE" else 20 + i % 10
        return FakeCampaign(str(1780000000000000000 + i * 1013), f"TT {i + 1:02d} {secondary[16:].title()}",
                            operation, secondary, last)

    # --- ground truth -------------------------------------------------------------------------------------

    def restate(self, day: date) -> None:
        with self._state:
            self._restated[day] = self._restated.get(day, 0) + 1

    def stat(self, campaign: FakeCampaign, day: date) -> FakeStat | None:
        days_ago = (self.today - day).days
        if days_ago < campaign.last_active_days_ago or days_ago > self.history_days:
            return None
        h = _u64(f"{campaign.id}|{day.isoformat()}|{self._restated.get(day, 0)}")
        if h % 100 < 15:
            return None  # a zero-activity day: TikTok leaves it out
        impressions = 100 + (h >> 8) % 20000
        clicks = impressions * ((h >> 24) % 30) // 1000
        spend = impressions * (1 + (h >> 32) % 9) * 10_000 // 7  # micros of a sub-cent price per impression
        if h % 5:
            spend -= spend % 10_000  # mostly whole cents; every fifth row has six decimals
        return FakeStat(campaign.id, day, impressions, clicks, spend, clicks // (4 + (h >> 48) % 9))

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
                "clicks": sum(r.clicks for r in rows), "spend_micros": sum(r.spend_micros for r in rows),
                "conversions": sum(r.conversions for r in rows)}

    def secrets(self) -> list[str]:
        with self._state:
            return [self.secret, *self.used_codes, self.auth_code, *self.issued]

    def expire(self) -> None:
        """Every token issued so far expires (40102)."""
        with self._state:
            self.dead.update({t: 40102 for t in self.issued})

    def revoke(self) -> None:
        """Every token issued so far is revoked (40105)."""
        with self._state:
            self.dead.update({t: 40105 for t in self.issued})

    def new_auth_code(self) -> str:
        """The user authorizes the app again: a fresh auth code."""
        with self._state:
            self.auth_code = f"tt-AUTH-CODE-{len(self.used_codes) + 1:04d}-77aa"
            return self.auth_code

    # --- routing ------------------------------------------------------------------------------------------

    def handle(self, req: Request) -> Reply:
        if self.retired:
            return Reply(404, {"code": 40002, "message": "The API version v1.3 has been deprecated and is no longer "
                                                         "supported", "request_id": "x", "data": {}})
        if req.path == TOKEN_PATH:
            return self._token(req)
        token = req.headers.get("access-token", "")
        with self._state:
            if not token:
                return answer(40104, "Access token is empty")
            if self.dead.get(token) == 40102:
                return answer(40102, "Access token has expired")
            if token not in self.issued or token in self.dead:
                return answer(40105, "The access token is invalid or has been revoked")
        if req.method != "GET":
            return answer(40001, f"{req.method} is not supported here")
        try:
            if req.path == INFO_PATH:
                return self._info(req)
            if req.path == CAMPAIGNS_PATH:
                return self._campaigns(req)
            if req.path == REPORT_PATH:
                return self._report(req)
        except (KeyError, ValueError, TypeError) as exc:
            return answer(40002, f"Invalid parameter: {exc}")
        return Reply(404, "<html>404 page not found</html>")

    def _token(self, req: Request) -> Reply:
        body = req.json() or {}
        with self._state:
            if body.get("app_id") != self.app_id or body.get("secret") != self.secret:
                return answer(40101, "Invalid app_id or secret")
            if body.get("auth_code") != self.auth_code or body["auth_code"] in self.used_codes:
                return answer(40110, "The auth_code is invalid or has expired")
            self.used_codes.add(body["auth_code"])
            token = f"tt-ACCESS-TOKEN-f00d-{len(self.issued) + 1:04d}"
            self.issued.append(token)
        return answer(0, "OK", {"access_token": token, "advertiser_ids": [self.advertiser_id, "7099999999999999999"],
                                "scope": [4, 5]})

    def _check_advertiser(self, req: Request) -> None:
        if req.arg("advertiser_id") != self.advertiser_id:
            raise ValueError("advertiser_id: no permission for this advertiser")

    def _paged(self, items: list[Any], req: Request) -> dict[str, Any]:
        page, size = int(req.arg("page", "1") or 1), int(req.arg("page_size", "10") or 10)
        if page < 1 or not 1 <= size <= 1000:
            raise ValueError("page or page_size out of range")
        size = min(size, self.max_page_size)
        total_page = (len(items) + size - 1) // size
        return {"list": items[(page - 1) * size:page * size],
                "page_info": {"page": page, "page_size": size, "total_number": len(items), "total_page": total_page}}

    def _info(self, req: Request) -> Reply:
        ids = json.loads(req.arg("advertiser_ids") or "[]")
        rows = [{"advertiser_id": self.advertiser_id, "name": self.name, "currency": self.currency,
                 "timezone": "Etc/GMT-1", "display_timezone": self.timezone, "status": "STATUS_ENABLE"}
                for _ in [0] if self.advertiser_id in ids]
        return answer(0, "OK", {"list": rows})

    def _campaigns(self, req: Request) -> Reply:
        self._check_advertiser(req)
        filtering = json.loads(req.arg("filtering") or "{}")
        everything = filtering.get("primary_status") == "STATUS_ALL"
        wanted = [c for c in self.campaigns if everything or c.secondary_status != "CAMPAIGN_STATUS_DELETE"]
        rows = [{"campaign_id": c.id, "campaign_name": c.name, "advertiser_id": self.advertiser_id,
                 "operation_status": c.operation_status, "secondary_status": c.secondary_status,
                 "objective_type": "TRAFFIC", "budget": 50.0, "modify_time": "2026-03-01 10:00:00"} for c in wanted]
        return answer(0, "OK", self._paged(rows, req))

    def _report(self, req: Request) -> Reply:
        self._check_advertiser(req)
        expected = {"report_type": "BASIC", "data_level": "AUCTION_CAMPAIGN", "service_type": "AUCTION"}
        for key, value in expected.items():
            if req.arg(key) != value:
                raise ValueError(f"{key} must be {value}")
        if json.loads(req.arg("dimensions") or "[]") != ["campaign_id", "stat_time_day"]:
            raise ValueError("dimensions must be [\"campaign_id\", \"stat_time_day\"]")
        metrics = json.loads(req.arg("metrics") or "[]")
        start, end = date.fromisoformat(req.arg("start_date") or ""), date.fromisoformat(req.arg("end_date") or "")
        if start > end or (end - start).days + 1 > 30:
            raise ValueError("the time range must be 1..30 days when stat_time_day is a dimension")
        with self._state:
            self.report_requests.append({"start": start, "end": end, "page": req.arg("page")})
        rows = []
        for s in self.stats(start, end):
            full = {"spend": _money(s.spend_micros), "impressions": str(s.impressions), "clicks": str(s.clicks),
                    "conversion": str(s.conversions)}
            rows.append({"dimensions": {"campaign_id": s.campaign_id, "stat_time_day": f"{s.date} 00:00:00"},
                         "metrics": {k: v for k, v in full.items() if k in metrics}})
        return answer(0, "OK", self._paged(rows, req))


# --- fault replies (use with fail_next) -----------------------------------------------------------------------

def throttled(retry_after: int | None = None) -> Reply:
    reply = answer(40100, "Requests made too frequently. Please try again later.")
    if retry_after is not None:
        reply.headers["Retry-After"] = str(retry_after)
    return reply


def server_error(status: int = 500) -> Reply:
    return Reply(status, "<html>Internal Server Error</html>")


def system_error() -> Reply:
    return answer(50000, "System error, please retry later")


def expired_token() -> Reply:
    return answer(40102, "Access token has expired")


def revoked_token() -> Reply:
    return answer(40105, "The access token is invalid or has been revoked")


def no_permission() -> Reply:
    return answer(40001, "No permission to operate advertiser 7012345678901234567")


def dropped() -> Reply:
    return Reply(drop=True)


def malformed() -> Reply:
    return Reply(200, '{"code": 0, "data": {"list": [')
