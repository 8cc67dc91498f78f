"""The phone menu while the database is down: an apology and a call back with one key.

Nothing can be looked up, so the caller is not known: the words are said in
Chinese, then in English. Pressing 1 keeps a call-back request in the spool
(taken in as the call's record, with a call back owed, once the database is
back); any other key or silence ends the call politely. An anonymous caller,
who cannot be rung back, only hears the apology. A provider renders the
`OutageAnswer` in its own wire format.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n import LANGUAGES, t
from core.phones import try_normalize_phone

CALLBACK_KEY = "1"
#: Seconds to wait for the key after the offer.
OFFER_TIMEOUT_S = 6

#: (language, words) in the order they are said.
Spoken = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class OutageAnswer:
    """What the caller hears; with `offer`, one key is awaited and silence hears `on_silence`."""

    said: Spoken
    offer: bool = False
    on_silence: Spoken = ()


def in_each_language(key: str) -> Spoken:
    return tuple((language, t(language, key)) for language in LANGUAGES)


def can_be_called_back(caller: str) -> bool:
    return try_normalize_phone(caller) is not None


def offer(caller: str) -> OutageAnswer:
    """The apology, and the call-back offer when the caller's number is known."""
    if not can_be_called_back(caller):
        return ending("spool.ivr.offer_no_callback")
    return OutageAnswer(
        in_each_language("spool.ivr.offer"),
        offer=True,
        on_silence=in_each_language("spool.ivr.goodbye"),
    )


def ending(key: str) -> OutageAnswer:
    """What the caller hears after pressing a key: the promise, or a goodbye."""
    return OutageAnswer(in_each_language(key))


def wants_call_back(digits: str | None) -> bool:
    return (digits or "").strip() == CALLBACK_KEY
