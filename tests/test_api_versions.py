"""Each account's platform API version and sunset: shown by `status --json`, the cards and the accounts list; 60 and
14 days before a known sunset the health turns "needs update" and one notification goes out per stage (not
again after a restart). No platform has published a sunset for the versions in use, so the tests set one on a
copy of the spec (a made-up far-future date) and travel to fixed days around it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine

from autosync_desktop.cli import main
from autosync_desktop.connectors import registry
from autosync_desktop.domain import ApiVersion, Health, RunStatus
from autosync_desktop.notify.config import NotifyConfig
from autosync_desktop.notify.messages import DigestTotals
from autosync_desktop.notify.policy import AccountFreshness, Policy, PolicyState
from autosync_desktop.services import Services

SUNSET = date(2031, 3, 15)  # made up: tests only
DEMO = "Demo"


def at(days_before: int) -> datetime:
    return datetime.combine(SUNSET - timedelta(days=days_before), time(9, 30), tzinfo=UTC)


def test_words_and_stages_at_fixed_days() -> None:
    api = ApiVersion(api="Meta API", version="v27.0", sunset=date(2031, 2, 3))
    assert (api.words, api.until_words) == ("Meta API v27.0", "until 3 Feb 2031")
    stages = {days: api.notice_stage(date(2031, 2, 3) - timedelta(days=days)) for days in (61, 60, 15, 14, 1, 0, -3)}
    assert stages == {61: None, 60: 60, 15: 60, 14: 14, 1: 14, 0: 14, -3: 14}
    unknown = ApiVersion(api="Meta API", version="v27.0", sunset=None)
    assert unknown.until_words is None and unknown.notice_stage(date(2031, 2, 3)) is None


def test_the_built_in_connectors_declare_their_versions_without_invented_sunsets() -> None:
    from autosync_desktop.services.api_versions import api_of

    meta, google, linkedin = api_of("meta_ads"), api_of("google_ads"), api_of("linkedin_ads")
    assert meta is not None and meta.words == "Meta API v27.0" and meta.sunset is None
    assert google is not None and google.words == "Google Ads API v26"
    assert linkedin is not None and linkedin.words.startswith("LinkedIn API 2026")


@pytest.fixture
def svc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """A synced (healthy) Demo account whose connector is said to speak "Demo API v9" until SUNSET."""
    monkeypatch.setitem(registry.PLATFORMS, "demo",
                        replace(registry.PLATFORMS["demo"], api_version="v9", api_sunset=SUNSET))
    services = Services.open(tmp_path / "data")
    services.accounts.add("demo", DEMO, options={"latency_ms": "0", "campaigns": "2", "history_days": "3"})
    request = services.runs.request(DEMO)
    assert services.runs.wait(request.run_id, poll_s=0.02, timeout_s=30).status == RunStatus.SUCCEEDED
    yield services
    services.close()


def test_health_turns_needs_update_60_days_before_the_sunset(svc: Services, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    with time_machine.travel(at(61), tick=False):
        status = svc.metrics.status().accounts[0]
        assert status.health == Health.HEALTHY and status.api is not None
        assert svc.accounts.get(DEMO).health == Health.HEALTHY
    for days in (60, 14, 0):
        with time_machine.travel(at(days), tick=False):
            assert svc.metrics.status().accounts[0].health == Health.NEEDS_UPDATE
            assert svc.accounts.get(DEMO).health == Health.NEEDS_UPDATE
            card = svc.accounts.cards()[0]
            assert card.health == Health.NEEDS_UPDATE and card.api is not None
            assert (card.api.words, card.api.until_words) == ("Demo API v9", "until 15 Mar 2031")
    with time_machine.travel(at(60), tick=False):
        assert main(["--data-dir", str(tmp_path / "data"), "status", "--json"]) == 0
        account = json.loads(capsys.readouterr().out)["accounts"][0]
        assert (account["health"], account["api_version"], account["api_sunset"]) == (
            "needs_update", "v9", "2031-03-15")
        assert main(["--data-dir", str(tmp_path / "data"), "status"]) == 0
        assert "needs_update" in capsys.readouterr().out


def test_status_json_says_null_for_an_unknown_sunset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    assert main(["--data-dir", data, "accounts", "add", "--platform", "meta_ads", "--name", "Meta",
                 "--account-id", "act_1234"]) == 0
    capsys.readouterr()
    assert main(["--data-dir", data, "status", "--json"]) == 0
    account = json.loads(capsys.readouterr().out)["accounts"][0]
    assert (account["api_version"], account["api_sunset"], account["health"]) == ("v27.0", None, "needs_sign_in")


def test_failing_and_sign_in_outrank_needs_update() -> None:
    from autosync_desktop.services.api_versions import health_of

    api = ApiVersion(api="Demo API", version="v9", sunset=SUNSET)
    today = SUNSET - timedelta(days=10)
    assert health_of("failing", api, today) == Health.FAILING
    assert health_of("needs_sign_in", api, today) == Health.NEEDS_SIGN_IN
    assert health_of("never_synced", api, today) == Health.NEEDS_UPDATE
    assert health_of("degraded", None, today) == Health.DEGRADED


# --- the notification, once per stage --------------------------------------------------------------------------

def _config() -> NotifyConfig:
    return NotifyConfig.from_values({"notify.desktop.enabled": False, "notify.slack.enabled": True,
                                     "notify.min_interval_minutes": 0})


def _world(api: ApiVersion | None) -> list[AccountFreshness]:
    return [AccountFreshness(account="Acme Meta", last_success_at=None, created_at=at(400), expected=True, api=api)]


def _no_totals(since: datetime, until: datetime) -> DigestTotals:
    return DigestTotals()


def test_one_notification_at_60_days_one_at_14_and_none_after_a_restart() -> None:
    api = ApiVersion(api="Meta API", version="v27.0", sunset=SUNSET)
    moment = [at(61)]
    policy = Policy(lambda: moment[0], UTC)
    sent: list[tuple[int, str]] = []

    def tick(days: int) -> None:
        nonlocal policy
        moment[0] = at(days)
        sent.extend((days, d.notification.title) for d in policy.tick(_config(), _world(api), _no_totals)
                    if d.notification.kind == "api_update")
        saved = json.dumps(policy.state.to_dict())  # what the dispatcher persists; a restart reads it back
        policy = Policy(lambda: moment[0], UTC, state=PolicyState.from_dict(json.loads(saved)))

    for days in (61, 60, 60, 45, 15, 14, 14, 13, 1, 0):
        tick(days)
    assert sent == [(60, "Update AutoSync: Meta API v27.0 ends in 60 days"),
                    (14, "Update AutoSync: Meta API v27.0 ends in 14 days")]


def test_a_first_check_inside_14_days_sends_one_notice_and_an_update_forgets_it() -> None:
    api = ApiVersion(api="Meta API", version="v27.0", sunset=SUNSET)
    moment = at(10)
    policy = Policy(lambda: moment, UTC)
    first = policy.tick(_config(), _world(api), _no_totals)
    assert [d.notification.facts["days_left"] for d in first if d.notification.kind == "api_update"] == [10]
    assert policy.tick(_config(), _world(api), _no_totals) == []
    policy.tick(_config(), _world(ApiVersion(api="Meta API", version="v28.0", sunset=None)), _no_totals)
    assert policy.state.api_update == {}


def test_the_services_hand_the_api_version_to_the_notifier(svc: Services) -> None:
    accounts = svc.notifications._notify_accounts()
    assert [(a.account, a.api) for a in accounts] == [(DEMO, ApiVersion(api="Demo API", version="v9", sunset=SUNSET))]
