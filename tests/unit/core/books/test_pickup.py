"""One way to hand goods over: the orders page and the desk take the same steps, the
undo is their inverse, and every sum either shows is the ledger's."""

from __future__ import annotations

from datetime import timedelta

from core.books.cash import collect_at_pickup
from core.books.desk import check_off_household, household, undo_pickup
from core.books.ledger import deal_ledger
from core.books.models import PayMethod
from core.orders.models import Order, OrderStatus
from tests.builders import World
from tests.unit.core.books.helpers import gone_ahead, ordered


def _in_pickup(world: World, *quantities: int):  # type: ignore[no-untyped-def]
    deal = world.deal("赵县雪花梨", price_fen=3500, min_units=1)
    households = ordered(world, deal, *quantities)
    gone_ahead(world, deal)
    world.clock.set(deal.pickup_start + timedelta(minutes=10))
    return deal, households


def _order(world: World, order_id: int) -> tuple[str, object, str | None]:
    with world.core.db.transaction() as session:
        order = session.get_one(Order, order_id)
        return order.status, order.picked_up_at, order.picked_up_by


def test_the_orders_page_and_the_desk_hand_over_alike(world: World):
    deal, [(_wang, by_page), (li, at_desk)] = _in_pickup(world, 2, 1)
    collect_at_pickup(
        world.core,
        community_id=world.community_id,
        order_id=by_page,
        amount_fen=7000,
        method=PayMethod.CASH,
        by="张阿姨",
    )
    check_off_household(
        world.core,
        community_id=world.community_id,
        resident_id=li.id,
        order_ids=[at_desk],
        method="cash",
        by="李会计",
    )
    now = world.core.now()
    assert _order(world, by_page) == (OrderStatus.PICKED_UP, now, "张阿姨")
    assert _order(world, at_desk) == (OrderStatus.PICKED_UP, now, "李会计")
    books = deal_ledger(world.core, community_id=world.community_id, deal_id=deal.id)
    assert [(e.kind, e.amount_fen, e.method, e.by) for e in books.entries] == [
        ("collected", 7000, "cash", "张阿姨"),
        ("collected", 3500, "cash", "李会计"),
    ]


def test_the_desk_undoes_what_the_orders_page_took_as_the_ledger_has_it(world: World):
    deal, [(wang, order_id)] = _in_pickup(world, 2)
    collect_at_pickup(  # 20 of the 70 yuan by WeChat; 50 still owed
        world.core,
        community_id=world.community_id,
        order_id=order_id,
        amount_fen=2000,
        method=PayMethod.WECHAT,
        by="张阿姨",
    )
    shown = household(world.core, community_id=world.community_id, resident_id=wang.id)
    (line,) = shown.orders
    assert (line.status, line.paid, line.undoable) == ("picked_up", (("wechat", 2000),), True)

    undone = undo_pickup(
        world.core, community_id=world.community_id, order_id=order_id, by="李会计"
    )
    assert (undone.status, undone.paid, undone.to_pay_fen) == ("placed", (), 7000)
    assert _order(world, order_id) == (OrderStatus.PLACED, None, None)
    books = deal_ledger(world.core, community_id=world.community_id, deal_id=deal.id)
    assert [(e.amount_fen, e.method) for e in books.entries] == [
        (2000, "wechat"),
        (-2000, "wechat"),
    ]
    assert (books.collected_fen, books.outstanding_fen, books.balances) == (0, 7000, True)

    again = check_off_household(
        world.core,
        community_id=world.community_id,
        resident_id=wang.id,
        order_ids=[order_id],
        method="alipay",
        by="李会计",
    )
    assert (again.paid_fen, again.method) == (7000, "alipay")
    books = deal_ledger(world.core, community_id=world.community_id, deal_id=deal.id)
    assert (books.collected_fen, books.outstanding_fen) == (7000, 0)
