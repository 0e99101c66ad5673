"""The local REST API's security rules, as one ASGI middleware around the whole app (`/openapi.json` included):

1. the Host header must be `127.0.0.1:<port>` or `localhost:<port>` (else 421: defeats DNS rebinding);
2. a client with ten failed authentications in the last minute gets 429 with Retry-After;
3. `Authorization: Bearer <token>`, compared in constant time (else 401, no detail);
4. request bodies over 1 MB are refused (413), by Content-Length and while reading.

No CORS headers are ever added. The token comes from `TokenSource`, which re-reads the keyring only when the
token's rotation count changes, so a rotated token stops working at once.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

MAX_BODY = 1024 * 1024
MAX_FAILURES = 10
FAILURE_WINDOW_S = 60.0

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]


class TokenSource:
    """The current token: `load()` (the keyring) again whenever `generation()` (a cheap store read) changes."""

    def __init__(self, load: Callable[[], str], generation: Callable[[], int]) -> None:
        self._load = load
        self._generation = generation
        self._lock = threading.Lock()
        self._cached: tuple[int, bytes] | None = None

    def current(self) -> bytes:
        generation = self._generation()
        with self._lock:
            if self._cached is None or self._cached[0] != generation:
                self._cached = (generation, self._load().encode())
            return self._cached[1]


class Throttle:
    """Failed authentications per client host within the last minute."""

    def __init__(self, limit: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.setdefault(client, deque())
        while times and now - times[0] >= self.window_s:
            times.popleft()
        return times

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may try again, or None when it is not throttled."""
        now = self._monotonic()
        with self._lock:
            times = self._recent(client, now)
            if len(times) < self.limit:
                if not times:
                    self._failures.pop(client, None)
                return None
            return max(1, int(times[-self.limit] + self.window_s - now + 0.999))

    def failed(self, client: str) -> None:
        now = self._monotonic()
        with self._lock:
            self._recent(client, now).append(now)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()


def error_body(code: str, message: str, field: str | None = None) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "field": field}}).encode()


async def respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class TooLarge(HTTPException):
    """The request body grew past MAX_BODY while being read (the app's handler answers 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request bodies are limited to {limit} bytes")


class Guard:
    """The security rules above, in front of `app`; `port()` is the port the server listens on."""

    def __init__(self, app: Asgi, tokens: TokenSource, port: Callable[[], int], throttle: Throttle | None = None,
                 max_body: int = MAX_BODY) -> None:
        self.app = app
        self.tokens = tokens
        self.port = port
        self.throttle = throttle or Throttle()
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v for k, v in scope.get("headers", [])}
        port = self.port()
        host = headers.get("host", b"").decode("latin-1").lower()
        if host not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            await respond(send, 421, error_body("misdirected", f"Host must be 127.0.0.1:{port} or localhost:{port}"))
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.throttle.retry_after(client)
        if wait is not None:
            await respond(send, 429, error_body("too_many_failed_authentications",
                                                f"Too many failed authentications; try again in {wait} s"),
                          [(b"retry-after", str(wait).encode())])
            return
        if not self._authorized(headers.get("authorization", b"")):
            self.throttle.failed(client)
            await respond(send, 401, error_body("unauthorized", "Unauthorized"),
                          [(b"www-authenticate", b"Bearer")])
            return
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await respond(send, 413, error_body("too_large", f"Request bodies are limited to {self.max_body} bytes"))
            return
        await self._call_limited(scope, receive, send)

    def _authorized(self, header: bytes) -> bool:
        scheme, _, given = header.partition(b" ")
        if scheme.lower() != b"bearer" or not given.strip():
            return False
        try:
            expected = self.tokens.current()
        except Exception:  # no keyring: nobody gets in
            return False
        return hmac.compare_digest(given.strip(), expected)

    async def _call_limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app, with the body counted as it arrives (chunked uploads have no Content-Length)."""
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise TooLarge(self.max_body)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except TooLarge:
            if not started:
                await respond(send, 413, error_body("too_large",
                                                    f"Request bodies are limited to {self.max_body} bytes"))
