"""Meta conversions by action: the listed conversion types one row each, adding up to the blended numbers."""

from __future__ import annotations

import io
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from autosync_desktop.cli import main
from autosync_desktop.connectors import meta_ads, meta_records
from autosync_desktop.connectors.base import ActionConversions
from tests.fakes.meta_ads import MetaFake

TYPES = ("purchase", "lead")
Key = tuple[str, str, str]  # campaign, day, action


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(meta_ads, "ASYNC_POLL_FIRST_S", 0.005)
    monkeypatch.setattr(meta_ads, "ASYNC_POLL_MAX_S", 0.01)


@pytest.fixture
def fake() -> Iterator[MetaFake]:
    api = MetaFake(today=date(2026, 11, 20))
    with api:
        yield api


def _cli(data: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    rc = main(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    assert rc == 0, err
    return out


def truth(fake: MetaFake, since: date, until: date) -> dict[Key, tuple[Decimal, int | None]]:
    out: dict[Key, tuple[Decimal, int | None]] = {}
    for row in fake.rows(since, until):
        counts = {a["action_type"]: Decimal(a["value"]) for a in row.get("actions", ()) if a["action_type"] in TYPES}
        values = {a["action_type"]: int(Decimal(a["value"]) * 1_000_000) for a in row.get("action_values", ())
                  if a["action_type"] in TYPES}
        for kind in counts.keys() | values.keys():
            out[(row["campaign_id"], row["date_start"], kind)] = (counts.get(kind, Decimal(0)), values.get(kind))
    return out


@pytest.mark.parametrize("threshold", ["0", "1"])  # one synchronous call per window / report jobs
def test_per_action_rows_match_the_fake_and_add_up_to_the_blended_column(
        fake: MetaFake, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        memory_keyring: dict, threshold: str) -> None:
    data = tmp_path / "data"
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"access_token": fake.token})))
    _cli(data, capsys, "accounts", "add", "--platform", "meta_ads", "--name", "M", "--account-id", "act_1234",
         "--option", f"api_base_url={fake.base_url}", "--option", f"async_threshold_days={threshold}",
         "--credentials-stdin")
    since, until = fake.today - timedelta(days=40), fake.today - timedelta(days=1)
    _cli(data, capsys, "sync", "M", "--from", since.isoformat(), "--to", until.isoformat(), "--wait")

    with sqlite3.connect(data / "autosync.db") as con:
        stored = {(c, d, a): (n, v) for c, d, a, n, v, p in con.execute(
            "SELECT campaign_id, date, action, count, value_micros, platform FROM daily_conversion")
            if p == "meta_ads"}
        blended = con.execute("SELECT campaign_id, date, conversions, conversion_value_micros FROM daily_stat"
                              ).fetchall()
    expected = truth(fake, since, until)
    assert len(expected) > 100 and {k[2] for k in expected} == set(TYPES)
    assert stored == {k: (float(n), v) for k, (n, v) in expected.items()}
    per_day: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for (campaign, day, _), (count, value) in stored.items():
        per_day[(campaign, day)][0] += count
        per_day[(campaign, day)][1] += value or 0
    for campaign, day, conversions, value in blended:  # the breakdown adds up to the blended numbers, row by row
        assert per_day.get((campaign, day), [0.0, 0]) == [pytest.approx(conversions), value]


def test_only_the_listed_types_and_a_type_without_value() -> None:
    row = {"campaign_id": "1", "date_start": "2026-01-02", "spend": "1", "impressions": "7", "clicks": "1",
           "actions": [{"action_type": "purchase", "value": "1.5"}, {"action_type": "link_click", "value": "4"},
                       {"action_type": "lead", "value": "2"}],
           "action_values": [{"action_type": "purchase", "value": "10.005"}]}
    record = meta_records.stat_record(row, frozenset({"purchase", "lead"}), "USD")
    assert record.actions == (ActionConversions("lead", 2.0, None), ActionConversions("purchase", 1.5, 10_005_000))
    assert sum(a.count for a in record.actions) == record.conversions == 3.5
    empty = meta_records.stat_record({**row, "actions": [], "action_values": []}, frozenset({"purchase"}), "USD")
    assert empty.actions == () and empty.conversions == 0.0
