"""The phone menu's answers as TwiML, made with the twilio library's classes.

Every `<Gather>` holds the whole prompt (a caller who knows the menu presses
early) and is followed by a `<Redirect>` that reports the silence, because on
silence Twilio skips the action and runs the next verb. The caller's place in
the menu travels in the action URL's query (ivr/steps.py), signed by Twilio.
"""

from __future__ import annotations

from urllib.parse import urlencode

from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr.answering import CallAnswer, MenuAnswer, RingBack
from ivr.navigation import DIAL_TIMEOUT_SECONDS
from ivr.outage import OFFER_TIMEOUT_S, OutageAnswer, Spoken
from ivr.pace import DEFAULT_RATE
from ivr.states import NUMBER_ENTRY, State, Where
from ivr.steps import step_params
from providers.twilio.voice import say

STEP_PATH = "/voice/step"
OUTAGE_PATH = "/voice/outage"


def step_url(
    base: str, where: Where, step: int, *, silence: int | None = None, slow: bool = False
) -> str:
    """The URL of the next step: /voice/step with the caller's place in its query."""
    return f"{base}{STEP_PATH}?{urlencode(step_params(where, step, silence=silence, slow=slow))}"


def render(answer: CallAnswer, *, base: str) -> str:
    """The TwiML for one answer; its step is this request's id, the next one is step + 1."""
    if isinstance(answer, RingBack):
        return reject()
    return _menu(answer, base)


def _menu(answer: MenuAnswer, base: str) -> str:
    prompt, pace = answer.prompt, answer.pace
    response = VoiceResponse()
    following = answer.step + 1
    if prompt.wait is not None:
        options: dict[str, object] = {"finish_on_key": "#"}
        if prompt.wait.state not in NUMBER_ENTRY:
            options = {"num_digits": 1, "finish_on_key": ""}  # "#" is then a wrong key
        gather = response.gather(
            action=step_url(base, prompt.wait, following, slow=pace.slow),
            method="POST",
            timeout=pace.key_timeout,
            **options,
        )
        say(gather, prompt.lines, pace.language, pace.rate)
        response.redirect(
            step_url(base, prompt.wait, following, silence=prompt.silence + 1, slow=pace.slow),
            method="POST",
        )
    elif prompt.dial is not None:
        say(response, prompt.lines, pace.language, pace.rate)
        response.dial(
            prompt.dial,
            timeout=DIAL_TIMEOUT_SECONDS,
            action=step_url(base, Where(State.STAFF), following, slow=pace.slow),
            method="POST",
        )
    else:
        say(response, prompt.lines, pace.language, pace.rate)
        response.hangup()
    return str(response.to_xml())


def reject() -> str:
    """Refuse the call unanswered (no charge to the caller): we ring back instead."""
    response = VoiceResponse()
    response.reject(reason="busy")
    return str(response.to_xml())


def _say_each(parent: VoiceResponse | Gather, spoken: Spoken) -> None:
    for language, words in spoken:
        say(parent, [words], language, DEFAULT_RATE)


def outage(answer: OutageAnswer, *, base: str) -> str:
    """The database is down: the words in each language, and the one-key offer if any."""
    response = VoiceResponse()
    if answer.offer:
        gather = response.gather(
            action=f"{base}{OUTAGE_PATH}",
            method="POST",
            num_digits=1,
            finish_on_key="",
            timeout=OFFER_TIMEOUT_S,
        )
        _say_each(gather, answer.said)
        _say_each(response, answer.on_silence)  # silence: Twilio runs what follows
    else:
        _say_each(response, answer.said)
    response.hangup()
    return str(response.to_xml())
