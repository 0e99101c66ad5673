"""A loopback HTTP server for fake platform APIs: routes, recorded requests and switchable faults.

Binds 127.0.0.1 on an ephemeral port in a background thread; use as a context manager. A platform fake
subclasses FakeApi and implements `handle(req) -> Reply`. Faults queued with `fail_next(...)` are served
before normal handling, in order, for requests whose path contains the given fragment.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    raw_query: str  # undecoded, for Rest.li-style parameters
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON; bytes/str sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # sleep before answering (timeouts)
    drop: bool = False  # close the connection without an answer


@dataclass
class Fault:
    path_fragment: str
    reply: Reply
    times: int = 1


class FakeApi:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- for tests --
    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, path_fragment: str, reply: Reply, times: int = 1) -> None:
        with self._lock:
            self.faults.append(Fault(path_fragment, reply, times))

    def calls(self, fragment: str = "") -> list[Request]:
        with self._lock:
            return [r for r in self.requests if fragment in r.path]

    # -- for subclasses --
    def handle(self, req: Request) -> Reply:
        raise NotImplementedError

    # -- plumbing --
    def _dispatch(self, req: Request) -> Reply:
        with self._lock:
            self.requests.append(req)
            for fault in self.faults:
                if fault.path_fragment in req.path and fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault.reply
        return self.handle(req)

    def __enter__(self) -> FakeApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                req = Request(self.command, parts.path, parts.query, parse_qs(parts.query),
                              {k.lower(): v for k, v in self.headers.items()}, body)
                reply = api._dispatch(req)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                if isinstance(reply.body, bytes):
                    payload, ctype = reply.body, "application/octet-stream"
                elif isinstance(reply.body, str):
                    payload, ctype = reply.body.encode(), "application/json"
                else:
                    payload, ctype = json.dumps(reply.body).encode(), "application/json"
                self.send_response(reply.status)
                headers = {"Content-Type": ctype, **reply.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
