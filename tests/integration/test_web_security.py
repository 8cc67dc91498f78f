"""Cookies, headers, limits and defaults that fail closed (issue 10, findings 4, 7 and 8)."""

from __future__ import annotations

import re
import time
from io import BytesIO
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner

from core.context import FrozenClock
from core.settings import DEV_AUTH_TOKEN, SettingsError, load_settings
from tests.builders import World
from tests.conftest import START
from tests.integration.staff.conftest import PASSWORDS, Console
from tests.support.twilio_signing import signed

REPO = Path(__file__).resolve().parents[2]
STRANGER = "203.0.113.9"


def _login(app, username: str = "admin") -> Console:  # type: ignore[no-untyped-def]
    from core.accounts.services import create_staff_user

    create_staff_user(app.extensions["mianhua"].core, username, PASSWORDS["admin"], "admin")
    console = Console(app.test_client())
    assert console.login(username, PASSWORDS["admin"]).status_code == 302
    return console


# --- finding 4: cookies and headers ----------------------------------------------------


@pytest.mark.parametrize("path", ["/staff/login", "/healthz", "/simulator/", "/nowhere"])
def test_every_response_carries_the_protective_headers(app, app_world, path):
    response = app.test_client().get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_twilio_webhooks_carry_them_too(app, app_world):
    """The same headers as a page, every time (they are worked out once for webhooks)."""
    page = app.test_client().get("/staff/login").headers
    protective = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                  "Referrer-Policy")  # fmt: skip
    for n in range(2):
        params = {"MessageSid": f"SM{n}" + "1" * 31, "From": "+8613800138001",
                  "To": "+8631188886666"}  # fmt: skip
        form = {**params, "Body": "x"}
        headers = signed("/sms/inbound", form)
        response = app.test_client().post("/sms/inbound", data=form, headers=headers)
        assert response.status_code == 200
        assert {h: response.headers[h] for h in protective} == {h: page[h] for h in protective}


def test_production_cookies_are_secure_httponly_and_samesite(app_factory, sqlite_url):
    production = app_factory(sqlite_url, MIANHUA_ENV="production")
    World(production.extensions["mianhua"].core, FrozenClock(START))  # a community to run
    console = _login(production)
    cookie = console.client.get_cookie("session")
    assert cookie is not None and cookie.secure and cookie.http_only
    assert cookie.same_site == "Lax"
    config = production.config
    assert config["REMEMBER_COOKIE_SECURE"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_development_cookies_still_work_over_plain_http(app, app_world):
    console = _login(app)
    cookie = console.client.get_cookie("session")
    assert cookie is not None and not cookie.secure and cookie.http_only
    assert cookie.same_site == "Lax"
    assert console.get("/staff/").status_code == 200


def test_hsts_in_production_over_https_and_behind_a_trusted_proxy(app_factory, sqlite_url):
    production = app_factory(sqlite_url, MIANHUA_ENV="production", TRUSTED_PROXIES="1")
    direct = production.test_client().get("/healthz", base_url="https://mianhua.example.org")
    assert direct.headers["Strict-Transport-Security"].startswith("max-age=31556926")
    proxied = production.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in proxied.headers


def test_no_hsts_outside_production(app, app_world):
    response = app.test_client().get("/healthz", base_url="https://mianhua.example.org")
    assert "Strict-Transport-Security" not in response.headers


def test_no_template_has_inline_script_or_style_the_csp_would_block():
    inline = re.compile(
        r"""<style|\sstyle=|\son[a-z]+=|<script(?![^>]*\bsrc=)(?![^>]*application/json)"""
    )
    templates = [*REPO.glob("*/templates/**/*.html")]
    assert len(templates) > 20
    for template in templates:
        found = inline.search(template.read_text(encoding="utf-8"))
        assert found is None, f"{template.relative_to(REPO)}: {found.group(0) if found else ''}"


def test_trusted_proxies_give_the_clients_own_address(app_factory, sqlite_url):
    from flask import request

    seen = {}
    for hops in ("0", "1"):
        application = app_factory(sqlite_url, TRUSTED_PROXIES=hops)
        application.add_url_rule("/_address", "address", lambda: request.remote_addr or "")
        seen[hops] = (
            application.test_client()
            .get("/_address", headers={"X-Forwarded-For": STRANGER})
            .get_data(as_text=True)
        )
    # Without a trusted proxy the header is anyone's to forge, so it is ignored.
    assert seen == {"0": "127.0.0.1", "1": STRANGER}


# --- finding 7: development mode fails closed ----------------------------------------


def test_twilio_credentials_without_an_explicit_mode_refuse_to_start():
    for credentials in ({"TWILIO_AUTH_TOKEN": "real"}, {"TWILIO_ACCOUNT_SID": "AC1"}):
        with pytest.raises(SettingsError, match="MIANHUA_ENV=development"):
            load_settings(credentials)
        assert load_settings({**credentials, "MIANHUA_ENV": "development"}).env == "development"


def test_production_refuses_a_weak_secret_key_and_the_public_token():
    with pytest.raises(SettingsError, match="at least 32 characters"):
        load_settings({"MIANHUA_ENV": "production", "SECRET_KEY": "x"})
    with pytest.raises(SettingsError, match="development token"):
        load_settings(
            {
                "MIANHUA_ENV": "production",
                "SECRET_KEY": "k" * 32,
                "TWILIO_AUTH_TOKEN": DEV_AUTH_TOKEN,
            }
        )
    assert load_settings({"MIANHUA_ENV": "production", "SECRET_KEY": "k" * 32}).is_production


def _dev_signed_text(client, remote: str, **headers: str):  # type: ignore[no-untyped-def]
    params = {
        "MessageSid": "SM" + "2" * 32,
        "From": "+8613800138001",
        "To": "+8631188886666",
        "Body": "团购",
    }
    return client.post(
        "/sms/inbound",
        data=params,
        headers={**signed("/sms/inbound", params, DEV_AUTH_TOKEN), **headers},
        environ_base={"REMOTE_ADDR": remote},
    )


def test_the_public_development_token_signs_only_from_this_machine(app_factory, sqlite_url):
    dev = app_factory(sqlite_url, MIANHUA_ENV="development", TWILIO_AUTH_TOKEN="")
    client = dev.test_client()
    assert _dev_signed_text(client, STRANGER).status_code == 403
    assert _dev_signed_text(client, "127.0.0.1").status_code != 403
    proxied = app_factory(
        sqlite_url, MIANHUA_ENV="development", TWILIO_AUTH_TOKEN="", TRUSTED_PROXIES="1"
    )
    forwarded = _dev_signed_text(
        proxied.test_client(), "127.0.0.1", **{"X-Forwarded-For": STRANGER}
    )
    assert forwarded.status_code == 403


def test_the_simulator_answers_this_machine_only(app, app_world):
    person = app_world.resident("王芳")
    client = app.test_client()
    far = {"REMOTE_ADDR": STRANGER}
    assert client.get("/simulator/", environ_base=far).status_code == 403
    messages = client.get(f"/simulator/messages.json?phone={person.phone}", environ_base=far)
    assert messages.status_code == 403 and person.phone not in messages.get_data(as_text=True)
    assert client.get("/simulator/").status_code == 200


# --- finding 8: limits, next=, CSRF expiry ---------------------------------------------


def test_an_oversized_post_is_refused_before_the_signature_is_checked(app, app_world, monkeypatch):
    from providers.twilio import signature

    def never(*args: object) -> bool:
        raise AssertionError("the signature check read an oversized request")

    monkeypatch.setattr(signature, "signature_is_valid", never)
    client = app.test_client()
    declared = client.post(
        "/sms/inbound",
        data=b"Body=x",
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"CONTENT_LENGTH": str(300 * 1024 * 1024)},
    )
    assert declared.status_code == 413
    assert "请求内容太大" in declared.get_data(as_text=True)
    sent = client.post("/voice/status", data={"CallSid": "x" * (2 * 1024 * 1024)})
    assert sent.status_code == 413
    chunked = client.post(
        "/sms/inbound",
        data=b"Body=x",
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
    )
    assert chunked.status_code == 411


def test_only_the_import_upload_may_be_larger(app, app_world):
    console = _login(app)
    big = ("phone,name\n" + "13800138001,王芳\n" * 120_000).encode()  # about 2 MB
    assert 1024 * 1024 < len(big) < 5 * 1024 * 1024
    accepted = console.post(
        "/staff/residents/import",
        {"file": (BytesIO(big), "big.csv")},
        form_on="/staff/residents/import",
        content_type="multipart/form-data",
    )
    assert accepted.status_code == 302
    elsewhere = console.post(
        "/staff/residents/new",
        {"notes": "x" * (2 * 1024 * 1024)},
        form_on="/staff/residents/new",
        content_type="multipart/form-data",
    )
    assert elsewhere.status_code == 413
    huge = b"x" * (6 * 1024 * 1024)
    refused = console.post(
        "/staff/residents/import",
        {"file": (BytesIO(huge), "huge.csv")},
        form_on="/staff/residents/import",
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413


@pytest.mark.parametrize(
    "target",
    [
        "/staff/%0d%0aSet-Cookie:%20x=1",
        "/staff/messages%0a",
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "http:/evil.example",
    ],
)
def test_a_login_next_that_leaves_the_site_or_breaks_headers_is_ignored(app, app_world, target):
    from core.accounts.services import create_staff_user

    create_staff_user(app.extensions["mianhua"].core, "xiaoli", PASSWORDS["xiaoli"], "staff")
    console = Console(app.test_client())
    response = console.client.post(
        f"/staff/login?next={target}",
        data={"username": "xiaoli", "password": PASSWORDS["xiaoli"], "csrf_token": console.token()},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


def test_csrf_tokens_expire_after_eight_hours(app, app_world, monkeypatch):
    console = _login(app)
    deal = app_world.deal()
    token = console.token("/staff/")
    now = time.time()
    later = {"seconds": 7 * 3600}
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(now + later["seconds"]))
    path = f"/staff/deals/{deal.id}/edit"
    still = console.client.post(path, data={"csrf_token": token, "title_zh": "赵县雪花梨"})
    assert still.status_code != 400
    later["seconds"] = 8 * 3600 + 60
    expired = console.client.post(path, data={"csrf_token": token, "title_zh": "赵县雪花梨"})
    assert expired.status_code == 400 and "页面已过期" in expired.get_data(as_text=True)
