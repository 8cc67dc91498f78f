"""The HTTP under the official twilio client (providers/twilio/client.py): what reaches the
wire is what the library's own `requests`-based client sends, and its failures are the
same exceptions, so the sender and the call placer see no difference."""

from __future__ import annotations

import datetime
import socket
import ssl
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from twilio.http.http_client import TwilioHttpClient

from providers.twilio.client import PooledHttpClient
from tests.support.loopback import LoopbackApi, Received

AUTH = ("AC" + "a" * 32, "test-token")
# What twilio-python's client_base adds to every request before its HttpClient sees it.
LIBRARY_HEADERS = {
    "User-Agent": "twilio-python/9.13.0 (Linux x86_64) Python/3.11.7",
    "X-Twilio-Client": "python-9.13.0",
    "Accept-Charset": "utf-8",
    "Accept": "application/json",
}
# Headers either side adds on its own (the connection, the body's length).
COMPARED = (
    "user-agent",
    "x-twilio-client",
    "accept-charset",
    "accept",
    "content-type",
    "authorization",
    "accept-encoding",
)


class Echo(LoopbackApi):
    """Answers every request with a message-like JSON body, in Chinese."""

    name = "echo"

    def answer(self, request: Received) -> tuple[str, int, dict[str, str], Any]:
        return (
            "echo",
            201,
            {"Content-Type": "application/json; charset=utf-8"},
            {
                "sid": "SM" + "0" * 32,
                "body": "已订1号赵县雪花梨2箱",
            },
        )


@pytest.fixture
def echo() -> Iterator[Echo]:
    with Echo() as server:
        yield server


def _seen(server: Echo) -> tuple[str, str, dict[str, str], dict[str, str], bytes]:
    [answered] = server.requests
    got = answered.received
    return got.method, got.path, got.query, {k: got.headers.get(k, "") for k in COMPARED}, got.body


def _both(**call: Any) -> list[tuple[Any, ...]]:
    """The same request through the library's client and ours: what each server saw and
    what each caller got back."""
    seen = []
    for client in (TwilioHttpClient(timeout=5), PooledHttpClient(timeout=5)):
        with Echo() as server:
            url = call["url"].replace("{base}", f"http://{server.endpoint}")
            answer = client.request(**{**call, "url": url})
            seen.append((_seen(server), answer.status_code, answer.text))
    return seen


def test_a_message_form_goes_out_as_the_library_sends_it() -> None:
    library, ours = _both(
        method="POST",
        url="{base}/2010-04-01/Accounts/AC1/Messages.json",
        data={
            "To": "+8613800000001",
            "From": "+8631188886666",
            "Body": "已订1号赵县雪花梨2箱，共50元 & 取货码1234",
            "StatusCallback": "https://mianhua.example/sms/status?m=7",
            "ValidityPeriod": 3600,
            "MediaUrl": ["https://a.example/1.png", "https://a.example/2.png"],
            "Skipped": None,
        },
        headers={**LIBRARY_HEADERS, "Content-Type": "application/x-www-form-urlencoded"},
        auth=AUTH,
    )

    assert ours == library
    (method, _path, _query, headers, body), status, text = ours
    assert (method, status) == ("POST", 201)
    assert headers["authorization"].startswith("Basic ")
    assert b"Skipped" not in body and body.count(b"MediaUrl=") == 2
    assert "雪花梨" in text


def test_a_lookup_sends_its_query_as_the_library_does() -> None:
    library, ours = _both(
        method="GET",
        url="{base}/2010-04-01/Accounts/AC1/Messages.json?Existing=1",
        params={"To": "+8613800000001", "PageSize": 20},
        headers=dict(LIBRARY_HEADERS),
        auth=AUTH,
    )

    assert ours == library
    assert ours[0][2] == {"Existing": "1", "To": "+8613800000001", "PageSize": "20"}


def test_a_json_body_is_sent_as_json() -> None:
    library, ours = _both(
        method="POST",
        url="{base}/v1/Things",
        data={"name": "棉花", "count": 2},
        headers={**LIBRARY_HEADERS, "Content-Type": "application/json"},
        auth=AUTH,
    )

    assert ours == library


class CharsetEcho(Echo):
    """Answers in UTF-8 bytes whatever charset it names: how they read shows which was used."""

    charset = "utf-8"

    def answer(self, request: Received) -> tuple[str, int, dict[str, str], Any]:
        return "echo", 200, {"Content-Type": f"application/json; charset={self.charset}"}, "é"


@pytest.mark.parametrize(
    ("charset", "read"),
    [("iso-8859-1", '"Ã©"'), ("utf-8", '"é"'), ("x-unheard-of", '"é"')],  # the last: UTF-8
)
def test_the_answer_is_read_in_the_charset_it_names(charset: str, read: str) -> None:
    with CharsetEcho() as server:
        server.charset = charset
        answer = PooledHttpClient(timeout=5).request("GET", f"http://{server.endpoint}/")

    assert answer.text == read
    library = TwilioHttpClient(timeout=5)
    if charset != "x-unheard-of":  # requests guesses there; we read Twilio's UTF-8
        with CharsetEcho() as server:
            server.charset = charset
            assert library.request("GET", f"http://{server.endpoint}/").text == read


def test_a_refused_connection_is_a_connection_error_not_a_timeout() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(requests.exceptions.ConnectionError) as refused:
        PooledHttpClient(timeout=2).request("POST", f"http://127.0.0.1:{port}/x", data={"a": 1})

    assert not isinstance(refused.value, requests.exceptions.Timeout)


def test_an_answer_that_never_comes_is_a_read_timeout(echo: Echo) -> None:
    echo.late_seconds = 2
    echo.answer_late()

    with pytest.raises(requests.exceptions.ReadTimeout):
        PooledHttpClient(timeout=0.3).request("POST", f"http://{echo.endpoint}/x", data={"a": 1})


def test_the_environment_proxy_is_used_except_for_loopback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    # The proxy is an echo server: a request through it names the host it is meant for.
    with Echo() as proxy, Echo(host="127.0.0.2") as remote, Echo() as stand_in:
        monkeypatch.setenv("HTTP_PROXY", f"http://{proxy.endpoint}")
        client = PooledHttpClient(timeout=5)
        client.request("GET", f"http://{remote.endpoint}/x", headers={})
        client.request("GET", f"http://{stand_in.endpoint}/y", headers={})

        [proxied] = proxy.requests
        assert proxied.received.headers["host"] == remote.endpoint
        assert remote.requests == []
        assert [r.received.path for r in stand_in.requests] == ["/y"]  # loopback: direct


def test_no_proxy_sends_a_host_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    with Echo() as proxy, Echo(host="127.0.0.2") as remote:
        monkeypatch.setenv("HTTP_PROXY", f"http://{proxy.endpoint}")
        monkeypatch.setenv("NO_PROXY", "127.0.0.2")
        PooledHttpClient(timeout=5).request("GET", f"http://{remote.endpoint}/z", headers={})

        assert proxy.requests == [] and len(remote.requests) == 1


def test_a_proxy_it_cannot_use_is_a_connection_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    with pytest.raises(requests.exceptions.ConnectionError):
        PooledHttpClient(timeout=2).request("GET", "http://127.0.0.2:9/", headers={})


def test_a_timeout_of_zero_is_refused_as_by_the_library() -> None:
    with pytest.raises(ValueError):
        PooledHttpClient(timeout=5).request("GET", "http://127.0.0.1:9/", timeout=0)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost, as a private CA of one's own would issue it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_echo(tmp_path: Path) -> Iterator[tuple[Echo, Path]]:
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    class TlsServer(ThreadingHTTPServer):
        def server_bind(self) -> None:
            super().server_bind()
            self.socket = context.wrap_socket(self.socket, server_side=True)

    class TlsEcho(Echo):
        server_class = TlsServer

    with TlsEcho() as server:
        yield server, cert


def test_https_trusts_the_bundle_the_environment_names(
    tls_echo: tuple[Echo, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, cert = tls_echo
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))

    answer = PooledHttpClient(timeout=5).request(
        "POST", f"https://localhost:{server.port}/x", data={"a": 1}
    )

    assert answer.status_code == 201 and len(server.requests) == 1


def test_https_refuses_a_certificate_nobody_vouches_for(
    tls_echo: tuple[Echo, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _cert = tls_echo
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)  # certifi's roots, then

    with pytest.raises(requests.exceptions.SSLError):
        PooledHttpClient(timeout=5).request(
            "POST", f"https://localhost:{server.port}/x", data={"a": 1}
        )

    assert server.requests == []
