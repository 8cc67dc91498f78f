"""Deals: validation, deadlines in the community's zone, outcomes, and the desk's lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.deals.pickup_over import fulfil_deal
from core.deals.services import (
    DealInvalid,
    DealSpec,
    close_deal,
    close_due_deals,
    create_deal,
    open_deal,
    open_deals,
)
from core.deals.sheets import pickup_list, supplier_sheet
from core.messages.models import Message, MessageKind
from core.orders.models import Channel
from core.orders.services import place_order, resident_orders
from core.results import RefusalReason


def order(world, phone, number, quantity, channel=Channel.SMS):  # type: ignore[no-untyped-def]
    return place_order(
        world.core,
        community_id=world.community_id,
        phone=phone,
        deal_number=number,
        quantity=quantity,
        channel=channel,
    )


def outcome_messages(world):  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return session.scalars(
            select(Message).where(Message.kind == MessageKind.DEAL_UPDATE).order_by(Message.id)
        ).all()


def test_a_deal_gets_the_lowest_free_number_and_numbers_are_reused_once_finished(world):
    first, second = world.deal(), world.deal("正定蔬菜")
    assert (first.number, second.number) == (1, 2)
    close_deal(world.core, community_id=world.community_id, number=1)  # called off: finished
    assert world.deal("井陉小米").number == 1


def test_validation_names_every_problem(world):
    closes = world.local(1, 20)
    spec = DealSpec(
        title_zh="",
        unit="箱",
        price_fen=None,
        min_units=10,
        stock_cap=5,
        opens_at=closes + timedelta(hours=1),
        closes_at=closes,
        pickup_start=closes - timedelta(hours=1),
        pickup_end=closes - timedelta(hours=2),
    )
    with pytest.raises(DealInvalid) as caught:
        create_deal(world.core, community_id=world.community_id, spec=spec)
    assert caught.value.errors == {
        "title_zh": "deal.error.title_missing",
        "price": "deal.error.price_missing",
        "stock_cap": "deal.error.stock_below_min",
        "closes_at": "deal.error.closes_before_opens",
        "pickup_start": "deal.error.pickup_before_close",
        "pickup_end": "deal.error.pickup_end_before_start",
    }


def test_the_deadline_is_20_00_in_shanghai(world, clock):
    wang = world.resident()
    deal = world.deal(closes_at=world.local(0, 20), min_units=1)
    assert deal.closes_at == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    clock.set(datetime(2026, 11, 23, 11, 59, tzinfo=UTC))  # 19:59 in Shanghai
    assert order(world, wang.phone, deal.number, 1).order.quantity == 1
    assert close_due_deals(world.core) == []

    clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))  # 20:00 in Shanghai
    assert order(world, wang.phone, deal.number, 2).reason == RefusalReason.DEAL_CLOSED
    [outcome] = close_due_deals(world.core)
    assert outcome.outcome == "confirmed"
    assert open_deals(world.core, community_id=world.community_id) == []


def test_closing_with_the_minimum_met_goes_ahead_and_tells_everyone(world):
    wang, anna = world.resident("王芳"), world.resident("Anna", language="en")
    deal = world.deal(min_units=3)
    order(world, wang.phone, deal.number, 2)
    order(world, anna.phone, deal.number, 1)

    outcome = close_deal(world.core, community_id=world.community_id, number=deal.number)

    assert outcome.outcome == "confirmed" and outcome.residents_told == 2
    zh, en = outcome_messages(world)
    assert zh.body.startswith("好消息：1号赵县雪花梨已成团！") and "付70元" in zh.body
    assert en.body.startswith("Good news: #1 Snow pears goes ahead!")
    assert [
        o.status
        for o in resident_orders(world.core, community_id=world.community_id, phone=wang.phone)
    ] == ["placed"]


def test_closing_short_of_the_minimum_calls_it_off_and_nobody_pays(world):
    wang = world.resident()
    deal = world.deal(min_units=10)
    order(world, wang.phone, deal.number, 2)

    outcome = close_deal(world.core, community_id=world.community_id, number=deal.number)

    assert outcome.outcome == "cancelled"
    [message] = outcome_messages(world)
    assert "没有成团" in message.body and "不用付钱" in message.body
    assert resident_orders(world.core, community_id=world.community_id, phone=wang.phone) == []


def test_a_deal_set_to_extend_gets_one_extension_at_the_deadline(world, clock):
    wang = world.resident()
    deal = world.deal(min_units=10, if_short="extend", extend_hours=24)
    order(world, wang.phone, deal.number, 2)

    clock.set(deal.closes_at)
    [extended] = close_due_deals(world.core)
    assert extended.outcome == "extended"
    assert extended.deal.closes_at == deal.closes_at + timedelta(hours=24)
    assert "还差8箱成团" in outcome_messages(world)[0].body
    assert order(world, wang.phone, deal.number, 3).order.quantity == 3  # still open

    clock.set(extended.deal.closes_at)
    [final] = close_due_deals(world.core)
    assert final.outcome == "cancelled"


def test_staff_closing_early_never_extends(world):
    deal = world.deal(min_units=10, if_short="extend", extend_hours=24)
    outcome = close_deal(world.core, community_id=world.community_id, number=deal.number)
    assert outcome.outcome == "cancelled"


def test_closing_twice_tells_residents_once(world):
    wang = world.resident()
    deal = world.deal(min_units=1)
    order(world, wang.phone, deal.number, 1)
    close_deal(world.core, community_id=world.community_id, number=deal.number)
    again = close_deal(world.core, community_id=world.community_id, number=deal.number)
    assert again.residents_told == 0
    assert len(outcome_messages(world)) == 1


def test_outcomes_written_in_quiet_hours_wait_for_the_morning(world, clock):
    wang = world.resident()
    deal = world.deal(min_units=1, closes_at=world.local(0, 22))
    order(world, wang.phone, deal.number, 1)
    clock.set(deal.closes_at)
    close_due_deals(world.core)
    [message] = outcome_messages(world)
    assert message.not_before == world.local(1, 8)


def test_open_deal_and_open_deals(world):
    draft = world.deal(open_now=False)
    assert open_deals(world.core, community_id=world.community_id) == []
    opened = open_deal(world.core, community_id=world.community_id, number=draft.number)
    assert opened.status == "open"
    assert [d.number for d in open_deals(world.core, community_id=world.community_id)] == [1]


def test_supplier_sheet_totals_and_progress_in_plain_numbers(world):
    wang, li, zhao = world.resident("王芳"), world.resident("李秀英"), world.resident("赵")
    deal = world.deal(price_fen=1250, market_price_fen=2000, min_units=10, stock_cap=20)
    order(world, wang.phone, deal.number, 3)
    order(world, li.phone, deal.number, 2, channel=Channel.VOICE)
    order(world, zhao.phone, deal.number, 1, channel=Channel.VOICE)

    sheet = supplier_sheet(world.core, community_id=world.community_id, number=deal.number)

    assert (sheet.orders, sheet.units, sheet.cost_fen, sheet.saving_fen) == (3, 6, 7500, 4500)
    assert sheet.by_channel == {"sms": 1, "voice": 2}
    assert sheet.deal.units_to_go_ahead == 4
    assert sheet.deal.units_left == 14


def test_pickup_list_is_grouped_by_building_then_unit_and_room_in_natural_order(world):
    deal = world.deal(min_units=1)
    for name, building, unit, room in [
        ("十号楼", "10", "1", "101"),
        ("九号楼", "9", "1", "101"),
        ("三楼二单元", "3", "2", "101"),
        ("三楼一单元高层", "3", "1", "1201"),
        ("三楼一单元", "3", "1", "302"),
    ]:
        resident = world.resident(name, building=building, unit=unit, room=room)
        order(world, resident.phone, deal.number, 1)

    listing = pickup_list(world.core, community_id=world.community_id, number=deal.number)

    assert [b for b, _ in listing.buildings] == ["3", "9", "10"]
    assert [r.name for r in listing.rows] == [
        "三楼一单元",
        "三楼一单元高层",
        "三楼二单元",
        "九号楼",
        "十号楼",
    ]


def test_fulfilling_marks_no_shows_and_frees_the_number(world):
    wang = world.resident()
    deal = world.deal(min_units=1)
    order(world, wang.phone, deal.number, 1)
    close_deal(world.core, community_id=world.community_id, number=deal.number)
    world.clock.set(deal.pickup_start)  # "pickup over" only once pickup has started
    done = fulfil_deal(world.core, community_id=world.community_id, number=deal.number)
    assert done.status == "fulfilled"
    assert world.deal("新的").number == 1
