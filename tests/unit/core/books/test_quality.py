"""Quality problems: the order attached, made good in the books and by text, rates kept."""

from __future__ import annotations

from sqlalchemy import select

from core.books.cash import collect_at_pickup
from core.books.ledger import deal_ledger
from core.books.models import EntryKind, PayMethod, QualityReport
from core.books.quality import (
    MakeGoodRefusal,
    complained_orders,
    complaint_rates,
    make_good,
    report_problem_by_phone,
    supplier_rate,
)
from core.deals.models import Deal
from core.helpdesk.models import HelpReason, HelpRequest
from core.messages.models import MessageKind
from tests.builders import World
from tests.unit.core.books.helpers import gone_ahead, ordered, texts_to


def _collected(world: World, supplier: str = "赵县梨园"):  # type: ignore[no-untyped-def]
    deal = world.deal("赵县雪花梨", price_fen=1500, unit="份", min_units=1)
    with world.core.db.transaction() as session:
        from core.deals.services import supplier_id_for

        session.get_one(Deal, deal.id).supplier_id = supplier_id_for(
            session, world.community_id, supplier
        )
    households = ordered(world, deal, 3, 1)
    gone_ahead(world, deal)
    for _, order_id in households:
        collect_at_pickup(
            world.core,
            community_id=world.community_id,
            order_id=order_id,
            amount_fen=1500,
            method=PayMethod.CASH,
            by="张阿姨",
        )
    return deal, households


def test_a_problem_by_phone_key_lands_in_the_inbox_with_the_order(world: World):
    deal, [(wang, order_id), _] = _collected(world)
    assert (
        report_problem_by_phone(world.core, community_id=world.community_id, phone=wang.phone)
        == order_id
    )
    with world.core.db.transaction() as session:
        item = session.scalar(select(HelpRequest).where(HelpRequest.phone == wang.phone))
        assert item.reason == HelpReason.COMPLAINT
        report = session.scalar(select(QualityReport))
        assert (report.order_id, report.supplier_name, report.channel) == (
            order_id,
            "赵县梨园",
            "voice",
        )
    (shown,) = complained_orders(
        world.core, community_id=world.community_id, help_request_id=item.id
    )
    assert (shown.deal_id, shown.quantity, shown.unit, shown.most_fen) == (deal.id, 3, "份", 4500)


def test_a_refund_is_in_the_books_and_texted(world: World):
    deal, [(wang, order_id), _] = _collected(world)
    made = make_good(
        world.core,
        community_id=world.community_id,
        order_id=order_id,
        kind=EntryKind.REFUNDED,
        amount_fen=1500,
        method=PayMethod.CASH,
        form_token="f1",
        by="李会计",
    )
    assert made.entry_id is not None
    replay = make_good(
        world.core,
        community_id=world.community_id,
        order_id=order_id,
        kind=EntryKind.REFUNDED,
        amount_fen=1500,
        method=PayMethod.CASH,
        form_token="f1",
        by="李会计",
    )
    assert replay.entry_id is None
    credit = make_good(
        world.core,
        community_id=world.community_id,
        order_id=order_id,
        kind=EntryKind.CREDITED,
        amount_fen=500,
        form_token="f2",
        by="李会计",
    )
    assert credit.kind == EntryKind.CREDITED
    assert texts_to(world, wang.phone, MessageKind.STAFF_REPLY) == [
        "您反映的赵县雪花梨问题，居委会退您15元（现金）。给您添麻烦了。",
        "您反映的赵县雪花梨问题，居委会给您记5元抵用款，下次订购时扣。给您添麻烦了。",
    ]
    books = deal_ledger(world.core, community_id=world.community_id, deal_id=deal.id)
    assert (books.refunded_fen, books.credited_fen) == (1500, 500)
    too_much = make_good(
        world.core,
        community_id=world.community_id,
        order_id=order_id,
        kind=EntryKind.REFUNDED,
        amount_fen=2600,
        method=PayMethod.CASH,
        form_token="f3",
        by="李会计",
    )
    assert too_much == MakeGoodRefusal.TOO_MUCH


def test_complaint_rates_per_supplier(world: World):
    deal, [(wang, _), _] = _collected(world)
    report_problem_by_phone(world.core, community_id=world.community_id, phone=wang.phone)
    report_problem_by_phone(world.core, community_id=world.community_id, phone=wang.phone)
    rate = supplier_rate(world.core, community_id=world.community_id, deal_id=deal.id)
    assert (rate.name, rate.complaints, rate.collected, rate.percent) == ("赵县梨园", 1, 2, 50)
    assert [r.name for r in complaint_rates(world.core, community_id=world.community_id)] == [
        "赵县梨园"
    ]
