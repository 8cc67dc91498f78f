"""What every Twilio-facing route shares: the signature check, failing closed.

Twilio signs the public URL it called plus every POST field. Behind a TLS proxy
Flask sees another URL, and Flask decodes `%27` and non-ASCII in `request.url`,
so the URL is rebuilt from PUBLIC_BASE_URL, the path and the raw query string.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlparse

from flask import Response, abort, request
from twilio.request_validator import RequestValidator, add_port, compare, remove_port

from bootstrap import mianhua
from core.ports.carriers import Verification
from core.settings import DEV_AUTH_TOKEN
from web_security import is_loopback

log = logging.getLogger(__name__)

SIGNED = "twilio-signature"
UNCHECKED = "unchecked (setting)"


def public_url() -> str:
    """The URL Twilio called, as Twilio signed it."""
    settings = mianhua().settings
    query = request.query_string.decode("latin-1")
    return settings.public_base_url + request.path + (f"?{query}" if query else "")


def verification() -> Verification:
    """Whether this request really comes from Twilio, and how that was established."""
    settings = mianhua().settings
    if not settings.validate_signatures:
        return Verification.passed(UNCHECKED)
    token = settings.twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return Verification.refused(SIGNED, "no X-Twilio-Signature or no auth token")
    if token == DEV_AUTH_TOKEN and not is_loopback(request.remote_addr):
        # The development token is printed in the source: anyone could sign with it.
        # Only the simulator, on this machine, may use it.
        return Verification.refused(SIGNED, f"development token from {request.remote_addr}")
    if not signed_by_twilio(RequestValidator(token), public_url(), request.form, signature):
        return Verification.refused(SIGNED, "bad X-Twilio-Signature")
    return Verification.passed(SIGNED)


def signed_by_twilio(
    validator: RequestValidator, url: str, form: Mapping[str, str], signature: str
) -> bool:
    """`validator.validate`, with its own parts, but stopping at the first match.

    Twilio may sign the URL with or without its port; the library's `validate` always
    computes both signatures, a fifth of the webhook's own time. The URL as configured
    (without the port) is tried first, and the other only when it does not match.
    """
    parsed = urlparse(url)
    if "bodySHA256" in parse_qs(parsed.query):  # a JSON body: the library's own way
        return bool(validator.validate(url, form, signature))
    return any(
        compare(validator.compute_signature(candidate, form), signature)
        for candidate in (remove_port(parsed), add_port(parsed))
    )


def signature_is_valid() -> bool:
    judged = verification()
    if not judged.accepted:
        log.warning("refused %s: %s", request.path, judged.refusal)
    return judged.accepted


def require_twilio_signature(view: Callable[..., Any]) -> Callable[..., Any]:
    """403 and nothing recorded unless the request really comes from Twilio."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Response | Any:
        if not signature_is_valid():
            abort(403)
        return view(*args, **kwargs)

    return checked
