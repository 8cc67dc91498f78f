"""Twilio's message sender: texts through `messages.create`, landline reminders as calls.

It implements core.ports.carriers.MessageSender with the official REST client
(providers/twilio/client.py; `TWILIO_API_BASE` points it at a stand-in). Twilio's
refusals are read by the one table in providers/twilio/errors.py.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from core.messages.models import MessageChannel
from core.messages.sending import Outgoing
from core.ports.carriers import SendFailed
from core.settings import Settings
from providers.twilio.calls import TwilioCallPlacer
from providers.twilio.client import make_twilio_client
from providers.twilio.errors import send_failure

log = logging.getLogger(__name__)

#: Twilio otherwise holds a message for up to 10 hours; a reminder that late misleads.
REMINDER_VALIDITY_S = 3600
#: How many of a number's latest messages to look through for an attempt of unknown outcome.
LOOKUP_DEPTH = 20


class TwilioSender:
    """Texts with `messages.create` and calls landlines with `calls.create`."""

    name = "twilio"

    def __init__(
        self,
        client: Client,
        *,
        public_base_url: str,
        messaging_service_sid: str | None = None,
        fallback_from: str | None = None,
    ) -> None:
        self.client = client
        self.public_base_url = public_base_url.rstrip("/")
        self.messaging_service_sid = messaging_service_sid
        self.fallback_from = fallback_from

    def send(self, out: Outgoing) -> str:
        try:
            if out.channel == MessageChannel.VOICE:
                return self._call(out)
            return self._text(out)
        except TwilioRestException as exc:
            raise send_failure(exc) from exc
        except requests.exceptions.Timeout as exc:
            raise SendFailed("timeout", str(exc), transient=True) from exc
        except requests.exceptions.ConnectionError as exc:
            # The request may have reached Twilio before the connection broke: the
            # next attempt asks first, exactly as after a timeout.
            raise SendFailed("timeout", f"connection: {exc}", transient=True) from exc

    def _text(self, out: Outgoing) -> str:
        params: dict[str, object] = {
            "to": out.to,
            "body": out.body,
            "status_callback": f"{self.public_base_url}/sms/status?m={out.message_id}",
        }
        sender = out.from_number or self.fallback_from
        if sender:
            params["from_"] = sender
        if self.messaging_service_sid:
            params["messaging_service_sid"] = self.messaging_service_sid
        if out.held_in_quiet_hours:
            params["validity_period"] = REMINDER_VALIDITY_S
        return str(self.client.messages.create(**params).sid)

    def _call(self, out: Outgoing) -> str:
        """A landline's reminder: the one call placer's, so texts and calls share a client."""
        return TwilioCallPlacer(
            self.client, public_base_url=self.public_base_url, fallback_from=self.fallback_from
        ).reminder_call(out)

    def find_sent(self, out: Outgoing) -> str | None:
        """Twilio lists a number's messages newest first; one with our text sent since
        the row was written is the attempt whose answer we never saw."""
        if out.channel == MessageChannel.VOICE:
            return None  # an unanswered doubt about a call costs a second call at most
        try:
            recent = self.client.messages.list(to=out.to, limit=LOOKUP_DEPTH)
        except (TwilioRestException, requests.exceptions.RequestException) as exc:
            log.warning("message %s: could not ask Twilio about it (%s)", out.message_id, exc)
            return None
        since = out.created_at - timedelta(minutes=1)
        for message in recent:
            created = message.date_created
            if message.body == out.body and (created is None or created >= since):
                return str(message.sid)
        return None


def make_twilio_sender(settings: Settings, *, timeout_s: float) -> TwilioSender:
    """The sender `SMS_SENDER=twilio` names; credentials were checked by load_settings."""
    assert settings.twilio_account_sid and settings.twilio_auth_token
    client = make_twilio_client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        api_base=settings.twilio_api_base,
        timeout=timeout_s,
    )
    return TwilioSender(
        client,
        public_base_url=settings.public_base_url,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        fallback_from=settings.twilio_from_number,
    )
