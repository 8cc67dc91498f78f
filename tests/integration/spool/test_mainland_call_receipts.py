"""A reminder call's receipt pushed while the database is down: kept, answered as the
provider expects, taken in once the database is back; a wrong key is set aside then."""

from __future__ import annotations

import pytest

from core.carriers.services import set_account
from core.community.models import Community
from core.messages.models import Message, MessageKind, MessageStatus
from core.messages.outbox import queue_message
from core.residents.models import Resident
from tests.integration.spool.conftest import Outage

ANSWERS = {"aliyun": {"code": 0, "msg": "接收成功"}, "tencent": {"result": 0, "errmsg": "OK"}}


def placed_call(world) -> int:  # type: ignore[no-untyped-def]
    """A landline reminder the provider took: sent, with its call id as the sid."""
    li = world.resident("李伯", phone="+8631188886601", landline=True)
    with world.core.db.transaction() as session:
        message = queue_message(
            session,
            community=session.get_one(Community, world.community_id),
            resident=session.get_one(Resident, li.id),
            body="明早9点取梨",
            kind=MessageKind.REMINDER,
            now=world.core.now(),
        )
        message.status, message.provider_sid, message.attempts = MessageStatus.SENT, "CALL-1", 1
        return message.id


def receipt(provider: str, message_id: int) -> object:
    if provider == "aliyun":
        return [{"call_id": "CALL-1", "status_code": "200000", "out_id": str(message_id)}]
    return {"voiceprompt_callback": {"result": "0", "callid": "CALL-1", "mobile": "31188886601"}}


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_call_receipt_during_the_outage_is_taken_in_once(outage: Outage, provider):  # type: ignore[no-untyped-def]
    world = outage.world
    account = set_account(
        world.core, community_id=world.community_id, provider=provider, sign_name="幸福里社区"
    )
    message_id = placed_call(world)
    client = outage.down.test_client()
    path = f"/voice/{provider}/report?key="

    first = client.post(path + account.push_key, json=receipt(provider, message_id))
    forged = client.post(path + "forged", json=receipt(provider, message_id))
    assert (first.status_code, first.get_json()) == (200, ANSWERS[provider])
    assert forged.status_code == 200  # the key cannot be checked yet

    output = outage.drain()
    assert "taken in 1" in output and "set aside 1" in output
    with world.core.db.transaction() as session:
        assert session.get_one(Message, message_id).status == MessageStatus.DELIVERED
    assert outage.up.extensions["mianhua"].spool.pending() == []
