"""A small real HTTP server for provider fakes: modes, scripted failures, recording.

Subclasses answer ``POST`` requests in :meth:`FakeHttpService.handle`; this class owns the
server thread, the failure modes every fake shares and the thread-safe records.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = ("ok", "400", "401", "422", "429", "500", "hang")


@dataclass(frozen=True)
class Reply:
    """One HTTP answer."""

    status: int
    body: Any = None  # JSON-serialisable, or None for an empty body
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Received:
    """One request the fake accepted."""

    path: str
    headers: dict[str, str]
    body: Any


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many short-lived connections (urllib opens one per request): keep the backlog deep.
    request_queue_size = 128


class FakeHttpService:
    """Base of the fakes: ``with Fake() as fake: ... fake.url``."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.delay = 0.0  # seconds to wait before answering each request
        self.received: list[Received] = []
        self.validation_errors: list[str] = []
        self.requests = 0
        self._lock = threading.Lock()
        self._scripted: deque[str] = deque()
        self._closing = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeHttpService:
        """Listen on 127.0.0.1 on a free port, serving from a daemon thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive for clients that pool connections
            timeout = 30  # an idle kept-alive connection does not hold its thread forever
            # Headers and body go out in two writes; without TCP_NODELAY, Nagle plus the
            # client's delayed ACK stalls every kept-alive response by ~40 ms.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                fake._dispatch(self)

            def do_GET(self) -> None:
                fake._send(self, Reply(404, {"error": "not found"}))

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving; requests left hanging are released first."""
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_port}"

    # -- behaviour ------------------------------------------------------------------------

    def fail_next(self, n: int, mode: str) -> None:
        """Answer the next ``n`` requests as ``mode``, then go back to :attr:`mode`."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        with self._lock:
            self._scripted.extend([mode] * n)

    def _next_mode(self) -> str:
        with self._lock:
            self.requests += 1
            mode = self._scripted.popleft() if self._scripted else self.mode
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        return mode

    def record(self, received: Received) -> None:
        """Keep an accepted request."""
        with self._lock:
            self.received.append(received)

    def record_invalid(self, error: str) -> None:
        """Keep a validation failure (tests assert there are none)."""
        with self._lock:
            self.validation_errors.append(error)

    def handle(self, path: str, headers: dict[str, str], raw: bytes, mode: str) -> Reply:
        """Answer one POST; ``mode`` is ``ok`` or a failure the subclass words its own way."""
        raise NotImplementedError

    # -- plumbing -------------------------------------------------------------------------

    def _dispatch(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        mode = self._next_mode()
        if self.delay:
            time.sleep(self.delay)
        if mode == "hang":
            # Longer than any client timeout, but released at once by close().
            self._closing.wait(timeout=60)
            request.close_connection = True
            return
        headers = {key: value for key, value in request.headers.items()}
        self._send(request, self.handle(request.path, headers, raw, mode))

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, reply: Reply) -> None:
        data = b"" if reply.body is None else json.dumps(reply.body).encode("utf-8")
        request.send_response(reply.status)
        if data:
            request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        for key, value in reply.headers.items():
            request.send_header(key, value)
        request.end_headers()
        if data:
            request.wfile.write(data)


def parse_json(raw: bytes) -> Any:
    """The decoded JSON body, or raise ValueError."""
    return json.loads(raw.decode("utf-8"))
