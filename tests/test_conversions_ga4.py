"""GA4 conversions by action: key events by eventName (a third report per window) against the fake; the counts add
up to keyEvents, non-key events are left out, revenue stays with its event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from autosync_desktop.domain import StatsFilter
from autosync_desktop.services import Services
from tests.fakes.ga4 import TOKEN_PATH, FakeGA4


@pytest.fixture
def fake() -> Iterator[FakeGA4]:
    api = FakeGA4(campaigns=8, today=date(2026, 11, 20))
    with api:
        yield api


def test_key_events_by_name_add_up_to_key_events(fake: FakeGA4, tmp_path: Path, memory_keyring: dict) -> None:
    svc = Services.open(tmp_path / "data")
    try:
        svc.accounts.add("ga4", "GA", fake.property_id, {"api_base_url": fake.base_url,
                                                         "token_url": fake.base_url + TOKEN_PATH},
                         {"client_id": fake.client_id, "client_secret": fake.client_secret,
                          "refresh_token": fake.refresh_token})
        start, end = fake.today - timedelta(days=10), fake.today - timedelta(days=1)
        run = svc.runs.wait(svc.runs.request("GA", start, end).run_id, poll_s=0.02, timeout_s=60)
        assert run.status == "succeeded", run.error
        rows = svc.data.conversions(StatsFilter(account="GA"))
        stats = svc.data.stats(StatsFilter(account="GA"), limit=10_000).rows
    finally:
        svc.close()
    got = {(r.campaign_id, r.day.isoformat(), r.action): (r.count, r.value.micros if r.value else None) for r in rows}
    expected = fake.expected_events(start, end)
    assert len(expected) > 20 and {k[2] for k in expected} == {"purchase", "generate_lead"}
    assert got == {k: (float(n), v) for k, (n, v) in expected.items()}
    assert {r.date_tz for r in rows} == {fake.time_zone}
    per_day: dict[tuple[str, date], list[float]] = defaultdict(lambda: [0.0, 0])
    for r in rows:
        per_day[(r.campaign_id, r.day)][0] += r.count
        per_day[(r.campaign_id, r.day)][1] += r.value.micros if r.value else 0
    for s in stats:
        count, value = per_day.get((s.campaign_id, s.day), [0.0, 0])
        assert (count, value) == (s.conversions, s.conversion_value.micros if s.conversion_value else 0)
