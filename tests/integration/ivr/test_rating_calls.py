"""A landline resident scores what she collected with one key, the next time she calls."""

from __future__ import annotations

from sqlalchemy import select

from core.orders.services import mark_picked_up, place_order
from core.tastings.models import Rating
from core.tastings.services import ask_after_pickup, set_ask_after_pickup
from tests.builders import World
from tests.integration.ivr.conftest import Dial
from tests.integration.ivr.test_ordering_calls import heard
from tests.unit.core.teams.helpers import staff_actor


def collected_and_asked(world: World):  # type: ignore[no-untyped-def]
    grandma = world.resident("李奶奶", phone="+8631188880001", landline=True)
    pears = world.deal()
    placed = place_order(
        world.core,
        community_id=world.community_id,
        phone=grandma.phone,
        deal_number=pears.number,
        quantity=1,
        channel="voice",
        confirm=False,
    )
    mark_picked_up(world.core, order_id=placed.order.id, by="desk")
    admin = staff_actor(world, "admin", role="admin")
    set_ask_after_pickup(world.core, actor=admin, on=True)
    assert ask_after_pickup(world.core) == 1
    return grandma


def test_key_6_scores_the_collected_deal(world: World, dial: Dial):
    grandma = collected_and_asked(world)
    call = dial(grandma.phone)
    assert heard(call).endswith("您取的赵县雪花梨怎么样？想打分，请按6。")
    call.press("6")
    assert heard(call).startswith("请给赵县雪花梨打分")
    call.press("7")  # not a score: asked again
    assert "请给赵县雪花梨打分" in heard(call)
    call.press("4")
    said = heard(call)
    assert said.startswith("谢谢您，已记下4分。") and "想打分" not in said
    with world.core.db.transaction() as session:
        rating = session.scalars(select(Rating)).one()
    assert (rating.score, rating.channel) == (4, "voice")


def test_without_a_question_6_is_not_on_the_menu(world: World, dial: Dial):
    wang = world.resident("王芳", landline=True)
    call = dial(wang.phone)
    assert "请按6" not in heard(call)
    call.press("6")
    assert "听本周的团购，请按1" in heard(call)


def test_a_landline_taster_is_asked_about_the_sample_not_a_pickup(world: World, dial: Dial):
    from core.tastings.services import start_tasting
    from core.teams.models import TeamKind
    from core.teams.services import add_member

    grandma = world.resident("李奶奶", phone="+8631188880001", landline=True)
    staff = staff_actor(world)
    add_member(world.core, actor=staff, team=TeamKind.TASTING, resident_id=grandma.id)
    eggs = world.deal("高邑柴鸡蛋", unit="盒", open_now=False)
    start_tasting(world.core, actor=staff, deal_id=eggs.id, resident_ids=[grandma.id])
    call = dial(grandma.phone)
    assert heard(call).endswith("高邑柴鸡蛋的样品您尝了吗？想打分，请按6。")
    call.press("6")
    assert heard(call).startswith("请给高邑柴鸡蛋打分")
    call.press("5")
    assert heard(call).startswith("谢谢您，已记下5分。")
    with world.core.db.transaction() as session:
        rating = session.scalars(select(Rating)).one()
    assert (rating.score, rating.kind, rating.channel) == (5, "sample", "voice")
