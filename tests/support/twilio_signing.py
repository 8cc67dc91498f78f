"""Requests signed as Twilio signs them: the one signer of the tests that play Twilio's part.

Twilio signs the public URL it was given plus every POST field (its `RequestValidator`
algorithm); the app checks that signature on every webhook.
"""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import RequestValidator

from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN


def twilio_signature(url: str, params: Mapping[str, str], token: str = TWILIO_TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send with a POST of `params` to the full `url`."""
    return str(RequestValidator(token).compute_signature(url, dict(params)))


def signed(path: str, params: Mapping[str, str], token: str = TWILIO_TOKEN) -> dict[str, str]:
    """The header for a POST to `path` on the app's public base URL, as Twilio sends it."""
    return {"X-Twilio-Signature": twilio_signature(PUBLIC_BASE_URL + path, params, token)}
