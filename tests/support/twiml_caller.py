"""A scripted phone caller: the simulator's TwiML interpreter (simulator/phone.py), driven
from a test, which fails on anything Twilio would refuse.

Tests read like the caller's side of the call::

    call = ScriptedCall(flask_post(client), auth_token=TOKEN, base_url="https://mianhua.example")
    call.start()
    assert "订货请按1" in call.last_said
    call.press("1")
    call.wait()       # silence: the <Gather> times out

Behaviour mirrored from Twilio (see /work/shared/TWILIO.md): <Gather> submits at ``numDigits``
or on ``finishOnKey`` (not included in Digits); silence or only the finish key runs the verb
after <Gather> unless ``actionOnEmptyResult="true"``; relative URLs resolve against the current
document; an empty <Response/> or running out of verbs hangs up. Any non-2xx or unparseable
answer fails the test, as it would play "an application error has occurred" to a resident.
"""

from __future__ import annotations

import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import urljoin, urlsplit

import requests

from simulator.phone import KEYS, MAX_FETCHES, CallState, Spoken, TwimlCall
from tests.support.twilio_signing import twilio_signature

# post(url, params, headers) -> (status, body). ``url`` is the public URL Twilio would call.
Post = Callable[[str, dict[str, str], dict[str, str]], tuple[int, str]]

MAX_REQUESTS_WITHOUT_INPUT = MAX_FETCHES  # a redirect loop fails the test instead of hanging it


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def flask_post(test_client: Any) -> Post:
    """Adapt Flask's test client; it gets path and query only, as behind a TLS proxy."""

    def post(url: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
        response = test_client.post(_path_and_query(url), data=params, headers=headers)
        return response.status_code, response.get_data(as_text=True)

    return post


def http_post(server_base: str, timeout: float = 15.0) -> Post:
    """POST to a real server at ``server_base`` whatever public host the URL names.

    The 15 s default is Twilio's own patience; no answer in time reads as status 0.
    """

    def post(url: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
        try:
            response = requests.post(
                server_base.rstrip("/") + _path_and_query(url),
                data=params,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            return 0, f"no answer: {exc}"
        return response.status_code, response.text

    return post


@dataclass(frozen=True)
class Posted:
    """One request the caller's side made, and the answer."""

    url: str
    params: dict[str, str]
    headers: dict[str, str]
    status: int
    body: str


class ScriptedCall(TwimlCall):
    """One inbound call, driven step by step from a test."""

    def __init__(
        self,
        post: Post,
        start_url: str = "/voice/inbound",
        *,
        from_: str = "+8613800000001",
        to: str = "+862100000000",
        call_sid: str | None = None,
        account_sid: str = "AC" + "0" * 32,
        auth_token: str | None = None,
        base_url: str | None = None,
        status_callback: str | None = None,
    ) -> None:
        if auth_token and not base_url:
            raise ValueError("signing needs base_url, the public URL Twilio is configured with")
        state = CallState(call_sid=call_sid or "CA" + uuid.uuid4().hex, caller=from_, called=to)
        super().__init__(self._signed_post, state)
        self.account_sid = account_sid
        self._post = post
        self._auth_token = auth_token
        self.start_url = urljoin(base_url, start_url) if base_url else start_url
        self.status_callback = status_callback
        self.call_sid = state.call_sid
        #: What Twilio sends with every request of this call, but the call's status.
        self.base_params = {k: v for k, v in super().params().items() if k != "CallStatus"}
        self.spoken: list[Spoken] = []
        self.played: list[str] = []
        self.dialed: list[str] = []
        self.posted: list[Posted] = []
        self.errors: list[str] = []
        self.rejected = False
        self._mark = 0
        self._started_at = time.monotonic()
        self._log: list[str] = []

    # --- what the test reads -------------------------------------------------------------

    def params(self, call_status: str = "in-progress") -> dict[str, str]:
        """`base_params` (a test may change them: an outbound call) and the call's status."""
        return {**self.base_params, "CallStatus": call_status}

    @property
    def gather(self) -> dict[str, str] | None:
        return self.state.gather

    @property
    def ended(self) -> bool:
        return self.state.ended

    @property
    def end_reason(self) -> str | None:
        return self.state.end_reason or None

    @property
    def answered(self) -> bool:
        return self.state.answered

    @property
    def _verbs(self) -> list[ET.Element]:
        return self.verbs

    @property
    def said(self) -> list[str]:
        return [s.text for s in self.spoken]

    @property
    def last_said(self) -> str | None:
        return self.spoken[-1].text if self.spoken else None

    def said_since_last_input(self) -> list[str]:
        """What the caller heard in answer to the last press() or wait()."""
        return [s.text for s in self.spoken[self._mark :]]

    def transcript(self) -> str:
        return "\n".join(self._log)

    # --- what the caller does -------------------------------------------------------------

    def start(self) -> ScriptedCall:
        """Ring: Twilio requests the voice URL and plays until a <Gather> waits or the call ends."""
        if self.posted:
            raise AssertionError("call already started")
        self.ring(self.start_url)
        return self

    def press(self, keys: str) -> None:
        """Type keys into the current <Gather>; it submits on numDigits or finishOnKey."""
        gather = self._require_gather("press")
        if not keys or any(key not in KEYS for key in keys):
            raise ValueError(f"keys must be DTMF ({KEYS}), got {keys!r}")
        if "dtmf" not in gather.get("input", "dtmf").split():
            raise AssertionError(
                f"this <Gather> takes no keypresses: {gather}\n{self.transcript()}"
            )
        self._input(f"caller presses {keys}")
        for i, key in enumerate(keys):
            if self.key(key):
                if keys[i + 1 :]:
                    raise AssertionError(
                        f"keys {keys[i + 1 :]!r} pressed after the <Gather> submitted; "
                        "press them in the next call.press()"
                    )
                return

    def wait(self) -> None:
        """Stay silent until the <Gather> times out; typed digits are submitted, else empty."""
        self._require_gather("wait")
        self._input("caller stays silent (gather times out)")
        self.submit()

    def hangup(self) -> None:
        """The caller hangs up: nothing more is fetched (a status callback, if configured)."""
        if not self.ended:
            self._log.append("caller hangs up")
            self.end("caller hung up", "completed")

    # --- the interpreter's hooks, written down and checked ---------------------------------

    def _require_gather(self, action: str) -> dict[str, str]:
        if self.ended:
            raise AssertionError(
                f"cannot {action}: call ended ({self.end_reason})\n{self.transcript()}"
            )
        if self.gather is None:
            raise AssertionError(f"cannot {action}: no <Gather> is waiting\n{self.transcript()}")
        return self.gather

    def _input(self, line: str) -> None:
        self._log.append(line)
        self._mark = len(self.spoken)

    def problem(self, kind: str, message: str, **facts: str) -> NoReturn:
        """Whatever Twilio would refuse fails the test, with the call so far."""
        self.errors.append(message)
        self._log.append(f"  ERROR {message}")
        self.state.ended, self.state.end_reason, self.state.gather = True, "application error", None
        raise AssertionError(f"{message}\n--- call so far ---\n{self.transcript()}")

    def _signed_post(self, url: str, params: dict[str, str]) -> tuple[int, str]:
        headers = (
            {"X-Twilio-Signature": twilio_signature(url, params, self._auth_token)}
            if self._auth_token
            else {}
        )
        status, body = self._post(url, params, headers)
        self.posted.append(Posted(url, params, headers, status, body))
        extra = {k: v for k, v in params.items() if k not in self.base_params}
        self._log.append(f"POST {url} {extra} -> {status}")
        return status, body

    def on_say(self, spoken: Spoken) -> None:
        self.spoken.append(spoken)
        self._log.append(f"  Say ({spoken.language}, {spoken.voice}): {spoken.text}")

    def on_play(self, url: str) -> None:
        self.played.append(url)
        self._log.append(f"  Play {url}")

    def on_pause(self, seconds: str) -> None:
        self._log.append(f"  Pause {seconds}s")

    def on_gather(self, attrs: dict[str, str], action: str) -> None:
        self._log.append(f"  Gather {attrs} -> {action} (waiting)")

    def on_empty_submit(self) -> None:
        self._log.append("  (no input: on to the verb after <Gather>)")

    def on_redirect(self, target: str) -> None:
        self._log.append(f"  Redirect {target}")

    def on_dial(self, numbers: list[str]) -> None:
        self.dialed.extend(numbers)
        self._log.append(f"  Dial {', '.join(numbers)}")

    def on_reject(self, reason: str, after_answer: bool) -> None:
        if after_answer:
            self._log.append(f"  Reject ({reason}) after the call was answered: billed hang-up")
        else:
            self.rejected = True
            self._log.append(f"  Reject ({reason})")

    def on_hangup(self) -> None:
        self._log.append("  Hangup")

    def on_end(self, reason: str, call_status: str) -> None:
        self._log.append(f"call ended: {reason}")
        if self.status_callback:
            url = urljoin(self.start_url, self.status_callback)
            duration = str(int(time.monotonic() - self._started_at)) if self.answered else "0"
            params = {**self.base_params, "CallStatus": call_status, "CallDuration": duration}
            status, body = self._signed_post(url, params)
            if not 200 <= status < 300:
                self.problem("http", f"POST {url} answered {status}: {body[:500]}")
