"""Aliyun and Tencent pushes while the database is down: kept, answered as each provider
expects, taken in once the database is back; a wrong key is found out then and set aside."""

from __future__ import annotations

import pytest

from core.carriers.services import set_account
from core.orders.services import resident_orders
from tests.integration.spool.conftest import Outage, inbound_texts
from tests.support.mainland_phone import MainlandPhone

ANSWERS = {"aliyun": {"code": 0, "msg": "接收成功"}, "tencent": {"result": 0, "errmsg": "OK"}}


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_pushed_order_during_the_outage_is_taken_in_and_answered(outage: Outage, provider):
    world = outage.world
    world.deal(limit=3)
    wang = world.resident("王芳")
    account = set_account(
        world.core, community_id=world.community_id, provider=provider, sign_name="幸福里社区"
    )
    down = MainlandPhone(outage.down.test_client(), provider, account.push_key)
    push = down.reply_push(wang.phone, "订1号 两份")

    first, again = down.post("inbound", push), down.post("inbound", push)
    forged = down.post("inbound", down.reply_push(wang.phone, "订1号 三份"), key="forged")
    assert (first.status, first.answer) == (200, ANSWERS[provider])
    assert again.status == 200 and forged.status == 200  # the key cannot be checked yet
    assert inbound_texts(world) == []

    world.clock.advance(minutes=1)
    output = outage.drain()
    outage.read_texts()

    assert "taken in 1" in output and "duplicates 1" in output and "set aside 1" in output
    [text] = inbound_texts(world)
    assert text.body == "订1号 两份" and text.spooled_at is not None
    orders = resident_orders(world.core, community_id=world.community_id, phone=wang.phone)
    assert [o.quantity for o in orders] == [2]
    spool = outage.up.extensions["mianhua"].spool
    assert spool.pending() == []
