"""What a landline resident hears when a reminder calls: the same text, spoken twice.

Older residents on landlines often miss the first words of a call, so the
reminder is said, then said again, slowly when the community asks for it. The
voice must speak the language (Polly.Zhiyu for Mandarin); every word comes from
the catalog.
"""

from __future__ import annotations

from twilio.twiml.voice_response import Say, VoiceResponse

from core.i18n import t
from core.messages.sending import Outgoing

#: language -> (<Say language>, voice that speaks it)
VOICES = {"zh": ("cmn-CN", "Polly.Zhiyu"), "en": ("en-GB", "Polly.Amy")}


def reminder_twiml(out: Outgoing) -> str:
    language, voice = VOICES.get(out.language, VOICES["zh"])
    lang = out.language if out.language in VOICES else "zh"
    response = VoiceResponse()
    response.pause(length=1)  # the phone is still on its way to the ear
    _say(response, t(lang, "reminder.call.intro", community=out.community_name), language, voice)
    _say(response, out.body, language, voice, slow=out.voice_rate == "slow")
    response.pause(length=1)
    _say(response, t(lang, "reminder.call.again"), language, voice)
    _say(response, out.body, language, voice, slow=out.voice_rate == "slow")
    _say(response, t(lang, "reminder.call.goodbye"), language, voice)
    return str(response)


def _say(response: VoiceResponse, text: str, language: str, voice: str, slow: bool = False) -> None:
    say = Say(language=language, voice=voice)
    if slow:
        say.prosody(text, rate="85%")
    else:
        say.value = text
    response.append(say)
