"""Auto-responders, stuck phones and junk: answered politely, and never forever."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts.models import AuditLog
from core.conversations.services import mute_state
from core.sms_segments import count_segments


def muted_until(world, phone):  # type: ignore[no-untyped-def]
    return mute_state(world.core, community_id=world.community_id, phone=phone)


def test_more_than_ten_texts_in_a_minute_mutes_the_phone_for_a_while(sms, app_world, clock):
    app_world.deal()
    wang = app_world.resident("王芳")
    for n in range(1, 11):
        sms.reply(wang.phone, f"1 {n}")  # each answer differs: no reply loop here
        clock.advance(seconds=5)
    sms.silence(wang.phone, "我的")  # the 11th within the minute
    assert muted_until(app_world, wang.phone) is not None
    sms.silence(wang.phone, "1 2")  # not acted on either
    with app_world.core.db.transaction() as session:
        logged = session.scalars(select(AuditLog).where(AuditLog.action == "sms.muted")).all()
    assert [entry.detail["reason"] for entry in logged] == ["flood"]
    clock.advance(minutes=31)
    assert sms.reply(wang.phone, "我的").startswith("您")


def test_the_same_reply_three_times_in_five_minutes_stops_the_ping_pong(sms, app_world, clock):
    """An auto-responder answering our help with its own text, again and again."""
    wang = app_world.resident("王芳")
    away = "I am away from my phone right now"
    first = sms.reply(wang.phone, away)
    clock.advance(minutes=1)
    assert sms.reply(wang.phone, away) == first
    clock.advance(minutes=1)
    assert sms.reply(wang.phone, away) == first  # the third, and the last
    clock.advance(minutes=1)
    sms.silence(wang.phone, away)
    assert muted_until(app_world, wang.phone) is not None


def test_the_same_reply_spread_over_more_than_five_minutes_is_fine(sms, app_world, clock):
    wang = app_world.resident("王芳")
    for _ in range(4):
        assert sms.reply(wang.phone, "帮助").startswith("回“团购”")
        clock.advance(minutes=3)
    assert muted_until(app_world, wang.phone) is None


def test_a_muted_phone_can_still_opt_out(sms, app_world, clock):
    wang = app_world.resident("王芳")
    for _ in range(11):
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
