"""Nobody silenced: a resident not understood is led to the simplest path and to a person,
and a real flood is told once, shown to staff and lifted by them."""

from __future__ import annotations

from sqlalchemy import select

from core.helpdesk.models import HelpReason, HelpRequest
from core.orders.services import resident_orders


def help_items(world):  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return [
            (item.phone, item.reason)
            for item in session.scalars(select(HelpRequest).order_by(HelpRequest.id))
        ]


def test_not_understood_three_times_then_ordered_and_confirmed(sms, app_world, clock):
    app_world.deal("赵县雪花梨", unit="份", price_fen=1500, limit=5)
    app_world.deal("蔚县小米", unit="袋", price_fen=1200)
    li = app_world.resident("李秀英")
    first = sms.reply(li.phone, "嗯嗯那什么的那个")
    assert first.startswith("没看懂")
    clock.advance(seconds=30)
    second = sms.reply(li.phone, "那个那个 嗯 就是")
    assert "回1订赵县雪花梨，回2订蔚县小米" in second
    assert help_items(app_world) == [(li.phone, HelpReason.NOT_UNDERSTOOD)]
    clock.advance(seconds=30)
    sms.send(li.phone, "dkjf 了了")  # the same list a minute later is not sent twice
    assert sms.new_replies(li.phone) == []
    assert len(help_items(app_world)) == 1  # one item for her, not one per text
    clock.advance(seconds=30)
    confirmation = sms.reply(li.phone, "1号2份")  # her fourth text
    assert confirmation.startswith("已订1号赵县雪花梨2份")
    orders = resident_orders(app_world.core, community_id=app_world.community_id, phone=li.phone)
    assert [(o.deal.number, o.quantity) for o in orders] == [(1, 2)]


def test_a_text_from_an_unknown_number_reaches_the_inbox(sms, app_world):
    reply = sms.reply("+8613912345678", "我要两份梨")
    assert "还没登记" in reply
    assert help_items(app_world) == [("+8613912345678", HelpReason.UNKNOWN_NUMBER)]


def test_a_question_only_a_person_can_answer_goes_to_staff(sms, app_world):
    app_world.deal("赵县雪花梨", unit="份", price_fen=1500)
    li = app_world.resident("李秀英")
    assert "会尽快回复" in sms.reply(li.phone, "梨是哪个村的？打农药了吗？")
    assert sms.reply(li.phone, "梨多少钱").startswith("1号赵县雪花梨15元/份")
    assert help_items(app_world) == [(li.phone, HelpReason.QUESTION)]


def test_a_person_out_of_hours_is_promised_for_when_the_office_opens(sms, app_world, clock):
    li = app_world.resident("李秀英")
    night = app_world.local(1, 22)  # tomorrow 22:00 in Shanghai: the office is closed
    clock.advance(seconds=(night - clock()).total_seconds())
    reply = sms.reply(li.phone, "我要找人工")
    assert reply.startswith("居委会现在下班了，工作人员") and "上班后处理" in reply
    assert "已请居委会工作人员联系您" in reply
    assert help_items(app_world) == [(li.phone, HelpReason.WANTS_PERSON)]


def test_a_text_that_reads_as_an_order_is_answered_every_time(sms, app_world, clock):
    app_world.deal("赵县雪花梨", unit="份", price_fen=1500)
    li = app_world.resident("李秀英")
    first = sms.reply(li.phone, "7号2份")  # no such deal: said, and said again
    clock.advance(seconds=20)
    assert sms.reply(li.phone, "7号2份") == first


def test_the_simplest_path_is_one_key_then_the_amount(sms, app_world):
    app_world.deal("赵县雪花梨", unit="份", price_fen=1500, limit=5)
    li = app_world.resident("李秀英")
    sms.reply(li.phone, "嗯嗯那什么的那个")
    assert "回1订赵县雪花梨" in sms.reply(li.phone, "那个那个 嗯 就是")
    assert "要几份" in sms.reply(li.phone, "1")
    assert sms.reply(li.phone, "2").startswith("已订1号赵县雪花梨2份")
