"""The suggested time for a new daily schedule from a seeded store (services.suggestions, `schedules suggest-time`):
days and hours are the account's own (Berlin), restatements after a run count against what it saw, failures move
the time, unknown figures are left out, and an account without history gets the default said as a default."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from autosync_desktop.cli import main
from autosync_desktop.services import Services
from autosync_desktop.store.models import Account, DailyStat, Restatement, SyncRun

NOW = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)  # Berlin is UTC+1 until Mar 28
DAYS = [date(2027, 3, 5) + timedelta(days=n) for n in range(10)]


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "data")
    yield services
    services.close()


def _utc(day: date, local_hour: int, minute: int = 10) -> datetime:
    """Naive UTC of a Berlin wall time (CET, UTC+1) on `day`."""
    return datetime(day.year, day.month, day.day, local_hour, minute) - timedelta(hours=1)


def _seed(account: Account, *, settle_hour: int = 5) -> None:
    for day in DAYS:
        for campaign, (cost, clicks) in {"c1": (60_000_000, 600), "c2": (40_000_000, 400)}.items():
            DailyStat.create(account=account, campaign_id=campaign, date=day, cost_micros=cost, clicks=clicks,
                             currency="EUR")
        next_day = day + timedelta(days=1)
        for hour in range(24):  # hourly runs on the next day, Berlin time
            SyncRun.create(account=account, account_name=account.name, platform=account.platform, status="succeeded",
                           trigger="scheduled", queued_at=_utc(next_day, hour, 9), started_at=_utc(next_day, hour))
        # the run at settle_hour:10 found 3 % more cost and 3 % more clicks: the runs before saw 97 %
        Restatement.create(account=account, date=day, age_days=1, prev_age_days=1,
                           fetched_at=_utc(next_day, settle_hour), before_cost_micros=97_000_000,
                           before_clicks=970, before_conversions=None, d_cost_micros=3_000_000, d_clicks=30,
                           d_conversions=None)


def test_the_hour_by_which_days_were_final_in_the_accounts_zone(svc: Services) -> None:
    account = Account.create(name="Meta EU", platform="meta_ads", external_id="1", timezone="Europe/Berlin")
    _seed(account)
    found = svc.suggestions.for_account("Meta EU", now=NOW)
    assert (found.at, found.timezone, found.measured, found.days) == ("06:30", "Europe/Berlin", True, 10)
    assert found.reason == ("06:30 Berlin: Meta Ads numbers for yesterday were 99 % final by 06:00 on 100 % of the "
                            "last 10 days (of 30)")


def test_an_hour_with_many_failures_is_passed_over(svc: Services) -> None:
    account = Account.create(name="Meta EU", platform="meta_ads", external_id="1", timezone="Europe/Berlin")
    _seed(account)
    for day in DAYS[:4]:  # 4 of the 06:xx runs' hour failed: 4 / 14 = 29 %
        SyncRun.create(account=account, account_name="Meta EU", platform="meta_ads", status="failed",
                       trigger="scheduled", queued_at=_utc(day, 6, 30), started_at=_utc(day, 6, 31))
    found = svc.suggestions.for_account("Meta EU", now=NOW)
    assert found.at == "07:30" and found.reason.endswith("; not 06:00: many past runs failed in that hour")


def test_unknown_figures_and_backfills_are_no_evidence(svc: Services) -> None:
    account = Account.create(name="Meta EU", platform="meta_ads", external_id="1", timezone="Europe/Berlin")
    _seed(account)
    for day in DAYS[6:8]:  # a campaign whose clicks are unknown makes the day unknown
        DailyStat.create(account=account, campaign_id="c3", date=day, cost_micros=1, clicks=None, currency="EUR")
    # days 0 and 1 were looked at on their next day only by backfills (runs before DAYS[3])
    SyncRun.update(trigger="backfill").where(SyncRun.queued_at < _utc(DAYS[3], 0, 0)).execute()
    found = svc.suggestions.for_account("Meta EU", now=NOW)
    # days 2..5 and 8..9: six, one short of the seven needed (with either rule missing there would be seven or more)
    assert not found.measured and found.days == 6
    assert found.at == "07:00" and "only 6 days of history for Meta Ads" in found.reason


def test_the_cli_says_the_reason_and_gives_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    services = Services.open(data)
    Account.create(name="Fresh", platform="google_ads", external_id="123-456-7890", timezone="America/New_York")
    services.close()
    assert main(["--data-dir", str(data), "schedules", "suggest-time", "Fresh"]) == 0
    assert capsys.readouterr().out.startswith("07:00: no history for Google Ads yet")
    assert main(["--data-dir", str(data), "schedules", "suggest-time", "Fresh", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {k: out[k] for k in ("account", "at", "timezone", "measured", "days")} == {
        "account": "Fresh", "at": "07:00", "timezone": "America/New_York", "measured": False, "days": 0}
    assert main(["--data-dir", str(data), "schedules", "suggest-time", "Nobody"]) == 2


def test_the_zone_from_the_accounts_option_and_campaigns_only_runs_are_no_evidence(svc: Services) -> None:
    account = Account.create(name="Meta EU", platform="meta_ads", external_id="1", timezone=None,
                             options='{"timezone": "Europe/Berlin"}')  # its zone only in its options, as Demo's
    _seed(account)
    found = svc.suggestions.for_account("Meta EU", now=NOW)
    assert (found.at, found.timezone, found.measured) == ("06:30", "Europe/Berlin", True)
    SyncRun.update(sync_type="campaigns").execute()  # they fetched no daily figures
    found = svc.suggestions.for_account("Meta EU", now=NOW)
    assert not found.measured and found.days == 0
