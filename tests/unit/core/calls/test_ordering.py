"""The read-only checks the phone menu makes before asking a caller to confirm."""

from __future__ import annotations

from core.orders.preview import cancellable_orders, orderable_deal, preview_order
from core.orders.services import place_order
from core.residents.services import opt_out
from core.results import Refusal, RefusalReason
from tests.builders import World


def order(world: World, phone: str, number: int, quantity: int) -> None:
    place_order(
        world.core,
        community_id=world.community_id,
        phone=phone,
        deal_number=number,
        quantity=quantity,
        channel="sms",
    )


def test_orderable_deal_knows_the_most_this_resident_may_have(world: World):
    wang, zhang, li = world.resident("王芳"), world.resident("张伟"), world.resident("李桂兰")
    world.deal(limit=5, stock_cap=10)
    order(world, zhang.phone, 1, 5)
    order(world, li.phone, 1, 3)
    order(world, wang.phone, 1, 1)

    found = orderable_deal(
        world.core, community_id=world.community_id, phone=wang.phone, deal_number=1
    )

    assert not isinstance(found, Refusal)
    assert (found.previous_quantity, found.max_quantity) == (1, 2)  # 1 left + her own 1


def test_orderable_deal_refuses_sold_out_closed_unknown_and_strangers(world: World, clock):  # type: ignore[no-untyped-def]
    wang, zhang = world.resident("王芳"), world.resident("张伟")
    world.deal(stock_cap=10)
    world.deal("沁州黄小米", closes_at=world.local(0, 11))
    order(world, zhang.phone, 1, 10)

    def check(phone: str, number: int) -> RefusalReason | None:
        found = orderable_deal(
            world.core, community_id=world.community_id, phone=phone, deal_number=number
        )
        return found.reason if isinstance(found, Refusal) else None

    assert check(wang.phone, 1) == RefusalReason.SOLD_OUT
    assert check(wang.phone, 9) == RefusalReason.UNKNOWN_DEAL
    assert check("+8613912345678", 2) == RefusalReason.NOT_REGISTERED
    assert check(wang.phone, 2) is None
    opt_out(world.core, community_id=world.community_id, phone=wang.phone)
    assert check(wang.phone, 2) is None  # no more texts, but the phone still takes orders
    clock.advance(hours=2)
    assert check(wang.phone, 2) == RefusalReason.DEAL_CLOSED


def test_preview_order_says_what_place_order_would_without_writing(world: World):
    wang = world.resident("王芳")
    world.deal(price_fen=3500, limit=3, stock_cap=20)
    order(world, wang.phone, 1, 2)

    def preview(quantity: int):  # type: ignore[no-untyped-def]
        return preview_order(
            world.core,
            community_id=world.community_id,
            phone=wang.phone,
            deal_number=1,
            quantity=quantity,
        )

    ok = preview(3)
    assert not isinstance(ok, Refusal)
    assert (ok.quantity, ok.previous_quantity, ok.total_fen) == (3, 2, 10500)
    assert preview(4) == Refusal(RefusalReason.OVER_LIMIT, deal_number=1, limit=3)
    assert preview(0) == Refusal(RefusalReason.BAD_QUANTITY, deal_number=1)
    placed = place_order(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=1,
        quantity=3,
        channel="voice",
    )
    assert not isinstance(placed, Refusal) and placed.previous_quantity == 2  # nothing was written


def test_preview_order_counts_the_residents_own_units_as_available(world: World):
    wang, zhang = world.resident("王芳"), world.resident("张伟")
    world.deal(stock_cap=10)
    order(world, wang.phone, 1, 2)
    order(world, zhang.phone, 1, 7)

    result = preview_order(
        world.core, community_id=world.community_id, phone=wang.phone, deal_number=1, quantity=4
    )
    assert result == Refusal(RefusalReason.SOLD_OUT, deal_number=1, units_left=3)


def test_cancellable_orders_are_placed_orders_on_deals_still_taking_orders(world: World, clock):  # type: ignore[no-untyped-def]
    wang = world.resident("王芳")
    world.deal()
    world.deal("沁州黄小米", closes_at=world.local(0, 11))
    world.deal("东北大米")
    order(world, wang.phone, 1, 1)
    order(world, wang.phone, 2, 1)
    clock.advance(hours=2)

    orders = cancellable_orders(world.core, community_id=world.community_id, phone=wang.phone)

    assert not isinstance(orders, Refusal)
    assert [o.deal.number for o in orders] == [1]
    stranger = cancellable_orders(
        world.core, community_id=world.community_id, phone="+8613912345678"
    )
    assert stranger == Refusal(RefusalReason.NOT_REGISTERED)
