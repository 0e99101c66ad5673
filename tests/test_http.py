"""The shared HTTP layer: retries by class, Retry-After, per-account pauses, scrubbed messages."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
import requests

from autosync_desktop.connectors.base import (
    Cancelled,
    ConnectorContext,
    ConnectorError,
    Permanent,
    RateLimited,
    RetryPolicy,
    Transient,
)
from autosync_desktop.connectors.http import HttpClient, retry_after_seconds
from tests.fakes.server import FakeApi, Reply, Request


class Api(FakeApi):
    def handle(self, req: Request) -> Reply:
        return Reply(200, {"ok": True, "path": req.path})


def classify(response: requests.Response) -> ConnectorError | None:
    if response.status_code == 429:
        return RateLimited("slow down")
    if response.status_code >= 500:
        return Transient(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        return Permanent(f"HTTP {response.status_code}")
    return None


def client(**retry: float) -> HttpClient:
    policy = RetryPolicy(**{"max_attempts": 3, "base_delay_s": 0.0, "max_delay_s": 0.0,
                            "max_rate_limit_wait_s": 5.0, **retry})
    return HttpClient("test_http", ConnectorContext(retry=policy), classify)


def test_retry_after_as_seconds_or_http_date() -> None:
    assert retry_after_seconds({"Retry-After": "30"}) == 30.0
    now = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds({"Retry-After": "Sun, 29 Nov 2026 12:01:30 GMT"}, now) == 90.0
    assert retry_after_seconds({"Retry-After": "soon"}) is None and retry_after_seconds({}) is None


def test_transient_errors_are_retried_and_then_marked_exhausted() -> None:
    with Api() as api:
        api.fail_next("/x", Reply(503, "busy"), times=2)
        assert client().request("GET", f"{api.base_url}/x").json()["ok"]
        api.fail_next("/y", Reply(500, "down"), times=5)
        with pytest.raises(Transient) as caught:
            client().request("GET", f"{api.base_url}/y")
        assert caught.value.exhausted and len(api.calls("/y")) == 3


def test_rate_limit_waits_for_retry_after_and_a_longer_hint_is_raised_at_once() -> None:
    with Api() as api:
        api.fail_next("/r", Reply(429, {}, headers={"Retry-After": "1"}))
        started = time.monotonic()
        assert client().request("GET", f"{api.base_url}/r").status_code == 200
        assert time.monotonic() - started >= 1.0
        api.fail_next("/long", Reply(429, {}, headers={"Retry-After": "600"}))
        with pytest.raises(RateLimited) as caught:
            client().request("GET", f"{api.base_url}/long")
        assert caught.value.retry_after == 600 and caught.value.exhausted and len(api.calls("/long")) == 1


def test_a_503_with_retry_after_is_treated_as_a_rate_limit() -> None:
    with Api() as api:
        api.fail_next("/m", Reply(503, {}, headers={"Retry-After": "900"}))
        with pytest.raises(RateLimited):
            client().request("GET", f"{api.base_url}/m")


def test_a_paused_account_does_not_hold_up_another_account_of_the_platform() -> None:
    with Api() as api:
        throttled, other = client(), client()
        throttled.pause_for(30)
        cancel = threading.Event()
        throttled.ctx.cancel_event = cancel
        outcome: list[BaseException] = []

        def call() -> None:
            try:
                throttled.request("GET", f"{api.base_url}/a")
            except Cancelled as exc:
                outcome.append(exc)

        blocked = threading.Thread(target=call)
        blocked.start()
        assert other.request("GET", f"{api.base_url}/b").status_code == 200
        assert api.calls("/a") == []  # the paused account is still waiting
        cancel.set()
        blocked.join(timeout=10)
        assert not blocked.is_alive() and len(outcome) == 1 and api.calls("/a") == []


def test_connection_errors_are_transient_and_never_echo_the_query_string() -> None:
    with Api() as api:
        url = f"{api.base_url}/gone"
    with pytest.raises(Transient) as caught:
        client(max_attempts=1).request("GET", f"{url}?access_token=SECRET-TOKEN-1")
    assert "SECRET-TOKEN-1" not in caught.value.message and "Could not reach" in caught.value.message


def test_calls_are_instrumented() -> None:
    with Api() as api:
        c = client()
        api.fail_next("/i", Reply(503, "busy"))
        c.request("GET", f"{api.base_url}/i")
        assert (c.ctx.stats.calls, c.ctx.stats.errors) == (2, 1) and c.ctx.stats.latency_ms_total > 0
