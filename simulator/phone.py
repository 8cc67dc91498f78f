"""A phone that plays Mianhua's TwiML the way Twilio does: the one TwiML interpreter.

`TwimlCall` is the interpreter; the simulator's `PhoneCall` (below) and the tests'
scripted caller (tests/support/twiml_caller.py) are two faces of it, so the phone on
the developer's screen and the callers in the tests cannot drift apart.

Each request to the voice webhooks is signed with the app's auth token and sent
through the real app, so a call exercises exactly what Twilio would: the signature
check, the IVR's state machine, its `<Gather>` rules. What Twilio does between
requests is mirrored here (see /work/shared/TWILIO.md): a `<Gather>` submits on
`numDigits` or its finish key (not included in `Digits`); silence runs the verb after
it unless `actionOnEmptyResult="true"`; relative URLs resolve against the current
document; `<Redirect>` fetches; `<Dial>` reports to its action; `<Hangup>`, `<Reject>`
or running out of verbs ends. TwiML that Twilio would refuse is a `problem`.

The call's state is a plain dataclass, so the simulator carries it in the browser,
signed, and any web worker can take the next key press.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin

#: post(url, params) -> (status, body): a signed POST to the app at the public URL.
Post = Callable[[str, dict[str, str]], tuple[int, str]]

KEYS = "0123456789*#"
GATHER_NESTABLE = {"Say", "Play", "Pause"}
MAX_FETCHES = 25  # requests without the caller's input: a redirect loop ends the call


@dataclass
class CallState:
    call_sid: str
    caller: str
    called: str
    url: str = ""  # the document being played
    document: str = ""  # its TwiML
    next_verb: int = 0
    gather: dict[str, str] | None = None
    digits: str = ""
    ended: bool = False
    end_reason: str = ""
    answered: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallState:
        return cls(**data)


@dataclass(frozen=True)
class Spoken:
    """One <Say>: plain text (SSML tags dropped), its language and voice."""

    text: str
    language: str | None
    voice: str | None


def gather_problems(verb: ET.Element) -> list[str]:
    """What Twilio would reject or warn about in a <Gather>."""
    problems = []
    num_digits = verb.get("numDigits")
    if num_digits is not None and not (num_digits.isdigit() and int(num_digits) >= 1):
        problems.append("numDigits must be an integer >= 1")
    finish_key = verb.get("finishOnKey", "#")
    if len(finish_key) > 1 or finish_key not in KEYS:
        problems.append("finishOnKey must be one of 0-9 * # or empty")
    if verb.get("method", "POST").upper() != "POST":
        problems.append("method=GET is not supported here (Mianhua posts)")
    problems += [f"<{c.tag}> cannot nest in <Gather>" for c in verb if c.tag not in GATHER_NESTABLE]
    return problems


class TwimlCall:
    """The interpreter: fetches TwiML and plays it until a `<Gather>` waits or the call
    ends. What the caller hears and what goes wrong go to the `on_*` hooks and
    `problem`, which each face renders its own way."""

    account_sid = "AC" + "0" * 32
    #: What Twilio reports to a <Dial action> when the dialled party is done (or is not).
    dial_status = "completed"

    def __init__(self, post: Post, state: CallState) -> None:
        self.post = post
        self.state = state
        self._fetches = 0
        self._parsed: tuple[str, list[ET.Element]] = ("", [])

    # --- hooks ---------------------------------------------------------------------------

    def problem(self, kind: str, message: str, **facts: str) -> None:
        """TwiML or an answer Twilio would not play (kinds: http, unparseable, not_response,
        loop, unknown_verb, bad_gather, bad_redirect), with the facts behind `message`.
        The call goes on where it can."""

    def on_fetch(self, url: str, status: int) -> None: ...
    def on_say(self, spoken: Spoken) -> None: ...
    def on_play(self, url: str) -> None: ...
    def on_pause(self, seconds: str) -> None: ...
    def on_gather(self, attrs: dict[str, str], action: str) -> None: ...
    def on_empty_submit(self) -> None: ...
    def on_redirect(self, target: str) -> None: ...
    def on_dial(self, numbers: list[str]) -> None: ...
    def on_reject(self, reason: str, after_answer: bool) -> None: ...
    def on_hangup(self) -> None: ...
    def on_end(self, reason: str, call_status: str) -> None: ...

    # --- what the caller does ------------------------------------------------------------

    def params(self, call_status: str = "in-progress") -> dict[str, str]:
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": self.state.call_sid,
            "CallStatus": call_status,
            "Called": self.state.called,
            "Caller": self.state.caller,
            "Direction": "inbound",
            "From": self.state.caller,
            "To": self.state.called,
        }

    def ring(self, start_url: str) -> None:
        """Twilio's first request for an inbound call says "ringing"; later ones "in-progress"."""
        self._fetch(start_url, {}, call_status="ringing")
        self._run()

    def key(self, key: str) -> bool:
        """One key into the waiting <Gather>; True when it submitted (numDigits or finish key)."""
        gather = self.state.gather or {}
        finish_key = gather.get("finishOnKey", "#")
        if not (finish_key and key == finish_key):
            self.state.digits += key
            wanted = gather.get("numDigits")
            if not (wanted and wanted.isdigit() and len(self.state.digits) >= int(wanted)):
                return False
        self.submit()
        return True

    def submit(self) -> None:
        """The <Gather> ends (keys or silence): typed digits go to its action, else empty."""
        self._fetches = 0
        gather, digits = self.state.gather or {}, self.state.digits
        self.state.gather, self.state.digits = None, ""
        action = urljoin(self.state.url, gather.get("action", ""))  # no action: the same URL
        if digits:
            self._fetch(action, {"Digits": digits})
        elif gather.get("actionOnEmptyResult") == "true":
            self._fetch(action, {})
        else:
            self.on_empty_submit()
        self._run()

    def end(self, reason: str, call_status: str = "completed") -> None:
        self.state.ended, self.state.end_reason, self.state.gather = True, reason, None
        self.on_end(reason, call_status)

    @property
    def verbs(self) -> list[ET.Element]:
        """The current document's verbs."""
        if self._parsed[0] != self.state.document:
            root = ET.fromstring(self.state.document) if self.state.document else None
            self._parsed = (self.state.document, list(root) if root is not None else [])
        return self._parsed[1]

    # --- the interpreter -----------------------------------------------------------------

    def _fetch(self, url: str, extra: dict[str, str], call_status: str = "in-progress") -> None:
        self._fetches += 1
        if self._fetches > MAX_FETCHES:
            self.problem("loop", f"{MAX_FETCHES} requests without caller input: a loop?")
            self.end("loop")
            return
        status, body = self.post(url, {**self.params(call_status), **extra})
        self.on_fetch(url, status)
        if not 200 <= status < 300:
            self.problem("http", f"POST {url} answered {status}: {body[:500]}", status=str(status))
            self.end("app error")
            return
        try:
            root = ET.fromstring(body)
        except ET.ParseError as exc:
            message = f"POST {url} answered unparseable TwiML ({exc}): {body[:500]!r}"
            self.problem("unparseable", message)
            self.end("app error")
            return
        if root.tag != "Response":
            self.problem("not_response", f"POST {url} answered <{root.tag}>, not <Response>")
            self.end("app error")
            return
        self.state.url, self.state.document, self.state.next_verb = url, body, 0

    def _run(self) -> None:
        """Play verbs until a <Gather> waits for the caller or the call ends."""
        while not self.state.ended and self.state.gather is None:
            verbs = self.verbs
            if self.state.next_verb >= len(verbs):
                self.end("no more verbs" if verbs else "empty response")
                return
            verb = verbs[self.state.next_verb]
            self.state.next_verb += 1
            if verb.tag != "Reject":
                self.state.answered = True  # anything but a leading <Reject> picks up (and bills)
            handler = getattr(self, f"_verb_{verb.tag.lower()}", None)
            if handler is None:
                message = f"unsupported TwiML verb <{verb.tag}> in {self.state.url}"
                self.problem("unknown_verb", message, tag=verb.tag)
            else:
                handler(verb)

    def _verb_say(self, verb: ET.Element) -> None:
        text = " ".join("".join(verb.itertext()).split())
        self.on_say(Spoken(text, verb.get("language"), verb.get("voice")))

    def _verb_play(self, verb: ET.Element) -> None:
        self.on_play((verb.text or "").strip())

    def _verb_pause(self, verb: ET.Element) -> None:
        self.on_pause(verb.get("length", "1"))

    def _verb_gather(self, verb: ET.Element) -> None:
        attrs = dict(verb.attrib)
        problems = gather_problems(verb)
        if problems:
            self.problem("bad_gather", f"bad <Gather {attrs}>: {'; '.join(problems)}")
        for child in verb:
            if child.tag in GATHER_NESTABLE:
                getattr(self, f"_verb_{child.tag.lower()}")(child)
        self.state.gather, self.state.digits = attrs, ""
        self.on_gather(attrs, urljoin(self.state.url, attrs.get("action", "")))

    def _verb_redirect(self, verb: ET.Element) -> None:
        if verb.get("method", "POST").upper() != "POST":
            message = "<Redirect method='GET'> is not supported here (Mianhua posts)"
            self.problem("bad_redirect", message)
        target = (verb.text or "").strip()
        self.on_redirect(target)
        self._fetch(urljoin(self.state.url, target) if target else self.state.url, {})

    def _verb_dial(self, verb: ET.Element) -> None:
        numbers = [(n.text or "").strip() for n in verb] or [(verb.text or "").strip()]
        self.on_dial(numbers)
        action = verb.get("action")
        if action:  # the dialled party hung up: Twilio reports the outcome to action
            self._fetch(urljoin(self.state.url, action), {"DialCallStatus": self.dial_status})
        else:
            self.end("dialed")  # the resident is now talking to a person

    def _verb_reject(self, verb: ET.Element) -> None:
        reason = verb.get("reason", "rejected")
        after_answer = self.state.answered  # only a leading <Reject> refuses a call
        self.on_reject(reason, after_answer)
        if after_answer:
            self.end("reject after answer")
        else:
            self.end("rejected", "busy" if reason == "busy" else "no-answer")

    def _verb_hangup(self, verb: ET.Element) -> None:
        self.on_hangup()
        self.end("hangup")


@dataclass
class Heard:
    """What one caller action produced, for the screen."""

    lines: list[dict[str, str]] = field(default_factory=list)  # {"kind": say|note|error, "text"}

    def say(self, text: str) -> None:
        self.lines.append({"kind": "say", "text": text})

    def note(self, text: str) -> None:
        self.lines.append({"kind": "note", "text": text})

    def error(self, text: str) -> None:
        self.lines.append({"kind": "error", "text": text})


#: The screen's note for each way a call ends.
END_NOTES = {"rejected": "rejected", "loop": "loop", "app error": "app_error"}


class PhoneCall(TwimlCall):
    """The simulator's phone: `dial`, then `press` and `wait` until it ends; what the
    caller hears goes to `heard`, in the screen's words (`notes`)."""

    def __init__(self, post: Post, state: CallState, notes: dict[str, str]) -> None:
        super().__init__(post, state)
        self.notes = notes  # the screen's words for events: dialled, hung up, ...
        self.heard = Heard()

    @classmethod
    def dial(
        cls, post: Post, *, caller: str, called: str, start_url: str, notes: dict[str, str]
    ) -> PhoneCall:
        state = CallState(call_sid="CA" + uuid.uuid4().hex, caller=caller, called=called)
        call = cls(post, state, notes)
        call.ring(start_url)
        return call

    def press(self, key: str) -> None:
        if key not in KEYS or len(key) != 1:
            self.heard.error(self.notes["bad_key"])
            return
        if self.state.ended or self.state.gather is None:
            self.heard.note(self.notes["not_listening"])
            return
        self.key(key)

    def wait(self) -> None:
        """Say nothing until the `<Gather>` times out."""
        if self.state.ended or self.state.gather is None:
            self.heard.note(self.notes["not_listening"])
            return
        self.heard.note(self.notes["silence"])
        self.submit()

    def hang_up(self, status_url: str) -> None:
        if not self.state.ended:
            self.end("caller hung up")
            self.post(status_url, {**self.params("completed"), "CallDuration": "30"})

    def problem(self, kind: str, message: str, **facts: str) -> None:
        """On the screen in its words; TwiML Twilio would only warn about plays on."""
        if kind == "http":
            self.heard.error(f"{self.notes['app_error']} (HTTP {facts['status']})")
        elif kind == "unparseable":
            self.heard.error(self.notes["app_error"])
        elif kind == "unknown_verb":
            self.heard.error(f"<{facts['tag']}>")

    def on_say(self, spoken: Spoken) -> None:
        if spoken.text:
            self.heard.say(spoken.text)

    def on_play(self, url: str) -> None:
        self.heard.note(self.notes["sound"])

    def on_dial(self, numbers: list[str]) -> None:
        self.heard.note(self.notes["dialling"].format(number=", ".join(numbers)))

    def on_end(self, reason: str, call_status: str) -> None:
        note = "you_hung_up" if reason == "caller hung up" else END_NOTES.get(reason, "call_ended")
        self.state.end_reason = self.notes[note]
        self.heard.note(self.state.end_reason)
