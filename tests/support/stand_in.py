"""The Twilio stand-in, able to list a number's messages as Twilio's API does.

A send job whose last attempt has an unknown outcome (a timeout, or a worker
killed mid-request) asks `GET /Messages.json?To=...` before sending again; the
shared stand-in answers every GET with 404, so this subclass lists the accepted
messages it recorded, newest first, in Twilio's page format.
"""

from __future__ import annotations

import email.utils
import json
import time
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.support.fake_twilio import (
    _PATH,
    API_VERSION,
    FakeRequest,
    FakeTwilio,
    _Handler,
    _message_json,
)

ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "worker-test-token"


class _ListingHandler(_Handler):
    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        match = _PATH.match(parts.path)
        if match is None or match["resource"] != "Messages":
            super().do_GET()
            return
        account = match["account"]
        fake: FakeTwilio = self.server.stand_in  # type: ignore[attr-defined]
        to = parse_qs(parts.query).get("To", [None])[0]
        found = [
            r
            for r in reversed(fake.requests)
            if r.kind == "message" and r.ok and (to is None or r.to == to)
        ][:20]
        messages = []
        for record in found:
            item = _message_json(account, record.sid or "", record.form, record.form_lists)
            stamp = email.utils.format_datetime(datetime.fromtimestamp(record.time, UTC))
            item.update(date_created=stamp, date_updated=stamp, status="sent")
            messages.append(item)
        uri = f"/{API_VERSION}/Accounts/{account}/Messages.json"
        payload = {
            "messages": messages,
            "meta": {
                "key": "messages",
                "page": 0,
                "page_size": 20,
                "next_page_url": None,
                "first_page_url": uri,
                "previous_page_url": None,
                "url": uri,
            },
        }
        data = json.dumps(payload).encode("utf-8")
        fake._record(
            FakeRequest(
                time.time(),
                time.monotonic(),
                "GET",
                parts.path,
                "list",
                {"To": to or ""},
                None,
                "ok",
                200,
                None,
            )
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    # Workers send in parallel: the default backlog of 5 drops connections, which
    # the client then sees as timeouts after the kernel's 1 s SYN retry.
    request_queue_size = 256
    daemon_threads = True


class _KeepAliveHandler(_ListingHandler):
    """HTTP/1.1: a client's connection serves request after request, as Twilio's API does."""

    protocol_version = "HTTP/1.1"
    # The answer goes in two writes (headers, body): without TCP_NODELAY the second waits
    # for the client's delayed ACK of the first, 40 ms a request on a kept connection.
    disable_nagle_algorithm = True


class _KeepAliveServer(_Server):
    # A connection kept alive holds its thread until the client closes it: stopping must
    # not wait for them (they are daemons, and end with their clients or the process).
    block_on_close = False


class ListingFakeTwilio(FakeTwilio):
    handler = _ListingHandler
    server_class = _Server

    def __init__(self, *, keep_alive: bool = False, **kwargs: object) -> None:
        """`keep_alive`: answer in HTTP/1.1 and keep each connection open, as the real API
        does, for the benchmarks (a request then costs no new connection and thread). The
        tests' default is HTTP/1.0, one request a connection, so a stop never waits."""
        kwargs.setdefault("account_sid", ACCOUNT_SID)
        kwargs.setdefault("auth_token", AUTH_TOKEN)
        super().__init__(**kwargs)  # type: ignore[arg-type]
        if keep_alive:
            self.handler = _KeepAliveHandler
            self.server_class = _KeepAliveServer

    def accepted_messages(self) -> list[str]:
        """The `To` of every message the stand-in accepted, one entry per acceptance."""
        return [r.to or "" for r in self.requests if r.kind == "message" and r.ok]

    def accepted_calls(self) -> list[str]:
        return [r.to or "" for r in self.requests if r.kind == "call" and r.ok]
