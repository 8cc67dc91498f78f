"""The money collected is one figure: the history list, the deal's ledger and the day's
cash count give the same, through a short delivery, an undone handover and a refund."""

from __future__ import annotations

from datetime import timedelta

from core.books.cash import cash_day, collect_at_pickup
from core.books.desk import check_off_household, undo_pickup
from core.books.history import deal_figures, finished_deals_by_month
from core.books.ledger import deal_ledger
from core.books.models import EntryKind, PayMethod, ShareRule
from core.books.quality import make_good
from core.books.shortfall import apply_shortfall
from core.deals.pickup_over import fulfil_deal
from tests.builders import World
from tests.unit.core.books.helpers import gone_ahead, ordered


def test_history_ledger_and_cash_count_agree_on_what_was_collected(world: World):
    deal = world.deal("赵县雪花梨", price_fen=3500, min_units=1)
    (wang, wang_order), (_li, li_order), (_zhao, _) = ordered(world, deal, 3, 2, 1)
    gone_ahead(world, deal)
    community = world.community_id
    apply_shortfall(  # 5 boxes of 6: 王芳 3, 李秀英 2, 赵 none
        world.core,
        community_id=community,
        deal_id=deal.id,
        delivered=5,
        rule=ShareRule.FIRST_COME,
        by="李会计",
    )
    world.clock.set(deal.pickup_start + timedelta(minutes=10))
    check_off_household(
        world.core,
        community_id=community,
        resident_id=wang.id,
        order_ids=[wang_order],
        method="cash",
        by="张阿姨",
    )
    collect_at_pickup(  # 李秀英 on the orders page, a tick by mistake, undone at the desk
        world.core,
        community_id=community,
        order_id=li_order,
        amount_fen=7000,
        method=PayMethod.CASH,
        by="张阿姨",
    )
    undo_pickup(world.core, community_id=community, order_id=li_order, by="张阿姨")
    world.clock.advance(minutes=30)
    collect_at_pickup(
        world.core,
        community_id=community,
        order_id=li_order,
        amount_fen=7000,
        method=PayMethod.CASH,
        by="张阿姨",
    )
    make_good(  # two of 王芳's pears were bruised: 15 yuan back in cash
        world.core,
        community_id=community,
        order_id=wang_order,
        kind=EntryKind.REFUNDED,
        amount_fen=1500,
        method=PayMethod.CASH,
        form_token="bruised",
        by="李会计",
    )
    fulfil_deal(world.core, community_id=community, deal_id=deal.id, by="李会计")

    books = deal_ledger(world.core, community_id=community, deal_id=deal.id)
    (month,) = finished_deals_by_month(world.core, community_id=community)
    (listed,) = month.deals
    box = cash_day(world.core, community_id=community)
    assert books.collected_fen == 17500  # 105 + 70; the 70 taken by mistake netted out
    assert listed.collected_fen == books.collected_fen == month.collected_fen
    assert deal_figures(world.core, community_id=community, deal_id=deal.id) == listed
    assert box.cash_in_fen == books.collected_fen  # all cash, all today
    assert box.expected_fen == books.cash_in_hand_fen == 16000  # less the refund
    assert (listed.collected, listed.delivered, books.adjusted_fen) == (5, 5, -3500)
    assert books.balances
