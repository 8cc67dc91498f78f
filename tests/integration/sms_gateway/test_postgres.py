"""The gateway on PostgreSQL, where workers really run side by side."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

import sms_gateway.conversation
from bootstrap import installed
from core.conversations.holds import lift_hold
from core.conversations.models import Conversation, InboxText
from core.deals.models import Deal
from core.orders import services
from core.orders.models import Channel, Order
from core.orders.services import place_order
from sms_gateway.jobs import read_texts
from tests.builders import World
from tests.support.phone import Sms
from tests.unit.core.helpdesk.helpers import held_back


@pytest.fixture
def pg(app_factory, postgres_url, clock):  # type: ignore[no-untyped-def]
    app = app_factory(postgres_url)
    world = World(app.extensions["mianhua"].core, clock)
    return app, world


@pytest.mark.slow  # eight threads of one phone on PostgreSQL
def test_the_guided_dialog_on_postgres(pg):
    app, world = pg
    world.deal(limit=3)
    wang = world.resident("王芳")
    sms = Sms(app.test_client(), world.core)
    assert sms.reply(wang.phone, "1").endswith("要几箱？回1-3")
    assert sms.reply(wang.phone, "2").startswith("已订1号赵县雪花梨2箱")


@pytest.mark.slow  # threads of one phone racing on PostgreSQL
def test_a_burst_from_one_phone_is_read_one_text_at_a_time_each_once(pg):
    app, world = pg
    world.deal()
    wang = world.resident("王芳")
    bodies = [f"1 {n}" for n in range(1, 9)]

    def send(body: str) -> int:
        return Sms(app.test_client(), world.core).send(wang.phone, body, read=False).status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, bodies))
    assert statuses == [200] * len(bodies)
    # Eight workers take the eight read jobs at once; the phone's lock lets one read at a time.
    with installed(app.extensions["mianhua"]), ThreadPoolExecutor(max_workers=8) as pool:
        read = list(pool.map(lambda _: read_texts(world.community_id, wang.phone), bodies))
    assert sum(read) == len(bodies)
    with world.core.db.transaction() as session:
        unread = session.scalar(
            select(func.count()).select_from(InboxText).where(InboxText.handled_at.is_(None))
        )
        outcomes = session.scalars(select(InboxText.outcome)).all()
    assert unread == 0 and outcomes == ["PlaceOrder"] * len(bodies)
    sms = Sms(app.test_client(), world.core)
    confirmations = sms.new_replies(wang.phone)
    assert len(confirmations) == len(bodies)  # each change confirmed once, none lost


@pytest.mark.slow  # a second connection orders for her while her text is read
def test_an_order_made_by_phone_while_her_text_is_read_is_changed_not_doubled(pg, monkeypatch):
    # The reading saw no order of hers on deal 1, so it does not look again before
    # ordering; her phone call's order, committed in between, makes the text's order
    # clash on the table's unique key, and the text is read again, step by step.
    app, world = pg
    deal = world.deal()
    wang = world.resident("王芳")
    real_her_order = services.her_order
    calls = []
    in_the_call = threading.local()

    def phone_call_orders_first(session, deal_row, resident_id):  # type: ignore[no-untyped-def]
        if getattr(in_the_call, "yes", False):  # the phone call's own lookup
            return real_her_order(session, deal_row, resident_id)
        if not calls:
            with ThreadPoolExecutor(
                max_workers=1, initializer=_mark, initargs=(in_the_call,)
            ) as other:
                other.submit(
                    place_order,
                    world.core,
                    community_id=world.community_id,
                    phone=wang.phone,
                    deal_number=deal.number,
                    quantity=1,
                    channel=Channel.VOICE,
                ).result()
        calls.append(deal_row.id)
        return real_her_order(session, deal_row, resident_id)

    monkeypatch.setattr(services, "her_order", phone_call_orders_first)
    sms = Sms(app.test_client(), world.core)

    assert sms.send(wang.phone, "1号 3箱").status == 200

    call_confirmed, text_answered = sms.new_replies(wang.phone)
    assert call_confirmed.startswith("已订1号赵县雪花梨1箱")
    assert text_answered.startswith("已改为1号赵县雪花梨3箱")

    with world.core.db.transaction() as session:
        orders = session.execute(select(Order.quantity, Order.channel)).all()
        ordered = session.scalar(select(Deal.units_ordered))
    assert orders == [(3, Channel.SMS)] and ordered == 3
    assert len(calls) == 2  # the whole text once, then step by step


@pytest.mark.slow  # staff lift a hold from another connection while her text is read
def test_a_hold_lifted_while_her_text_is_read_waits_for_it_and_stands(pg, monkeypatch):
    # The reader reads her conversation row without a row lock: the phone's lock keeps
    # staff out until the text is read, so the text's write cannot undo the lifting.
    app, world = pg
    world.deal()
    wang = world.resident("王芳")
    held_back(world, wang.phone)
    real_respond = sms_gateway.conversation._respond
    lifted: list[bool] = []
    staff = threading.Thread(
        target=lambda: lifted.append(
            lift_hold(world.core, community_id=world.community_id, phone=wang.phone, by="x")
        )
    )
    waited: list[bool] = []

    def staff_lift_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        staff.start()
        staff.join(0.5)
        waited.append(staff.is_alive())  # still waiting for the phone's lock
        return real_respond(*args, **kwargs)

    monkeypatch.setattr(sms_gateway.conversation, "_respond", staff_lift_meanwhile)
    sms = Sms(app.test_client(), world.core)
    assert sms.send(wang.phone, "你好").status == 200
    staff.join(10)

    assert waited == [True] and lifted == [True]
    with world.core.db.transaction() as session:
        conversation = session.scalars(select(Conversation)).one()
        text = session.scalars(select(InboxText)).one()
    assert text.handled_at is not None  # read while held
    assert (conversation.muted_until, conversation.recent_texts) == (None, [])


def _mark(local: threading.local) -> None:
    local.yes = True
