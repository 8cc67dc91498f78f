"""What Twilio's refusals mean for us: the one table of passing and permanent reasons.

Texts and calls alike read it, so a reason that is worth retrying for one (Twilio's
own 20429 "too many requests" as much as an HTTP 429 or a 5xx) is retried for the
other, and a number Twilio refuses is known as such wherever it is dialled.
"""

from __future__ import annotations

from twilio.base.exceptions import TwilioRestException

from core.ports.carriers import CallFailed, SendFailed

#: Twilio error codes that say "later", whatever the HTTP status they came with.
PASSING_CODES = frozenset({20429})
#: HTTP statuses that say "later": rate limited, or Twilio's side failed.
PASSING_STATUSES = frozenset({429})
#: Refusals that no retry can change (21610: the resident texted STOP; 21211/21614: the
#: number takes no texts; 21408/21612: not a route we may use; 21617: the body is too long).
PERMANENT_CODES = frozenset({21610, 21211, 21614, 21408, 21612, 21617})
#: Refusals that blame the number itself: dialling it again will not help.
NUMBER_CODES = frozenset({13223, 13224, 21211, 21214, 21217})


def is_passing(exc: TwilioRestException) -> bool:
    """Whether the reason may pass: worth another try after a while."""
    if exc.code in PERMANENT_CODES:
        return False
    status = exc.status or 0
    return exc.code in PASSING_CODES or status in PASSING_STATUSES or status >= 500


def send_failure(exc: TwilioRestException) -> SendFailed:
    """A refused text (or reminder call) in the port's words: the code is what the row keeps."""
    return SendFailed(str(exc.code or exc.status), exc.msg, transient=is_passing(exc))


def call_failure(exc: TwilioRestException) -> CallFailed:
    """A refused call back in the port's words."""
    return CallFailed(
        str(exc.code or exc.status),
        exc.msg,
        transient=is_passing(exc),
        number_refused=exc.code in NUMBER_CODES,
    )
