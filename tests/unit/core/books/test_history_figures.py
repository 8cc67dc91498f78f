"""A finished deal's figures in the history after a short delivery: what was ordered from
the supplier, what came, what was collected and what was not."""

from __future__ import annotations

from core.books.cash import collect_at_pickup
from core.books.history import finished_deals_by_month
from core.books.models import PayMethod, ShareRule
from core.books.shortfall import apply_shortfall
from core.deals.pickup_over import fulfil_deal
from core.orders.services import mark_picked_up
from tests.builders import World
from tests.unit.core.books.helpers import gone_ahead, ordered


def _only_deal(world: World):  # type: ignore[no-untyped-def]
    [month] = finished_deals_by_month(world.core, community_id=world.community_id)
    [figures] = month.deals
    return figures


def test_a_short_delivery_shows_what_was_ordered_and_what_came(world: World):
    deal = world.deal("赵县雪花梨", price_fen=3500, min_units=1)
    (_, first), (_, second), _ = ordered(world, deal, 4, 3, 2)
    gone_ahead(world, deal)
    apply_shortfall(
        world.core,
        community_id=world.community_id,
        deal_id=deal.id,
        delivered=7,
        rule=ShareRule.PRO_RATA,
        by="李会计",
    )  # 4, 3, 2 -> 3, 2, 2
    world.clock.set(deal.pickup_start)
    for order_id, units in ((first, 3), (second, 2)):  # each pays for what it was given
        collect_at_pickup(
            world.core,
            community_id=world.community_id,
            order_id=order_id,
            amount_fen=units * 3500,
            method=PayMethod.CASH,
            by="xiaoli",
        )
    fulfil_deal(world.core, community_id=world.community_id, deal_id=deal.id)

    figures = _only_deal(world)
    assert (figures.ordered, figures.delivered) == (9, 7)
    assert (figures.collected, figures.not_collected) == (5, 2)  # the third household's 2
    assert (figures.expected_fen, figures.collected_fen) == (7 * 3500, 5 * 3500)


def test_without_a_delivery_record_what_was_ordered_is_what_came(world: World):
    deal = world.deal("蔚县小米", price_fen=1250, unit="袋", min_units=1)
    (_, first), _ = ordered(world, deal, 2, 1)
    gone_ahead(world, deal)
    world.clock.set(deal.pickup_start)
    mark_picked_up(world.core, order_id=first, by="xiaoli", community_id=world.community_id)
    fulfil_deal(world.core, community_id=world.community_id, deal_id=deal.id)

    figures = _only_deal(world)
    assert (figures.ordered, figures.delivered, figures.collected) == (3, 3, 2)
    assert figures.not_collected == 1
