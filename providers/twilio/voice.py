"""Twilio's voices: the one table of who speaks each language, and speaking with them.

Every `<Say>` we send is made here, for the phone menu and for reminder calls
alike, so a caller hears the same voice in both. A voice that does not speak
the language makes `<Say>` fail (the library does not check the pair), and an
English voice cannot say Chinese characters: Chinese names and places inside
English go to the Mandarin voice.

What a landline resident hears when a reminder calls is here too: the same
text, spoken twice. Older residents on landlines often miss the first words of
a call, so the reminder is said, then said again, slowly when the community
asks for it. Every word comes from the catalog.
"""

from __future__ import annotations

import re

from twilio.twiml.voice_response import Gather, VoiceResponse

from core.i18n import t
from core.messages.sending import Outgoing

#: language -> (Twilio <Say> language, a voice that speaks it). A wrong pair fails the call.
VOICES = {"zh": ("cmn-CN", "Polly.Zhiyu"), "en": ("en-US", "Polly.Joanna")}
FALLBACK_LANGUAGE = "zh"
#: Chinese characters and full-width punctuation: an English voice cannot say them.
_CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
#: A reminder call's text, slowed for a community that speaks slowly.
REMINDER_SLOW_RATE = "85%"


def voice_for(language: str) -> tuple[str, str]:
    """(<Say language>, voice) for one of our languages; Mandarin for any other."""
    return VOICES.get(language, VOICES[FALLBACK_LANGUAGE])


def _runs(text: str, language: str) -> list[tuple[str, str]]:
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


def say(
    parent: VoiceResponse | Gather, lines: list[str], language: str, rate: str | None
) -> None:
    """Say `lines` as one utterance in `language` (at `rate`, SSML; None: the voice's own)."""
    joiner = "" if language == "zh" else " "
    grouped: list[tuple[str, str]] = []
    for run_language, text in _runs(joiner.join(lines), language):
        text = text.strip() if run_language == "zh" else text.strip().lstrip(".,;:").strip()
        if not text:
            continue
        if grouped and grouped[-1][0] == run_language:
            grouped[-1] = (run_language, grouped[-1][1] + joiner + text)
        else:
            grouped.append((run_language, text))
    for run_language, text in grouped:
        say_language, voice = voice_for(run_language)
        if rate is None:
            parent.say(text, language=say_language, voice=voice)
        else:
            parent.say(language=say_language, voice=voice).prosody(text, rate=rate)


def reminder_twiml(out: Outgoing) -> str:
    """The reminder call: an introduction, the text, the text again, goodbye."""
    language = out.language if out.language in VOICES else FALLBACK_LANGUAGE
    rate = REMINDER_SLOW_RATE if out.voice_rate == "slow" else None
    response = VoiceResponse()
    response.pause(length=1)  # the phone is still on its way to the ear
    intro = t(language, "reminder.call.intro", community=out.community_name)
    say(response, [intro], language, None)
    say(response, [out.body], language, rate)
    response.pause(length=1)
    say(response, [t(language, "reminder.call.again")], language, None)
    say(response, [out.body], language, rate)
    say(response, [t(language, "reminder.call.goodbye")], language, None)
    return str(response)
