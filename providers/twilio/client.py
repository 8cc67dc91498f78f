"""The one place that builds the official Twilio REST client.

With ``api_base`` set (setting ``TWILIO_API_BASE``) every request goes to a stand-in instead of
*.twilio.com, through the library's real request path: auth, form encoding, response parsing
and ``TwilioRestException`` all behave as in production.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

# The library's own default is no timeout at all: a stalled Twilio would hang a worker forever.
DEFAULT_TIMEOUT_S = 10.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _is_twilio_host(host: str) -> bool:
    return host == "twilio.com" or host.endswith(".twilio.com")


class RedirectingHttpClient(TwilioHttpClient):
    """Sends requests meant for any *.twilio.com host to ``api_base``, keeping path and query.

    Any host, not just api.twilio.com: TWILIO_EDGE / TWILIO_REGION in the environment make the
    library call e.g. api.sydney.au1.twilio.com, and other products use other subdomains.
    """

    def __init__(self, api_base: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        super().__init__(timeout=timeout)
        base = urlsplit(api_base)
        if not base.scheme or not base.netloc:
            raise ValueError(f"TWILIO_API_BASE must be an absolute URL, got {api_base!r}")
        self.api_base = base
        if self.session is not None and base.hostname in LOOPBACK_HOSTS:
            # requests honours HTTP(S)_PROXY from the environment; a proxy cannot reach our
            # loopback stand-in, and requests does not bypass localhost unless NO_PROXY says so.
            self.session.trust_env = False

    def rewrite(self, url: str) -> str:
        """The URL the request really goes to."""
        parts = urlsplit(url)
        if not _is_twilio_host(parts.hostname or ""):
            return url
        path = self.api_base.path.rstrip("/") + parts.path
        return urlunsplit(
            (self.api_base.scheme, self.api_base.netloc, path, parts.query, parts.fragment)
        )

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        return super().request(
            method, self.rewrite(url), params, data, headers, auth, timeout, allow_redirects
        )


def make_twilio_client(
    account_sid: str,
    auth_token: str,
    api_base: str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> Client:
    """Build the REST client from settings; ``api_base`` points it at a stand-in."""
    if not account_sid or not auth_token:
        # Client() silently falls back to TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN in os.environ
        # when given empty values; settings are parsed in one place, so refuse instead.
        raise ValueError("make_twilio_client needs a non-empty account_sid and auth_token")
    if api_base:
        http_client: TwilioHttpClient = RedirectingHttpClient(api_base, timeout=timeout)
    else:
        http_client = TwilioHttpClient(timeout=timeout)
    return Client(account_sid, auth_token, http_client=http_client)
