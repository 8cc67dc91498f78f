"""A real PostgreSQL stopped and started again on the same port, under the real app:
nothing that came meanwhile is lost, nothing is done twice."""

from __future__ import annotations

from sqlalchemy import select

from core.calls.models import CallbackState
from core.messages.models import Message
from core.orders.services import resident_orders
from tests.builders import World
from tests.integration.spool.conftest import calls, inbound_texts
from tests.integration.spool.test_phone_menu import ring
from tests.integration.workers.conftest import wait_until
from tests.support.phone import Sms, new_sid

EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def test_texts_a_receipt_and_a_call_back_during_a_postgres_restart(
    app_factory, postgres_url, postgres_outage, clock
):  # type: ignore[no-untyped-def]
    app = app_factory(postgres_url, SPOOL_DRAIN_INTERVAL_SECONDS="0.2")
    mianhua = app.extensions["mianhua"]
    world = World(mianhua.core, clock)
    world.deal(limit=3)
    wang, li, zhao, chen = (world.resident(n) for n in ("王芳", "李明", "赵刚", "陈静"))
    sms = Sms(app.test_client(), world.core)
    sms.send(chen.phone, "1 1")  # before the outage: its confirmation goes out...
    (confirmation,) = sms.outbound(chen.phone)
    with world.core.db.transaction() as session:
        row = session.get_one(Message, confirmation.id)
        row.status, row.provider_sid = "sent", "SM" + "d" * 32
    sms.new_replies(chen.phone)

    postgres_outage.stop()
    twice = new_sid()
    answers = [
        sms.send(wang.phone, "1 2", sid=twice, read=False),
        sms.send(wang.phone, "1 2", sid=twice, read=False),  # Twilio's retry of the same text
        sms.send(li.phone, "订1号 一份", read=False),
        sms.send(zhao.phone, "1", read=False),  # "how many?" ...
        sms.send(zhao.phone, "3", read=False),  # ... "3"
    ]
    delivered = sms.status(  # ...and its receipt comes while the database is down
        {"MessageSid": "SM" + "d" * 32, "MessageStatus": "delivered"}, query=f"m={confirmation.id}"
    )
    call = ring(app, chen.phone)
    call.press("1")
    health = app.test_client().get("/healthz")

    assert [(a.status, a.twiml) for a in answers] == [(200, EMPTY)] * 5
    assert delivered == 204
    assert call.said_since_last_input()[0].startswith("好的，系统一恢复")
    assert health.status_code == 503 and health.get_json()["spool_depth"] == 8

    postgres_outage.start_again()
    clock.advance(minutes=4)
    wait_until(lambda: not mianhua.spool.pending(), 30, "the web process to take its spool in")
    sms.read_inbox()

    def placed(phone: str) -> list[int]:
        orders = resident_orders(world.core, community_id=world.community_id, phone=phone)
        return [o.quantity for o in orders if o.status == "placed"]  # type: ignore[union-attr]

    assert placed(wang.phone) == [2] and placed(li.phone) == [1] and placed(zhao.phone) == [3]
    (to_wang,) = sms.new_replies(wang.phone)
    (to_li,) = sms.new_replies(li.phone)
    question, to_zhao = sms.new_replies(zhao.phone)
    assert to_wang.startswith("刚才系统忙，您的订单已收到。已订1号赵县雪花梨2箱")
    assert to_li.startswith("刚才系统忙，您的订单已收到。已订1号赵县雪花梨1箱")
    assert to_zhao.startswith("刚才系统忙，您的订单已收到。已订1号赵县雪花梨3箱")
    assert question.endswith("要几箱？回1-3")
    with world.core.db.transaction() as session:
        assert session.get_one(Message, confirmation.id).status == "delivered"
        spooled = session.scalars(
            select(Message.spooled_at).where(Message.spooled_at.is_not(None))
        ).all()
    assert len(inbound_texts(world)) == 5 and len(spooled) == 4  # chen's came before
    (callback,) = [c for c in calls(world) if c.call_sid == call.call_sid]
    assert callback.callback == CallbackState.REQUESTED and callback.spooled_at is not None
    assert app.test_client().get("/healthz").get_json()["spool_depth"] == 0
