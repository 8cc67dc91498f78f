"""Products by name through the real dialog: staff aliases, two deals of one kind, a
sound-alike asked about, and what no deal sells."""

from __future__ import annotations

from datetime import timedelta

from core.deals.services import DealSpec, create_deal
from core.orders.services import resident_orders


def orders_of(world, phone):  # type: ignore[no-untyped-def]
    found = resident_orders(world.core, community_id=world.community_id, phone=phone)
    return {o.deal.number: o.quantity for o in found if o.status == "placed"}


def open_deal(world, title, unit, price_fen, aliases=()):  # type: ignore[no-untyped-def]
    closes = world.local(3, 20)
    return create_deal(
        world.core,
        community_id=world.community_id,
        spec=DealSpec(
            title_zh=title,
            unit=unit,
            price_fen=price_fen,
            min_units=1,
            closes_at=closes,
            pickup_start=closes + timedelta(days=2),
            pickup_end=closes + timedelta(days=2, hours=2),
            aliases=tuple(aliases),
        ),
        open_now=True,
    )


def test_a_staff_alias_names_the_deal(sms, app_world):
    open_deal(app_world, "赵县雪花梨", "份", 1500, aliases=["白梨"])
    li = app_world.resident("李秀英")
    assert sms.reply(li.phone, "白梨来两份").startswith("已订1号赵县雪花梨2份")
    assert orders_of(app_world, li.phone) == {1: 2}


def test_two_deals_of_one_kind_ask_which_then_keep_the_amount(sms, app_world):
    open_deal(app_world, "赵县雪花梨", "份", 1500)
    open_deal(app_world, "泊头鸭梨", "份", 1000)
    li = app_world.resident("李秀英")
    question = sms.reply(li.phone, "我要两份梨")
    assert "1号赵县雪花梨" in question and "2号泊头鸭梨" in question
    assert orders_of(app_world, li.phone) == {}
    assert sms.reply(li.phone, "鸭梨").startswith("已订2号泊头鸭梨2份")


def test_a_sound_alike_is_said_back_and_ordered_only_on_1(sms, app_world):
    open_deal(app_world, "赵县雪花梨", "份", 1500)
    li = app_world.resident("李秀英")
    asked = sms.reply(li.phone, "雪花里两分")
    assert asked == "您要订1号赵县雪花梨2份（共30元），对吗？回1确认，回0不要"
    assert orders_of(app_world, li.phone) == {}
    assert sms.reply(li.phone, "1").startswith("已订1号赵县雪花梨2份")
    assert orders_of(app_world, li.phone) == {1: 2}


def test_a_decline_changes_nothing(sms, app_world):
    open_deal(app_world, "鲁花花生油", "桶", 8900)
    li = app_world.resident("李秀英")
    sms.reply(li.phone, "花生有一统")
    assert sms.reply(li.phone, "0").startswith("好的，没有改动")
    assert orders_of(app_world, li.phone) == {}


def test_what_no_deal_sells_is_told_with_what_is_open(sms, app_world):
    open_deal(app_world, "蔚县小米", "袋", 1200)
    li = app_world.resident("李秀英")
    reply = sms.reply(li.phone, "大米两袋")
    assert reply.startswith("现在没有大米的团购") and "1号蔚县小米" in reply
    assert orders_of(app_world, li.phone) == {}


def test_several_items_get_one_combined_reply(sms, app_world):
    open_deal(app_world, "赵县雪花梨", "份", 1500)
    open_deal(app_world, "蔚县小米", "袋", 1200)
    li = app_world.resident("李秀英")
    reply = sms.reply(li.phone, "1号2份 2号1袋")
    assert "1号赵县雪花梨2份已订好" in reply and "2号蔚县小米1袋已订好" in reply
    assert orders_of(app_world, li.phone) == {1: 2, 2: 1}


def test_a_negative_quantity_is_refused(sms, app_world):
    open_deal(app_world, "赵县雪花梨", "份", 1500)
    open_deal(app_world, "蔚县小米", "袋", 1200)
    li = app_world.resident("李秀英")
    assert "1袋以上" in sms.reply(li.phone, "2号负1袋")
    assert orders_of(app_world, li.phone) == {}


def test_a_change_across_texts_is_confirmed_first(sms, app_world):
    open_deal(app_world, "赵县雪花梨", "份", 1500)
    li = app_world.resident("李秀英")
    sms.reply(li.phone, "1号2份")
    asked = sms.reply(li.phone, "改成3份")
    assert asked == "您要订1号赵县雪花梨3份（共45元），对吗？回1确认，回0不要"
    assert sms.reply(li.phone, "1").startswith("已改为1号赵县雪花梨3份")
    assert orders_of(app_world, li.phone) == {1: 3}


def test_questions_are_answered_from_the_deals(sms, app_world):
    open_deal(app_world, "赵县雪花梨", "份", 1500)
    li = app_world.resident("李秀英")
    assert sms.reply(li.phone, "梨多少钱").startswith("1号赵县雪花梨15元/份")
    assert "取货" in sms.reply(li.phone, "什么时候取")
    assert "还差" in sms.reply(li.phone, "成团了吗") or "成团" in sms.reply(li.phone, "成团了吗")


def test_over_the_limit_says_the_limit_and_what_is_held(sms, app_world):
    closes = app_world.local(3, 20)
    create_deal(
        app_world.core,
        community_id=app_world.community_id,
        spec=DealSpec(
            title_zh="赵县雪花梨", unit="份", price_fen=1500, min_units=1, per_resident_limit=3,
            closes_at=closes, pickup_start=closes + timedelta(days=2),
            pickup_end=closes + timedelta(days=2, hours=2),
        ),
        open_now=True,
    )
    li = app_world.resident("李秀英")
    sms.reply(li.phone, "梨两份")
    assert sms.reply(li.phone, "1号5份") == "1号每户最多3份，您已订2份"
    assert orders_of(app_world, li.phone) == {1: 2}


def test_eggs_counted_in_pieces_are_said_back_in_boxes(sms, app_world):
    open_deal(app_world, "高邑土鸡蛋", "盒", 2500)
    li = app_world.resident("李秀英")
    asked = sms.reply(li.phone, "鸡蛋两个")  # two eggs, or two boxes of thirty?
    assert asked == "您要订1号高邑土鸡蛋2盒（共50元），对吗？回1确认，回0不要"
    assert sms.reply(li.phone, "0").startswith("好的，没有改动")
    assert orders_of(app_world, li.phone) == {}
