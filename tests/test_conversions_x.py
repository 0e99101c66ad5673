"""X Ads conversions by action (the WEB_CONVERSION metric group) against the fake: each action's count
(post_engagement + post_view) and value (sale_amount) per campaign and day, the blended conversions their sum and
unknown where X sent no number, null arrays and elements giving no rows; plus the rule on hand-made answers."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop.cli import main
from autosync_desktop.connectors.base import ActionConversions, Transient
from autosync_desktop.connectors.x_stats import StatsSum
from autosync_desktop.domain import StatsFilter
from autosync_desktop.services import Services
from autosync_desktop.services.exports import CONVERSION_COLUMNS
from tests.fakes.x_ads import FakeXAds

TODAY = date(2026, 11, 20)
Key = tuple[str, str, str]  # campaign, day, action


@pytest.fixture
def fake() -> Iterator[FakeXAds]:
    api = FakeXAds(today=TODAY)
    with api:
        yield api


def sync(fake: FakeXAds, data: Path, start: date, end: date) -> dict[Key, tuple[float, int | None]]:
    """One run of the window through the services; the stored conversions by action."""
    svc = Services.open(data)
    try:
        if not svc.accounts.list():
            svc.accounts.add("x_ads", "X", fake.account_id,
                             {"api_base_url": fake.base_url, "token_url": f"{fake.base_url}/oauth"},
                             {"consumer_key": fake.consumer_key, "consumer_secret": fake.consumer_secret,
                              "access_token": fake.access_token, "access_token_secret": fake.access_token_secret})
        run = svc.runs.wait(svc.runs.request("X", start, end).run_id, poll_s=0.02, timeout_s=120)
        assert run.status == "succeeded", run.error
        rows = svc.data.conversions(StatsFilter(account="X"))
    finally:
        svc.close()
    assert {(r.platform, r.date_tz, r.currency) for r in rows} == {("x_ads", fake.timezone, fake.currency)}
    return {(r.campaign_id, r.day.isoformat(), r.action): (r.count, r.value.micros if r.value else None)
            for r in rows}


def stored(data: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(next(data.glob("*.db")))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_each_action_per_campaign_day_matches_the_fake_and_adds_up_to_the_blended_column(
        fake: FakeXAds, tmp_path: Path, capsys: pytest.CaptureFixture[str], memory_keyring: dict) -> None:
    data = tmp_path / "data"
    end = TODAY - timedelta(days=2)
    start = end - timedelta(days=39)  # two windows, six 7-day chunks each side of a window edge
    got = sync(fake, data, start, end)
    expected = fake.actions(start, end)
    assert len(expected) > 500 and {k[2] for k in expected} == {"purchase", "sign_up", "site_visit", "custom"}
    assert got == expected  # counts and values exact; downloads (null arrays) never give a row
    assert any(v is None for _n, v in got.values()) and any(v == 0 for _n, v in got.values())  # site visits, sign-ups

    # WEB_CONVERSION is asked on its own, for exactly the ids, days and placements of ENGAGEMENT,BILLING
    asked = defaultdict(set)
    for r in fake.stats_requests:
        asked[r["metric_groups"]].add((r["first"], r["days"], r["placement"], tuple(r["ids"])))
    assert set(asked) == {"ENGAGEMENT,BILLING", "WEB_CONVERSION"}
    assert asked["WEB_CONVERSION"] == asked["ENGAGEMENT,BILLING"] and len(asked["WEB_CONVERSION"]) > 10

    # the blended column is the sum of the actions; unknown (never 0) where X sent no number that day
    blended = fake.blended(start, end)
    days = stored(data, "SELECT campaign_id, date, conversions, conversion_value_micros FROM daily_stat")
    assert {(c, d): (n, v) for c, d, n, v in days} == blended
    per_day: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for (campaign, day, _action), (count, value) in got.items():
        per_day[(campaign, day)][0] += count
        per_day[(campaign, day)][1] += value or 0
    for campaign, day, conversions, value in days:
        if conversions is None:
            assert value is None and (campaign, day) not in per_day
        else:
            assert per_day.get((campaign, day), [0.0, 0]) == [conversions, value]
    pixel_less = {c.id for c in fake.campaigns if not c.pixel}
    assert all(n is None for c, _d, n, _v in days if c in pixel_less)  # no pixel: every day unknown
    assert any(n is None for c, _d, n, _v in days if c not in pixel_less)  # a day with null elements only
    assert any(c in pixel_less for c, _d, _n, _v in days)
    assert any(n == 0.0 for _c, _d, n, _v in days)  # X sent zeros: a measured 0, no rows

    # a second run of the same window replaces, it does not add
    count = stored(data, "SELECT count(*), sum(count), sum(value_micros) FROM daily_conversion")
    assert sync(fake, data, start, end) == expected
    assert stored(data, "SELECT count(*), sum(count), sum(value_micros) FROM daily_conversion") == count

    # export conversions writes the X rows
    assert main(["--data-dir", str(data), "export", "conversions", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == CONVERSION_COLUMNS and len(rows) == len(expected)
    assert {(r["platform"], r["account_id"], r["currency"]) for r in rows} == {("x_ads", fake.account_id, "USD")}
    exported = {(r["campaign_id"], r["date"], r["action"]): (float(r["count"]),
                                                              int(r["value_micros"]) if r["value_micros"] else None)
                for r in rows}
    assert exported == expected
    assert all(r["campaign_name"].startswith("X ") for r in rows)


def test_a_restated_day_replaces_its_conversions(fake: FakeXAds, tmp_path: Path, memory_keyring: dict) -> None:
    data = tmp_path / "data"
    start, end = TODAY - timedelta(days=9), TODAY - timedelta(days=1)
    assert sync(fake, data, start, end) == fake.actions(start, end)
    before = fake.actions(start, end)
    fake.restate(end - timedelta(days=3))
    assert fake.actions(start, end) != before
    assert sync(fake, data, start, end) == fake.actions(start, end)


# --- the rule, on hand-made answers ---------------------------------------------------------------------------

def conversion(post_engagement: list[int | None] | None, post_view: list[int | None] | None,
               sale_amount: list[int | None] | None = None, assisted: list[int | None] | None = None
               ) -> dict[str, Any]:
    return {"post_engagement": post_engagement, "post_view": post_view, "sale_amount": sale_amount,
            "assisted": assisted, "metric": None, "order_quantity": None}


def answer(entity: str, metrics: dict[str, Any]) -> dict[str, Any]:
    return {"data": [{"id": entity, "id_data": [{"segment": None, "metrics": metrics}]}]}


def test_placements_are_summed_per_action_and_null_gives_no_row() -> None:
    first = date(2027, 1, 1)
    total = StatsSum()
    total.add_answer(answer("a1", {"impressions": [100, 50, 0, 80], "clicks": [1, 1, 0, 1],
                                   "billed_charge_local_micro": [10, 10, 0, 10]}), first, 4)
    total.add_answer(answer("a1", {
        "conversion_purchases": conversion([1, 0, None, 0], [2, 0, None, 0], [30_000_001, 0, None, 0], [9, 9, 9, 9]),
        "conversion_sign_ups": conversion(None, None),
        "conversion_site_visits": conversion([4, 0, 1, None], None),
        "conversion_downloads": None, "conversion_custom": None}), first, 4)
    total.add_answer(answer("a1", {  # the second placement
        "conversion_purchases": conversion([0, 0, None, None], [1, 0, None, None], [5, 0, None, None]),
        "conversion_sign_ups": None, "conversion_site_visits": None, "conversion_downloads": None,
        "conversion_custom": conversion([None, None, None, None], [None, None, None, None], None)}), first, 4)
    total.add_answer(answer("b2", {name: None for name in (
        "conversion_purchases", "conversion_sign_ups", "conversion_site_visits", "conversion_downloads",
        "conversion_custom")}), first, 4)
    records = {r.date.day: r for r in total.records({}, {}, "USD")}
    assert set(records) == {1, 2, 3, 4}
    one, two, three, four = (records[d] for d in (1, 2, 3, 4))
    # assisted is not counted; sale_amount is micros, summed over placements
    assert one.actions == (ActionConversions("purchase", 4.0, 30_000_006), ActionConversions("site_visit", 4.0, None))
    assert (one.conversions, one.conversion_value_micros) == (8.0, 30_000_006)
    assert two.actions == () and (two.conversions, two.conversion_value_micros) == (0.0, 0)  # zeros: measured
    # a day with delivery 0 but a conversion: kept, with 0 impressions, clicks and cost
    assert (three.impressions, three.clicks, three.cost_micros) == (0, 0, 0)
    assert three.actions == (ActionConversions("site_visit", 1.0, None),)
    assert (three.conversions, three.conversion_value_micros) == (1.0, None)  # no value sent: unknown
    assert (four.conversions, four.conversion_value_micros) == (0.0, 0)
    assert four.actions == ()
    assert all(r.campaign_id == "a1" for r in records.values())  # b2: all null, and no delivery: no rows


def test_a_day_with_delivery_but_no_conversion_number_stays_unknown() -> None:
    total = StatsSum()
    first = date(2027, 1, 1)
    total.add_answer(answer("a1", {"impressions": [5, 6], "clicks": [0, 0],
                                   "billed_charge_local_micro": [1, 1]}), first, 2)
    total.add_answer(answer("a1", {"conversion_purchases": conversion([None, 2], [None, None])}), first, 2)
    first_day, second_day = total.records({}, {}, "USD")
    assert (first_day.conversions, first_day.conversion_value_micros, first_day.actions) == (None, None, ())
    assert (second_day.conversions, second_day.actions) == (2.0, (ActionConversions("purchase", 2.0, None),))


@pytest.mark.parametrize("metric", [
    conversion([1, 2], [0, 0]),  # three days asked, two sent
    conversion([1, "2", 0], [0, 0, 0]),
    [1, 2, 3],
], ids=["short", "text", "not-an-object"])
def test_a_malformed_conversion_answer_is_transient(metric: Any) -> None:
    with pytest.raises(Transient, match="conversion_purchases"):
        StatsSum().add_answer(answer("a1", {"conversion_purchases": metric}), date(2027, 1, 1), 3)
