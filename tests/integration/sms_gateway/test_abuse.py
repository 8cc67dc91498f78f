"""Auto-responders, stuck phones and junk: answered politely, and never forever."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts.models import AuditLog
from core.conversations.services import FLOOD_LIMIT, MACHINE_REPEATS, mute_state
from core.sms_segments import count_segments


def muted_until(world, phone):  # type: ignore[no-untyped-def]
    return mute_state(world.core, community_id=world.community_id, phone=phone)


def test_dozens_of_texts_in_a_minute_hold_the_phone_and_tell_it_once(sms, app_world, clock):
    app_world.deal()
    wang = app_world.resident("王芳")
    for n in range(FLOOD_LIMIT):
        sms.send(wang.phone, f"ping {n}")
        clock.advance(seconds=1)
    sms.new_replies(wang.phone)
    held = sms.reply(wang.phone, "ping again")  # one too many within the minute
    assert held.startswith("您的短信太多太快") and "暂停回复到" in held
    assert muted_until(app_world, wang.phone) is not None
    sms.silence(wang.phone, "ping")  # told once, not again
    confirmation = sms.reply(wang.phone, "1 2")  # an order is still answered while held
    assert confirmation.startswith("已订1号")
    with app_world.core.db.transaction() as session:
        logged = session.scalars(select(AuditLog).where(AuditLog.action == "sms.muted")).all()
    assert [entry.detail["reason"] for entry in logged] == ["flood"]
    clock.advance(minutes=31)
    assert sms.reply(wang.phone, "我的").startswith("您")


def test_an_auto_responder_is_held_at_once(sms, app_world):
    wang = app_world.resident("王芳")
    held = sms.reply(wang.phone, "【自动回复】您好，我现在不方便接听")
    assert held.startswith("您的短信太多太快")
    assert muted_until(app_world, wang.phone) is not None
    sms.silence(wang.phone, "【自动回复】您好，我现在不方便接听")


def test_another_machine_repeating_itself_is_held(sms, app_world, clock):
    wang = app_world.resident("王芳")
    for _ in range(MACHINE_REPEATS - 1):
        sms.send(wang.phone, "ERROR 42: message not delivered")
        clock.advance(seconds=20)
    assert muted_until(app_world, wang.phone) is None
    sms.send(wang.phone, "ERROR 42: message not delivered")
    assert muted_until(app_world, wang.phone) is not None


def test_the_same_reply_goes_once_and_never_mutes(sms, app_world, clock):
    wang = app_world.resident("王芳")
    first = sms.reply(wang.phone, "帮助")
    clock.advance(minutes=1)
    sms.silence(wang.phone, "帮助")  # the same answer a minute later is not sent again
    clock.advance(minutes=5)
    assert sms.reply(wang.phone, "帮助") == first  # after the window it is
    assert muted_until(app_world, wang.phone) is None


@pytest.mark.slow  # a flood of texts read one by one
def test_a_muted_phone_can_still_opt_out(sms, app_world, clock):
    wang = app_world.resident("王芳")
    for _ in range(FLOOD_LIMIT + 1):
        sms.send(wang.phone, "ping")
    sms.new_replies(wang.phone)
    assert sms.reply(wang.phone, "退订").startswith("已退订")


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   ",
        "😀😀😀",
        "\x00\x07\x1b[2J",
        "'; DROP TABLE orders; --",
        "1 OR 1=1",
        "<script>alert(1)</script>",
        "梨" * 1600,
        "a" * 1600,
        "\u202e1 2\u202c",
    ],
    ids=[
        "empty",
        "spaces",
        "emoji",
        "controls",
        "sql",
        "sql-or",
        "html",
        "long-zh",
        "long",
        "bidi",
    ],
)
def test_junk_gets_a_normal_polite_answer(sms, app_world, body):
    app_world.deal()
    wang = app_world.resident("王芳")
    answer = sms.reply(wang.phone, body)
    assert not answer.startswith("抱歉"), answer  # the apology for our own failures
    assert count_segments(answer) <= 2
