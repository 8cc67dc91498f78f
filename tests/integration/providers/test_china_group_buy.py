"""Issue 12's "done when", for what exists: one service, a community on Aliyun and
another on Tencent (each its own choice; SMS_SENDER stays the console), a whole group buy
through the real SDKs against their stand-ins: an order by text and its confirmation, a
repeated push recorded once, a wrong key refused, receipts that move delivery states, a
bulk reminder in batch calls, and a landline resident's reminder call with its receipt.

The stand-ins take long template values here: a confirmation is longer than one variable
may be until typed template variables split it (issue 12, branch F).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bootstrap import install
from core.carriers.services import set_account, set_template
from core.carriers.voice import set_voice_template
from core.community.updates import update_community
from core.messages.models import Direction, Message, MessageChannel, MessageKind, MessageStatus
from core.orders.services import place_order
from core.reminders.services import bulk_progress, send_bulk_reminder
from tests.builders import World
from tests.integration.providers.conftest import SIGN, mainland_env
from tests.support.mainland_phone import MainlandPhone
from workers.delivery import deliver, deliver_many

CODES = {"aliyun": ("SMS_100", "TTS_300"), "tencent": ("1001", "3001")}
COMMUNITY_PHONES = {"aliyun": "+8631188886666", "tencent": "+8631188887777"}


@pytest.fixture
def china_app(  # type: ignore[no-untyped-def]
    app_factory, sqlite_url, fake_aliyun, fake_aliyun_vms, fake_tencent, fake_tencent_vms
):
    for fake in (fake_aliyun, fake_tencent, fake_aliyun_vms):
        fake.max_variable_chars = 500
    env = mainland_env(fake_aliyun, fake_aliyun_vms, fake_tencent, fake_tencent_vms)
    return app_factory(sqlite_url, **env)


def community_on(app, clock, provider: str):  # type: ignore[no-untyped-def]
    """A committee that chose `provider` for its texts and calls and filed its templates."""
    core = app.extensions["mianhua"].core
    world = World(core, clock, phone=COMMUNITY_PHONES[provider])
    update_community(
        core, community_id=world.community_id, sms_provider=provider, voice_provider=provider
    )
    account = set_account(core, community_id=world.community_id, provider=provider, sign_name=SIGN)
    sms_code, tts_code = CODES[provider]
    for kind in MessageKind:
        if kind != MessageKind.INBOUND:
            assert set_template(
                core,
                community_id=world.community_id,
                provider=provider,
                kind=kind,
                template_code=sms_code,
                variables=["content"],
            )
    assert set_voice_template(
        core,
        community_id=world.community_id,
        provider=provider,
        template_code=tts_code,
        variables=["community", "content"],
    )
    return world, MainlandPhone(app.test_client(), provider, account.push_key)


def outbound(core, phone: str) -> list[Message]:  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        return list(
            session.scalars(
                select(Message)
                .where(Message.phone == phone, Message.direction == Direction.OUTBOUND)
                .order_by(Message.id)
            )
        )


def inbound_count(core, phone: str) -> int:  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        return len(
            session.scalars(
                select(Message.id).where(
                    Message.phone == phone, Message.direction == Direction.INBOUND
                )
            ).all()
        )


@pytest.mark.slow
@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_whole_group_buy_on_a_mainland_provider(  # type: ignore[no-untyped-def]
    china_app, clock, provider, fake_aliyun, fake_aliyun_vms, fake_tencent, fake_tencent_vms
):
    mianhua = china_app.extensions["mianhua"]
    core = mianhua.core
    sms = fake_aliyun if provider == "aliyun" else fake_tencent
    vms = fake_aliyun_vms if provider == "aliyun" else fake_tencent_vms
    other_sms = fake_tencent if provider == "aliyun" else fake_aliyun
    # The other committee, on the other provider, in the same service.
    other, _ = community_on(china_app, clock, "tencent" if provider == "aliyun" else "aliyun")
    world, phone = community_on(china_app, clock, provider)
    deal = world.deal(limit=3)
    wang, zhang = world.resident("王芳"), world.resident("张伟")
    li = world.resident("李伯", phone="+8631188886601", landline=True)
    rt = install(mianhua)

    # An order by text, pushed as the provider pushes replies; a repeat is recorded once.
    push = phone.reply_push(wang.phone, "订1号 两份")
    assert phone.post("inbound", push).status == 200
    assert phone.post("inbound", push).status == 200
    phone.send(zhang.phone, "我要一份梨")  # reads the inbox, both texts
    assert inbound_count(core, wang.phone) == 1
    assert phone.post("inbound", phone.reply_push(wang.phone, "1"), key="wrong").status == 403
    assert inbound_count(core, wang.phone) == 1

    # Its confirmation goes out through this community's provider, as its filed template.
    [confirmation] = outbound(core, wang.phone)
    assert confirmation.kind == MessageKind.CONFIRMATION
    assert deliver(rt, confirmation.id).startswith("sent")
    for rest in outbound(core, wang.phone)[1:]:  # a long text goes on in rows of its own
        assert deliver(rt, rest.id).startswith("sent")
    pieces = sms.sent_to(wang.phone.removeprefix("+86") if provider == "aliyun" else wang.phone)
    said = "".join(
        "".join(sent.params.values() if provider == "aliyun" else sent.params) for sent in pieces
    )  # a long reply goes as several texts, each within the variable's limit
    assert said.replace(" ", "") == confirmation.body.replace(" ", "")
    assert other_sms.sent == []  # the other committee's provider sent nothing of ours
    sid = outbound(core, wang.phone)[0].provider_sid
    assert phone.receipt(confirmation.id, wang.phone, delivered=True, sid=sid).status == 200
    assert outbound(core, wang.phone)[0].status == MessageStatus.DELIVERED
    for message in outbound(core, zhang.phone):
        deliver(rt, message.id)
    place_order(
        core,
        community_id=world.community_id,
        phone=li.phone,
        deal_number=deal.number,
        quantity=1,
        channel="staff",
    )

    # A bulk reminder: the two mobiles in one batch call, the landline called.
    batch = send_bulk_reminder(
        core, community_id=world.community_id, number=deal.number, text="明早9点取梨", by="t"
    )
    assert batch.texted == 2 and batch.called == 1
    with core.db.transaction() as session:
        ids = list(session.scalars(select(Message.id).where(Message.batch_id == batch.batch_id)))
    before = len(sms.requests)
    outcomes = deliver_many(rt, ids)
    assert all(o.startswith("sent") for o in outcomes.values()), outcomes
    texts = sms.requests[before:]
    assert len(texts) == 1  # one batch call for both numbers
    assert texts[0].action == ("SendBatchSms" if provider == "aliyun" else "SendSms")

    # The landline resident's reminder call, and its receipt.
    [call_row] = [m for m in outbound(core, li.phone) if m.batch_id == batch.batch_id]
    assert call_row.channel == MessageChannel.VOICE
    [call] = vms.calls
    assert call.call_id == call_row.provider_sid
    report = (
        [vms.report(call.call_id, "200000")] if provider == "aliyun" else vms.callback(call.call_id)
    )
    client = china_app.test_client()
    path = f"/voice/{provider}/report?key={phone.key}"
    assert client.post(path, json=report).status_code == 200
    assert client.post(path, json=report).status_code == 200  # repeated: recorded once
    assert client.post(f"/voice/{provider}/report?key=wrong", json=report).status_code == 403
    progress = bulk_progress(core, batch_id=batch.batch_id, community_id=world.community_id)
    assert progress.delivered == 1 and progress.sent == 2 and progress.failed == 0
    assert other.community_id != world.community_id
