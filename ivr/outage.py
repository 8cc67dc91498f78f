"""The phone menu while the database is down: an apology and a call back with one key.

Nothing can be looked up, so the caller is not known: the words are said in
Chinese, then in English. Pressing 1 keeps a call-back request in the spool
(taken in as the call's record, with a call back owed, once the database is
back); any other key or silence ends the call politely. An anonymous caller,
who cannot be rung back, only hears the apology.
"""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from core.i18n import LANGUAGES, t
from core.phones import try_normalize_phone
from ivr.twiml import DEFAULT_RATE, Voice, _say_all

OUTAGE_PATH = "/voice/outage"
CALLBACK_KEY = "1"
#: Seconds to wait for the key after the offer.
OFFER_TIMEOUT_S = 6


def _say_each_language(parent, key: str) -> None:  # type: ignore[no-untyped-def]
    for language in LANGUAGES:
        _say_all(parent, [t(language, key)], Voice(language, DEFAULT_RATE, 0))


def can_be_called_back(caller: str) -> bool:
    return try_normalize_phone(caller) is not None


def offer(base: str, caller: str) -> str:
    """The apology, and the call-back offer when the caller's number is known."""
    response = VoiceResponse()
    if not can_be_called_back(caller):
        _say_each_language(response, "spool.ivr.offer_no_callback")
        response.hangup()
        return str(response.to_xml())
    gather = response.gather(
        action=f"{base}{OUTAGE_PATH}",
        method="POST",
        num_digits=1,
        finish_on_key="",
        timeout=OFFER_TIMEOUT_S,
    )
    _say_each_language(gather, "spool.ivr.offer")
    _say_each_language(response, "spool.ivr.goodbye")  # silence: Twilio runs what follows
    response.hangup()
    return str(response.to_xml())


def ending(key: str) -> str:
    """What the caller hears after pressing a key: the promise, or a goodbye."""
    response = VoiceResponse()
    _say_each_language(response, key)
    response.hangup()
    return str(response.to_xml())
