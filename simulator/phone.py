"""A phone on the developer's screen: plays Mianhua's TwiML the way Twilio does.

Each request to the voice webhooks is signed with the app's auth token and sent
through the real app, so the simulator exercises exactly what Twilio would: the
signature check, the IVR's state machine, its `<Gather>` rules. What Twilio does
between requests is mirrored here (see /work/shared/TWILIO.md): a `<Gather>` submits
on `numDigits` or its finish key (not included in `Digits`); silence runs the verb
after it; relative URLs resolve against the current document; `<Redirect>` fetches;
`<Dial>` reports to its action; `<Hangup>`, `<Reject>` or running out of verbs ends.

The call's state travels with the browser, signed, so any web worker can take the
next key press.
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
MAX_FETCHES = 25  # a redirect loop stops the call instead of spinning


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


class PhoneCall:
    """Drive one call: `start`, then `press` and `wait` until it ends."""

    def __init__(self, post: Post, state: CallState, notes: dict[str, str]) -> None:
        self.post = post
        self.state = state
        self.notes = notes  # the screen's words for events: dialled, hung up, ...
        self.heard = Heard()
        self._fetches = 0

    @classmethod
    def dial(
        cls, post: Post, *, caller: str, called: str, start_url: str, notes: dict[str, str]
    ) -> PhoneCall:
        state = CallState(call_sid="CA" + uuid.uuid4().hex, caller=caller, called=called)
        call = cls(post, state, notes)
        call._fetch(start_url, {}, call_status="ringing")
        call._run()
        return call

    def params(self, call_status: str = "in-progress") -> dict[str, str]:
        return {
            "AccountSid": "AC" + "0" * 32,
            "ApiVersion": "2010-04-01",
            "CallSid": self.state.call_sid,
            "CallStatus": call_status,
            "Called": self.state.called,
            "Caller": self.state.caller,
            "Direction": "inbound",
            "From": self.state.caller,
            "To": self.state.called,
        }

    # --- what the caller does ---------------------------------------------------------

    def press(self, key: str) -> None:
        if key not in KEYS or len(key) != 1:
            self.heard.error(self.notes["bad_key"])
            return
        gather = self.state.gather
        if self.state.ended or gather is None:
            self.heard.note(self.notes["not_listening"])
            return
        finish_key = gather.get("finishOnKey", "#")
        if finish_key and key == finish_key:
            self._submit()
            return
        self.state.digits += key
        wanted = gather.get("numDigits")
        if wanted and wanted.isdigit() and len(self.state.digits) >= int(wanted):
            self._submit()

    def wait(self) -> None:
        """Say nothing until the `<Gather>` times out."""
        if self.state.ended or self.state.gather is None:
            self.heard.note(self.notes["not_listening"])
            return
        self.heard.note(self.notes["silence"])
        self._submit()

    def hang_up(self, status_url: str) -> None:
        if not self.state.ended:
            self._end(self.notes["you_hung_up"])
            self.post(status_url, {**self.params("completed"), "CallDuration": "30"})

    # --- the interpreter ----------------------------------------------------------------

    def _submit(self) -> None:
        gather, digits = self.state.gather or {}, self.state.digits
        self.state.gather, self.state.digits = None, ""
        action = urljoin(self.state.url, gather.get("action", ""))
        if digits:
            self._fetch(action, {"Digits": digits})
        elif gather.get("actionOnEmptyResult") == "true":
            self._fetch(action, {})
        self._run()

    def _fetch(self, url: str, extra: dict[str, str], call_status: str = "in-progress") -> None:
        self._fetches += 1
        if self._fetches > MAX_FETCHES:
            self._end(self.notes["loop"])
            return
        status, body = self.post(url, {**self.params(call_status), **extra})
        if not 200 <= status < 300:
            self.heard.error(f"{self.notes['app_error']} (HTTP {status})")
            self._end(self.notes["app_error"])
            return
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            self.heard.error(self.notes["app_error"])
            self._end(self.notes["app_error"])
            return
        self.state.url, self.state.document, self.state.next_verb = url, body, 0
        if root.tag != "Response":
            self._end(self.notes["app_error"])

    def _verbs(self) -> list[ET.Element]:
        return list(ET.fromstring(self.state.document)) if self.state.document else []

    def _run(self) -> None:
        while not self.state.ended and self.state.gather is None:
            verbs = self._verbs()
            if self.state.next_verb >= len(verbs):
                self._end(self.notes["call_ended"])
                return
            verb = verbs[self.state.next_verb]
            self.state.next_verb += 1
            if verb.tag != "Reject":
                self.state.answered = True
            getattr(self, f"_verb_{verb.tag.lower()}", self._verb_unknown)(verb)

    def _verb_say(self, verb: ET.Element) -> None:
        text = " ".join("".join(verb.itertext()).split())
        if text:
            self.heard.say(text)

    def _verb_pause(self, verb: ET.Element) -> None:
        return None

    def _verb_play(self, verb: ET.Element) -> None:
        self.heard.note(self.notes["sound"])

    def _verb_gather(self, verb: ET.Element) -> None:
        for child in verb:
            if child.tag == "Say":
                self._verb_say(child)
        self.state.gather = dict(verb.attrib)
        self.state.digits = ""

    def _verb_redirect(self, verb: ET.Element) -> None:
        target = (verb.text or "").strip()
        self._fetch(urljoin(self.state.url, target) if target else self.state.url, {})

    def _verb_dial(self, verb: ET.Element) -> None:
        numbers = [(n.text or "").strip() for n in verb] or [(verb.text or "").strip()]
        self.heard.note(self.notes["dialling"].format(number=", ".join(numbers)))
        action = verb.get("action")
        if action:  # in the simulator the person answers, talks and hangs up at once
            self._fetch(urljoin(self.state.url, action), {"DialCallStatus": "completed"})
        else:
            self._end(self.notes["call_ended"])

    def _verb_hangup(self, verb: ET.Element) -> None:
        self._end(self.notes["call_ended"])

    def _verb_reject(self, verb: ET.Element) -> None:
        if self.state.answered:
            self._end(self.notes["call_ended"])
        else:
            self._end(self.notes["rejected"])

    def _verb_unknown(self, verb: ET.Element) -> None:
        self.heard.error(f"<{verb.tag}>")

    def _end(self, reason: str) -> None:
        self.state.ended, self.state.end_reason, self.state.gather = True, reason, None
        self.heard.note(reason)
