"""Texting in a name that is a formula (issue 10, finding 3): refused politely, never stored."""

from __future__ import annotations

import pytest

from core.community.models import Community
from core.residents.services import find_resident


@pytest.fixture
def open_registration(app_world):  # type: ignore[no-untyped-def]
    with app_world.core.db.transaction() as session:
        session.get_one(Community, app_world.community_id).allow_self_registration = True
    return app_world


def test_registering_as_a_formula_is_refused_politely(sms, open_registration):
    stranger = "+8613912345678"
    reply = sms.reply(stranger, "注册 =NOW() 3-2-401")
    assert reply == "姓名请只写字，不要用符号，如：注册 王芳 3-2-401"
    assert find(open_registration, stranger) is None
    assert sms.reply(stranger, "注册 李明 3-2-401").startswith("李明您好，已登记")


@pytest.mark.parametrize("name", ["=NOW()", "@SUM(x)", "+cmd", "-x", "=HYPERLINK(x)", "\t=1"])
def test_no_formula_looking_name_is_ever_stored(sms, open_registration, name):
    """Refused, or (where the reader already drops the symbols) stored without them."""
    stranger = "+8613912345670"
    sms.reply(stranger, f"注册 {name} 3-2-401")
    found = find(open_registration, stranger)
    if found is not None:
        assert not found.name.startswith(("=", "+", "-", "@", "\t", "\r")), found.name
        assert found.name.isprintable()


def find(world, phone):  # type: ignore[no-untyped-def]
    return find_resident(world.core, community_id=world.community_id, phone=phone)


def test_in_english_too(sms, open_registration):
    reply = sms.reply("+8613912345679", "REG =NOW() 3-2-401")
    assert reply.startswith(("Please write your name", "姓名请只写字"))
