"""No number, nor a NUL, in a request gives a 500 (issue 10, finding 8).

Walks every route of the real app (`app.url_map`), as a logged-in admin, with huge,
negative and Unicode-digit values in the URL, the query string and the form, signed
like Twilio where a route wants a signature, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from core.accounts.services import create_staff_user
from core.orders.services import place_order
from tests.builders import World
from tests.integration.staff.conftest import Console
from tests.support.twilio_signing import signed

#: Too big for any column, negative, superscript two (`isdigit()` says yes, `int()` no),
#: Arabic-Indic twelve (`int()` says 12), one past PostgreSQL's integer, and zero.
BAD_NUMBERS = ["99999999999999999999", "-1", "²", "١٢", "2147483648", "0"]
#: Every query parameter and form field any route reads as a number, and some it does not.
NUMERIC_NAMES = [
    "page", "m", "d", "q", "n", "w", "s", "number", "community", "community_id",
    "quantity", "price", "market_price", "min_units", "stock_cap", "limit", "extend_hours",
    "CallDuration", "Digits", "ErrorCode", "NumSegments", "deal", "user_id", "import_id",
    "amount", "counted", "delivered", "order_id", "help_item", "day",
]  # fmt: skip
SIGNED_PREFIXES = ("/sms/", "/voice/")
# Routes that end the walking session itself (its own tests walk them).
SKIPPED = {
    "staff.logout",
    "staff.my_sessions_end",
    "staff.account_end_sessions",
    "staff.account_disable",
    "staff.account_remove",
    "static",
    "staff.static",
    "simulator.static",
}
PASSWORD = "walker-password-1"


def _fields(value: str) -> dict[str, str]:
    return {
        **{name: value for name in NUMERIC_NAMES},
        "title_zh": "赵县雪花梨",
        "unit": "箱",
        "phone": "+8613800138001",
        "From": "+8613800138001",
        "To": "+8631188886666",
        "CallSid": "CA" + "1" * 32,
        "MessageSid": "SM" + "1" * 32,
        "MessageStatus": "delivered",
        "CallStatus": "completed",
        "Body": value,
        "role": "staff",
        "password": value,
        "closes_at": "2026-11-26T20:00",
    }


def _paths(rule, valid: dict[str, str]) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The rule with real ids (so the form and query are read) and with each bad number."""
    for value in [None, *BAD_NUMBERS]:
        yield re.sub(
            r"<(?:\w+:)?(\w+)>",
            lambda m: valid.get(m.group(1), "1") if value is None else value,  # noqa: B023
            rule.rule,
        )


@pytest.fixture(params=["sqlite", "postgres"])
def walker(request, app_factory):  # type: ignore[no-untyped-def]
    app = app_factory(request.getfixturevalue(f"{request.param}_url"))
    core = app.extensions["mianhua"].core
    world = World(core, app.extensions["mianhua"].core.clock)  # type: ignore[arg-type]
    deal = world.deal(limit=3)
    person = world.resident("王芳", phone="+8613800138001")
    placed = place_order(
        core,
        community_id=world.community_id,
        phone=person.phone,
        deal_number=deal.number,
        quantity=1,
        channel="sms",
    )
    assert placed
    create_staff_user(core, "walker", PASSWORD, "admin")
    console = Console(app.test_client())
    assert console.login("walker", PASSWORD).status_code == 302
    valid = {
        "number": str(deal.number),
        "deal_id": str(deal.id),
        "resident_id": str(person.id),
        "batch_id": "0" * 32,
    }
    return app, console, valid


@pytest.mark.slow
def test_every_route_with_huge_negative_and_unicode_numbers_answers_without_a_500(walker):
    app, console, valid = walker
    client = console.client
    token = console.token("/staff/")
    failures: list[str] = []
    statuses: dict[str, set[int]] = {}
    requests = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED:
            continue
        for path in _paths(rule, valid):
            for value in BAD_NUMBERS:
                fields = _fields(value)
                query = urlencode({name: value for name in NUMERIC_NAMES})
                url = f"{path}?{query}"
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    requests += 1
                    if method == "GET":
                        response = client.get(url)
                    elif path.startswith("/simulator/"):
                        response = client.post(url, json=fields, headers={"X-CSRFToken": token})
                    elif path.startswith(SIGNED_PREFIXES):
                        response = client.post(url, data=fields, headers=signed(url, fields))
                    else:
                        response = client.post(url, data={**fields, "csrf_token": token})
                    statuses.setdefault(rule.endpoint, set()).add(response.status_code)
                    if response.status_code >= 500:
                        failures.append(f"{method} {url[:80]} -> {response.status_code}")
    assert requests > 1000
    assert failures == []
    # The walk reached past the guards: signed requests were read, forms were parsed.
    for endpoint in ("sms.status", "twilio_voice.status", "reminder_calls.reminder_call_status"):
        assert statuses[endpoint] - {403, 404}, (endpoint, statuses[endpoint])
    assert 422 in statuses["staff.deal_edit"] and 200 in statuses["staff.residents"]


@pytest.mark.slow
def test_a_nul_in_any_field_or_query_is_refused_politely_not_a_500(walker):
    """PostgreSQL cannot store a NUL; whichever field carries one, the answer is a 400."""
    app, console, valid = walker
    client = console.client
    token = console.token("/staff/")
    text_fields = ["title_zh", "unit", "pickup_place", "supplier", "name", "building", "room"]
    text_fields += ["notes", "text", "username", "password", "phone", "quantity", "who", "q"]
    failures: list[str] = []
    refused = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED or rule.rule.startswith(SIGNED_PREFIXES):
            continue
        path = next(_paths(rule, valid))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(f"{path}?q=a%00b&phone=a%00b&who=a%00b")
            else:
                data = {name: "a\x00b" for name in text_fields}
                response = client.post(path, data={**data, "csrf_token": token})
            refused += response.status_code == 400
            if response.status_code >= 500:
                failures.append(f"{method} {path} -> {response.status_code}")
    assert failures == [] and refused > 30
    page = client.get("/staff/residents?q=%00").get_data(as_text=True)
    assert "看不见的控制字符" in page
    assert client.get("/staff/residents?q=x&q=%00").status_code == 400  # a repeated key too


def test_a_text_with_a_nul_is_recorded_and_read_without_it(walker):
    from sqlalchemy import select

    from core.messages.models import Message
    from tests.support.phone import Sms

    app = walker[0]
    core = app.extensions["mianhua"].core
    sent = Sms(app.test_client(), core).send("+8613800138001", "团\x00购")
    assert sent.status == 200
    with core.db.transaction() as session:
        bodies = set(session.scalars(select(Message.body).where(Message.direction == "in")))
    assert "团购" in bodies
