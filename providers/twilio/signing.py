"""Signing a request the way Twilio signs its webhooks, for the development phone.

The simulator posts to our own webhooks as Twilio would, so the signature
check runs exactly as in production; it signs through this helper rather than
importing the SDK itself. (Checking signatures is signature verification's
job, in the webhook routes.)
"""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import RequestValidator


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """X-Twilio-Signature for a POST of `params` to the public `url`."""
    return str(RequestValidator(auth_token).compute_signature(url, dict(params)))
