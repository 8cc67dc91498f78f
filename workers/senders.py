"""Senders: the one small interface between a send job and whatever delivers the message.

`SMS_SENDER` picks one: `twilio` (the official REST client; `TWILIO_API_BASE` points
it at a stand-in), `aliyun` or `tencent` (filed templates through their SDKs, in
`providers/`), or `console` (prints, sends nothing; the job still records the
message as sent with a `CONSOLE-<id>` sid, so the staff simulator can show it).
A sender returns the provider's id or raises `SendFailed`, saying whether the
reason may pass (retry) or not.
"""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from typing import Protocol, TextIO

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from core.messages.models import MessageChannel
from core.messages.sending import Outgoing
from core.settings import Settings
from providers.twilio.voice import reminder_twiml
from workers.twilio_client import DEFAULT_TIMEOUT_S, make_twilio_client

log = logging.getLogger(__name__)

#: Twilio otherwise holds a message for up to 10 hours; a reminder that late misleads.
REMINDER_VALIDITY_S = 3600
#: How many of a number's latest messages to look through for an attempt of unknown outcome.
LOOKUP_DEPTH = 20


class SendFailed(Exception):
    """The provider did not take the message; `transient` ones are worth retrying."""

    def __init__(self, code: str, detail: str, *, transient: bool) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.transient = transient


class Sender(Protocol):
    name: str

    def send(self, out: Outgoing) -> str:
        """Text it (or, for a landline, call and speak it); the provider's id."""
        ...

    def find_sent(self, out: Outgoing) -> str | None:
        """The provider's id if an earlier attempt of unknown outcome did get through."""
        ...


class ConsoleSender:
    """For development and rehearsals: prints what would be sent."""

    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, out: Outgoing) -> str:
        how = "call" if out.channel == MessageChannel.VOICE else "sms"
        print(f"[{how} {out.from_number} -> {out.to}] {out.body}", file=self.stream, flush=True)
        return f"CONSOLE-{out.message_id}"

    def find_sent(self, out: Outgoing) -> str | None:
        return None  # printing twice harms nobody


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
            transient = exc.status == 429 or exc.status >= 500 or exc.code == 20429
            raise SendFailed(str(exc.code or exc.status), exc.msg, transient=transient) from exc
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
        call = self.client.calls.create(
            to=out.to,
            from_=out.from_number or self.fallback_from,
            twiml=reminder_twiml(out),
            status_callback=f"{self.public_base_url}/voice/reminder-status?m={out.message_id}",
        )
        return str(call.sid)

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


def make_sender(settings: Settings) -> Sender:
    """The sender `SMS_SENDER` names, built once per process by the composition root."""
    # A live worker must always finish an attempt well inside the sweep's patience,
    # or the sweep would take the row back while the request is still in flight.
    timeout = min(DEFAULT_TIMEOUT_S, max(1.0, settings.send_stuck_after_seconds / 3))
    if settings.sms_sender in ("aliyun", "tencent"):
        from providers.mainland import make_mainland_sender

        return make_mainland_sender(settings, timeout_s=timeout)
    if settings.sms_sender != "twilio":
        return ConsoleSender()
    assert settings.twilio_account_sid and settings.twilio_auth_token  # checked by load_settings
    client = make_twilio_client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        api_base=settings.twilio_api_base,
        timeout=timeout,
    )
    return TwilioSender(
        client,
        public_base_url=settings.public_base_url,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        fallback_from=settings.twilio_from_number,
    )
