"""The ordering rules every channel shares, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.accounts.models import AuditLog
from core.messages.models import Message, MessageKind, MessageStatus
from core.orders.models import Channel
from core.orders.services import cancel_order, mark_picked_up, place_order, resident_orders
from core.residents.services import opt_out
from core.results import OrderCancelled, OrderPlaced, Refusal, RefusalReason


def order(world, phone, number, quantity, **extra):  # type: ignore[no-untyped-def]
    return place_order(
        world.core,
        community_id=world.community_id,
        phone=phone,
        deal_number=number,
        quantity=quantity,
        channel=extra.pop("channel", Channel.SMS),
        **extra,
    )


def messages(world):  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return session.scalars(select(Message).order_by(Message.id)).all()


def test_placing_an_order_confirms_it_by_text(world):
    wang = world.resident("王芳")
    deal = world.deal(price_fen=3500)

    result = order(world, wang.phone, deal.number, 2)

    assert isinstance(result, OrderPlaced)
    assert result.order.quantity == 2
    assert result.order.total_fen == 7000
    assert result.order.deal.units_ordered == 2
    assert result.previous_quantity == 0
    [confirmation] = messages(world)
    assert confirmation.kind == MessageKind.CONFIRMATION
    assert confirmation.status == MessageStatus.PENDING
    assert confirmation.phone == wang.phone
    assert "赵县雪花梨" in confirmation.body and "70元" in confirmation.body
    assert "11月28日周六 9:00-11:00" in confirmation.body


def test_ordering_again_changes_the_quantity_not_a_second_order(world):
    wang = world.resident()
    deal = world.deal()
    order(world, wang.phone, deal.number, 2)

    changed = order(world, wang.phone, deal.number, 5)

    assert isinstance(changed, OrderPlaced)
    assert changed.previous_quantity == 2 and changed.changed
    assert changed.order.deal.units_ordered == 5
    orders = resident_orders(world.core, community_id=world.community_id, phone=wang.phone)
    assert [o.quantity for o in orders] == [5]
    assert [m.body.startswith("已改为") for m in messages(world)] == [False, True]


def test_an_english_resident_is_confirmed_in_english(world):
    anna = world.resident("Anna", language="en")
    deal = world.deal()
    order(world, anna.phone, deal.number, 1)
    [confirmation] = messages(world)
    assert confirmation.body.startswith("Ordered #1 Snow pears x1")
    assert "35 yuan" in confirmation.body


def test_unknown_numbers_are_refused(world):
    deal = world.deal()
    result = order(world, "+8613999999999", deal.number, 1)
    assert result == Refusal(RefusalReason.NOT_REGISTERED, deal_number=deal.number)
    assert messages(world) == []


def test_unknown_deal_number_is_refused(world):
    wang = world.resident()
    world.deal()
    assert order(world, wang.phone, 42, 1) == Refusal(RefusalReason.UNKNOWN_DEAL, deal_number=42)


def test_draft_deals_cannot_be_ordered(world):
    wang = world.resident()
    deal = world.deal(open_now=False)
    assert order(world, wang.phone, deal.number, 1).reason == RefusalReason.UNKNOWN_DEAL


def test_quantity_must_be_at_least_one(world):
    wang = world.resident()
    deal = world.deal()
    assert order(world, wang.phone, deal.number, 0).reason == RefusalReason.BAD_QUANTITY
    assert order(world, wang.phone, deal.number, -3).reason == RefusalReason.BAD_QUANTITY


def test_quantity_over_the_limit_is_refused_with_the_limit(world):
    wang = world.resident()
    deal = world.deal(limit=3)
    result = order(world, wang.phone, deal.number, 4)
    assert result == Refusal(RefusalReason.OVER_LIMIT, deal_number=deal.number, limit=3)
    assert isinstance(order(world, wang.phone, deal.number, 3), OrderPlaced)


def test_orders_stop_at_the_deadline(world, clock):
    wang = world.resident()
    deal = world.deal(closes_at=world.local(0, 20))
    clock.set(deal.closes_at - timedelta(seconds=1))
    assert isinstance(order(world, wang.phone, deal.number, 1), OrderPlaced)
    clock.set(deal.closes_at)
    assert order(world, wang.phone, deal.number, 2).reason == RefusalReason.DEAL_CLOSED


def test_the_stock_cap_is_never_exceeded_and_the_refusal_says_what_is_left(world):
    wang, li = world.resident("王芳"), world.resident("李秀英")
    deal = world.deal(stock_cap=10, min_units=5)
    order(world, wang.phone, deal.number, 8)

    refused = order(world, li.phone, deal.number, 3)

    assert refused == Refusal(RefusalReason.SOLD_OUT, deal_number=deal.number, units_left=2)
    assert isinstance(order(world, li.phone, deal.number, 2), OrderPlaced)
    assert order(world, li.phone, deal.number, 3).units_left == 2  # own 2 count as available


def test_raising_an_own_order_counts_what_the_resident_already_holds(world):
    wang = world.resident()
    deal = world.deal(stock_cap=10, min_units=5)
    order(world, wang.phone, deal.number, 8)
    assert isinstance(order(world, wang.phone, deal.number, 10), OrderPlaced)
    refused = order(world, wang.phone, deal.number, 11)
    assert refused.reason == RefusalReason.SOLD_OUT and refused.units_left == 10


def test_opted_out_residents_are_refused_by_text_but_may_order_by_phone_or_staff(world):
    wang = world.resident()
    deal = world.deal()
    opt_out(world.core, community_id=world.community_id, phone=wang.phone)
    assert order(world, wang.phone, deal.number, 1).reason == RefusalReason.OPTED_OUT
    assert isinstance(order(world, wang.phone, deal.number, 1, channel=Channel.VOICE), OrderPlaced)
    by_staff = order(world, wang.phone, deal.number, 2, channel=Channel.STAFF, placed_by="小李")
    assert isinstance(by_staff, OrderPlaced) and by_staff.previous_quantity == 1
    confirmations = messages(world)
    assert len(confirmations) == 2
    assert {m.status for m in confirmations} == {MessageStatus.SUPPRESSED}  # recorded, not sent


def test_orders_entered_for_a_resident_are_audited(world):
    wang = world.resident()
    deal = world.deal()
    order(world, wang.phone, deal.number, 2, channel=Channel.STAFF, placed_by="volunteer 赵")
    with world.core.db.transaction() as session:
        entry = session.scalars(
            select(AuditLog).where(AuditLog.action == "order.place_for_resident")
        ).one()
    assert entry.actor == "volunteer 赵"
    assert entry.detail["quantity"] == 2


def test_a_repeated_provider_id_returns_the_first_result_and_orders_once(world):
    wang = world.resident()
    deal = world.deal()
    first = order(world, wang.phone, deal.number, 2, idempotency_key="SM" + "a" * 32)
    again = order(world, wang.phone, deal.number, 2, idempotency_key="SM" + "a" * 32)

    assert isinstance(again, OrderPlaced) and again.replayed and not first.replayed
    assert again.order == first.order
    assert len(messages(world)) == 1
    orders = resident_orders(world.core, community_id=world.community_id, phone=wang.phone)
    assert orders[0].deal.units_ordered == 2


def test_a_repeated_refusal_is_the_same_refusal(world):
    wang = world.resident()
    deal = world.deal(limit=2)
    first = order(world, wang.phone, deal.number, 9, idempotency_key="CAx:order")
    assert order(world, wang.phone, deal.number, 9, idempotency_key="CAx:order") == first


def test_landline_callers_are_not_texted_their_confirmation(world):
    guo = world.resident("郭奶奶", phone="+8631185662001", landline=True)
    deal = world.deal()
    assert isinstance(order(world, guo.phone, deal.number, 1, channel=Channel.VOICE), OrderPlaced)
    assert messages(world) == []


def test_cancel_frees_the_units_and_confirms(world):
    wang = world.resident()
    deal = world.deal(stock_cap=5, min_units=1)
    order(world, wang.phone, deal.number, 5)

    result = cancel_order(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=deal.number,
        channel=Channel.SMS,
    )

    assert isinstance(result, OrderCancelled)
    assert result.order.deal.units_ordered == 0
    assert resident_orders(world.core, community_id=world.community_id, phone=wang.phone) == []
    assert messages(world)[-1].body == "已取消1号赵县雪花梨的订单。"
    again = order(world, wang.phone, deal.number, 5)
    assert isinstance(again, OrderPlaced) and again.previous_quantity == 0


def test_cancel_without_an_order_is_refused(world):
    wang = world.resident()
    deal = world.deal()
    result = cancel_order(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=deal.number,
        channel=Channel.SMS,
    )
    assert result == Refusal(RefusalReason.NO_ORDER, deal_number=deal.number)


def test_cancel_after_the_deadline_is_refused(world, clock):
    wang = world.resident()
    deal = world.deal()
    order(world, wang.phone, deal.number, 1)
    clock.set(deal.closes_at + timedelta(minutes=1))
    result = cancel_order(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=deal.number,
        channel=Channel.SMS,
    )
    assert result.reason == RefusalReason.DEAL_CLOSED


def test_marking_picked_up(world):
    wang = world.resident()
    deal = world.deal()
    placed = order(world, wang.phone, deal.number, 1)
    picked = mark_picked_up(world.core, order_id=placed.order.id, by="小李")
    assert picked.status == "picked_up"
    assert mark_picked_up(world.core, order_id=placed.order.id, by="小李") == Refusal(
        RefusalReason.NO_ORDER
    )
