"""Confirmations in typed templates, through the real SDKs and the stand-ins: each value
in its own variable, within the provider's limit, and a cancellation in its own words."""

from __future__ import annotations

from sqlalchemy import select

from core.messages.models import Direction, Message, MessageKind
from core.orders.services import cancel_order, place_order
from tests.integration.providers.conftest import filed
from workers.delivery import deliver

TYPED = ["deal", "amount", "total", "pickup", "place"]


def confirmations(core, phone: str) -> list[Message]:  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        return list(
            session.scalars(
                select(Message)
                .where(
                    Message.phone == phone,
                    Message.direction == Direction.OUTBOUND,
                    Message.kind == MessageKind.CONFIRMATION,
                )
                .order_by(Message.id)
            )
        )


def order_then_cancel(rt, world, phone: str):  # type: ignore[no-untyped-def]
    deal = world.deal(limit=3)
    for use_case, extra in ((place_order, {"quantity": 2}), (cancel_order, {})):
        use_case(
            rt.core,
            community_id=world.community_id,
            phone=phone,
            deal_number=deal.number,
            channel="sms",
            **extra,
        )


def test_an_aliyun_confirmation_goes_in_typed_variables_and_a_cancellation_in_its_own(
    aliyun_rt, fake_aliyun, clock
):
    fake_aliyun.templates.update(
        {
            "SMS_300": "您已订${deal}，共${amount}，合计${total}，请于${pickup}到${place}取货。",
            "SMS_301": "您订的${deal}已取消，欢迎再订。",
        }
    )
    world = filed(
        aliyun_rt,
        clock,
        "aliyun",
        {"confirmation": ("SMS_300", TYPED), "cancellation": ("SMS_301", ["deal"])},
    )
    wang = world.resident("王芳")
    order_then_cancel(aliyun_rt, world, wang.phone)
    placed, cancelled = confirmations(aliyun_rt.core, wang.phone)

    # Cancelled before its confirmation went: the order no longer says 2 boxes.
    assert deliver(aliyun_rt, placed.id) == "dropped (superseded)"
    assert deliver(aliyun_rt, cancelled.id).startswith("sent")
    [sent] = fake_aliyun.sent_to(wang.phone)
    assert sent.template_code == "SMS_301" and sent.params == {"deal": "赵县雪花梨"}


def test_a_tencent_confirmation_keeps_every_value_within_twenty_characters(
    tencent_rt, fake_tencent, clock
):
    fake_tencent.templates["1100"] = "您已订{1}，共{2}，合计{3}，请于{4}到{5}取货。"
    world = filed(tencent_rt, clock, "tencent", {"confirmation": ("1100", TYPED)})
    wang = world.resident("王芳")
    deal = world.deal(limit=3)
    place_order(
        tencent_rt.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=deal.number,
        quantity=2,
        channel="sms",
    )
    [placed] = confirmations(tencent_rt.core, wang.phone)
    assert len(placed.body) > 20  # the catalog's words would not fit one variable

    assert deliver(tencent_rt, placed.id).startswith("sent")
    [sent] = fake_tencent.sent_to(wang.phone)
    assert sent.template_id == "1100"
    assert sent.params == ("赵县雪花梨", "2箱", "70元", "11月28日周六 9:00-11:00", "社区服务站")
