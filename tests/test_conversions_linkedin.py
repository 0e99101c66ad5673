"""LinkedIn conversions by action (the Statistics finder with pivots CAMPAIGN and CONVERSION) against the fake:
each conversion rule's count and value per campaign and day, named from the account's rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from autosync_desktop.domain import StatsFilter
from autosync_desktop.services import Services
from tests.fakes.linkedin_ads import TOKEN_PATH, FakeLinkedInAds, error


@pytest.fixture
def fake() -> Iterator[FakeLinkedInAds]:
    api = FakeLinkedInAds(campaigns=60, today=date(2026, 11, 20))
    with api:
        yield api


def sync(fake: FakeLinkedInAds, tmp_path: Path) -> tuple[dict[tuple[str, date, str], tuple[float, int | None]],
                                                          date, date, list[str]]:
    svc = Services.open(tmp_path / "data")
    try:
        svc.accounts.add("linkedin_ads", "LI", str(fake.account_id),
                         {"api_base_url": fake.base_url, "token_url": fake.base_url + TOKEN_PATH},
                         {"client_id": fake.client_id, "client_secret": fake.client_secret,
                          "refresh_token": fake.refresh_token})
        start, end = fake.today - timedelta(days=12), fake.today - timedelta(days=1)
        run = svc.runs.wait(svc.runs.request("LI", start, end).run_id, poll_s=0.02, timeout_s=60)
        assert run.status == "succeeded", run.error
        rows = svc.data.conversions(StatsFilter(account="LI"))
        log = [line.message for line in svc.runs.detail(run.id).events]
    finally:
        svc.close()
    got = {(r.campaign_id, r.day, r.action): (r.count, r.value.micros if r.value else None) for r in rows}
    assert {r.date_tz for r in rows} == {"UTC"}
    return got, start, end, log


def test_each_rule_per_campaign_day_matches_the_fake(fake: FakeLinkedInAds, tmp_path: Path,
                                                     memory_keyring: dict) -> None:
    got, start, end, _log = sync(fake, tmp_path)
    expected = fake.expected_actions(start, end)
    assert len(expected) > 20 and {k[2] for k in expected} == {"Purchase", "Sign-up"}
    assert got == {k: (n, v) for k, (n, v) in expected.items()}
    assert len(fake.calls("/rest/conversions")) == 1  # the rule names, once per run


def test_rules_are_named_by_id_when_their_names_are_not_readable(fake: FakeLinkedInAds, tmp_path: Path,
                                                                 memory_keyring: dict) -> None:
    fake.fail_next("/rest/conversions", error(403, "ACCESS_DENIED", "Not enough permissions to access conversions"))
    got, _start, _end, log = sync(fake, tmp_path)
    assert {k[2] for k in got} == {"conversion 9001", "conversion 9002"}
    assert any("conversion rule names are not readable" in line for line in log)
