"""The corpus, texted through the real dialog: share understood, and no wrong order ever.

Each case is a freshly registered resident who sends her texts one after the other;
each text is recorded and read exactly as the worker reads it (accept_text, then
read_waiting_texts against the database), so questions asked and answered, the
dialog's memory and the core's refusals all count. Afterwards her standing orders
must be the case's. An order that stands but was not meant fails the test; a text
not understood (no order, or only some) is counted and printed.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.community.models import Community
from core.conversations.inbox import accept_text
from core.deals.models import Deal
from core.deals.services import DealSpec, create_deal
from core.messages.models import Direction, Message
from core.orders.models import Order, OrderStatus
from core.residents.services import register_resident
from sms_gateway.conversation import read_waiting_texts
from tests.builders import World
from tests.unit.sms_gateway.corpus.loader import (
    DEAL_SETS,
    RESIDENT_FLAT,
    RESIDENT_NAME,
    Case,
    CorpusDeal,
    load_corpus,
)

CASES = load_corpus()
# CORPUS_ONLY=changes.txt:439 runs the cases at these places only, with their replies printed.
_ONLY = [w for w in os.environ.get("CORPUS_ONLY", "").split(",") if w]
if _ONLY:
    CASES = [c for c in CASES if c.where in _ONLY]
NUMBERS = {"estate": "+8631188881111", "two_pears": "+8631188882222"}


@pytest.fixture
def communities(core, clock):  # type: ignore[no-untyped-def]
    """One community per deal set, its deals open (and 6 past its deadline)."""
    worlds = {}
    for name, deals in DEAL_SETS.items():
        world = World(core, clock, phone=NUMBERS[name])
        for deal in deals:
            _open(world, deal)
        worlds[name] = world
    with core.db.transaction() as session:  # 6 stopped taking orders yesterday
        session.execute(
            update(Deal).where(Deal.number == 6).values(closes_at=clock() - timedelta(days=1))
        )
    return worlds


def _open(world: World, deal: CorpusDeal) -> None:
    closes = world.local(3, 20)
    pickup = world.local(5, 9)
    create_deal(
        world.core,
        community_id=world.community_id,
        spec=DealSpec(
            title_zh=deal.title_zh,
            title_en=deal.title_en,
            unit=deal.unit,
            price_fen=deal.price_fen,
            min_units=min(10, deal.left or 10),
            stock_cap=deal.left,
            per_resident_limit=deal.limit,
            closes_at=closes,
            pickup_start=pickup,
            pickup_end=pickup + timedelta(hours=2),
            number=deal.number,
        ),
        open_now=True,
    )


def run_case(core, world: World, case: Case, index: int) -> tuple[dict[int, int], list[str]]:  # type: ignore[no-untyped-def]
    phone = f"+86137{index:08d}"
    with core.db.transaction() as session:  # every case finds the eggs' stock as written
        session.execute(
            update(Deal)
            .where(Deal.community_id == world.community_id)
            .values(units_ordered=0)
        )
        community = session.get_one(Community, world.community_id)
    register_resident(
        core,
        community_id=world.community_id,
        phone=phone,
        name=RESIDENT_NAME,
        building=RESIDENT_FLAT[0],
        unit=RESIDENT_FLAT[1],
        room=RESIDENT_FLAT[2],
        language=case.lang,
    )
    last_replies: list[str] = []
    for number, text in enumerate(case.texts):
        if _ONLY:
            print("  >", text, "|", _replies_since(core, phone, 0))
        before = _last_message_id(core)
        accept_text(
            core,
            community_id=world.community_id,
            phone=phone,
            body=text,
            provider_sid=f"SMcorpus{index:06d}{number:02d}",
        )
        read_waiting_texts(core, community, phone)
        last_replies = _replies_since(core, phone, before)
    with core.db.transaction() as session:
        rows = session.execute(
            select(Deal.number, Order.quantity)
            .join(Deal, Deal.id == Order.deal_id)
            .where(Order.status == OrderStatus.PLACED, Deal.community_id == world.community_id)
            .where(Order.resident_id == _resident_id(session, world, phone))
        ).all()
    return {number: quantity for number, quantity in rows}, last_replies


def _resident_id(session, world: World, phone: str) -> int:  # type: ignore[no-untyped-def]
    from core.residents.services import resident_by_phone

    resident = resident_by_phone(session, world.community_id, phone)
    assert resident is not None
    return resident.id


def _last_message_id(core) -> int:  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        return session.scalar(select(Message.id).order_by(Message.id.desc()).limit(1)) or 0


def _replies_since(core, phone: str, after: int) -> list[str]:  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        return list(
            session.scalars(
                select(Message.body)
                .where(
                    Message.phone == phone,
                    Message.direction == Direction.OUTBOUND,
                    Message.id > after,
                )
                .order_by(Message.id)
            )
        )


@pytest.mark.slow  # 753 cases through the real reader and database: about 10 s
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_corpus_is_understood_without_a_wrong_order(core, communities, capsys):  # type: ignore[no-untyped-def]
    understood: Counter[str] = Counter()
    total: Counter[str] = Counter()
    wrong: list[str] = []
    missed: list[str] = []
    for index, case in enumerate(CASES):
        orders, replies = run_case(core, communities[case.deals], case, index)
        if _ONLY:
            print(case.where, case.texts, orders, replies)
        total[case.kind] += 1
        if any(case.expected.get(deal) != quantity for deal, quantity in orders.items()):
            wrong.append(f"{case.where}: {case.texts} -> {orders}, meant {case.expected}")
            continue
        said = "\n".join(replies)
        if orders == case.expected and all(part in said for part in case.must_contain):
            understood[case.kind] += 1
        else:
            missed.append(f"{case.where}: {case.texts} -> {orders} {replies!r}")
    with capsys.disabled():
        print("\nCorpus: understood per kind")
        for kind, count in total.items():
            print(f"  {kind:8} {understood[kind]:4}/{count:<4} {understood[kind] / count:6.1%}")
        share = sum(understood.values()) / sum(total.values())
        print(f"  all      {sum(understood.values()):4}/{sum(total.values()):<4} {share:6.1%}")
        print(f"  wrong orders: {len(wrong)}")
        for line in wrong:
            print("  WRONG", line)
        for line in missed[:400]:
            print("  missed", line)
    assert not wrong, f"{len(wrong)} wrong orders"
