"""What every Twilio-facing route shares: the signature check, failing closed.

Twilio signs the public URL it called plus every POST field. Behind a TLS proxy
Flask sees another URL, and Flask decodes `%27` and non-ASCII in `request.url`,
so the URL is rebuilt from PUBLIC_BASE_URL, the path and the raw query string.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import Response, abort, current_app, request
from twilio.request_validator import RequestValidator

from core.settings import DEV_AUTH_TOKEN
from web_security import is_loopback

log = logging.getLogger(__name__)


def public_url() -> str:
    """The URL Twilio called, as Twilio signed it."""
    settings = current_app.extensions["mianhua"].settings
    query = request.query_string.decode("latin-1")
    return settings.public_base_url + request.path + (f"?{query}" if query else "")


def signature_is_valid() -> bool:
    settings = current_app.extensions["mianhua"].settings
    if not settings.validate_signatures:
        return True
    token = settings.twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    if token == DEV_AUTH_TOKEN and not is_loopback(request.remote_addr):
        # The development token is printed in the source: anyone could sign with it.
        # Only the simulator, on this machine, may use it.
        log.warning("refused %s: development token from %s", request.path, request.remote_addr)
        return False
    return bool(RequestValidator(token).validate(public_url(), request.form, signature))


def require_twilio_signature(view: Callable[..., Any]) -> Callable[..., Any]:
    """403 and nothing recorded unless the request really comes from Twilio."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Response | Any:
        if not signature_is_valid():
            log.warning("refused %s: bad or missing X-Twilio-Signature", request.path)
            abort(403)
        return view(*args, **kwargs)

    return checked
