"""Twilio: the only package that imports the twilio SDK. It verifies Twilio's requests,
turns them into the channels' own values, renders the channels' answers as TwiML, and
holds the REST client, the voice table, the status mapping and the call-back call."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register(app: Flask) -> None:
    """Every Twilio webhook on the app: one blueprint per medium."""
    from providers.twilio import voice_web

    voice_web.register(app)
