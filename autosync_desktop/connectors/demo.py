"""The Demo connector: a clearly labelled sandbox platform with deterministic, realistic-looking data.

Nothing leaves the machine. Campaigns and daily stats are generated from stable hashes of the account id,
campaign id and date, so every run in every process yields identical numbers, and a day's numbers do not
depend on the window it was fetched in. Pages, simulated latency and injected failures go through the same
engine paths as a real platform.

Data model, in short:
- A date has data only within [today - history_days, today], "today" being the date in the `timezone` option.
- Roughly 5-15 % of (campaign, day) pairs are zero-activity days and are omitted, as real APIs do.
- PAUSED and REMOVED campaigns stopped spending some days before today (a fixed number of days per campaign);
  later days have no rows. Once a row exists its numbers never change.
- With `failure_rate` > 0 a page request fails (Transient or RateLimited) with that probability, decided by a
  hash of account, request (window and page) and how often this instance was already asked for that page.
  A page that was served once is always served again, so retrying a whole window makes progress.
- Conversions by action: a day's conversions are split into "lead" (the whole part of 30 % of them, no value) and
  "purchase" (the rest, with all the conversion value); the two add up to the blended conversions (2 decimals).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .base import (
    AccountInfo,
    ActionConversions,
    CampaignRecord,
    ConnectorContext,
    DailyStatRecord,
    Permanent,
    PlatformSpec,
    RateLimited,
    Transient,
)

_M64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15

_THEMES = (
    "Brand Awareness", "Spring Sale", "Summer Collection", "Black Friday", "Holiday Gifts", "New Arrivals",
    "Clearance", "Loyalty", "Back to School", "Free Shipping", "Premium Line", "Bundle Deals",
)
_TACTICS = (
    "Search", "Prospecting", "Retargeting", "Display", "Video", "Shopping", "Lookalike",
    "Performance Max", "Generic Search", "Competitor",
)
_NAME_STEP = 37  # coprime with len(_THEMES) * len(_TACTICS) = 120: the first 120 names are all different
_RAW_STATUS = {"ACTIVE": "ENABLED", "PAUSED": "PAUSED", "REMOVED": "REMOVED"}
_WEEKDAY_FACTOR = (1.0, 1.04, 1.06, 1.03, 0.97, 0.78, 0.72)  # Monday .. Sunday


def _stable_u64(text: str) -> int:
    """64 bits from a stable hash (never Python's per-process randomized hash())."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def _mix64(x: int) -> int:
    """splitmix64 finalizer: a fast, well-spread 64-bit integer hash."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _unit(bits: int) -> float:
    """16 bits to a float in [0, 1)."""
    return (bits & 0xFFFF) / 65536.0


# --- option parsing --------------------------------------------------------------------------------------

def _int_option(options: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    raw = options.get(name)
    if raw is None or raw == "":
        return default
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = int(raw.strip()) if isinstance(raw, str) else int(raw)
        if isinstance(raw, float) and raw != value:
            raise ValueError
    except (TypeError, ValueError):
        value = low - 1
    if not low <= value <= high:
        raise Permanent(f"Demo option {name!r} must be a whole number from {low} to {high} (got {raw!r}).")
    return value


def _float_option(options: dict[str, Any], name: str, default: float, low: float,
                  high: float | None) -> float:
    raw = options.get(name)
    if raw is None or raw == "":
        return default
    allowed = f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = float(raw.strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        raise Permanent(f"Demo option {name!r} must be a number {allowed} (got {raw!r}).")
    return value


def _currency_option(options: dict[str, Any]) -> str:
    raw = options.get("currency")
    if raw is None or raw == "":
        return "USD"
    value = str(raw).strip().upper()
    if len(value) != 3 or not value.isascii() or not value.isalpha():
        raise Permanent(f"Demo option 'currency' must be a three-letter currency code such as USD "
                        f"(got {raw!r}).")
    return value


def _timezone_option(options: dict[str, Any]) -> tuple[str, ZoneInfo]:
    raw = options.get("timezone")
    if raw is None or raw == "":
        return "UTC", ZoneInfo("UTC")
    name = str(raw).strip()
    try:
        return name, ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Permanent(
            f"Demo option 'timezone' must be an IANA time zone name such as UTC or Europe/Berlin "
            f"(got {raw!r})."
        ) from exc


# --- the connector ---------------------------------------------------------------------------------------

# Per-campaign generation parameters, as a tuple for a fast inner loop:
# (campaign_id, name, seed, base_impressions, ctr, cpc_micros, cvr, aov_micros, omit_below, stop_offset_days,
#  status)
_Params = tuple[str, str, int, float, float, int, float, int, int, int, str]


def _actions(conversions: float, value: int) -> tuple[ActionConversions, ...]:
    """The day's conversions by action: whole leads (30 %, no value), the rest purchases with all the value."""
    if not conversions:
        return ()
    leads = float(int(conversions * 0.3))
    purchase = ActionConversions("purchase", round(conversions - leads, 2), value)
    return (ActionConversions("lead", leads, None), purchase) if leads else (purchase,)


class DemoConnector:
    """Sandbox platform: deterministic campaigns and daily stats, paged like a real API."""

    platform = "demo"

    def __init__(self, *, account_id: str, options: dict[str, Any], credentials: dict[str, str] | None,
                 ctx: ConnectorContext) -> None:
        del credentials  # the sandbox needs none
        self.account_id = str(account_id)
        self.ctx = ctx
        options = dict(options or {})
        unknown = sorted(set(options) - set(SPEC.option_names))
        if unknown:
            ctx.log("warning", f"Demo: ignoring unknown option(s) {', '.join(unknown)}; "
                               f"known options are {', '.join(SPEC.option_names)}.")
        self.campaigns = _int_option(options, "campaigns", 8, 1, 100_000)
        self.history_days = _int_option(options, "history_days", 90, 1, 3650)
        self.latency_ms = _float_option(options, "latency_ms", 20.0, 0.0, None)
        self.failure_rate = _float_option(options, "failure_rate", 0.0, 0.0, 1.0)
        self.page_size = _int_option(options, "page_size", 500, 1, 100_000)
        self.currency = _currency_option(options)
        self.timezone, self._tz = _timezone_option(options)
        self._account_seed = _stable_u64(f"demo|{self.account_id}")
        self._params: list[_Params] | None = None
        self._requests: dict[str, int] = {}  # request key -> times requested on this instance
        self._served: set[str] = set()  # request keys answered successfully on this instance

    # --- clock and generation parameters ---

    def _today(self) -> date:
        return self.ctx.clock.today(self._tz)

    def _campaign_params(self) -> list[_Params]:
        """Every campaign's fixed parameters, sorted by campaign id (the order pages are in)."""
        if self._params is not None:
            return self._params
        combos = len(_THEMES) * len(_TACTICS)
        offset = self._account_seed % combos
        params: list[_Params] = []
        for i in range(self.campaigns):
            cid = f"demo-{self.account_id}-{i + 1:04d}"
            if i == 0:
                name = "Brand Search"
            else:
                k = (i * _NAME_STEP + offset) % combos
                name = f"{_THEMES[k // len(_TACTICS)]} – {_TACTICS[k % len(_TACTICS)]}"
                if i >= combos:
                    name += f" {i // combos + 1}"
            seed = _stable_u64(f"{self.account_id}|{cid}")
            h = _mix64(seed)
            status = self._status(i)
            if status == "ACTIVE":
                stop = 0
            elif status == "PAUSED":
                stop = 3 + (h >> 48) % 28  # 3..30 days before today
            else:
                stop = 10 + (h >> 48) % 70  # 10..79 days before today
            base_impressions = 150.0 * (200.0 ** _unit(h))  # log-uniform 150 .. 30 000 a day
            ctr = 0.01 + 0.04 * _unit(h >> 16)  # 1 % .. 5 %
            cpc_micros = 200_000 + (h >> 32) % 2_800_001  # 0.20 .. 3.00
            h2 = _mix64(seed ^ _GOLDEN)
            cvr = 0.01 + 0.07 * _unit(h2)  # 1 % .. 8 % of clicks
            aov_micros = (20 + (h2 >> 16) % 131) * 1_000_000  # 20 .. 150 per conversion
            omit_below = int(65536 * (0.05 + 0.10 * _unit(h2 >> 32)))  # 5 % .. 15 % of days omitted
            params.append((cid, name, seed, base_impressions, ctr, cpc_micros, cvr, aov_micros, omit_below,
                           stop, status))
        params.sort(key=lambda p: p[0])
        self._params = params
        return params

    @staticmethod
    def _status(index: int) -> str:
        slot = index % 8
        return "PAUSED" if slot == 5 else "REMOVED" if slot == 7 else "ACTIVE"

    # --- simulated API requests ---

    def _request(self, key: str | None) -> float:
        """One simulated API call: cancel check, latency, maybe an injected failure; returns its start."""
        self.ctx.check()
        started = time.monotonic()
        self.ctx.sleep(self.latency_ms / 1000.0)
        if key is not None and self.failure_rate > 0 and key not in self._served:
            attempt = self._requests.get(key, 0)
            self._requests[key] = attempt + 1
            h = _stable_u64(f"{self.account_id}|{key}|{attempt}")
            if (h >> 11) / float(1 << 53) < self.failure_rate:
                self.ctx.stats.record((time.monotonic() - started) * 1000.0, ok=False)
                if h & 1:
                    retry_after = 1.0 + ((h >> 1) % 201) / 100.0  # 1.00 .. 3.00 s
                    raise RateLimited("The demo sandbox is throttling requests (simulated).",
                                      retry_after=retry_after, platform_message="429 RESOURCE_EXHAUSTED")
                raise Transient("The demo sandbox had a temporary server error (simulated).",
                                platform_message="503 UNAVAILABLE")
        return started

    def _done(self, key: str | None, started: float) -> None:
        if key is not None:
            self._served.add(key)
        self.ctx.stats.record((time.monotonic() - started) * 1000.0)

    # --- the Connector protocol ---

    def account_info(self) -> AccountInfo:
        started = self._request(None)
        self._done(None, started)
        return AccountInfo(name=f"Demo account {self.account_id}", currency=self.currency,
                           timezone=self.timezone)

    def fetch_campaigns(self) -> Iterator[list[CampaignRecord]]:
        params = self._campaign_params()
        currency = self.currency
        page_no = 0
        while True:
            key = f"campaigns|{page_no}"
            started = self._request(key)
            chunk = params[page_no * self.page_size:(page_no + 1) * self.page_size]
            page = []
            for p in chunk:
                page.append(CampaignRecord(campaign_id=p[0], name=p[1], status=p[10],
                                           status_raw=_RAW_STATUS[p[10]], currency=currency))
            self._done(key, started)
            if page:
                yield page
            page_no += 1
            if page_no * self.page_size >= len(params):
                return

    def fetch_daily_stats(self, start: date, end: date) -> Iterator[list[DailyStatRecord]]:
        if start > end:
            raise Permanent(f"The requested date range is empty: {start.isoformat()} is after "
                            f"{end.isoformat()}.")
        today = self._today()
        rows = self._rows(max(start, today - timedelta(days=self.history_days)), min(end, today), today)
        window = f"stats|{start.isoformat()}|{end.isoformat()}"
        pending: list[DailyStatRecord] = []  # the one row read ahead to know whether another page follows
        page_no = 0
        while True:
            key = f"{window}|{page_no}"
            started = self._request(key)
            page = pending + list(islice(rows, self.page_size - len(pending)))
            pending = list(islice(rows, 1))
            self._done(key, started)
            if page:
                yield page
            if not pending:
                return
            page_no += 1

    def _rows(self, first: date, last: date, today: date) -> Iterator[DailyStatRecord]:
        """Rows ordered by (date, campaign_id) for first..last (empty if first > last)."""
        params = self._campaign_params()
        currency = self.currency
        today_ord = today.toordinal()
        for d_ord in range(first.toordinal(), last.toordinal() + 1):
            day = date.fromordinal(d_ord)
            season = _WEEKDAY_FACTOR[day.weekday()] * (1.0 + 0.15 * math.sin(d_ord * (2 * math.pi / 365.25)))
            day_mix = (d_ord * _GOLDEN) & _M64
            for cid, name, seed, base, ctr, cpc, cvr, aov, omit_below, stop, _status in params:
                if stop and d_ord > today_ord - stop:
                    continue
                h = seed ^ day_mix
                h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _M64
                h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _M64
                h ^= h >> 31
                if (h & 0xFFFF) < omit_below:
                    continue  # a zero-activity day: real APIs leave it out
                impressions = int(base * season * (0.55 + 0.9 * ((h >> 16) & 0xFFFF) / 65536.0)) + 1
                clicks = int(impressions * ctr * (0.75 + 0.5 * ((h >> 32) & 0xFFFF) / 65536.0) + 0.5)
                cost = clicks * (cpc * (850 + ((h >> 48) & 0xFF)) // 10_000_000) * 10_000  # whole cents
                conversions = round(clicks * cvr * (0.5 + ((h >> 56) & 0xFF) / 255.0), 2)
                value = int(conversions * aov * (0.8 + 0.4 * ((h >> 8) & 0xFF) / 255.0) / 10_000) * 10_000
                yield DailyStatRecord(cid, day, impressions, clicks, cost, conversions, value, currency, name, None,
                                      _actions(conversions, value))

    def refresh_auth(self) -> None:
        return None

    def test_connection(self) -> str:
        started = self._request(None)
        self._done(None, started)
        return (f"Demo sandbox reachable ({self.campaigns} campaigns, {self.history_days} days of history). "
                "This is generated sample data, not a real ad platform.")

    def close(self) -> None:
        return None


SPEC = PlatformSpec(
    name="demo",
    label="Demo (sandbox data)",
    default_lookback_days=3,
    min_interval_minutes=1,
    max_window_days=30,
    default_history_days=90,
    factory=DemoConnector,
    option_names=("campaigns", "history_days", "latency_ms", "failure_rate", "page_size", "currency",
                  "timezone"),
    is_sandbox=True,
)
