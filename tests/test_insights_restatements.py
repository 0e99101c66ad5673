"""Insights on restatements (schema v11): days still settling per account and restatement deltas in words,
checked against hand-written SQL on a seeded store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine

from autosync_desktop.api import models as api_models
from autosync_desktop.cli import main
from autosync_desktop.services import Services
from autosync_desktop.services.insights import insights_dict
from autosync_desktop.store.models import Account, DayFetch, Restatement

NOW = datetime(2026, 11, 21, 8, 0)  # naive UTC; 03:00 in New York, 09:00 in Berlin
SINCE_7D = "2026-11-14 08:00:00"
UNTIL = "2026-11-21 08:00:00"


def _fetch(account: Account, day: date, last: datetime, changed: bool, age: int = 3) -> None:
    DayFetch.create(account=account, date=day, fetches=4, first_fetched_at=datetime(2026, 10, 1), last_fetched_at=last,
                    last_age_days=age, unchanged_streak=0, streak_age_days=age, last_changed=changed)


def _restated(account: Account, day: date, at: datetime, age: int, prev: int, before: tuple, delta: tuple) -> None:
    Restatement.create(account=account, date=day, age_days=age, prev_age_days=prev, fetched_at=at, run_id=1,
                       before_cost_micros=before[0], before_clicks=before[1], before_conversions=before[2],
                       d_cost_micros=delta[0], d_clicks=delta[1], d_conversions=delta[2])


def _seed() -> None:
    shop = Account.create(name="shop", platform="meta_ads", external_id="1", timezone="America/New_York")
    acme = Account.create(name="acme", platform="google_ads", external_id="2", timezone="Europe/Berlin")
    Account.create(name="fresh", platform="demo", external_id="3")  # nothing fetched through the planner yet
    nov14 = date(2026, 11, 14)
    _restated(shop, nov14, datetime(2026, 11, 15, 12), 3, 1, (1_000_000, 100, 10.0), (50_000, 5, 1.2))
    _restated(shop, nov14, datetime(2026, 11, 21, 7), 7, 3, (1_050_000, 105, 11.2), (-10_000, 0, 0.0))
    _restated(shop, date(2026, 11, 1), datetime(2026, 11, 5, 9), 4, 2, (500, 5, 1.0), (500, 0, 0.0))  # not in 7d
    _restated(shop, date(2026, 10, 1), datetime(2026, 11, 20, 9), 50, 20, (9, 9, 9.0), (1, 1, 1.0))  # too old
    _restated(acme, date(2026, 11, 19), datetime(2026, 11, 20, 6), 1, 1, (None, 0, 2.0), (None, 3, None))
    _fetch(shop, nov14, datetime(2026, 11, 21, 7), True)  # its last fetch restated it: settling
    _fetch(shop, date(2026, 11, 10), datetime(2026, 11, 21, 7), True)  # changed, but not a restatement row
    _fetch(shop, date(2026, 11, 18), datetime(2026, 11, 21, 7), False)  # unchanged
    _fetch(shop, date(2026, 10, 1), datetime(2026, 11, 20, 9), True, age=50)  # outside Meta's 28 days
    _fetch(acme, date(2026, 11, 19), datetime(2026, 11, 20, 6), True, age=1)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Services, Path]]:
    services = Services.open(tmp_path / "data")
    _seed()
    with time_machine.travel(NOW.replace(tzinfo=UTC), tick=False):
        yield services, tmp_path / "data"
    services.close()


def _hand_deltas(svc: Services, since: str) -> set[tuple]:
    """(account, day, metric, from_age, to_age, before, change) by window functions over the restatement rows."""
    rows = svc.db.execute_sql(
        "WITH spans AS (SELECT account_id, date, FIRST_VALUE(prev_age_days) OVER w AS from_age,"
        " FIRST_VALUE(before_cost_micros) OVER w AS b_cost, FIRST_VALUE(before_clicks) OVER w AS b_clicks,"
        " FIRST_VALUE(before_conversions) OVER w AS b_conv, age_days, d_cost_micros, d_clicks, d_conversions"
        " FROM restatement WINDOW w AS (PARTITION BY account_id, date ORDER BY fetched_at))"
        " SELECT a.name, s.date, MIN(from_age), MAX(age_days), MIN(b_cost), MIN(b_clicks), MIN(b_conv),"
        " IIF(SUM(d_cost_micros IS NULL) > 0, NULL, SUM(d_cost_micros)),"
        " IIF(SUM(d_clicks IS NULL) > 0, NULL, SUM(d_clicks)),"
        " IIF(SUM(d_conversions IS NULL) > 0, NULL, SUM(d_conversions))"
        " FROM spans s JOIN account a ON a.id = s.account_id"
        " WHERE EXISTS (SELECT 1 FROM restatement p WHERE p.account_id = s.account_id AND p.date = s.date"
        " AND p.fetched_at >= ? AND p.fetched_at < ?) GROUP BY s.account_id, s.date", (since, UNTIL)).fetchall()
    out = set()
    for name, day, from_age, to_age, *values in rows:
        for metric, before, change in zip(("cost", "clicks", "conversions"), values[:3], values[3:], strict=True):
            if change == 0 or (change is None and before is None):
                continue
            out.add((name, day, metric, from_age, to_age, before, None if change is None else round(change, 6)))
    return out


def test_restatement_deltas_match_hand_written_sql_and_read_in_words(seeded) -> None:
    svc, _ = seeded
    found = svc.insights.period("7d", now=NOW.replace(tzinfo=UTC))
    got = {(r.account, r.day.isoformat(), r.metric, r.from_age_days, r.to_age_days, r.before, r.change)
           for r in found.restatements}
    # shop Nov 14 and Oct 1 (re-fetched in the period, old as it is): cost, clicks, conversions; acme: clicks, conv
    assert got == _hand_deltas(svc, SINCE_7D) and len(got) == 8
    texts = {r.text for r in found.restatements}
    assert "Meta Ads changed conversions of Nov 14 by +12 % between day 1 and day 7 (shop)" in texts
    assert "Meta Ads changed cost of Nov 14 by +4 % between day 1 and day 7 (shop)" in texts
    assert "Google Ads changed clicks of Nov 19 from 0 to 3 clicks between day 1 and day 1 (acme)" in texts
    unknown = next(r for r in found.restatements if r.account == "acme" and r.metric == "conversions")
    assert unknown.change is None and unknown.percent is None and "unknown" in unknown.text  # never 0
    assert [round(r.percent or 0, 2) for r in found.restatements][:5] == [12.0, 11.11, 11.11, 11.11, 5.0]  # largest
    assert found.restatements[-1].percent is None  # unknown and from-0 changes last
    month = svc.insights.period("30d", now=NOW.replace(tzinfo=UTC))
    assert {(r.account, r.day.isoformat()) for r in month.restatements} == {
        (a, d) for a, d, *_ in _hand_deltas(svc, "2026-10-22 08:00:00")}
    assert any(r.day == date(2026, 11, 1) for r in month.restatements)


def test_days_still_settling_match_hand_written_sql(seeded) -> None:
    svc, _ = seeded
    accounts = {a.account: a for a in svc.insights.period("24h", now=NOW.replace(tzinfo=UTC)).accounts}
    (by_hand,) = svc.db.execute_sql(
        "SELECT COUNT(*) FROM day_fetch f JOIN account a ON a.id = f.account_id WHERE a.name = 'shop'"
        " AND f.date BETWEEN '2026-10-24' AND '2026-11-20' AND f.last_changed AND (SELECT COUNT(*) FROM restatement r"
        " WHERE r.account_id = f.account_id AND r.date = f.date AND r.fetched_at = f.last_fetched_at) > 0").fetchone()
    assert accounts["shop"].days_still_settling == by_hand == 1  # New York's today: Nov 21; Meta: 28 days back
    assert accounts["acme"].days_still_settling == 1  # Google Ads: 30 days
    assert accounts["fresh"].days_still_settling is None  # nothing recorded yet: unknown, not 0


def test_cli_and_api_carry_the_new_fields(seeded, capsys: pytest.CaptureFixture[str]) -> None:
    svc, data_dir = seeded
    found = svc.insights.period("7d", now=NOW.replace(tzinfo=UTC))
    out = api_models.insights(found).model_dump(mode="json")
    assert [(d["account"], d["date"], d["metric"], d["text"]) for d in out["restatement_deltas"]] == [
        (d["account"], d["date"], d["metric"], d["text"]) for d in insights_dict(found)["restatement_deltas"]]
    assert {a["account"]: a["days_still_settling"] for a in out["accounts"]} == {"acme": 1, "fresh": None, "shop": 1}
    assert main(["--data-dir", str(data_dir), "insights", "--period", "7d", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["restatement_deltas"][0]["text"] == (
        "Meta Ads changed conversions of Nov 14 by +12 % between day 1 and day 7 (shop)")
    assert data["restatement_deltas"][0]["percent"] == 12.0
    assert main(["--data-dir", str(data_dir), "insights", "--period", "7d"]) == 0
    text = capsys.readouterr().out
    assert "Restated by the platforms" in text and "changed clicks of Nov 19 from 0 to 3 clicks" in text


def test_a_cost_from_zero_reads_in_the_accounts_currency() -> None:
    from autosync_desktop.services.insights import _amount

    assert _amount("cost", 1_500_000_000, "JPY") == "1,500 JPY"  # no decimals for yen
    assert _amount("cost", 1_234_500, "KWD") == "1.235 KWD"  # three for dinar
    assert _amount("cost", 4_100_000, None) == "4.10"
