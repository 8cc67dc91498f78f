"""A scripted phone caller: a small TwiML interpreter that behaves as Twilio documents.

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

from tests.support.twilio_signing import twilio_signature

# post(url, params, headers) -> (status, body). ``url`` is the public URL Twilio would call.
Post = Callable[[str, dict[str, str], dict[str, str]], tuple[int, str]]

DTMF_KEYS = "0123456789*#"
GATHER_NESTABLE = {"Say", "Play", "Pause"}
MAX_REQUESTS_WITHOUT_INPUT = 25  # a redirect loop fails the test instead of hanging it


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _gather_problems(verb: ET.Element) -> list[str]:
    """What Twilio would reject or warn about in a <Gather> (we fail instead)."""
    problems = []
    num_digits = verb.get("numDigits")
    if num_digits is not None and not (num_digits.isdigit() and int(num_digits) >= 1):
        problems.append("numDigits must be an integer >= 1")
    finish_key = verb.get("finishOnKey", "#")
    if len(finish_key) > 1 or finish_key not in DTMF_KEYS:
        problems.append("finishOnKey must be one of 0-9 * # or empty")
    if verb.get("method", "POST").upper() != "POST":
        problems.append("method=GET is not supported here (Mianhua posts)")
    problems += [f"<{c.tag}> cannot nest in <Gather>" for c in verb if c.tag not in GATHER_NESTABLE]
    return problems


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
class Spoken:
    """One <Say>: plain text (SSML tags dropped), its language and voice."""

    text: str
    language: str | None
    voice: str | None


@dataclass(frozen=True)
class Posted:
    """One request the caller's side made, and the answer."""

    url: str
    params: dict[str, str]
    headers: dict[str, str]
    status: int
    body: str


class ScriptedCall:
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
        self._post = post
        self._auth_token = auth_token
        self.start_url = urljoin(base_url, start_url) if base_url else start_url
        self.status_callback = status_callback
        self.call_sid = call_sid or "CA" + uuid.uuid4().hex
        self.base_params = {
            "AccountSid": account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": self.call_sid,
            "Called": to,
            "Caller": from_,
            "Direction": "inbound",
            "From": from_,
            "To": to,
        }
        self.spoken: list[Spoken] = []
        self.played: list[str] = []
        self.dialed: list[str] = []
        self.posted: list[Posted] = []
        self.errors: list[str] = []
        self.gather: dict[str, str] | None = None
        self.ended = False
        self.end_reason: str | None = None
        self.rejected = False
        self.answered = False
        # What Twilio reports to a <Dial action> when the dialled party is done (or is not).
        self.dial_status = "completed"
        self._url = self.start_url
        self._verbs: list[ET.Element] = []
        self._next = 0
        self._digits = ""
        self._mark = 0
        self._fetches_since_input = 0
        self._started_at = time.monotonic()
        self._log: list[str] = []

    # --- what the test reads -------------------------------------------------------------

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
        # Twilio's first request for an inbound call says "ringing"; later ones "in-progress".
        self._fetch(self.start_url, {}, call_status="ringing")
        self._run()
        return self

    def press(self, keys: str) -> None:
        """Type keys into the current <Gather>; it submits on numDigits or finishOnKey."""
        gather = self._require_gather("press")
        if not keys or any(key not in DTMF_KEYS for key in keys):
            raise ValueError(f"keys must be DTMF ({DTMF_KEYS}), got {keys!r}")
        if "dtmf" not in gather.get("input", "dtmf").split():
            raise AssertionError(
                f"this <Gather> takes no keypresses: {gather}\n{self.transcript()}"
            )
        self._input(f"caller presses {keys}")
        finish_key = gather.get("finishOnKey", "#")
        num_digits = int(gather["numDigits"]) if "numDigits" in gather else None
        for i, key in enumerate(keys):
            if finish_key and key == finish_key:
                done = True
            else:
                self._digits += key
                done = num_digits is not None and len(self._digits) >= num_digits
            if done:
                if keys[i + 1 :]:
                    raise AssertionError(
                        f"keys {keys[i + 1 :]!r} pressed after the <Gather> submitted; "
                        "press them in the next call.press()"
                    )
                self._submit()
                return

    def wait(self) -> None:
        """Stay silent until the <Gather> times out; typed digits are submitted, else empty."""
        self._require_gather("wait")
        self._input("caller stays silent (gather times out)")
        self._submit()

    def hangup(self) -> None:
        """The caller hangs up: nothing more is fetched (a status callback, if configured)."""
        if not self.ended:
            self._log.append("caller hangs up")
            self._end("caller hung up", "completed")

    # --- interpreter -----------------------------------------------------------------------

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
        self._fetches_since_input = 0

    def _submit(self) -> None:
        gather, digits = self.gather or {}, self._digits
        self.gather, self._digits = None, ""
        action = urljoin(self._url, gather.get("action", ""))  # no action: the current URL
        if digits:
            self._fetch(action, {"Digits": digits})
        elif gather.get("actionOnEmptyResult") == "true":
            self._fetch(action, {})
        else:
            self._log.append("  (no input: on to the verb after <Gather>)")
        self._run()

    def _fail(self, message: str) -> NoReturn:
        self.errors.append(message)
        self._log.append(f"  ERROR {message}")
        self.ended, self.end_reason, self.gather = True, "application error", None
        raise AssertionError(f"{message}\n--- call so far ---\n{self.transcript()}")

    def _sign(self, url: str, params: dict[str, str]) -> dict[str, str]:
        if self._auth_token is None:
            return {}
        return {"X-Twilio-Signature": twilio_signature(url, params, self._auth_token)}

    def _send(self, url: str, params: dict[str, str]) -> tuple[int, str]:
        headers = self._sign(url, params)
        status, body = self._post(url, params, headers)
        self.posted.append(Posted(url, params, headers, status, body))
        extra = {k: v for k, v in params.items() if k not in self.base_params}
        self._log.append(f"POST {url} {extra} -> {status}")
        if not 200 <= status < 300:
            self._fail(f"POST {url} answered {status}: {body[:500]}")
        return status, body

    def _fetch(self, url: str, extra: dict[str, str], call_status: str = "in-progress") -> None:
        """Request a TwiML document and make it the current one."""
        self._fetches_since_input += 1
        if self._fetches_since_input > MAX_REQUESTS_WITHOUT_INPUT:
            self._fail(f"{MAX_REQUESTS_WITHOUT_INPUT} requests without caller input: a loop?")
        _, body = self._send(url, {**self.base_params, "CallStatus": call_status, **extra})
        try:
            root = ET.fromstring(body)
        except ET.ParseError as exc:
            self._fail(f"POST {url} answered unparseable TwiML ({exc}): {body[:500]!r}")
        if root.tag != "Response":
            self._fail(f"POST {url} answered <{root.tag}>, not <Response>")
        self._url, self._verbs, self._next = url, list(root), 0
        if not self._verbs:
            self._log.append("  <Response/> (empty)")

    def _run(self) -> None:
        """Play verbs until a <Gather> waits for the caller or the call ends."""
        while not self.ended and self.gather is None:
            if self._next >= len(self._verbs):
                self._end("empty response" if not self._verbs else "no more verbs", "completed")
                return
            verb = self._verbs[self._next]
            self._next += 1
            handler = getattr(self, f"_verb_{verb.tag.lower()}", None)
            if handler is None:
                self._fail(f"unsupported TwiML verb <{verb.tag}> in {self._url}")
            if verb.tag != "Reject":
                self.answered = True  # anything but a leading <Reject> picks up (and bills)
            handler(verb)

    def _verb_say(self, verb: ET.Element) -> None:
        text = " ".join("".join(verb.itertext()).split())
        spoken = Spoken(text, verb.get("language"), verb.get("voice"))
        self.spoken.append(spoken)
        self._log.append(f"  Say ({spoken.language}, {spoken.voice}): {text}")

    def _verb_play(self, verb: ET.Element) -> None:
        url = (verb.text or "").strip()
        self.played.append(url)
        self._log.append(f"  Play {url}")

    def _verb_pause(self, verb: ET.Element) -> None:
        self._log.append(f"  Pause {verb.get('length', '1')}s")

    def _verb_gather(self, verb: ET.Element) -> None:
        attrs = dict(verb.attrib)
        problems = _gather_problems(verb)
        if problems:
            self._fail(f"bad <Gather {attrs}>: {'; '.join(problems)}")
        for child in verb:
            getattr(self, f"_verb_{child.tag.lower()}")(child)
        self.gather, self._digits = attrs, ""
        action = urljoin(self._url, attrs.get("action", ""))
        self._log.append(f"  Gather {attrs} -> {action} (waiting)")

    def _verb_redirect(self, verb: ET.Element) -> None:
        if verb.get("method", "POST").upper() != "POST":
            self._fail("<Redirect method='GET'> is not supported here (Mianhua posts)")
        target = (verb.text or "").strip()
        self._log.append(f"  Redirect {target}")
        self._fetch(urljoin(self._url, target) if target else self._url, {})

    def _verb_dial(self, verb: ET.Element) -> None:
        numbers = [(n.text or "").strip() for n in verb] or [(verb.text or "").strip()]
        self.dialed.extend(numbers)
        self._log.append(f"  Dial {', '.join(numbers)}")
        action = verb.get("action")
        if action:  # the dialled party hung up: Twilio reports the outcome to action
            self._fetch(urljoin(self._url, action), {"DialCallStatus": self.dial_status})
        else:
            self._end("dialed", "completed")  # the resident is now talking to a person

    def _verb_reject(self, verb: ET.Element) -> None:
        reason = verb.get("reason", "rejected")
        if self.answered:  # only a leading <Reject> refuses a call; later it just hangs up
            self._log.append(f"  Reject ({reason}) after the call was answered: billed hang-up")
            self._end("reject after answer", "completed")
            return
        self.rejected = True
        self._log.append(f"  Reject ({reason})")
        self._end("rejected", "busy" if reason == "busy" else "no-answer")

    def _verb_hangup(self, verb: ET.Element) -> None:
        self._log.append("  Hangup")
        self._end("hangup", "completed")

    def _end(self, reason: str, call_status: str) -> None:
        self.ended, self.end_reason, self.gather = True, reason, None
        self._log.append(f"call ended: {reason}")
        if self.status_callback:
            url = urljoin(self.start_url, self.status_callback)
            duration = str(int(time.monotonic() - self._started_at)) if self.answered else "0"
            params = {**self.base_params, "CallStatus": call_status, "CallDuration": duration}
            self._send(url, params)
