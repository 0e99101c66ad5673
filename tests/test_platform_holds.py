"""A rate limit shared by a platform's accounts (the app's limit) holds their scheduled runs until its reset:
which errors are shared, the holds themselves, and the scheduler recording a held tick and running it at the reset
while a manual run and other platforms go ahead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from autosync_desktop import events as ev
from autosync_desktop.connectors import google_rpc as rpc
from autosync_desktop.connectors.google_ads import GoogleAdsConnector
from autosync_desktop.connectors.linkedin_ads import LinkedInAdsConnector
from autosync_desktop.connectors.meta_errors import classify_error
from autosync_desktop.store.models import Account, Schedule, SyncRun
from autosync_desktop.sync.platform_holds import Hold, PlatformHolds
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.scheduler import SchedulerService
from tests.test_dependencies import FixedClock as Clock

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _google_quota(scope: str) -> dict:
    return {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "quota", "details": [{
        "@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
        "errors": [{"errorCode": {"quotaError": "RESOURCE_EXHAUSTED"}, "message": "Too many requests",
                    "details": {"quotaErrorDetails": {"rateScope": scope, "rateName": "Requests per day",
                                                      "retryDelay": "3600s"}}}]}]}


@pytest.mark.parametrize("scope, shared", [("DEVELOPER", True), ("ACCOUNT", False)])
def test_google_ads_developer_token_limits_are_shared(scope: str, shared: bool) -> None:
    error = _google_quota(scope)
    assert rpc.developer_scope(error) is shared
    limited = GoogleAdsConnector._api_error(SimpleNamespace(), 429, error, "")  # type: ignore[arg-type]
    assert limited.error_class == "RateLimited" and limited.shared is shared and limited.retry_after == 3600
    assert ("developer token" in limited.message) is shared


@pytest.mark.parametrize("code, shared", [(4, True), (17, False), (613, False), (80000, False)])
def test_meta_only_the_app_limit_is_shared(code: int, shared: bool) -> None:
    limited = classify_error(400, {"code": code, "message": "throttled"}, {}, "123", "v27.0")
    assert limited.error_class == "RateLimited" and limited.shared is shared


def test_linkedin_daily_limit_is_shared_and_plain_throttling_is_not() -> None:
    daily = LinkedInAdsConnector._classify_429({"message": "Application daily request limit reached"}, "429")
    other = LinkedInAdsConnector._classify_429({"message": "Too many requests"}, "429")
    assert (daily.shared, other.shared) == (True, False)


def test_a_hold_lasts_until_its_reset_and_a_later_reset_wins() -> None:
    holds = PlatformHolds()
    holds.hold(Hold(platform="meta_ads", until=T0 + timedelta(hours=1), account="A", run_id=1))
    holds.hold(Hold(platform="meta_ads", until=T0 + timedelta(minutes=10), account="B", run_id=2))  # earlier: kept
    assert holds.active("meta_ads", T0).run_id == 1
    assert holds.active("google_ads", T0) is None
    assert holds.active("meta_ads", T0 + timedelta(hours=1)) is None  # reset reached: forgotten
    assert holds.active("meta_ads", T0) is None


def test_the_scheduler_holds_other_accounts_scheduled_runs_until_the_reset(store, bus) -> None:
    clock = Clock(T0)
    service = SchedulerService(store, bus, Runner(store, bus, max_workers=1), clock=clock)
    try:
        _holds_other_accounts(service, clock, bus)
    finally:
        service.stop()


def _holds_other_accounts(service: SchedulerService, clock: Clock, bus: ev.EventBus) -> None:
    submitted: list[int] = []
    service.submit = lambda run: submitted.append(run.id)  # type: ignore[method-assign]
    meta_a = Account.create(name="Meta A", platform="meta_ads", external_id="1")
    meta_b = Account.create(name="Meta B", platform="meta_ads", external_id="2")
    google = Account.create(name="Google", platform="google_ads", external_id="1234567890")
    b_daily = Schedule.create(name="B daily", account=meta_b, frequency="daily", at_time="09:00", timezone="UTC")
    g_daily = Schedule.create(name="G daily", account=google, frequency="daily", at_time="09:00", timezone="UTC")
    reset = T0 + timedelta(minutes=47)
    bus.publish(ev.RunFinished(run_id=7, schedule=None, account=meta_a.name, trigger="manual", status="failed",
                               error_class="RateLimited", retry_at=reset, platform="meta_ads", shared_limit=True))

    assert service._fire(b_daily.id, "scheduled") is not None
    held = SyncRun.get(SyncRun.schedule_name == "B daily")
    assert held.status == "skipped" and held.id not in submitted
    assert held.reason == ("Held until 2027-03-01 09:47 UTC: the limit all your Meta Ads accounts share was reached "
                           "(run #7, Meta A); this schedule runs then")
    job = service._aps.get_job(f"retry:{b_daily.id}")
    assert job is not None and job.trigger.run_date == reset

    service._fire(g_daily.id, "scheduled")  # another platform: not held
    service._fire(b_daily.id, "manual")  # a person asked: it goes ahead
    assert [r.schedule_name for r in SyncRun.select().where(SyncRun.id.in_(submitted))] == ["G daily", "B daily"]

    clock.at = reset  # the reset: scheduled runs go ahead again
    service._fire(b_daily.id, "scheduled")
    assert len(submitted) == 3


def test_an_account_only_limit_holds_nothing(store, bus) -> None:
    service = SchedulerService(store, bus, Runner(store, bus, max_workers=1), clock=Clock(T0))
    try:
        bus.publish(ev.RunFinished(run_id=7, schedule=None, account="Meta A", trigger="manual", status="failed",
                                   error_class="RateLimited", retry_at=T0 + timedelta(hours=1), platform="meta_ads"))
        assert service.holds.active("meta_ads", T0) is None
    finally:
        service.stop()


@pytest.mark.parametrize("headers, shared", [
    ({"x-rate-limit-remaining": "0", "x-rate-limit-reset": "4102444800"}, True),  # the user's window
    ({"x-rate-limit-remaining": "5", "x-rate-limit-reset": "4102444800", "x-account-rate-limit-remaining": "0",
      "x-account-rate-limit-reset": "4102444800"}, False),  # the ad account's own window
])
def test_x_a_429_on_the_users_window_is_shared(headers: dict[str, str], shared: bool) -> None:
    import requests

    from autosync_desktop.connectors.x_ads import classify

    response = requests.Response()
    response.status_code = 429
    response.headers.update(headers)
    response._content = b'{"errors": [{"code": "TOO_MANY_REQUESTS", "message": "Rate limit exceeded"}]}'
    limited = classify(response)
    assert limited is not None and limited.error_class == "RateLimited" and limited.shared is shared


def test_a_hold_outlives_a_restart_until_its_reset(store, bus) -> None:
    first = SchedulerService(store, bus, Runner(store, bus, max_workers=1), clock=Clock(T0))
    reset = T0 + timedelta(hours=3)
    try:
        bus.publish(ev.RunFinished(run_id=7, schedule=None, account="Meta A", trigger="manual", status="failed",
                                   error_class="RateLimited", retry_at=reset, platform="meta_ads", shared_limit=True))
    finally:
        first.stop()
        first._unsubscribe()
    for at, expected in [(T0 + timedelta(hours=1), Hold("meta_ads", reset, "Meta A", 7)), (reset, None)]:
        again = SchedulerService(store, bus, Runner(store, bus, max_workers=1), clock=Clock(at))
        again.start()  # a reopened app
        try:
            assert again.holds.active("meta_ads", at) == expected
        finally:
            again.stop()


def test_kept_holds_that_cannot_be_read_are_left_out() -> None:
    from autosync_desktop.sync import platform_holds

    kept = platform_holds.to_json([Hold("meta_ads", T0, "Meta A", 7)])
    assert platform_holds.from_json(kept) == [Hold("meta_ads", T0, "Meta A", 7)]
    assert platform_holds.from_json([{"platform": "x"}, "junk", {**kept[0], "until": "soon"}, *kept]) == [
        Hold("meta_ads", T0, "Meta A", 7)]
    assert platform_holds.from_json(None) == [] and platform_holds.from_json({"a": 1}) == []
