"""A stand-in for Twilio's REST API (Messages and Calls), on a loopback port.

The real client, built with ``make_twilio_client(..., api_base=fake.base_url)``, talks to it
over HTTP, so tests exercise the library's auth, form encoding, parsing and exceptions. It
records every request and can be scripted to fail the ways Twilio does::

    with FakeTwilio(by_to={"+8613800000004": "21610"}) as fake:
        fake.queue("500", "ok")          # the next two requests, whoever they are for
        fake.fail_randomly(1 / 3, "429")  # then a third of the rest, seeded
        ...
        fake.wait_for(3, where=lambda r: r.ok)

Precedence per request: queue, decider, random failure, request validation, ``by_to``, ok.
Standalone for rehearsals: ``python -m tests.support.fake_twilio --port 0``.
"""

from __future__ import annotations

import argparse
import base64
import email.utils
import json
import math
import random
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.loopback import LoopbackServer

API_VERSION = "2010-04-01"
HANG = "hang"
OK = "ok"

# behaviour -> (HTTP status, Twilio error code, message); {to} and {from_} are filled in.
ERRORS: dict[str, tuple[int, int, str]] = {
    "429": (429, 20429, "Too Many Requests"),
    "500": (500, 20500, "Internal Server Error"),
    "21211": (400, 21211, "Invalid 'To' Phone Number: {to}"),
    "21408": (
        400,
        21408,
        "Permission to send an SMS has not been enabled for the region indicated by the "
        "'To' number: {to}",
    ),
    "21610": (400, 21610, "Attempt to send to unsubscribed recipient"),
    "21612": (
        400,
        21612,
        "The 'To' phone number: {to}, is not currently reachable using the 'From' phone "
        "number: {from_} via SMS.",
    ),
    "21614": (400, 21614, "'To' number {to} is not a valid mobile number"),
    "21617": (400, 21617, "The concatenated message body exceeds the 1600 character limit"),
    # Not scriptable by name in the brief, but what Twilio answers to a malformed request.
    "21602": (400, 21602, "Message body is required"),
    "21603": (400, 21603, "A 'From' phone number is required"),
    "21604": (400, 21604, "A 'To' phone number is required"),
    "21201": (400, 21201, "No 'To' number is specified"),
    "21213": (400, 21213, "No 'From' number is specified"),
    "20003": (401, 20003, "Authenticate"),
    "20404": (404, 20404, "The requested resource {path} was not found"),
}
BEHAVIOURS = frozenset({OK, HANG, *ERRORS})

# Twilio's magic test numbers (with test credentials): pass as by_to=TEST_NUMBERS.
TEST_NUMBERS: dict[str, str] = {
    "+15005550001": "21211",
    "+15005550002": "21612",
    "+15005550003": "21408",
    "+15005550004": "21610",
    "+15005550009": "21614",
}

_PATH = re.compile(
    rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/(?P<resource>Messages|Calls)\.json$"
)
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXT = set("\f^{}\\[~]|€")


def count_segments(body: str) -> int:
    """Segments as Twilio counts them: GSM-7 160/153 (extension chars cost 2), else UCS-2 70/67."""
    if not body:
        return 1
    if all(ch in _GSM7 or ch in _GSM7_EXT for ch in body):
        units, single, split = len(body) + sum(ch in _GSM7_EXT for ch in body), 160, 153
    else:
        units, single, split = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / split)


def _check(behaviour: str | int) -> str:
    name = str(behaviour)
    if name not in BEHAVIOURS:
        raise ValueError(f"unknown behaviour {behaviour!r}; one of {sorted(BEHAVIOURS)}")
    return name


@dataclass(frozen=True)
class Incoming:
    """What a decider sees of a request before it is answered."""

    index: int
    path: str
    kind: str
    form: dict[str, str]
    auth_user: str | None


@dataclass(frozen=True)
class FakeRequest:
    """One request as received and answered (``status`` None: held by ``hang``, never answered)."""

    time: float
    monotonic: float
    method: str
    path: str
    kind: str  # "message", "call" or "other"
    form: dict[str, str]
    auth_user: str | None
    behaviour: str
    status: int | None
    sid: str | None
    form_lists: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 201

    @property
    def to(self) -> str | None:
        return self.form.get("To")

    @property
    def body(self) -> str | None:
        return self.form.get("Body")


Decider = Callable[[Incoming], str | int | None]


class FakeTwilio(LoopbackServer):
    """The stand-in server; start()/stop() or use as a context manager."""

    name = "fake-twilio"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        by_to: Mapping[str, str | int] | None = None,
        account_sid: str | None = None,
        auth_token: str | None = None,
        hang_seconds: float = 30.0,
    ) -> None:
        super().__init__(host, port)
        self.account_sid, self.auth_token = account_sid, auth_token  # checked only when set
        self.hang_seconds = hang_seconds
        #: Seconds each answer takes, as a carrier across the internet (0: at once).
        self.answer_after_s = 0.0
        #: The most requests held at one time, as answering them took.
        self.most_at_once = 0
        self._at_once = 0
        self._lock = threading.Condition()
        self._records: list[FakeRequest] = []
        self._arrivals = 0
        self._by_to: dict[str, str] = {}
        self._queue: deque[str] = deque()
        self._decider: Decider | None = None
        self._random: tuple[float, str, random.Random] | None = None
        for number, behaviour in (by_to or {}).items():
            self.on_to(number, behaviour)

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- scripting -------------------------------------------------------------------------

    def on_to(self, number: str, behaviour: str | int) -> None:
        """Answer every request to ``number`` this way (e.g. "21610" for an opted-out resident)."""
        with self._lock:
            self._by_to[number] = _check(behaviour)

    def queue(self, *behaviours: str | int) -> None:
        """Answer the next requests, whoever they are for, in this order."""
        with self._lock:
            self._queue.extend(_check(b) for b in behaviours)

    def decide_with(self, decider: Decider | None) -> None:
        """Let a callable pick a behaviour per request; returning None falls through."""
        with self._lock:
            self._decider = decider

    def fail_randomly(self, fraction: float, behaviour: str | int = "500", seed: int = 0) -> None:
        """Answer ``behaviour`` to about ``fraction`` of requests, reproducibly per seed."""
        if not 0 <= fraction <= 1:
            raise ValueError(fraction)
        with self._lock:
            self._random = (fraction, _check(behaviour), random.Random(seed))

    def reset(self) -> None:
        """Forget requests and all scripting."""
        with self._lock:
            self._records.clear()
            self._arrivals = 0
            self._by_to.clear()
            self._queue.clear()
            self._decider = None
            self._random = None

    # --- inspection ------------------------------------------------------------------------

    @property
    def requests(self) -> list[FakeRequest]:
        """Every request received, answered or not, in arrival order."""
        with self._lock:
            return list(self._records)

    def messages_to(self, number: str) -> list[FakeRequest]:
        """Messages to ``number`` that Twilio accepted (failed attempts are in ``requests``)."""
        return [r for r in self.requests if r.kind == "message" and r.ok and r.to == number]

    def bodies(self) -> list[str]:
        """Bodies of accepted messages, in arrival order."""
        return [r.body or "" for r in self.requests if r.kind == "message" and r.ok]

    def count(self, where: Callable[[FakeRequest], bool] | None = None) -> int:
        """Requests received (optionally only those matching ``where``)."""
        return sum(1 for r in self.requests if where is None or where(r))

    def wait_for(
        self,
        count: int,
        timeout: float = 5.0,
        where: Callable[[FakeRequest], bool] | None = None,
    ) -> list[FakeRequest]:
        """Block until ``count`` requests (matching ``where``) arrived; workers run elsewhere."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                matched = [r for r in self._records if where is None or where(r)]
                if len(matched) >= count:
                    return matched
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"fake Twilio got {len(matched)} matching request(s), wanted {count} "
                        f"within {timeout}s; all received: {self._records!r}"
                    )
                self._lock.wait(left)

    # --- answering (called from handler threads) ------------------------------------------

    def _decide(self, incoming: Incoming) -> str:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            if self._decider is not None:
                chosen = self._decider(incoming)
                if chosen is not None:
                    return _check(chosen)
            if self._random is not None:
                fraction, behaviour, rng = self._random
                if rng.random() < fraction:
                    return behaviour
            invalid = _validate(incoming)
            if invalid:
                return invalid
            return self._by_to.get(incoming.form.get("To", ""), OK)

    def _record(self, record: FakeRequest) -> None:
        with self._lock:
            self._records.append(record)
            self._lock.notify_all()

    def _next_index(self) -> int:
        with self._lock:
            self._arrivals += 1
            return self._arrivals - 1


def _validate(incoming: Incoming) -> str | None:
    """The checks Twilio makes on every request, so a malformed send fails as it would live."""
    form = incoming.form
    if incoming.kind == "message":
        if not form.get("To"):
            return "21604"
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return "21603"
        if not form.get("Body") and not form.get("MediaUrl") and not form.get("ContentSid"):
            return "21602"
        if len(form.get("Body", "")) > 1600:
            return "21617"
    elif incoming.kind == "call":
        if not form.get("To"):
            return "21201"
        if not form.get("From"):
            return "21213"
    return None


def _message_json(
    account: str, sid: str, form: dict[str, str], lists: dict[str, list[str]]
) -> dict[str, Any]:
    now = email.utils.format_datetime(datetime.now(UTC))
    uri = f"/{API_VERSION}/Accounts/{account}/Messages/{sid}"
    from_ = form.get("From")
    return {
        "account_sid": account,
        "api_version": API_VERSION,
        "body": form.get("Body", ""),
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": from_,
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "num_media": str(len(lists.get("MediaUrl", []))),
        "num_segments": str(count_segments(form.get("Body", ""))),
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        # Through a Messaging Service without From, Twilio answers "accepted" and picks From later.
        "status": "queued" if from_ else "accepted",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": form.get("To"),
        "uri": f"{uri}.json",
    }


def _call_json(account: str, sid: str, form: dict[str, str]) -> dict[str, Any]:
    now = email.utils.format_datetime(datetime.now(UTC))
    uri = f"/{API_VERSION}/Accounts/{account}/Calls/{sid}"
    return {
        "account_sid": account,
        "annotation": None,
        "answered_by": None,
        "api_version": API_VERSION,
        "caller_name": None,
        "date_created": now,
        "date_updated": now,
        "direction": "outbound-api",
        "duration": None,
        "end_time": None,
        "forwarded_from": None,
        "from": form.get("From"),
        "from_formatted": form.get("From"),
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": None,
        "price": None,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": sid,
        "start_time": None,
        "status": "queued",
        "subresource_uris": {"notifications": f"{uri}/Notifications.json"},
        "to": form.get("To"),
        "to_formatted": form.get("To"),
        "trunk_sid": None,
        "uri": f"{uri}.json",
    }


def _basic_auth(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.startswith("Basic "):
        return None, None
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except ValueError:
        return None, None
    return user, password


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.0: one request per connection, so stop() never waits on idle keep-alives."""

    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read fake.requests; stderr noise helps nobody

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        fake: FakeTwilio = self.server.stand_in  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        lists = parse_qs(raw, keep_blank_values=True)
        form = {key: values[-1] for key, values in lists.items()}
        user, password = _basic_auth(self.headers.get("Authorization"))
        match = _PATH.match(path) if method == "POST" else None
        kind = {"Messages": "message", "Calls": "call"}[match["resource"]] if match else "other"
        incoming = Incoming(fake._next_index(), path, kind, form, user)

        if match is None:
            behaviour = "20404"
        elif fake.auth_token is not None and (
            user != (fake.account_sid or match["account"]) or password != fake.auth_token
        ):
            behaviour = "20003"
        else:
            behaviour = fake._decide(incoming)

        def record(status: int | None, sid: str | None) -> None:
            fake._record(
                FakeRequest(
                    time.time(),
                    time.monotonic(),
                    method,
                    path,
                    kind,
                    form,
                    user,
                    behaviour,
                    status,
                    sid,
                    lists,
                )
            )

        if fake.answer_after_s:
            with fake._lock:
                fake._at_once += 1
                fake.most_at_once = max(fake.most_at_once, fake._at_once)
            time.sleep(fake.answer_after_s)
            with fake._lock:
                fake._at_once -= 1
        if behaviour == HANG:
            record(None, None)
            fake._released.wait(fake.hang_seconds)
            self.close_connection = True  # never answer: the client must time out
            return
        if behaviour == OK:
            assert match is not None
            account = match["account"]
            if kind == "message":
                sid = "SM" + uuid.uuid4().hex
                payload = _message_json(account, sid, form, lists)
            else:
                sid = "CA" + uuid.uuid4().hex
                payload = _call_json(account, sid, form)
            status = 201
        else:
            sid = None
            status, code, message = ERRORS[behaviour]
            text = message.format(to=form.get("To"), from_=form.get("From"), path=path)
            more_info = f"https://www.twilio.com/docs/errors/{code}"
            payload = {"code": code, "message": text, "more_info": more_info, "status": status}
        data = json.dumps(payload).encode("utf-8")
        record(status, sid)
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _parse_by_to(pairs: Iterable[str]) -> dict[str, str]:
    result = {}
    for pair in pairs:
        number, sep, behaviour = pair.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"--to wants NUMBER=BEHAVIOUR, got {pair!r}")
        result[number] = _check(behaviour)
    return result


FakeTwilio.handler = _Handler


def main(argv: list[str] | None = None) -> None:
    """Run standalone for rehearsals; prints the base URL for TWILIO_API_BASE."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.fake_twilio")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--to", action="append", default=[], metavar="NUMBER=BEHAVIOUR")
    parser.add_argument("--test-numbers", action="store_true", help="Twilio's +1500555000x")
    parser.add_argument("--fail-fraction", type=float, default=0.0)
    parser.add_argument("--fail-with", default="500")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    by_to = {**(TEST_NUMBERS if args.test_numbers else {}), **_parse_by_to(args.to)}
    fake = FakeTwilio(args.host, args.port, by_to=by_to)
    if args.fail_fraction:
        fake.fail_randomly(args.fail_fraction, args.fail_with, args.seed)
    with fake:
        print(fake.base_url, flush=True)
        seen = 0
        try:
            while True:
                time.sleep(0.2)
                new = fake.requests[seen:]
                for r in new:
                    print(
                        f"{r.kind:7} {r.status} {r.behaviour:5} {r.to} {r.body or ''}", flush=True
                    )
                seen += len(new)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
