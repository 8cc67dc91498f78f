"""Twilio: the only package that imports the twilio SDK. It verifies Twilio's requests,
turns them into the channels' own values, renders the channels' answers as TwiML, and
holds the REST client, the voice table, the status mapping and the call-back call."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register(app: Flask) -> None:
    """Mount Twilio's webhooks: Messaging, the phone menu, the reminder calls' outcome."""
    from providers.twilio import voice_web
    from providers.twilio.reminder_calls_web import bp as reminder_calls
    from providers.twilio.sms_web import bp as sms

    app.register_blueprint(sms)
    app.register_blueprint(reminder_calls)
    voice_web.register(app)
