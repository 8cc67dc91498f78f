"""Twilio's call placer: ring a resident back, our phone menu answering the call.

Twilio fetches `/voice/inbound` when the resident picks up (the menu sees a call
we placed by its direction) and reports the call's end to `/voice/status`.
Refusals go through the one rule of providers/twilio/errors.py, so a rate limit
(429, 20429) or Twilio's own failure is tried again and a bad number is not.
"""

from __future__ import annotations

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from core.ports.calls import CallFailed
from core.settings import Settings
from providers.twilio.errors import blames_the_number, is_passing
from workers.twilio_client import make_twilio_client

INBOUND_PATH = "/voice/inbound"
STATUS_PATH = "/voice/status"


class TwilioCallPlacer:
    """Places calls with `calls.create`, the menu's own webhooks answering them."""

    name = "twilio"

    def __init__(self, client: Client, *, public_base_url: str) -> None:
        self.client = client
        self.public_base_url = public_base_url.rstrip("/")

    @classmethod
    def from_settings(cls, settings: Settings) -> TwilioCallPlacer:
        client = make_twilio_client(
            settings.twilio_account_sid or "",
            settings.twilio_auth_token or "",
            settings.twilio_api_base,
        )
        return cls(client, public_base_url=settings.public_base_url)

    def call_back(self, *, to: str, from_: str) -> str | None:
        base = self.public_base_url
        try:
            placed = self.client.calls.create(
                to=to,
                from_=from_,
                url=f"{base}{INBOUND_PATH}",
                method="POST",
                status_callback=f"{base}{STATUS_PATH}",
                status_callback_method="POST",
            )
        except TwilioRestException as exc:
            raise CallFailed(
                str(exc.code or exc.status),
                exc.msg,
                passing=is_passing(exc),
                number_at_fault=blames_the_number(exc),
            ) from exc
        except (requests.RequestException, TwilioException) as exc:
            raise CallFailed("connection", str(exc), passing=True) from exc
        return str(placed.sid)
