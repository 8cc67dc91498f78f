"""Changing a running deal, and calling one off: core.deals.editing."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from core.accounts.models import AuditLog
from core.deals.editing import call_off_deal, deal_detail, edit_deal
from core.deals.services import DealInvalid, DealSpec, close_deal
from core.messages.models import Message
from core.orders.services import place_order


def spec_of(world, number):  # type: ignore[no-untyped-def]
    detail = deal_detail(world.core, community_id=world.community_id, number=number)
    d = detail.deal
    return DealSpec(
        title_zh=d.title_zh,
        title_en=d.title_en,
        unit=d.unit,
        price_fen=d.price_fen,
        market_price_fen=d.market_price_fen,
        min_units=d.min_units,
        stock_cap=d.stock_cap,
        per_resident_limit=d.per_resident_limit,
        closes_at=d.closes_at,
        pickup_start=d.pickup_start,
        pickup_end=d.pickup_end,
        pickup_place=d.pickup_place,
        supplier_name="赵县梨园",
    )


def test_an_open_deal_takes_a_later_deadline_and_more_stock(world):
    deal = world.deal(stock_cap=20)
    spec = replace(spec_of(world, deal.number), closes_at=world.local(4, 20), stock_cap=40)
    edited = edit_deal(
        world.core, community_id=world.community_id, number=deal.number, spec=spec, by="xl"
    )
    assert edited.stock_cap == 40 and edited.closes_at == world.local(4, 20)
    assert deal_detail(
        world.core, community_id=world.community_id, number=deal.number
    ).supplier == ("赵县梨园")
    with world.core.db.transaction() as session:
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "deal.edit")).one()
        assert entry.actor == "xl" and "stock_cap" in entry.detail["fields"]


def test_the_cap_cannot_drop_below_what_is_ordered_and_times_must_make_sense(world):
    deal = world.deal(stock_cap=20, min_units=1)
    buyer = world.resident("王芳")
    place_order(
        world.core,
        community_id=world.community_id,
        phone=buyer.phone,
        deal_number=deal.number,
        quantity=5,
        channel="sms",
    )
    spec = replace(spec_of(world, deal.number), stock_cap=4, pickup_start=world.local(1, 9))
    with pytest.raises(DealInvalid) as refused:
        edit_deal(
            world.core, community_id=world.community_id, number=deal.number, spec=spec, by="x"
        )
    assert refused.value.errors == {
        "stock_cap": "staff.deal.error.cap_below_ordered",
        "pickup_start": "deal.error.pickup_before_close",
    }


def test_a_deal_that_went_ahead_cannot_be_edited(world):
    deal = world.deal(min_units=1)
    place_order(
        world.core,
        community_id=world.community_id,
        phone=world.resident().phone,
        deal_number=deal.number,
        quantity=1,
        channel="sms",
    )
    close_deal(world.core, community_id=world.community_id, number=deal.number)
    with pytest.raises(DealInvalid) as refused:
        edit_deal(
            world.core,
            community_id=world.community_id,
            number=deal.number,
            spec=spec_of(world, deal.number),
            by="x",
        )
    assert refused.value.errors == {"status": "staff.deal.error.not_editable"}


def test_calling_off_cancels_every_order_and_tells_each_buyer_once(world):
    deal = world.deal(min_units=1)
    for name, lang in (("王芳", "zh"), ("Anna", "en")):
        buyer = world.resident(name, language=lang)
        place_order(
            world.core,
            community_id=world.community_id,
            phone=buyer.phone,
            deal_number=deal.number,
            quantity=2,
            channel="sms",
        )
    outcome = call_off_deal(world.core, community_id=world.community_id, number=deal.number, by="a")
    assert (outcome.outcome, outcome.residents_told, outcome.deal.status) == (
        "called_off",
        2,
        "cancelled",
    )
    with world.core.db.transaction() as session:
        notices = session.scalars(
            select(Message.body).where(Message.kind == "deal_update").order_by(Message.id)
        ).all()
    assert notices[0].startswith("抱歉，1号赵县雪花梨已被居委会取消")
    assert notices[1].startswith("Sorry: the committee has called off deal 1, Snow pears.")
