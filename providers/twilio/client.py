"""The one place that builds the official Twilio REST client, and the HTTP it goes over.

The library asks an `HttpClient` to send each request it has built (URL, auth, form,
headers). Its own, `TwilioHttpClient`, goes through `requests`, whose per-request
preparation (merging session settings, hooks, cookies, environment proxies) cost half of
a send's CPU in a profile of 1,000 texts. `PooledHttpClient` hands the same request to
urllib3's connection pool, which `requests` itself sits on: the same connections kept
alive, the same certificates (REQUESTS_CA_BUNDLE from the environment, else certifi's),
the same proxies from the environment, and the same exceptions
(`requests.exceptions.Timeout` and `ConnectionError`), so callers catch what they always
caught.

With ``api_base`` set (setting ``TWILIO_API_BASE``) every request meant for *.twilio.com
goes to a stand-in instead, through the library's real request path: auth, form encoding,
response parsing and ``TwilioRestException`` all behave as in production.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import SplitResult, urlencode, urlsplit, urlunsplit
from urllib.request import getproxies_environment, proxy_bypass_environment

import certifi
import requests
import urllib3
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)

# The library's own default is no timeout at all: a stalled Twilio would hang a worker forever.
DEFAULT_TIMEOUT_S = 10.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Connections kept per host: a bulk batch sends 8 at once (workers/delivery.py), and the
#: call placer and the lookups share the client. More at once open and close their own.
POOL_SIZE = 16
JSON_TYPES = frozenset({"application/json", "application/scim+json"})

_logger = logging.getLogger("twilio.http_client")  # the library's own logger name


def _is_twilio_host(host: str) -> bool:
    return host == "twilio.com" or host.endswith(".twilio.com")


def redirected(url: str, api_base: SplitResult) -> str:
    """`url` sent to `api_base` (a stand-in) when it is meant for *.twilio.com, its path
    and query kept; any other URL as it is."""
    parts = urlsplit(url)
    if not _is_twilio_host(parts.hostname or ""):
        return url
    path = api_base.path.rstrip("/") + parts.path
    return urlunsplit((api_base.scheme, api_base.netloc, path, parts.query, parts.fragment))


def form_body(data: Mapping[str, object]) -> str:
    """The form as `requests` encodes it: a list is the key repeated, None is left out."""
    pairs: list[tuple[str, object]] = []
    for key, values in data.items():
        many = isinstance(values, Iterable) and not isinstance(values, (str, bytes))
        for value in values if many else [values]:  # type: ignore[union-attr]
            if value is not None:
                pairs.append((key, value))
    return urlencode(pairs)


class PooledHttpClient(HttpClient):
    """The official library's requests, sent on urllib3's pool of kept-alive connections.

    ``api_base`` sends requests meant for any *.twilio.com host there, keeping path and
    query. Any host, not just api.twilio.com: TWILIO_EDGE / TWILIO_REGION in the environment
    make the library call e.g. api.sydney.au1.twilio.com, and other products use other
    subdomains.
    """

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT_S, api_base: str | None = None) -> None:
        super().__init__(_logger, False, timeout)
        self.api_base: SplitResult | None = None
        if api_base is not None:
            base = urlsplit(api_base)
            if not base.scheme or not base.netloc:
                raise ValueError(f"TWILIO_API_BASE must be an absolute URL, got {api_base!r}")
            self.api_base = base
        self._pool: dict[str, Any] = {"maxsize": POOL_SIZE, "retries": False, **_trusted_roots()}
        self._direct = urllib3.PoolManager(**self._pool)
        # Read once, as requests reads HTTP(S)_PROXY, ALL_PROXY and NO_PROXY from the
        # environment; a proxy's pool is made when a request first goes through it.
        self._proxies = getproxies_environment()
        self._proxy_pools: dict[str, urllib3.ProxyManager] = {}
        self._routes: dict[tuple[str, str], urllib3.PoolManager] = {}
        self._routes_lock = threading.Lock()

    def rewrite(self, url: str) -> str:
        """The URL the request really goes to."""
        return url if self.api_base is None else redirected(url, self.api_base)

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
        if timeout is None:
            timeout = self.timeout
        elif timeout <= 0:
            raise ValueError(timeout)
        url = self.rewrite(url)
        if self.logger.isEnabledFor(logging.INFO):
            self.log_request(
                {"method": method.upper(), "url": url, "params": params, "headers": headers}
            )
        if params:
            url += ("&" if "?" in url else "?") + form_body(params)
        sent = dict(headers or {})
        sent.setdefault("Accept-Encoding", "gzip, deflate")
        body: str | None = None
        if data is not None:
            if sent.get("Content-Type") in JSON_TYPES:
                body = json.dumps(data, allow_nan=False)
            else:
                body = form_body(data)
                sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if auth is not None:
            sent.update(urllib3.make_headers(basic_auth=f"{auth[0]}:{auth[1]}"))
        self._test_only_last_response = None
        try:  # an unusable proxy setting (socks://) is an HTTPError here too
            answer = self._route(url).request(
                method.upper(),
                url,
                body=body.encode() if body is not None else None,
                headers=sent,
                timeout=urllib3.Timeout(connect=timeout, read=timeout),
                redirect=allow_redirects,
            )
        except (HTTPError, OSError) as exc:
            raise _as_requests_error(exc) from exc
        text = answer.data.decode(_charset(answer.headers.get("Content-Type")), "replace")
        if self.logger.isEnabledFor(logging.INFO):
            self.log_response(answer.status, answer)  # type: ignore[arg-type]
        self._test_only_last_response = Response(answer.status, text, answer.headers)
        return self._test_only_last_response

    def _route(self, url: str) -> urllib3.PoolManager:
        """Through the environment's proxy for the URL's scheme, unless NO_PROXY (or a
        loopback host: a proxy cannot reach our stand-in) says to go direct."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        route = self._routes.get(key)
        if route is not None:
            return route
        host = parts.hostname or ""
        proxy = self._proxies.get(parts.scheme) or self._proxies.get("all")
        with self._routes_lock:
            if (
                proxy is None
                or host in LOOPBACK_HOSTS
                or proxy_bypass_environment(host, self._proxies)
            ):
                route = self._direct
            else:  # one pool per proxy, shared by the hosts behind it
                if proxy not in self._proxy_pools:
                    self._proxy_pools[proxy] = urllib3.ProxyManager(proxy, **self._pool)
                route = self._proxy_pools[proxy]
            self._routes[key] = route
        return route


def _trusted_roots() -> dict[str, str]:
    """The certificates to trust, as requests chooses them: REQUESTS_CA_BUNDLE or
    CURL_CA_BUNDLE from the environment (a file or a directory), else certifi's."""
    chosen = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if chosen and os.path.isdir(chosen):
        return {"ca_cert_dir": chosen}
    return {"ca_certs": chosen or certifi.where()}


def _charset(content_type: str | None) -> str:
    """The answer's declared charset, if Python knows it; Twilio's JSON is UTF-8 when it
    says nothing (or names one nobody knows, which must not crash the worker)."""
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            try:
                return codecs.lookup(value.strip('"')).name
            except LookupError:
                break
    return "utf-8"


def _as_requests_error(exc: HTTPError | OSError) -> requests.RequestException:
    """urllib3's failure as the exception `requests` raises for it: what the library's own
    client raises, and so what the sender and the call placer catch. A refused connection
    is a ConnectionError, not a timeout, though urllib3 derives the one from the other."""
    if isinstance(exc, ConnectTimeoutError) and not isinstance(exc, NewConnectionError):
        return requests.exceptions.ConnectTimeout(str(exc))
    if isinstance(exc, ReadTimeoutError):
        return requests.exceptions.ReadTimeout(str(exc))
    if isinstance(exc, ProxyError):
        return requests.exceptions.ProxyError(str(exc))
    if isinstance(exc, SSLError):
        return requests.exceptions.SSLError(str(exc))
    return requests.exceptions.ConnectionError(str(exc))


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
    http_client = PooledHttpClient(timeout=timeout, api_base=api_base or None)
    return Client(account_sid, auth_token, http_client=http_client)
