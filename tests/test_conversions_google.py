"""Google Ads conversions by action (segments.conversion_action_name) against the fake, through the CLI and its
`export conversions`: per-action rows that add up exactly to the blended conversions and value."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from autosync_desktop.cli import main
from autosync_desktop.services.exports import CONVERSION_COLUMNS
from tests.fakes.google_ads import CREDENTIALS, CURRENCY, CUSTOMER_ID, TIME_ZONE, FakeGoogleAds

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGoogleAds]:
    api = FakeGoogleAds(today=TODAY)
    with api:
        yield api


def _cli(data: Path, capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> tuple[str, str]:
    rc = main(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    assert rc == code, err
    return out, err


def test_conversions_by_action_add_up_and_export(fake: FakeGoogleAds, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                                 memory_keyring: dict) -> None:
    fake.reset()
    data = tmp_path / "data"
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(CREDENTIALS)))
    _cli(data, capsys, "accounts", "add", "--platform", "google_ads", "--name", "G", "--account-id", CUSTOMER_ID,
         "--option", f"api_base_url={fake.base_url}", "--option", f"token_url={fake.base_url}/token",
         "--credentials-stdin")
    start, end = TODAY - timedelta(days=45), TODAY - timedelta(days=2)  # two windows
    _cli(data, capsys, "sync", "G", "--from", start.isoformat(), "--to", end.isoformat(), "--wait")
    assert len(fake.search_calls("segments.conversion_action_name")) == 2  # one per window

    out, _ = _cli(data, capsys, "export", "conversions", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == CONVERSION_COLUMNS
    expected = fake.expected_actions(start, end)
    assert len(expected) > 50 and {k[2] for k in expected} == {"Purchase", "Sign-up"}
    got = {(r["campaign_id"], date.fromisoformat(r["date"]), r["action"]): (float(r["count"]), int(r["value_micros"]))
           for r in rows}
    assert got == expected
    assert {(r["platform"], r["account_id"], r["date_tz"], r["currency"]) for r in rows} == {
        ("google_ads", CUSTOMER_ID, TIME_ZONE, CURRENCY)}
    assert all(r["campaign_name"] for r in rows)
    assert all(r["value"] == f"{int(r['value_micros']) // 1_000_000}." + f"{int(r['value_micros']) % 1_000_000:06d}"
               .rstrip("0").ljust(2, "0") for r in rows)

    # the breakdown adds up to the blended numbers of every (campaign, day), exactly
    stats, _ = _cli(data, capsys, "export", "stats", "--format", "json")
    per_day: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for r in rows:
        per_day[(r["campaign_id"], r["date"])][0] += float(r["count"])
        per_day[(r["campaign_id"], r["date"])][1] += int(r["value_micros"])
    blended = json.loads(stats)
    assert sum(1 for s in blended if s["conversions"]) == len(per_day)
    for s in blended:
        total = per_day.get((s["campaign_id"], s["date"]), [0.0, 0])
        assert total[0] == s["conversions"]
        assert total[1] == round(float(s["conversion_value"] or 0) * 1_000_000)

    as_json, _ = _cli(data, capsys, "export", "conversions", "--format", "json")
    first = json.loads(as_json)[0]
    assert list(first) == CONVERSION_COLUMNS and isinstance(first["count"], float)
