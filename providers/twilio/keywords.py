"""The words Twilio acts on itself, whole message and any case (its default opt-out and
opt-in keywords): it answers them and blocks or unblocks the number, so the SMS channel
must not answer them again (a reply to a blocked number bounces with 21610)."""

from __future__ import annotations

from core.ports.carriers import CarrierKeyword

OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
OPT_IN_WORDS = frozenset({"start", "yes", "unstop"})


class TwilioKeywords:
    """`core.ports.carriers.CarrierKeywords` for texts Twilio carries."""

    def acted_on(self, body: str) -> CarrierKeyword | None:
        word = body.strip().casefold()
        if word in OPT_OUT_WORDS:
            return CarrierKeyword.OPT_OUT
        if word in OPT_IN_WORDS:
            return CarrierKeyword.OPT_IN
        return None
