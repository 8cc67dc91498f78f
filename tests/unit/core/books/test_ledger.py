"""The ledger: every entry counted once, and the books always balance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.books.cash import BadAmount, cash_day, collect_at_pickup, count_cash, pay_supplier
from core.books.credits import resident_credit
from core.books.ledger import BadEntry, deal_ledger, record_entry
from core.books.models import EntryKind, PayMethod, ShareRule
from core.books.quality import make_good
from core.books.shortfall import apply_shortfall
from core.orders.services import place_order
from core.results import Refusal
from tests.builders import World
from tests.unit.core.books.helpers import finish, gone_ahead, ordered

PRICE = 1550

operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("collect"),
            st.integers(0, 5),
            st.integers(0, 20_000),
            st.sampled_from([PayMethod.CASH, PayMethod.WECHAT, PayMethod.ALIPAY]),
        ),
        st.tuples(
            st.just("refund"), st.integers(0, 5), st.integers(1, 5000), st.just(PayMethod.CASH)
        ),
        st.tuples(
            st.just("credit"), st.integers(0, 5), st.integers(1, 5000), st.just(PayMethod.CREDIT)
        ),
        st.tuples(
            st.just("supplier"), st.just(0), st.integers(1, 50_000), st.just(PayMethod.WECHAT)
        ),
        st.tuples(
            st.just("short"), st.integers(0, 30), st.sampled_from(list(ShareRule)), st.just(None)
        ),
    ),
    max_size=12,
)


@pytest.mark.slow  # 20 generated days of a deal's money, about 30 s: the whole suite runs it
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    quantities=st.lists(st.integers(1, 5), min_size=1, max_size=6),
    ops=operations,
    next_buy=st.lists(
        st.tuples(st.integers(1, 3), st.integers(0, 8000), st.integers(0, 6000)),
        min_size=6,
        max_size=6,
    ),
)
def test_the_books_always_balance(world: World, quantities, ops, next_buy):  # type: ignore[no-untyped-def]
    deal = world.deal("沁州黄小米", price_fen=PRICE, unit="袋", min_units=1)
    households = ordered(world, deal, *quantities, advance_minutes=0)
    gone_ahead(world, deal)
    taken = {"collected": 0, "refunded": 0, "credited": 0, "supplier": 0}
    for step, (op, which, amount, method) in enumerate(ops):
        order_id = households[which % len(households)][1]
        if op == "collect":
            done = collect_at_pickup(
                world.core,
                community_id=world.community_id,
                order_id=order_id,
                amount_fen=amount,
                method=method,
                by="李会计",
            )
            if not isinstance(done, Refusal):
                taken["collected"] += amount
        elif op in ("refund", "credit"):
            made = make_good(
                world.core,
                community_id=world.community_id,
                order_id=order_id,
                kind=EntryKind.REFUNDED if op == "refund" else EntryKind.CREDITED,
                amount_fen=amount,
                method=method,
                form_token=f"step-{step}",  # each a new form: a repeat would be one entry
                by="李会计",
            )
            if not isinstance(made, str):
                taken["refunded" if op == "refund" else "credited"] += amount
        elif op == "supplier":
            pay_supplier(
                world.core,
                community_id=world.community_id,
                deal_id=deal.id,
                amount_fen=amount,
                method=method,
                by="李会计",
            )
            taken["supplier"] += amount
        else:
            apply_shortfall(
                world.core,
                community_id=world.community_id,
                deal_id=deal.id,
                delivered=which,
                rule=amount,
                by="李会计",
            )
    books = deal_ledger(world.core, community_id=world.community_id, deal_id=deal.id)
    event("collected" if books.collected_fen else "nothing collected")
    event("overpaid" if books.overpaid_fen else "none overpaid")
    event("made good" if books.refunded_fen + books.credited_fen else "none made good")
    event("short" if books.adjusted_fen else "delivered in full")
    assert books.balances
    assert books.expected_fen + books.overpaid_fen == books.collected_fen + books.outstanding_fen
    assert books.collected_fen == taken["collected"]
    assert books.refunded_fen == taken["refunded"]
    assert books.credited_fen == taken["credited"]
    assert books.paid_supplier_fen == taken["supplier"]
    assert books.ordered_fen == sum(quantities) * PRICE  # what was ordered, before any shortfall
    for row in books.orders:
        assert row.outstanding_fen == max(row.due_fen - row.collected_fen, 0)
        assert row.due_fen == (row.quantity * PRICE if row.status in ("placed", "picked_up") else 0)
    assert books.cash_in_hand_fen == taken["collected"] - taken["refunded"] - taken["supplier"]
    _credits_are_spent_on_the_next_buy(world, deal.id, households, next_buy)
    finish(world, deal.id)


def _credits_are_spent_on_the_next_buy(world: World, first_id: int, households, next_buy):  # type: ignore[no-untyped-def]
    """Households collect, some are credited, and each buys again and pays what it likes
    at the table: its credit fills what the table left unpaid, never more, and both
    deals' books still balance."""
    for (_, order_id), (_, _, credit_fen) in zip(households, next_buy, strict=False):
        if not credit_fen:
            continue
        collect_at_pickup(  # refused when collected (or cut to nothing) already
            world.core,
            community_id=world.community_id,
            order_id=order_id,
            amount_fen=0,
            method=None,
            by="张阿姨",
        )
        make_good(  # refused when more than the order is worth
            world.core,
            community_id=world.community_id,
            order_id=order_id,
            kind=EntryKind.CREDITED,
            amount_fen=credit_fen,
            form_token=f"next-buy-{order_id}",
            by="李会计",
        )
    first = deal_ledger(world.core, community_id=world.community_id, deal_id=first_id)
    assert first.balances
    deal = world.deal("赵县雪花梨", price_fen=2500, min_units=1)
    placed = []
    for (resident, _), (quantity, _, _) in zip(households, next_buy, strict=False):
        order = place_order(
            world.core,
            community_id=world.community_id,
            phone=resident.phone,
            deal_number=deal.number,
            quantity=quantity,
            channel="sms",
        )
        placed.append((resident.id, order.order.id, quantity))
    gone_ahead(world, deal)
    spent = 0
    for (resident_id, order_id, quantity), (_, table_fen, _) in zip(placed, next_buy, strict=False):
        before = resident_credit(
            world.core, community_id=world.community_id, resident_id=resident_id
        )
        collect_at_pickup(
            world.core,
            community_id=world.community_id,
            order_id=order_id,
            amount_fen=table_fen,
            method=PayMethod.CASH,
            by="张阿姨",
        )
        after = resident_credit(
            world.core, community_id=world.community_id, resident_id=resident_id
        )
        used = min(before.unspent_fen, max(quantity * 2500 - table_fen, 0))
        event("credit spent" if used else "no credit spent")
        assert after.spent_fen - before.spent_fen == used
        assert after.unspent_fen == after.credited_fen - after.spent_fen >= 0
        spent += used
    books = deal_ledger(world.core, community_id=world.community_id, deal_id=deal.id)
    assert books.balances and books.credit_spent_fen == spent
    assert books.collected_fen == spent + sum(table for _, table, _ in next_buy[: len(placed)])
    assert books.cash_in_hand_fen == books.collected_fen - spent
    assert spent <= first.credited_fen
    finish(world, deal.id)


def test_a_household_pays_at_pickup_and_the_deal_shows_it(world: World):
    deal = world.deal("赵县雪花梨", price_fen=3500, min_units=1)
    (_wang, order_id), (_li, _) = ordered(world, deal, 2, 1)
    gone_ahead(world, deal)
    collect_at_pickup(
        world.core,
        community_id=world.community_id,
        order_id=order_id,
        amount_fen=7000,
        method=PayMethod.WECHAT,
        by="张阿姨",
    )
    books = deal_ledger(world.core, community_id=world.community_id, deal_id=deal.id)
    assert (books.expected_fen, books.collected_fen, books.outstanding_fen) == (10500, 7000, 3500)
    (entry,) = books.entries
    assert (entry.kind, entry.method, entry.by, entry.resident_name) == (
        "collected",
        "wechat",
        "张阿姨",
        "住户1",
    )


def test_entries_must_be_whole_positive_fen(world: World):
    deal = world.deal(min_units=1)
    with world.core.db.transaction() as session, pytest.raises(BadEntry):
        record_entry(
            session,
            community_id=world.community_id,
            deal_id=deal.id,
            kind=EntryKind.REFUNDED,
            amount_fen=-5,
            by="x",
            at=world.core.now(),
        )
    with pytest.raises(BadAmount):
        collect_at_pickup(
            world.core,
            community_id=world.community_id,
            order_id=1,
            amount_fen=500,
            method=None,
            by="x",
        )


def test_the_end_of_day_count_compares_the_box_with_the_cash_taken_that_day(world: World):
    deal = world.deal("赵县雪花梨", price_fen=3500, min_units=1)
    households = ordered(world, deal, 2, 1, 1)
    gone_ahead(world, deal)
    for (_, order_id), method in zip(
        households, (PayMethod.CASH, PayMethod.CASH, PayMethod.ALIPAY), strict=True
    ):
        collect_at_pickup(
            world.core,
            community_id=world.community_id,
            order_id=order_id,
            amount_fen=3500,
            method=method,
            by="张阿姨",
        )
    day = cash_day(world.core, community_id=world.community_id)
    assert day.expected_fen == 7000  # the Alipay payment is not in the box
    kept = count_cash(
        world.core,
        community_id=world.community_id,
        counted_fen=6950,
        by="张阿姨",
        note="少了五毛",
    )
    assert (kept.expected_fen, kept.counted_fen, kept.difference_fen, kept.by) == (
        7000,
        6950,
        -50,
        "张阿姨",
    )
    world.clock.advance(days=1)
    assert cash_day(world.core, community_id=world.community_id).expected_fen == 0
    yesterday = cash_day(world.core, community_id=world.community_id, day=kept.day)
    assert [c.difference_fen for c in yesterday.counts] == [-50]
    assert world.core.now() - kept.at == timedelta(days=1)
