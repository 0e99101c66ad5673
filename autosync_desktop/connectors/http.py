"""The HTTP layer every platform connector shares: one `requests.Session` per account, timeouts, pacing,
classified errors, page-level retries and latency instrumentation.

A connector passes a `classify(response)` function that maps the platform's error bodies onto the classes
of connectors/base.py (and may return None for success). This module then:
- waits for the platform's pacing budget (requests per minute and concurrent requests, shared by all
  accounts of the platform in this process) and for any "pause until" the connector requested after
  reading usage headers;
- turns timeouts and connection errors into Transient;
- retries Transient with exponential backoff and jitter, and RateLimited after the server's hint (the hint the
  classifier read from the platform's body or reset headers, else Retry-After; a guess from the message text
  only when the server gave no hint), up to the run's RetryPolicy; a hint longer than the
  policy allows is raised at once, so the engine can defer the run instead of hammering the platform;
- records every call's latency and outcome in the run's CallStats.
Errors that escape after retries carry `exhausted=True`, so the engine does not retry them again.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from autosync_desktop import __version__, clock
from autosync_desktop.connectors.base import (
    ConnectorContext,
    ConnectorError,
    HttpLimits,
    RateLimited,
    Transient,
)

if TYPE_CHECKING:  # requests (~60 ms) is imported when the first request is made
    import requests

USER_AGENT = f"AutoSyncDesktop/{__version__} (+python-requests)"
Classifier = Callable[["requests.Response"], ConnectorError | None]


class PlatformPacer:
    """Requests-per-minute and concurrency limits for one platform, shared across its accounts.

    Pauses (a rate limit's wait, usage near the limit) belong to one account, not to the platform: they are
    passed in as `paused_until` by that account's HttpClient, so one throttled account never stalls the others.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: deque[float] = deque()
        self._active = 0
        self._changed = threading.Condition(self._lock)

    def acquire(self, limits: HttpLimits, ctx: ConnectorContext, paused_until: float = 0.0) -> None:
        while True:
            ctx.check()
            with self._lock:
                now = time.monotonic()
                wait = paused_until - now
                if limits.requests_per_minute > 0:
                    while self._sent and now - self._sent[0] >= 60.0:
                        self._sent.popleft()
                    if len(self._sent) >= limits.requests_per_minute:
                        wait = max(wait, 60.0 - (now - self._sent[0]))
                if wait <= 0 and self._active < limits.max_concurrent:
                    self._active += 1
                    self._sent.append(now)
                    return
                if wait <= 0:
                    self._changed.wait(0.5)
                    continue
            ctx.sleep(min(wait, 5.0), rate_limit=True)  # our pacing, or this account's rate-limit pause

    def release(self) -> None:
        with self._lock:
            self._active = max(0, self._active - 1)
            self._changed.notify()


_pacers: dict[str, PlatformPacer] = {}
_pacers_lock = threading.Lock()


def pacer_for(platform: str) -> PlatformPacer:
    with _pacers_lock:
        return _pacers.setdefault(platform, PlatformPacer())


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    value = headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or clock.now())).total_seconds())


class HttpClient:
    """One account's HTTP session. Not thread-safe: a run uses it from its own thread."""

    def __init__(self, platform: str, ctx: ConnectorContext, classify: Classifier,
                 headers: Mapping[str, str] | None = None,
                 on_response: Callable[[requests.Response], float | None] | None = None) -> None:
        self.platform = platform
        self.ctx = ctx
        self.classify = classify
        self.on_response = on_response  # reads usage headers; returns seconds to pause the platform, or None
        import requests

        self.session = requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, **(headers or {})})
        self.pacer = pacer_for(platform)
        self.label = ctx.platform_label or platform
        self.paused_until = 0.0  # time.monotonic(): this account waits (rate limit, usage near the limit) until then

    def pause_for(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)

    def close(self) -> None:
        self.session.close()

    def request(self, method: str, url: str, *, retry: bool = True, **kwargs: Any) -> requests.Response:
        """Send with pacing and page-level retries; return a response the classifier accepted."""
        policy = self.ctx.retry
        attempt = 1
        while True:
            try:
                return self._send_once(method, url, **kwargs)
            except (Transient, RateLimited) as exc:
                if isinstance(exc, RateLimited):
                    wait = exc.retry_after if exc.retry_after is not None else policy.backoff(attempt)
                    if wait > policy.max_rate_limit_wait_s:
                        exc.exhausted = True
                        raise
                else:
                    wait = policy.backoff(attempt)
                if not retry or attempt >= policy.max_attempts:
                    exc.exhausted = True
                    raise
                self.ctx.log("warning", f"{self.label}: {exc.error_class} ({exc.message}); attempt {attempt} "
                                        f"of {policy.max_attempts}, retrying in {_seconds(wait)}")
                if isinstance(exc, RateLimited):
                    self.pause_for(wait)
                self.ctx.sleep(wait, rate_limit=isinstance(exc, RateLimited))
                attempt += 1

    def _send_once(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        import requests

        limits = self.ctx.limits
        self.pacer.acquire(limits, self.ctx, self.paused_until)
        started = time.perf_counter()
        try:
            kwargs.setdefault("timeout", (min(10.0, limits.timeout_s), limits.timeout_s))
            response = self.session.request(method, url, **kwargs)
        except requests.Timeout as exc:
            self.ctx.stats.record((time.perf_counter() - started) * 1000, ok=False)
            raise Transient(f"{self.label} did not answer within {limits.timeout_s:g} s") from exc
        except requests.ConnectionError as exc:
            self.ctx.stats.record((time.perf_counter() - started) * 1000, ok=False)
            raise Transient(f"Could not reach {self.label}: {_short(exc)}") from exc
        finally:
            self.pacer.release()
        latency_ms = (time.perf_counter() - started) * 1000
        pause = self.on_response(response) if self.on_response else None
        if pause:
            self.pause_for(pause)
            self.ctx.log("info", f"{self.label}: usage near the platform's limit, pausing {_seconds(pause)}")
        error = self.classify(response)
        self.ctx.stats.record(latency_ms, ok=error is None)
        if error is None:
            return response
        if isinstance(error, RateLimited) and error.retry_after is None:
            # Server hints win: the platform's own (put there by the classifier), then Retry-After; a wait
            # guessed from the message text only when the response gave neither.
            error.retry_after = retry_after_seconds(response.headers)
            if error.retry_after is None:
                error.retry_after = error.guess_after
        if isinstance(error, Transient) and response.status_code == 503:
            hint = retry_after_seconds(response.headers)
            if hint is not None:
                raise RateLimited(error.message, retry_after=hint, platform_message=error.platform_message)
        raise error


_QUERY = re.compile(r"\?[^\s'\")]*")


def _short(exc: Exception) -> str:
    """An exception's text for users and logs: query strings (which may carry tokens) removed, length capped."""
    text = _QUERY.sub("?…", str(exc))
    return text if len(text) < 200 else text[:197] + "…"


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 10 else f"{value:.0f} s"
