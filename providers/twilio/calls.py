"""Twilio's call placer: a reminder spoken to a landline, and a resident rung back.

A reminder call carries its TwiML (providers/twilio/voice.py) and reports its end
to `/voice/reminder-status`. A call back is answered by our phone menu: Twilio
fetches `/voice/inbound` when the resident picks up (the menu knows a call we
placed by its direction) and reports the end to `/voice/status`. Refusals go
through the one table of providers/twilio/errors.py, so a rate limit (429,
20429) or Twilio's own failure is tried again and a bad number is not.
"""

from __future__ import annotations

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from core.messages.sending import Outgoing
from core.ports.carriers import CallBack, CallFailed, SendFailed
from core.settings import Settings
from providers.twilio.client import make_twilio_client
from providers.twilio.errors import call_failure, send_failure
from providers.twilio.voice import reminder_twiml

INBOUND_PATH = "/voice/inbound"
STATUS_PATH = "/voice/status"
REMINDER_STATUS_PATH = "/voice/reminder-status"


class TwilioCallPlacer:
    """Places calls with `calls.create`."""

    name = "twilio"

    def __init__(self, client: Client, *, public_base_url: str, fallback_from: str | None = None):
        self.client = client
        self.public_base_url = public_base_url.rstrip("/")
        self.fallback_from = fallback_from

    @classmethod
    def from_settings(cls, settings: Settings) -> TwilioCallPlacer:
        client = make_twilio_client(
            settings.twilio_account_sid or "",
            settings.twilio_auth_token or "",
            settings.twilio_api_base,
        )
        return cls(
            client,
            public_base_url=settings.public_base_url,
            fallback_from=settings.twilio_from_number,
        )

    def reminder_call(self, out: Outgoing) -> str:
        """Ring the landline and speak the reminder twice; raises SendFailed like a text."""
        status = f"{self.public_base_url}{REMINDER_STATUS_PATH}?m={out.message_id}"
        try:
            call = self.client.calls.create(
                to=out.to,
                from_=out.from_number or self.fallback_from,
                twiml=reminder_twiml(out),
                status_callback=status,
            )
        except TwilioRestException as exc:
            raise send_failure(exc) from exc
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as exc:
            # The request may have reached Twilio: a second call costs a second call at most.
            raise SendFailed("timeout", str(exc), transient=True) from exc
        return str(call.sid)

    def find_placed(self, out: Outgoing) -> str | None:
        """An unanswered doubt about a call costs a second call at most: nothing to ask."""
        return None

    def call_back(self, call: CallBack) -> str:
        """Ring the resident back into the phone menu; raises CallFailed."""
        base = self.public_base_url
        try:
            placed = self.client.calls.create(
                to=call.to,
                from_=call.from_number,
                url=f"{base}{INBOUND_PATH}",
                method="POST",
                status_callback=f"{base}{STATUS_PATH}",
                status_callback_method="POST",
            )
        except TwilioRestException as exc:
            raise call_failure(exc) from exc
        except (requests.RequestException, TwilioException) as exc:
            raise CallFailed("connection", str(exc), transient=True) from exc
        return str(placed.sid)
