"""What every request and response of the web app gets, whichever blueprint serves it.

- Numbers in URLs: the `int` converter takes ASCII digits up to PostgreSQL's integer,
  so `/staff/deals/99999999999999999999` or `/staff/deals/١٢` is a 404, not a 500.
- Size: a request body over MAX_CONTENT_LENGTH (the resident import's upload over
  MAX_IMPORT_BYTES) is refused with 413 before anything reads it, signature checks
  included; a body of undeclared length (chunked) with 411.
- Behind TRUSTED_PROXIES reverse proxies, the client's address and scheme are theirs
  (werkzeug's ProxyFix), so loopback checks and HSTS see the real request.
- Cookies: HttpOnly and SameSite=Lax always, Secure in production; CSRF tokens last a
  working day (8 hours).
- NUL bytes: refused with 400 in the query and in form fields (PostgreSQL cannot store
  one), except on Twilio's webhooks, which their signature check and gateway guard.
- Headers (flask-talisman): a Content-Security-Policy with no inline script or style,
  frame-ancestors 'none' with X-Frame-Options DENY (no clickjacking the console's
  "call off" button), nosniff, a Referrer-Policy, and HSTS in production.
"""

from __future__ import annotations

import io
import ipaddress
from typing import Any

from flask import Flask, Response, abort, request
from flask_talisman import DENY, Talisman
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter, IntegerConverter, Map

from bootstrap import mianhua
from core.bounded import MAX_INT
from core.i18n import t
from core.settings import Settings

#: Endpoints whose request body may be as large as MAX_IMPORT_BYTES, plus the form around it.
LARGE_UPLOAD_ENDPOINTS = frozenset({"staff.residents_import"})
MULTIPART_OVERHEAD_BYTES = 64 * 1024
#: How long a form's CSRF token is good for: a working day, not forever.
CSRF_TOKEN_SECONDS = 8 * 3600

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
REFERRER_POLICY = "same-origin"


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` for ids and numbers: ASCII digits only, 0 to 2**31 - 1."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int = 0, max: int = MAX_INT) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=False)


def use_bounded_converters(app: Flask) -> None:
    """Before any route is registered: rules pick their converter when they are added."""
    converters: dict[str, type[BaseConverter]] = app.url_map.converters
    converters["int"] = BoundedIntConverter


def is_loopback(address: str | None) -> bool:
    """Whether the request comes from this machine (after ProxyFix, the real client)."""
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def harden(app: Flask, settings: Settings) -> None:
    """Limits, cookies, proxies and headers; call before registering the blueprints."""
    use_bounded_converters(app)
    production = settings.is_production
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_content_length,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=production,
        WTF_CSRF_TIME_LIMIT=CSRF_TOKEN_SECONDS,
    )
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    app.before_request(_refuse_oversized_bodies)
    app.before_request(_refuse_nul_bytes)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(NulInRequest, _nul_refused)
    app.register_error_handler(411, _length_required)
    _Talisman(
        app,
        force_https=False,  # TLS ends at the proxy; HSTS tells browsers to stay on https
        frame_options=DENY,
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy=REFERRER_POLICY,
        strict_transport_security=production,
        session_cookie_secure=production,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        x_content_type_options=True,
    )


class _Talisman(Talisman):
    """Talisman, its headers worked out once for the providers' webhooks.

    A webhook serves no page: no view of it has options of its own and none renders a
    template, so its headers are the same for every request (but HSTS, which depends on
    the request being secure). Worked out anew every time, they cost the SMS webhook a
    tenth of its time; they are still sent on every answer.
    """

    def __init__(self, app: Flask, **options: Any) -> None:
        self._webhook_headers: dict[bool, list[tuple[str, str]]] = {}
        super().__init__(app, **options)

    def _make_nonce(self) -> None:
        if not request.path.startswith(_PROVIDER_PREFIXES):
            super()._make_nonce()

    def _set_response_headers(self, response: Response) -> Response:
        if not request.path.startswith(_PROVIDER_PREFIXES):
            return super()._set_response_headers(response)  # type: ignore[no-any-return]
        known = self._webhook_headers.get(request.is_secure)
        if known is None:
            probe = Response()
            probe.headers.clear()
            super()._set_response_headers(probe)
            known = self._webhook_headers[request.is_secure] = list(probe.headers.items())
        for name, value in known:
            response.headers[name] = value
        return response


def _refuse_oversized_bodies() -> None:
    """413 from the declared length, before a form parser or signature check reads a byte.

    A body without a declared length (chunked) could only be measured by reading it, so
    it is refused with 411: Twilio and browsers always say how long their bodies are.
    """
    settings = mianhua().settings
    limit = settings.max_content_length
    if request.endpoint in LARGE_UPLOAD_ENDPOINTS:
        limit = max(limit, settings.max_import_bytes + MULTIPART_OVERHEAD_BYTES)
    request.max_content_length = limit
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        abort(411)
    if request.content_length is not None and request.content_length > limit:
        abort(413)


class NulInRequest(BadRequest):
    """A NUL in a field: PostgreSQL cannot store one, and no person types one."""


#: Twilio's webhooks are left to their signature check and the gateway's own reading.
_PROVIDER_PREFIXES = ("/sms/", "/voice/")


def _refuse_nul_bytes() -> None:
    """400 for a NUL in the query or a form field, before any query or insert sees it."""
    if _has_nul(request.args):
        raise NulInRequest()
    if request.path.startswith(_PROVIDER_PREFIXES) or request.method != "POST":
        return
    if _has_nul(request.form):
        raise NulInRequest()


def _has_nul(values: MultiDict[str, str]) -> bool:
    """Every value of every key (a repeated `?q=` too), and the keys themselves."""
    return any("\x00" in key or any("\x00" in v for v in vs) for key, vs in values.lists())


def _nul_refused(error: NulInRequest) -> Any:
    if request.blueprint == "staff":
        from flask import render_template

        from staff.console import text

        return render_template("staff/error.html", message=text("web.error.nul")), 400
    body = f"{t('zh', 'web.error.nul')}\n{t('en', 'web.error.nul')}\n"
    return Response(body, status=400, mimetype="text/plain")


def forget_body() -> None:
    """Let a page be rendered for a refused request without reading its body.

    Pages build forms from the request (the console's logout button does), and reading
    a refused body would raise 413 again; the server discards what was never read.
    """
    request.environ["CONTENT_LENGTH"] = "0"
    request.environ["wsgi.input"] = io.BytesIO()


def _too_large(error: Any) -> Response:
    """Plain words in both languages: the sender may be a browser, Twilio or a script."""
    body = f"{t('zh', 'web.error.too_large')}\n{t('en', 'web.error.too_large')}\n"
    return Response(body, status=413, mimetype="text/plain")


def _length_required(error: Any) -> Response:
    body = f"{t('zh', 'web.error.length_required')}\n{t('en', 'web.error.length_required')}\n"
    return Response(body, status=411, mimetype="text/plain")
