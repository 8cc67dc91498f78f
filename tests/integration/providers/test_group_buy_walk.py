"""A community on Aliyun, end to end through the real SDK and the stand-in: an order by
a pushed reply, its confirmation sent as a filed template, its receipt pushed back.

A confirmation longer than one template variable may be goes out as several texts,
each within Aliyun's limit (core/carriers/splitting.py).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bootstrap import install
from core.carriers.services import set_account, set_template
from core.messages.models import Direction, Message, MessageKind, MessageStatus
from tests.builders import World
from tests.integration.providers.conftest import ALIYUN_KEY_ID, ALIYUN_SECRET, SIGN
from tests.support.fake_aliyun_sms import FakeAliyunSms
from tests.support.mainland_phone import MainlandPhone
from workers.delivery import deliver


@pytest.fixture
def aliyun_app(app_factory, sqlite_url, fake_aliyun: FakeAliyunSms):  # type: ignore[no-untyped-def]
    return app_factory(
        sqlite_url,
        SMS_SENDER="aliyun",
        ALIYUN_ACCESS_KEY_ID=ALIYUN_KEY_ID,
        ALIYUN_ACCESS_KEY_SECRET=ALIYUN_SECRET,
        ALIYUN_SMS_ENDPOINT=fake_aliyun.endpoint,
        SEND_RATE_PER_SECOND="0",
    )


def outbound(core, phone: str) -> list[Message]:  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        return list(
            session.scalars(
                select(Message)
                .where(Message.phone == phone, Message.direction == Direction.OUTBOUND)
                .order_by(Message.id)
            )
        )


def test_an_order_by_push_is_confirmed_through_aliyun_and_its_receipt_lands(
    aliyun_app, fake_aliyun, clock
):
    mianhua = aliyun_app.extensions["mianhua"]
    world = World(mianhua.core, clock)
    world.deal(limit=3)
    wang = world.resident("王芳")
    account = set_account(
        mianhua.core, community_id=world.community_id, provider="aliyun", sign_name=SIGN
    )
    for kind in (MessageKind.CONFIRMATION, MessageKind.REPLY):
        set_template(
            mianhua.core,
            community_id=world.community_id,
            provider="aliyun",
            kind=kind,
            template_code="SMS_100",
            variables=["content"],
            template_text="${content}",
        )
    phone = MainlandPhone(aliyun_app.test_client(), "aliyun", account.push_key)
    rt = install(mianhua)

    assert phone.send(wang.phone, "订1号 两份").status == 200
    [confirmation] = outbound(mianhua.core, wang.phone)
    assert confirmation.kind == MessageKind.CONFIRMATION and len(confirmation.body) > 35

    # Too long for one variable (Aliyun: 35): carried over several texts, in order.
    assert deliver(rt, confirmation.id).startswith("sent")
    rows = outbound(mianhua.core, wang.phone)
    assert len(rows) > 1 and rows[0].id == confirmation.id
    for row in rows[1:]:
        assert row.status in ("pending", "queued") and deliver(rt, row.id).startswith("sent")
    texts = fake_aliyun.sent_to(wang.phone)
    assert all(len(sent.params["content"]) <= 35 for sent in texts)
    joined = "".join(sent.params["content"] for sent in texts)
    assert joined.replace(" ", "") == confirmation.body.replace(" ", "")
    sent = texts[0]
    assert sent.out_id == str(confirmation.id)

    assert phone.receipt(confirmation.id, wang.phone, delivered=True, sid=sent.biz_id).status == 200
    assert outbound(mianhua.core, wang.phone)[0].status == MessageStatus.DELIVERED
