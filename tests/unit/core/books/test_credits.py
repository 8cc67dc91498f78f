"""A credit is taken off the resident's next order: the amount to pay shows it, the
spending is in the books of the deal where it is spent, and the balance is what is left."""

from __future__ import annotations

from core.books.cash import collect_at_pickup
from core.books.credits import deal_amounts_due, resident_credit
from core.books.desk import check_off_household, household, undo_pickup
from core.books.ledger import deal_ledger
from core.books.models import PayMethod
from tests.builders import World
from tests.unit.core.books.helpers import credited_and_buying_again, texts_to


def _credit(world: World, resident_id: int) -> tuple[int, int, int]:
    left = resident_credit(world.core, community_id=world.community_id, resident_id=resident_id)
    return left.credited_fen, left.spent_fen, left.unspent_fen


def test_a_credit_of_15_yuan_against_a_25_yuan_order_leaves_10_to_pay(world: World):
    resident, millet, pears, pear_order = credited_and_buying_again(
        world, bad_units=1, credit_fen=1500
    )
    assert "记15元抵用款，下次订购时扣" in texts_to(world, resident.phone)[-1]
    due = deal_amounts_due(world.core, community_id=world.community_id, deal_id=pears.id)
    assert (due[pear_order].outstanding_fen, due[pear_order].credit_fen) == (2500, 1500)
    at_desk = household(world.core, community_id=world.community_id, resident_id=resident.id)
    assert (at_desk.to_pay_fen, at_desk.credit_fen) == (1000, 1500)

    done = check_off_household(
        world.core,
        community_id=world.community_id,
        resident_id=resident.id,
        order_ids=[pear_order],
        method="cash",
        by="张阿姨",
    )
    assert (done.paid_fen, done.credit_fen) == (1000, 1500)
    assert _credit(world, resident.id) == (1500, 1500, 0)
    spent_on = deal_ledger(world.core, community_id=world.community_id, deal_id=pears.id)
    assert [(e.kind, e.amount_fen, e.method) for e in spent_on.entries] == [
        ("collected", 1500, "credit"),
        ("collected", 1000, "cash"),
    ]
    assert (spent_on.collected_fen, spent_on.outstanding_fen, spent_on.balances) == (2500, 0, True)
    assert spent_on.credit_spent_fen == 1500 and spent_on.cash_in_hand_fen == 1000
    owed_on = deal_ledger(world.core, community_id=world.community_id, deal_id=millet.id)
    assert (owed_on.credited_fen, owed_on.balances) == (1500, True)


def test_a_credit_of_40_yuan_against_25_leaves_15_and_an_undo_gives_it_back(world: World):
    resident, _millet, pears, pear_order = credited_and_buying_again(
        world, bad_units=2, credit_fen=4000
    )
    due = deal_amounts_due(world.core, community_id=world.community_id, deal_id=pears.id)
    assert due[pear_order].to_pay_fen == 0  # never below nothing
    collect_at_pickup(  # the orders page offers 0 yuan: the credit pays it all
        world.core,
        community_id=world.community_id,
        order_id=pear_order,
        amount_fen=0,
        method=None,
        by="张阿姨",
    )
    assert _credit(world, resident.id) == (4000, 2500, 1500)
    books = deal_ledger(world.core, community_id=world.community_id, deal_id=pears.id)
    assert (books.collected_fen, books.outstanding_fen, books.balances) == (2500, 0, True)
    assert books.cash_in_hand_fen == 0

    undo_pickup(world.core, community_id=world.community_id, order_id=pear_order, by="张阿姨")
    assert _credit(world, resident.id) == (4000, 0, 4000)
    books = deal_ledger(world.core, community_id=world.community_id, deal_id=pears.id)
    assert (books.collected_fen, books.outstanding_fen, books.balances) == (0, 2500, True)


def test_a_household_that_pays_in_full_keeps_its_credit(world: World):
    resident, _millet, pears, pear_order = credited_and_buying_again(
        world, bad_units=1, credit_fen=1500
    )
    collect_at_pickup(
        world.core,
        community_id=world.community_id,
        order_id=pear_order,
        amount_fen=2500,
        method=PayMethod.WECHAT,
        by="张阿姨",
    )
    assert _credit(world, resident.id) == (1500, 0, 1500)
    books = deal_ledger(world.core, community_id=world.community_id, deal_id=pears.id)
    assert (books.collected_fen, books.credit_spent_fen, books.balances) == (2500, 0, True)
