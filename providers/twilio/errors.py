"""What Twilio's refusals mean: which may pass (try again) and which blame the number.

One rule for every Twilio REST call we make (texts, reminder calls, call backs):
HTTP 429 and Twilio's own code 20429 (too many requests), and any 5xx, are
passing; everything else is Twilio's considered answer. See /work/shared/TWILIO.md.
"""

from __future__ import annotations

from twilio.base.exceptions import TwilioRestException

#: Twilio's "too many requests", sometimes sent with another HTTP status.
TOO_MANY_REQUESTS = 20429
#: Call errors that blame the number itself: ringing it again will not help.
CALL_NUMBER_ERRORS = frozenset({13223, 13224, 21211, 21214, 21217})


def is_passing(exc: TwilioRestException) -> bool:
    """A refusal worth trying again: a rate limit or Twilio's own failure."""
    return exc.status == 429 or exc.status >= 500 or exc.code == TOO_MANY_REQUESTS


def blames_the_number(exc: TwilioRestException) -> bool:
    """A call refused because of the number called (invalid, unreachable, not allowed)."""
    return exc.code in CALL_NUMBER_ERRORS
