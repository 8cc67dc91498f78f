"""Turning a `Prompt` into TwiML with the twilio library's classes, and step URLs back
into a place in the menu.

Every `<Gather>` holds the whole prompt (a caller who knows the menu presses
early) and is followed by a `<Redirect>` that reports the silence, because on
silence Twilio skips the action and runs the next verb.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.twiml.voice_response import Gather, VoiceResponse

from core.bounded import bounded_int
from ivr.navigation import DIAL_TIMEOUT_SECONDS
from ivr.states import NUMBER_ENTRY, Prompt, State, Where

#: language -> (Twilio <Say> language, a voice that speaks it). A wrong pair fails the call.
VOICES = {"zh": ("cmn-CN", "Polly.Zhiyu"), "en": ("en-US", "Polly.Joanna")}
DEFAULT_RATE = "slow"
_RATE = re.compile(r"^(x-slow|slow|medium|fast|x-fast|([2-9]\d|1\d\d)%)$")
#: Chinese characters and full-width punctuation: an English voice cannot say them.
_CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
STEP_PATH = "/voice/step"


def speaking_rate(setting: str | None) -> str:
    """The community's rate if SSML accepts it ("slow", "85%"), else slow."""
    value = (setting or "").strip().lower()
    return value if _RATE.match(value) else DEFAULT_RATE


#: How much slower a caller who pressed 8 hears every prompt.
_SLOWER = {"x-fast": "fast", "fast": "medium", "medium": "slow", "slow": "x-slow"}
SLOWEST_PERCENT = 20  # SSML's floor


def slower_rate(rate: str) -> str:
    """One step slower than `rate`: slow -> x-slow, 85% -> 64%."""
    if rate.endswith("%"):
        return f"{max(SLOWEST_PERCENT, int(rate[:-1]) * 3 // 4)}%"
    return _SLOWER.get(rate, "x-slow")


@dataclass(frozen=True)
class Voice:
    language: str  # zh or en: the caller's
    rate: str
    key_timeout: int
    slow: bool = False  # carried in every step URL: the caller asked for slower speech


@dataclass(frozen=True)
class StepRequest:
    """What a step URL says: where the caller is, the step id, and a silence if one."""

    where: Where
    step: int
    silence: int | None
    slow: bool = False


def step_url(
    base: str, where: Where, step: int, *, silence: int | None = None, slow: bool = False
) -> str:
    params: dict[str, str | int] = {"s": where.state.value}
    if where.deal is not None:
        params["d"] = where.deal
    if where.quantity is not None:
        params["q"] = where.quantity
    params["n"] = step
    if silence is not None:
        params["w"] = silence
    if slow:
        params["p"] = "s"
    return f"{base}{STEP_PATH}?{urlencode(params)}"


def _small_int(value: str | None, upper: int = 10**6) -> int | None:
    return bounded_int(value, high=upper)


def parse_step(args: Mapping[str, str]) -> StepRequest:
    """Read a step URL; anything malformed lands safely on the main menu."""
    try:
        state = State(args.get("s", State.MAIN.value))
    except ValueError:
        state = State.MAIN
    where = Where(state, deal=_small_int(args.get("d"), 99), quantity=_small_int(args.get("q")))
    return StepRequest(
        where,
        _small_int(args.get("n")) or 0,
        _small_int(args.get("w"), 100),
        slow=args.get("p") == "s",
    )


def _segments(text: str, language: str) -> list[tuple[str, str]]:
    """(language, text) runs: Chinese names and places inside English go to a Mandarin voice."""
    if language == "zh":
        return [("zh", text)]
    runs: list[tuple[str, str]] = []
    position = 0
    for match in _CJK_RUN.finditer(text):
        if match.start() > position:
            runs.append((language, text[position : match.start()]))
        runs.append(("zh", match.group()))
        position = match.end()
    if position < len(text):
        runs.append((language, text[position:]))
    return runs


def _say_all(parent: VoiceResponse | Gather, lines: list[str], voice: Voice) -> None:
    joiner = "" if voice.language == "zh" else " "
    grouped: list[tuple[str, str]] = []
    for language, text in _segments(joiner.join(lines), voice.language):
        text = text.strip() if language == "zh" else text.strip().lstrip(".,;:").strip()
        if not text:
            continue
        if grouped and grouped[-1][0] == language:
            grouped[-1] = (language, grouped[-1][1] + joiner + text)
        else:
            grouped.append((language, text))
    for language, text in grouped:
        say_language, say_voice = VOICES.get(language, VOICES["zh"])
        parent.say(language=say_language, voice=say_voice).prosody(text, rate=voice.rate)


def render(prompt: Prompt, *, base: str, step: int, voice: Voice) -> str:
    """The TwiML for one prompt; `step` is this request's id, the next one is step + 1."""
    response = VoiceResponse()
    following = step + 1
    if prompt.wait is not None:
        options: dict[str, object] = {"finish_on_key": "#"}
        if prompt.wait.state not in NUMBER_ENTRY:
            options = {"num_digits": 1, "finish_on_key": ""}  # "#" is then a wrong key
        gather = response.gather(
            action=step_url(base, prompt.wait, following, slow=voice.slow),
            method="POST",
            timeout=voice.key_timeout,
            **options,
        )
        _say_all(gather, prompt.lines, voice)
        response.redirect(
            step_url(base, prompt.wait, following, silence=prompt.silence + 1, slow=voice.slow),
            method="POST",
        )
    elif prompt.dial is not None:
        _say_all(response, prompt.lines, voice)
        response.dial(
            prompt.dial,
            timeout=DIAL_TIMEOUT_SECONDS,
            action=step_url(base, Where(State.STAFF), following, slow=voice.slow),
            method="POST",
        )
    else:
        _say_all(response, prompt.lines, voice)
        response.hangup()
    return str(response.to_xml())


def reject() -> str:
    """Refuse the call unanswered (no charge to the caller): we ring back instead."""
    response = VoiceResponse()
    response.reject(reason="busy")
    return str(response.to_xml())


def spoken_then_hangup(text: str, language: str) -> str:
    response = VoiceResponse()
    _say_all(response, [text], Voice(language, DEFAULT_RATE, 0))
    response.hangup()
    return str(response.to_xml())
