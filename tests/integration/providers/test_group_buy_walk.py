"""A community on Aliyun, end to end through the real SDK and the stand-in: an order by
a pushed reply, its confirmation sent as a filed template, its receipt pushed back.

It also pins down what is left for the template-world replies (issue 12, step 4): a
confirmation is longer than one template variable may be, so Aliyun refuses it and the
row says why (`cn_tmpl`); it goes out once the stand-in takes long values.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.carriers.services import set_account, set_template
from core.messages.models import Direction, Message, MessageKind, MessageStatus
from tests.builders import World
from tests.integration.providers.conftest import ALIYUN_KEY_ID, ALIYUN_SECRET, SIGN
from tests.support.fake_aliyun_sms import FakeAliyunSms
from tests.support.mainland_phone import MainlandPhone
from workers.delivery import deliver
from workers.runtime import install


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

    assert deliver(rt, confirmation.id) == "failed (cn_tmpl)"  # too long for one variable
    assert outbound(mianhua.core, wang.phone)[0].error_detail.startswith("isv.PARAM_LENGTH_LIMIT")

    fake_aliyun.max_variable_chars = 500  # what typed template variables will make moot
    with mianhua.core.db.transaction() as session:
        session.get_one(Message, confirmation.id).status = MessageStatus.PENDING
    assert deliver(rt, confirmation.id).startswith("sent")
    [sent] = fake_aliyun.sent_to(wang.phone)
    assert sent.params == {"content": confirmation.body} and sent.out_id == str(confirmation.id)

    assert phone.receipt(confirmation.id, wang.phone, delivered=True, sid=sent.biz_id).status == 200
    assert outbound(mianhua.core, wang.phone)[0].status == MessageStatus.DELIVERED
