"""Scores kept with the deal: a tasting's samples, and the question after pickup."""

from __future__ import annotations

from sqlalchemy import select

from core.deals.models import Deal
from core.deals.services import DealSpec, create_deal
from core.messages.models import Message, MessageKind
from core.orders.services import mark_picked_up, place_order
from core.tastings.models import Rating
from core.tastings.queries import deal_ratings, supplier_rating, tastings
from core.tastings.services import (
    TastingRefusal,
    ask_after_pickup,
    record_score,
    set_ask_after_pickup,
    start_tasting,
    waiting_question,
)
from core.teams.models import TeamKind
from core.teams.services import add_member
from tests.unit.core.teams.helpers import staff_actor


def texts(world, phone):  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return [
            m.body
            for m in session.scalars(
                select(Message).where(Message.phone == phone, Message.kind == MessageKind.BROADCAST)
            )
        ]


def score(world, who, value, words="", key=None):  # type: ignore[no-untyped-def]
    return record_score(
        world.core,
        community_id=world.community_id,
        phone=who.phone,
        score=value,
        words=words,
        key=key or f"SM{who.id}{value}{words}",
    )


def test_sample_scores_and_words_are_kept_with_the_deal(world):
    actor = staff_actor(world)
    wang, li, zhao = world.resident("王芳"), world.resident("李建国"), world.resident("赵先生")
    for member in (wang, li):
        add_member(world.core, actor=actor, team=TeamKind.TASTING, resident_id=member.id)
    millet = world.deal("井陉小米", open_now=False, unit="袋")
    refused = start_tasting(world.core, actor=actor, deal_id=millet.id, resident_ids=[zhao.id])
    assert refused == TastingRefusal.NOT_MEMBER
    started = start_tasting(
        world.core, actor=actor, deal_id=millet.id, resident_ids=[wang.id, li.id]
    )
    assert started.asked == 2
    again = start_tasting(world.core, actor=actor, deal_id=millet.id, resident_ids=[wang.id])
    assert again.asked == 0  # asked once is enough
    assert texts(world, wang.phone) == [
        "井陉小米的样品您尝了吗？回1-5给样品打分，可加一句话，如：4 很甜"
    ]
    assert score(world, wang, 4, "很香", key="SM1").score == 4
    assert score(world, wang, 4, "很香", key="SM1").again  # the same text read twice
    assert score(world, zhao, 5) is None  # nobody asked him
    score(world, li, 3, "有点碎")
    with world.core.db.transaction() as session:
        ratings = deal_ratings(session, community_id=world.community_id, deal_id=millet.id)
    sample = ratings["sample"]
    assert (sample.asked, sample.scored, sample.average) == (2, 2, 3.5)
    assert {(c.name, c.score, c.words) for c in sample.comments} == {
        ("王芳", 4, "很香"),
        ("李建国", 3, "有点碎"),
    }
    [line] = tastings(world.core, community_id=world.community_id)
    assert line.title_zh == "井陉小米" and line.sample.scored == 2


def test_a_tasting_is_for_before_the_deal_opens(world):
    actor = staff_actor(world)
    wang = world.resident("王芳")
    add_member(world.core, actor=actor, team=TeamKind.TASTING, resident_id=wang.id)
    pears = world.deal()
    assert start_tasting(world.core, actor=actor, deal_id=pears.id, resident_ids=[wang.id]) == (
        TastingRefusal.ALREADY_OPEN
    )


def test_a_question_lapses_after_three_days(world, clock):
    actor = staff_actor(world)
    wang = world.resident("王芳")
    add_member(world.core, actor=actor, team=TeamKind.TASTING, resident_id=wang.id)
    millet = world.deal("井陉小米", open_now=False, unit="袋")
    start_tasting(world.core, actor=actor, deal_id=millet.id, resident_ids=[wang.id])
    assert waiting_question(world.core, community_id=world.community_id, phone=wang.phone)
    clock.advance(days=3, minutes=1)
    assert waiting_question(world.core, community_id=world.community_id, phone=wang.phone) is None


def collected(world, who, deal):  # type: ignore[no-untyped-def]
    placed = place_order(
        world.core,
        community_id=world.community_id,
        phone=who.phone,
        deal_number=deal.number,
        quantity=1,
        channel="staff",
        confirm=False,
    )
    mark_picked_up(world.core, order_id=placed.order.id, by="desk")


def supplied(world, title, supplier):  # type: ignore[no-untyped-def]
    return create_deal(
        world.core,
        community_id=world.community_id,
        spec=DealSpec(
            title_zh=title,
            unit="箱",
            price_fen=3000,
            market_price_fen=None,
            min_units=1,
            closes_at=world.local(3, 20),
            pickup_start=world.local(5, 9),
            pickup_end=world.local(5, 11),
            supplier_name=supplier,
        ),
        open_now=True,
    )


def test_after_pickup_residents_are_asked_once_a_week_if_the_community_wants(world, clock):
    admin = staff_actor(world, "admin", role="admin")
    wang = world.resident("王芳")
    grandma = world.resident("李奶奶", phone="+8631188880001", landline=True)
    pears, rice = world.deal(), world.deal("东北大米", unit="袋")
    for deal in (pears, rice):
        collected(world, wang, deal)
    collected(world, grandma, pears)
    assert ask_after_pickup(world.core) == 0  # off unless the community turns it on
    set_ask_after_pickup(world.core, actor=admin, on=True)
    assert ask_after_pickup(world.core) == 2  # wang once (not twice), grandma by the menu
    assert texts(world, wang.phone) == [
        "您取的赵县雪花梨怎么样？回1-5打分，可加一句话，如：5 很新鲜"
    ]
    assert texts(world, grandma.phone) == []  # a landline is asked when she calls
    with world.core.db.transaction() as session:
        channels = {r.resident_id: r.channel for r in session.scalars(select(Rating))}
    assert channels == {wang.id: "sms", grandma.id: "voice"}
    clock.advance(days=2)
    assert ask_after_pickup(world.core) == 0  # the rice waits: one question a week
    clock.advance(days=5, minutes=1)
    assert ask_after_pickup(world.core) == 0  # and by then it was collected too long ago


def test_ratings_per_supplier_gather_its_deals(world):
    admin = staff_actor(world, "admin", role="admin")
    set_ask_after_pickup(world.core, actor=admin, on=True)
    wang, li = world.resident("王芳"), world.resident("李建国")
    pears = supplied(world, "赵县雪花梨", "正定梨园基地")
    peaches = supplied(world, "正定水蜜桃", "正定梨园基地")
    other = supplied(world, "东北大米", "五常米业")
    collected(world, wang, pears)
    collected(world, li, peaches)
    collected(world, world.resident("赵先生"), other)
    ask_after_pickup(world.core)
    score(world, wang, 5, "新鲜")
    score(world, li, 2, "有烂的")
    with world.core.db.transaction() as session:
        supplier_id = session.get(Deal, pears.id).supplier_id
        summary = supplier_rating(session, community_id=world.community_id, supplier_id=supplier_id)
    assert (summary.asked, summary.scored, summary.average) == (2, 2, 3.5)
