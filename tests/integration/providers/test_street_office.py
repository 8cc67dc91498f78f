"""A street office: one provider account, one push URL, many communities under one
signature, each with its own extension code. Texts carry the code through the real SDKs;
replies and receipts find their community by it, whatever community's key the URL has."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bootstrap import install
from core.carriers.services import CatalogueProblem, set_account, set_template
from core.community.updates import update_community
from core.messages.models import Direction, Message, MessageKind, MessageStatus
from core.orders.services import place_order
from tests.builders import World
from tests.integration.providers.conftest import mainland_env
from tests.support.mainland_phone import MainlandPhone
from workers.delivery import deliver

OFFICE = "幸福街道"
CODES = {"aliyun": "SMS_100", "tencent": "1001"}


@pytest.fixture
def office_app(  # type: ignore[no-untyped-def]
    app_factory, sqlite_url, fake_aliyun, fake_aliyun_vms, fake_tencent, fake_tencent_vms
):
    for fake in (fake_aliyun, fake_tencent):
        fake.max_variable_chars = 500
    env = mainland_env(fake_aliyun, fake_aliyun_vms, fake_tencent, fake_tencent_vms)
    return app_factory(sqlite_url, **env)


def community(app, clock, provider: str, phone: str, extension: str):  # type: ignore[no-untyped-def]
    core = app.extensions["mianhua"].core
    world = World(core, clock, phone=phone)
    update_community(core, community_id=world.community_id, sms_provider=provider)
    account = set_account(
        core,
        community_id=world.community_id,
        provider=provider,
        sign_name=OFFICE,
        extend_code=extension,
    )
    assert not isinstance(account, CatalogueProblem), account
    for kind in MessageKind:
        if kind != MessageKind.INBOUND:
            assert set_template(
                core,
                community_id=world.community_id,
                provider=provider,
                kind=kind,
                template_code=CODES[provider],
                variables=["content"],
            )
    return world, account


def messages(core, phone: str, direction: Direction) -> list[Message]:  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        return list(
            session.scalars(
                select(Message)
                .where(Message.phone == phone, Message.direction == direction)
                .order_by(Message.id)
            )
        )


@pytest.mark.slow
@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_one_push_url_serves_every_community_of_the_street_office(  # type: ignore[no-untyped-def]
    office_app, clock, provider, fake_aliyun, fake_tencent
):
    mianhua = office_app.extensions["mianhua"]
    core = mianhua.core
    sms = fake_aliyun if provider == "aliyun" else fake_tencent
    east, east_account = community(office_app, clock, provider, "+8631188886661", "01")
    west, _ = community(office_app, clock, provider, "+8631188886662", "02")
    rt = install(mianhua)
    # The operator set one push URL in the provider's console: the east community's.
    phone = MainlandPhone(office_app.test_client(), provider, east_account.push_key)

    # A west resident's confirmation leaves with the west extension code.
    deal = west.deal(limit=3)
    wu = west.resident("吴婶")
    place_order(
        core,
        community_id=west.community_id,
        phone=wu.phone,
        deal_number=deal.number,
        quantity=1,
        channel="staff",
    )
    for row in messages(core, wu.phone, Direction.OUTBOUND):
        assert deliver(rt, row.id).startswith("sent")
    number = wu.phone.removeprefix("+86") if provider == "aliyun" else wu.phone
    assert {sent.extend_code for sent in sms.sent_to(number)} == {"02"}

    # Her reply comes back under the west code, through the east URL: it is west's.
    assert phone.send(wu.phone, "我的", **sms.reply_fields(number)).status == 200
    [reply] = messages(core, wu.phone, Direction.INBOUND)
    assert reply.community_id == west.community_id
    assert reply.body == "我的"

    # The receipt of her text, pushed to the same URL, moves west's row.
    confirmation = messages(core, wu.phone, Direction.OUTBOUND)[0]
    assert (
        phone.receipt(
            confirmation.id, wu.phone, delivered=True, sid=confirmation.provider_sid or ""
        ).status
        == 200
    )
    assert messages(core, wu.phone, Direction.OUTBOUND)[0].status == MessageStatus.DELIVERED

    # A reply under an extension code of none of ours is acknowledged, and not recorded.
    stranger = "+8613900000999"
    fields = (
        {"sign_name": OFFICE, "dest_code": "09"}
        if provider == "aliyun"
        else {"sign": OFFICE, "extend": "09"}
    )
    pushed = phone.send(stranger, "订1号", **fields)
    assert pushed.status == 200
    assert pushed.answer == (
        {"code": 0, "msg": "接收成功"}
        if provider == "aliyun"
        else {
            "result": 0,
            "errmsg": "OK",
        }
    )
    assert messages(core, stranger, Direction.INBOUND) == []

    # A wrong or missing key still records nothing, whatever the push names.
    before = len(messages(core, wu.phone, Direction.INBOUND))
    again = phone.reply_push(wu.phone, "取消1", **sms.reply_fields(number))
    assert phone.post("inbound", again, key="wrong").status == 403
    assert phone.post("inbound", again, key="").status == 403
    assert len(messages(core, wu.phone, Direction.INBOUND)) == before
    assert east.community_id != west.community_id


def test_two_communities_may_not_share_a_signature_and_extension(app_world: World) -> None:
    core = app_world.core
    other = World(core, app_world.clock, phone="+8631188886669")
    assert set_account(
        core,
        community_id=app_world.community_id,
        provider="aliyun",
        sign_name=OFFICE,
        extend_code="01",
    )
    refused = set_account(
        core,
        community_id=other.community_id,
        provider="aliyun",
        sign_name=OFFICE,
        extend_code="01",
    )
    assert isinstance(refused, CatalogueProblem) and refused.field == "extend_code"
    assert (
        isinstance(
            set_account(core, community_id=other.community_id, provider="aliyun", sign_name=OFFICE),
            CatalogueProblem,
        )
        is False
    )  # no extension: the signature's own community, once
    # the same signature and code on the other provider is another account's business
    assert set_account(
        core,
        community_id=other.community_id,
        provider="tencent",
        sign_name=OFFICE,
        extend_code="01",
    )
