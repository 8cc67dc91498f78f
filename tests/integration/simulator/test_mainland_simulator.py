"""The simulator plays a community on Aliyun or Tencent: its texts go to the real push
route in that provider's shape, and the chat shows the filed template, filled in."""

from __future__ import annotations

import pytest

from core.carriers.services import set_account, set_template
from core.carriers.voice import set_voice_template
from core.community.updates import update_community
from core.messages.models import MessageKind
from core.orders.services import resident_orders
from tests.integration.simulator.test_simulator import Simulator

TEMPLATES = {"aliyun": ("SMS_100", "您好，${content}"), "tencent": ("1001", "您好，{1}")}


@pytest.fixture
def sim(app, app_world):  # type: ignore[no-untyped-def]
    return Simulator(app.test_client())


def file_with(world, provider: str) -> None:  # type: ignore[no-untyped-def]
    set_account(
        world.core, community_id=world.community_id, provider=provider, sign_name="幸福里社区"
    )
    code, text = TEMPLATES[provider]
    for kind in (MessageKind.CONFIRMATION, MessageKind.REPLY):
        set_template(
            world.core,
            community_id=world.community_id,
            provider=provider,
            kind=kind,
            template_code=code,
            variables=["content"],
            template_text=text,
        )


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_community_on_a_mainland_provider_is_played_through_its_push(sim, app_world, provider):  # type: ignore[no-untyped-def]
    file_with(app_world, provider)
    update_community(app_world.core, community_id=app_world.community_id, sms_provider=provider)
    wang = app_world.resident("王芳")
    app_world.deal("赵县雪花梨", limit=5)

    sent = sim.text(wang.phone, "订1号 3份")
    assert sent["status"] == 200 and sent["provider"] == provider
    assert sent["answer"] == (
        {"code": 0, "msg": "接收成功"} if provider == "aliyun" else {"result": 0, "errmsg": "OK"}
    )
    pushed = sent["push"][0] if provider == "aliyun" else sent["push"]
    assert pushed.get("content", pushed.get("text")) == "订1号 3份"
    [order] = resident_orders(app_world.core, community_id=app_world.community_id, phone=wang.phone)
    assert (order.quantity, order.channel) == (3, "sms")
    chat = sim.chat(wang.phone)
    [confirmation] = [m for m in chat if not m["inbound"]]
    assert confirmation["template_text"] == "【幸福里社区】您好，" + confirmation["body"]


def test_a_twilio_community_can_be_played_as_aliyun_once_its_signature_is_filed(sim, app_world):  # type: ignore[no-untyped-def]
    wang = app_world.resident("王芳")
    refused = sim.post("sms", {"phone": wang.phone, "body": "你好", "provider": "aliyun"})
    assert refused.status_code == 400 and "templates signature" in refused.get_json()["error"]
    file_with(app_world, "aliyun")
    played = sim.post("sms", {"phone": wang.phone, "body": "你好", "provider": "aliyun"})
    assert played.status_code == 200 and played.get_json()["provider"] == "aliyun"
    as_twilio = sim.post("sms", {"phone": wang.phone, "body": "你好", "provider": "twilio"})
    assert as_twilio.get_json()["message_sid"].startswith("SM")


def test_a_landline_reminder_call_shows_its_tts_template(sim, app_world):  # type: ignore[no-untyped-def]
    from core.community.models import Community
    from core.messages.outbox import queue_message
    from core.residents.models import Resident

    update_community(app_world.core, community_id=app_world.community_id, voice_provider="tencent")
    set_voice_template(
        app_world.core,
        community_id=app_world.community_id,
        provider="tencent",
        template_code="3001",
        variables=["community", "content"],
        template_text="{1}提醒您：{2}",
    )
    li = app_world.resident("李伯", phone="+8631188886601", landline=True)
    with app_world.core.db.transaction() as session:
        queue_message(
            session,
            community=session.get_one(Community, app_world.community_id),
            resident=session.get_one(Resident, li.id),
            body="明早9点取梨",
            kind=MessageKind.REMINDER,
            now=app_world.core.now(),
        )
    [call] = sim.chat(li.phone)
    assert call["voice"] and call["template_text"] == "幸福里社区提醒您：明早9点取梨"
