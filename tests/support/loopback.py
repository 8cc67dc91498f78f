"""The shared frame of the providers' stand-ins: a threaded HTTP server on a loopback port.

A stand-in subclasses `LoopbackApi` and implements `answer(request) -> (status, headers,
body)`; this module owns starting, stopping, recording and waiting, so each stand-in holds
only what its provider documents.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Received:
    """One request as it reached the stand-in."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes


@dataclass(frozen=True)
class Answered:
    """A request and what the stand-in made of it."""

    received: Received
    action: str
    status: int
    payload: Any
    monotonic: float = field(default_factory=time.monotonic)


class LoopbackServer:
    """A threaded HTTP server on a loopback port, started and stopped around a test (or
    used as a context manager). Subclasses name their `handler` (and may name a
    `server_class`); the handler reaches the stand-in as `self.server.stand_in`."""

    name = "stand-in"
    handler: type[BaseHTTPRequestHandler]
    server_class: type[ThreadingHTTPServer] = ThreadingHTTPServer

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._released = threading.Event()

    def start(self) -> Self:
        server = self.server_class((self.host, self.port), self.handler)
        server.stand_in = self  # type: ignore[attr-defined]
        self._server, self.port = server, server.server_address[1]
        self._released.clear()
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name=self.name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release held requests, then shut down; safe to call twice."""
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class LoopbackApi(LoopbackServer):
    """Start/stop (or a context manager), `requests`, `wait_for`."""

    name = "stand-in"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self._lock = threading.Condition()
        self._records: list[Answered] = []
        self._late = 0
        self.late_seconds = 5.0

    def answer_late(self, count: int = 1) -> None:
        """Do the next `count` requests, but hold their answers until the client gave up:
        the provider took the text and the sender never heard (a timeout)."""
        with self._lock:
            self._late += count

    @property
    def endpoint(self) -> str:
        """host:port, as the SDKs take an endpoint (they add the scheme themselves)."""
        return f"{self.host}:{self.port}"

    @property
    def requests(self) -> list[Answered]:
        with self._lock:
            return list(self._records)

    def wait_for(
        self, count: int, timeout: float = 5.0, where: Callable[[Answered], bool] | None = None
    ) -> list[Answered]:
        """Block until `count` answered requests (matching `where`): workers run elsewhere."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                matched = [r for r in self._records if where is None or where(r)]
                if len(matched) >= count:
                    return matched
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{self.name} got {len(matched)} matching request(s), wanted {count}"
                    )
                self._lock.wait(left)

    def answer(self, request: Received) -> tuple[str, int, dict[str, str], Any]:
        """(action, HTTP status, extra headers, JSON payload) for one request."""
        raise NotImplementedError

    def _handle(self, request: Received) -> tuple[int, dict[str, str], Any]:
        action, status, headers, payload = self.answer(request)
        with self._lock:
            self._records.append(Answered(request, action, status, payload))
            self._lock.notify_all()
            late, self._late = self._late > 0, max(self._late - 1, 0)
        if late:
            self._released.wait(self.late_seconds)
        return status, headers, payload


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        api: LoopbackApi = self.server.stand_in  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Received(
            method=method,
            path=parts.path or "/",
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        status, headers, payload = api._handle(request)
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        # A late answer may find the client gone: that is the point of answering late.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)


LoopbackApi.handler = _Handler
