"""The Demo (sandbox) connector: deterministic data, paging, history bounds, failures, cancel, options."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop.clock import ShiftedClock
from autosync_desktop.connectors.base import (
    AccountInfo,
    Cancelled,
    ConnectorContext,
    ConnectorError,
    DailyStatRecord,
    Permanent,
    RateLimited,
    Transient,
)
from autosync_desktop.connectors.demo import SPEC, DemoConnector

TODAY = date(2026, 6, 15)
ON_TODAY = ShiftedClock(datetime(2026, 6, 15, 12, 0, tzinfo=UTC), tick=False)  # noon UTC: TODAY in the UTC option
REPO = Path(__file__).resolve().parents[1]


def make(account_id: str = "1234", ctx: ConnectorContext | None = None, today: date | None = TODAY,
         **options: Any) -> DemoConnector:
    options.setdefault("latency_ms", 0)
    ctx = ctx or ConnectorContext()
    if today is not None:  # the connector's "today" comes from the run's clock: pin it, so tests never race midnight
        ctx.clock = ShiftedClock(datetime(today.year, today.month, today.day, 12, tzinfo=UTC), tick=False)
    return DemoConnector(account_id=account_id, options=options, credentials=None, ctx=ctx)


def stats(conn: DemoConnector, start: date, end: date) -> list[DailyStatRecord]:
    return [row for page in conn.fetch_daily_stats(start, end) for row in page]


def test_two_instances_produce_identical_data() -> None:
    a, b = make(), make()
    assert [p for p in a.fetch_campaigns()] == [p for p in b.fetch_campaigns()]
    rows_a = stats(a, TODAY - timedelta(days=60), TODAY)
    assert rows_a == stats(b, TODAY - timedelta(days=60), TODAY)
    assert len(rows_a) > 300
    other = stats(make(account_id="9999"), TODAY - timedelta(days=60), TODAY)
    assert [r.impressions for r in other] != [r.impressions for r in rows_a]


def test_numbers_are_identical_in_a_fresh_process_with_another_hash_seed() -> None:
    code = (
        "from datetime import UTC, date, datetime\n"
        "from autosync_desktop.clock import ShiftedClock\n"
        "from autosync_desktop.connectors.base import ConnectorContext\n"
        "from autosync_desktop.connectors.demo import DemoConnector\n"
        "clock = ShiftedClock(datetime(2026, 6, 15, 12, tzinfo=UTC), tick=False)\n"
        "c = DemoConnector(account_id='1234', options={'latency_ms': 0}, credentials=None,"
        " ctx=ConnectorContext(clock=clock))\n"
        "rows = [r for p in c.fetch_daily_stats(date(2026, 6, 1), date(2026, 6, 15)) for r in p]\n"
        "print(sum(r.impressions + r.clicks + r.cost_micros + r.conversion_value_micros for r in rows),"
        " len(rows), repr(sum(r.conversions for r in rows)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    rows = stats(make(), date(2026, 6, 1), date(2026, 6, 15))
    total = sum((r.impressions or 0) + (r.clicks or 0) + (r.cost_micros or 0)
                + (r.conversion_value_micros or 0) for r in rows)
    expected = f"{total} {len(rows)} {sum(r.conversions for r in rows)!r}"
    assert out.stdout.strip() == expected


def test_a_day_has_the_same_numbers_whatever_window_it_is_fetched_in() -> None:
    day = TODAY - timedelta(days=5)
    short = stats(make(page_size=3), day, day + timedelta(days=1))
    long = stats(make(page_size=500), day - timedelta(days=28), day + timedelta(days=1))
    short_day = [r for r in short if r.date == day]
    long_day = [r for r in long if r.date == day]
    assert short_day and short_day == long_day
    assert {r.date for r in long} == {day - timedelta(days=n) for n in range(-1, 29)}


def test_pages_have_page_size_rows_in_date_then_campaign_order() -> None:
    ctx = ConnectorContext()
    conn = make(ctx=ctx, page_size=7, campaigns=20)
    pages = list(conn.fetch_daily_stats(TODAY - timedelta(days=9), TODAY))
    sizes = [len(p) for p in pages]
    assert all(size == 7 for size in sizes[:-1]) and 1 <= sizes[-1] <= 7
    rows = [r for p in pages for r in p]
    assert rows == stats(make(page_size=100_000, campaigns=20), TODAY - timedelta(days=9), TODAY)
    keys = [(r.date, r.campaign_id) for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert ctx.stats.calls == len(pages) and ctx.stats.errors == 0

    campaign_pages = list(make(page_size=3).fetch_campaigns())
    assert [len(p) for p in campaign_pages] == [3, 3, 2]


def test_exact_multiple_of_page_size_has_no_empty_trailing_page() -> None:
    total = len(stats(make(), TODAY - timedelta(days=3), TODAY))
    pages = list(make(page_size=total).fetch_daily_stats(TODAY - timedelta(days=3), TODAY))
    assert [len(p) for p in pages] == [total]


def test_campaigns_look_like_a_real_account() -> None:
    campaigns = [c for p in make(campaigns=24).fetch_campaigns() for c in p]
    assert [c.campaign_id for c in campaigns][:2] == ["demo-1234-0001", "demo-1234-0002"]
    assert campaigns[0].name == "Brand Search"
    assert len({c.name for c in campaigns}) == 24
    by_status = {s: [c for c in campaigns if c.status == s] for s in ("ACTIVE", "PAUSED", "REMOVED")}
    assert len(by_status["ACTIVE"]) > len(by_status["PAUSED"]) + len(by_status["REMOVED"])
    assert by_status["PAUSED"] and by_status["REMOVED"]
    assert {c.status_raw for c in by_status["ACTIVE"]} == {"ENABLED"}
    assert {c.status_raw for c in by_status["REMOVED"]} == {"REMOVED"}
    assert all(c.currency == "USD" for c in campaigns)


def test_zero_activity_days_are_omitted_but_most_days_are_present() -> None:
    conn = make(campaigns=60)
    active = {c.campaign_id for p in conn.fetch_campaigns() for c in p if c.status == "ACTIVE"}
    days = 60
    rows = [r for r in stats(conn, TODAY - timedelta(days=days - 1), TODAY) if r.campaign_id in active]
    missing = 1 - len(rows) / (len(active) * days)
    assert 0.04 < missing < 0.17
    assert all(r.impressions and r.impressions > 0 for r in rows)


def test_values_are_realistic() -> None:
    rows = stats(make(campaigns=40, currency="eur"), TODAY - timedelta(days=30), TODAY)
    names = {c.campaign_id: c.name for p in make(campaigns=40).fetch_campaigns() for c in p}
    for r in rows:
        assert r.impressions is not None and r.clicks is not None and r.cost_micros is not None
        assert 0 < r.impressions <= 60_000
        assert 0 <= r.clicks <= r.impressions * 0.08
        if r.clicks:
            assert 150_000 <= r.cost_micros / r.clicks <= 3_400_000
        assert 0 <= r.conversions <= r.clicks
        assert r.conversion_value_micros is not None and r.conversion_value_micros >= 0
        assert r.currency == "EUR" and r.campaign_name == names[r.campaign_id] and r.extra is None
    total_impressions = sum(r.impressions or 0 for r in rows)
    total_clicks = sum(r.clicks or 0 for r in rows)
    assert 0.01 <= total_clicks / total_impressions <= 0.05
    assert any(r.conversions > 0 for r in rows)


def test_history_bound_and_removed_campaigns_stop() -> None:
    conn = make(history_days=10)
    rows = stats(conn, TODAY - timedelta(days=40), TODAY + timedelta(days=5))
    assert min(r.date for r in rows) == TODAY - timedelta(days=10)
    assert max(r.date for r in rows) == TODAY
    assert stats(conn, TODAY - timedelta(days=40), TODAY - timedelta(days=11)) == []
    assert stats(conn, TODAY + timedelta(days=1), TODAY + timedelta(days=9)) == []

    conn = make(campaigns=16, history_days=365)
    removed = {c.campaign_id for p in conn.fetch_campaigns() for c in p if c.status == "REMOVED"}
    rows = stats(conn, TODAY - timedelta(days=365), TODAY)
    for cid in removed:
        dates = [r.date for r in rows if r.campaign_id == cid]
        assert dates and max(dates) < TODAY - timedelta(days=9)


def test_today_follows_the_timezone_option() -> None:
    """The last day with data is the run clock's date in the `timezone` option (at 23:40 UTC on 31 December)."""
    clock = ShiftedClock(datetime(2026, 12, 31, 23, 40, tzinfo=UTC), tick=False)
    days = {"UTC": date(2026, 12, 31), "Europe/Berlin": date(2027, 1, 1), "Pacific/Kiritimati": date(2027, 1, 1),
            "Pacific/Pago_Pago": date(2026, 12, 31)}
    for tz, today in days.items():
        conn = make(ctx=ConnectorContext(clock=clock), today=None, timezone=tz)
        rows = stats(conn, today - timedelta(days=3), today + timedelta(days=3))
        assert max(r.date for r in rows) == today, tz


def _sync_with_retries(conn: DemoConnector, start: date,
                       end: date) -> tuple[list[DailyStatRecord], list[str]]:
    """Retry the whole window the way an engine would, collecting the errors seen."""
    errors: list[str] = []
    for _ in range(200):
        try:
            return stats(conn, start, end), errors
        except RateLimited as exc:
            assert exc.retry_after is not None and 1.0 <= exc.retry_after <= 3.0
            errors.append(f"RateLimited:{exc.retry_after}")
        except Transient:
            errors.append("Transient")
    raise AssertionError("the window never succeeded")


def test_failure_rate_is_deterministic_and_retries_succeed() -> None:
    start, end = TODAY - timedelta(days=20), TODAY
    ctx = ConnectorContext()
    rows, errors = _sync_with_retries(make(ctx=ctx, failure_rate="0.5", page_size=25), start, end)
    rows_again, errors_again = _sync_with_retries(make(failure_rate=0.5, page_size=25), start, end)
    assert len(errors) >= 2
    assert errors == errors_again and rows == rows_again
    assert {e.split(":")[0] for e in errors} == {"RateLimited", "Transient"}
    assert rows == stats(make(page_size=25), start, end)
    assert ctx.stats.errors == len(errors)

    failed_campaign_fetches = 0
    for account in ("a", "b", "c", "d"):
        try:
            list(make(account_id=account, failure_rate=0.5, page_size=1).fetch_campaigns())
        except (Transient, RateLimited):
            failed_campaign_fetches += 1
    assert failed_campaign_fetches >= 1


def test_retrying_a_many_page_window_makes_progress() -> None:
    # ~60 pages at a 50 % failure rate: only possible because pages served once are served again.
    start, end = TODAY - timedelta(days=18), TODAY
    rows, errors = _sync_with_retries(make(failure_rate=0.5, page_size=2), start, end)
    assert len(rows) > 100 and len(errors) >= 10
    assert rows == stats(make(), start, end)


def test_failure_rate_one_always_fails() -> None:
    conn = make(failure_rate=1)
    for _ in range(5):
        with pytest.raises(ConnectorError):
            stats(conn, TODAY - timedelta(days=2), TODAY)


def test_cancel_event_set_raises_cancelled() -> None:
    event = threading.Event()
    event.set()
    conn = make(ctx=ConnectorContext(cancel_event=event))
    with pytest.raises(Cancelled):
        next(conn.fetch_daily_stats(TODAY - timedelta(days=3), TODAY))
    with pytest.raises(Cancelled):
        next(conn.fetch_campaigns())


def test_cancel_between_pages_and_during_latency() -> None:
    ctx = ConnectorContext()
    pages = make(ctx=ctx, page_size=5).fetch_daily_stats(TODAY - timedelta(days=3), TODAY)
    assert len(next(pages)) == 5
    ctx.cancel_event.set()
    with pytest.raises(Cancelled):
        next(pages)

    ctx = ConnectorContext()
    slow = make(ctx=ctx, latency_ms=30_000)
    threading.Timer(0.05, ctx.cancel_event.set).start()
    began = time.monotonic()
    with pytest.raises(Cancelled):
        next(slow.fetch_daily_stats(TODAY - timedelta(days=3), TODAY))
    assert time.monotonic() - began < 5


def test_latency_is_simulated_and_recorded() -> None:
    ctx = ConnectorContext()
    conn = make(ctx=ctx, latency_ms="30", page_size=1000)
    began = time.monotonic()
    pages = list(conn.fetch_daily_stats(TODAY - timedelta(days=1), TODAY))
    assert len(pages) == 1 and time.monotonic() - began >= 0.025
    assert ctx.stats.calls == 1 and ctx.stats.latency_ms_total >= 25


@pytest.mark.parametrize(("name", "value"), [
    ("campaigns", "0"), ("campaigns", "100001"), ("campaigns", "many"), ("campaigns", "2.5"),
    ("history_days", "0"), ("history_days", 3651), ("latency_ms", "-1"), ("latency_ms", "fast"),
    ("failure_rate", "1.5"), ("failure_rate", -0.1), ("failure_rate", "nan"), ("page_size", "0"),
    ("page_size", "100001"), ("currency", "dollars"), ("timezone", "Mars/Olympus_Mons"),
])
def test_invalid_options_raise_permanent_naming_the_option(name: str, value: Any) -> None:
    with pytest.raises(Permanent) as info:
        make(**{name: value})
    assert name in info.value.message


def test_options_parse_strings() -> None:
    conn = make(campaigns=" 12 ", history_days="30", latency_ms="0", failure_rate="0.25", page_size="50",
                currency="gbp", timezone="Europe/Berlin")
    assert (conn.campaigns, conn.history_days, conn.latency_ms, conn.failure_rate, conn.page_size) == (
        12, 30, 0.0, 0.25, 50)
    assert conn.currency == "GBP" and conn.timezone == "Europe/Berlin"
    defaults = DemoConnector(account_id="1", options={}, credentials=None, ctx=ConnectorContext())
    assert (defaults.campaigns, defaults.history_days, defaults.latency_ms, defaults.failure_rate,
            defaults.page_size, defaults.currency, defaults.timezone) == (8, 90, 20.0, 0.0, 500, "USD", "UTC")


def test_account_info_connection_and_spec() -> None:
    conn = make(currency="EUR", timezone="Europe/Paris")
    expected = AccountInfo(name="Demo account 1234", currency="EUR", timezone="Europe/Paris")
    assert conn.account_info() == expected
    assert "8 campaigns" in conn.test_connection() and "90 days" in conn.test_connection()
    conn.refresh_auth()
    conn.close()
    assert SPEC.name == "demo" and SPEC.is_sandbox and SPEC.factory is DemoConnector
    assert SPEC.default_lookback_days == 3 and SPEC.max_window_days == 30
    built = SPEC.build("42", {"campaigns": "3", "latency_ms": "0"}, None, ConnectorContext())
    assert built.platform == "demo"
    assert [len(p) for p in built.fetch_campaigns()] == [3]
