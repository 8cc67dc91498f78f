"""The dashboard: progress toward the minimum and the cap, channels, the month's savings."""

from __future__ import annotations

from datetime import timedelta

from core.deals.queries import dashboard
from core.deals.services import close_deal
from core.orders.services import place_order


def order(world, resident, deal, quantity, channel="sms"):  # type: ignore[no-untyped-def]
    placed = place_order(
        world.core,
        community_id=world.community_id,
        phone=resident.phone,
        deal_number=deal.number,
        quantity=quantity,
        channel=channel,
        placed_by="xiaoli" if channel == "staff" else None,
    )
    assert placed, placed


def test_open_deals_show_how_far_they_are_from_going_ahead(world):
    pears = world.deal(
        "赵县雪花梨", min_units=30, stock_cap=80, price_fen=3500, market_price_fen=5800
    )
    order(world, world.resident("王芳"), pears, 3)
    order(world, world.resident("李秀英"), pears, 2, channel="voice")
    order(world, world.resident("张伟"), pears, 1, channel="staff")
    board = dashboard(world.core, community_id=world.community_id)
    [progress] = board.open_deals
    assert progress.deal.units_ordered == 6
    assert progress.deal.units_to_go_ahead == 24
    assert progress.minimum_percent == 20
    assert progress.cap_percent == 8
    assert progress.by_channel == {"sms": 1, "voice": 1, "staff": 1}
    assert progress.time_left == world.local(3, 20) - world.clock()
    assert not progress.goes_ahead and not progress.sold_out


def test_the_month_counts_savings_of_orders_that_stand(world, clock):
    pears = world.deal("赵县雪花梨", min_units=1, price_fen=3500, market_price_fen=5800)
    salt = world.deal("加碘食盐", min_units=50, price_fen=250, market_price_fen=None)
    order(world, world.resident("王芳"), pears, 2)
    order(world, world.resident("李秀英"), salt, 4, channel="voice")
    month = dashboard(world.core, community_id=world.community_id).month
    assert (month.orders, month.residents, month.units) == (2, 2, 6)
    assert month.saved_fen == 2 * (5800 - 3500)  # salt had no market price: no saving claimed
    assert month.spent_fen == 2 * 3500 + 4 * 250
    assert month.by_channel == {"sms": 1, "voice": 1}


def test_a_called_off_deal_saves_nobody_anything(world):
    milk = world.deal("牛奶", min_units=10, price_fen=1000, market_price_fen=1500)
    order(world, world.resident("王芳"), milk, 2)
    close_deal(world.core, community_id=world.community_id, number=milk.number)  # short: cancelled
    board = dashboard(world.core, community_id=world.community_id)
    assert board.month.saved_fen == 0 and board.month.orders == 0
    assert board.open_deals == []


def test_last_months_orders_are_not_this_months(world, clock):
    pears = world.deal("赵县雪花梨", min_units=1, closes_at=world.local(30, 20))
    order(world, world.resident("王芳"), pears, 1)
    clock.advance(days=10)  # 3 December: a new month in Shanghai
    board = dashboard(world.core, community_id=world.community_id)
    assert board.month.orders == 0
    assert board.open_deals[0].time_left == world.local(20, 20) - world.clock() + timedelta(0)


def test_confirmed_deals_wait_for_pickup_and_drafts_are_listed(world):
    pears = world.deal("赵县雪花梨", min_units=1)
    world.deal("小米", open_now=False)
    order(world, world.resident("王芳"), pears, 1)
    close_deal(world.core, community_id=world.community_id, number=pears.number)
    board = dashboard(world.core, community_id=world.community_id)
    assert [p.deal.title_zh for p in board.awaiting_pickup] == ["赵县雪花梨"]
    assert [d.title_zh for d in board.drafts] == ["小米"]
