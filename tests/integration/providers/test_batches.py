"""A bulk reminder goes out in batch calls: Aliyun SendBatchSms, Tencent SendSms with
many numbers; receipts find each text, and one bad number does not sink the others."""

from __future__ import annotations

from sqlalchemy import select, update

from core.carriers.services import account_of
from core.messages.models import Message, MessageKind, MessageStatus
from core.orders.services import place_order
from core.reminders.services import send_bulk_reminder
from tests.integration.providers.conftest import ALIYUN_KEY_ID, ALIYUN_SECRET, filed
from tests.support.mainland_phone import MainlandPhone
from workers.delivery import deliver_many

TEMPLATES = {
    "aliyun": {kind: ("SMS_100", ["content"]) for kind in MessageKind if kind != "inbound"},
    "tencent": {kind: ("1001", ["content"]) for kind in MessageKind if kind != "inbound"},
}


def reminded(rt, clock, provider: str, buyers: int = 3):  # type: ignore[no-untyped-def]
    world = filed(rt, clock, provider, TEMPLATES[provider])
    deal = world.deal()
    residents = [world.resident(f"居民{i}") for i in range(buyers)]
    for resident in residents:
        place_order(
            rt.core,
            community_id=world.community_id,
            phone=resident.phone,
            deal_number=deal.number,
            quantity=1,
            channel="staff",
        )
    with rt.core.db.transaction() as session:  # the confirmations went long ago
        session.execute(update(Message).values(status=MessageStatus.SENT))
    batch = send_bulk_reminder(
        rt.core, community_id=world.community_id, number=deal.number, text="明早9点取梨", by="t"
    )
    with rt.core.db.transaction() as session:
        ids = list(
            session.scalars(
                select(Message.id).where(Message.batch_id == batch.batch_id).order_by(Message.id)
            )
        )
    return world, residents, ids


def statuses(rt, ids: list[int]) -> list[str]:  # type: ignore[no-untyped-def]
    with rt.core.db.transaction() as session:
        return [session.get_one(Message, i).status for i in ids]


def test_aliyun_sends_a_bulk_reminder_in_one_batch_call_and_takes_its_receipts(
    aliyun_rt, clock, fake_aliyun, app_factory
):
    world, residents, ids = reminded(aliyun_rt, clock, "aliyun")
    outcomes = deliver_many(aliyun_rt, ids)
    assert all(o.startswith("sent") for o in outcomes.values()), outcomes
    assert [r.action for r in fake_aliyun.requests] == ["SendBatchSms"]
    assert {s.phone for s in fake_aliyun.sent} == {r.phone[3:] for r in residents}
    biz_id = fake_aliyun.sent[0].biz_id

    app = app_factory(aliyun_rt.settings.database_url)
    key = account_of(aliyun_rt.core, community_id=world.community_id, provider="aliyun").push_key
    phone = MainlandPhone(app.test_client(), "aliyun", key)
    out_id = fake_aliyun.requests[0].received.query["OutId"]
    assert out_id.startswith("b:")  # the whole batch's OutId: the receipt names its text by number
    pushed = phone.post(
        "report",
        [
            {
                "phone_number": residents[0].phone.removeprefix("+86"),
                "success": True,
                "biz_id": biz_id,
                "out_id": out_id,
                "err_code": "DELIVERED",
            }
        ],
    )
    assert pushed.status == 200
    assert statuses(aliyun_rt, ids) == [
        MessageStatus.DELIVERED,
        MessageStatus.SENT,
        MessageStatus.SENT,
    ]


def test_one_bad_number_in_an_aliyun_batch_fails_alone(aliyun_rt, clock, fake_aliyun):
    _, residents, ids = reminded(aliyun_rt, clock, "aliyun")
    fake_aliyun.on_number(residents[1].phone, "isv.MOBILE_NUMBER_ILLEGAL")
    outcomes = deliver_many(aliyun_rt, ids)
    assert [outcomes[i].split(" ")[0] for i in ids] == ["sent", "failed", "sent"]
    assert outcomes[ids[1]] == "failed (cn_number)"
    assert [r.action for r in fake_aliyun.requests] == ["SendBatchSms"] + ["SendSms"] * 3


def test_tencent_sends_the_same_text_to_many_numbers_in_one_call(tencent_rt, clock, fake_tencent):
    _, residents, ids = reminded(tencent_rt, clock, "tencent")
    fake_tencent.on_number(residents[2].phone, "FailedOperation.PhoneNumberInBlacklist")
    outcomes = deliver_many(tencent_rt, ids)
    assert [outcomes[i].split(" ")[0] for i in ids] == ["sent", "sent", "failed"]
    [call] = fake_tencent.requests
    assert call.action == "SendSms"
    assert {s.phone for s in fake_tencent.sent} == {r.phone for r in residents[:2]}
    assert all(s.session_context.startswith("b:") for s in fake_tencent.sent)
    with tencent_rt.core.db.transaction() as session:
        rows = [session.get_one(Message, i) for i in ids[:2]]
        assert sorted(r.provider_sid for r in rows) == sorted(
            s.serial_no for s in fake_tencent.sent
        )


def test_a_paced_service_still_sends_mainland_bulk_reminders_in_batch_calls(
    make_root, sqlite_url, clock, fake_aliyun
):
    """SEND_RATE_PER_SECOND paces a sending number (Twilio's); Aliyun's texts go in
    SendBatchSms calls whatever it says."""
    rt = make_root(
        sqlite_url,
        SMS_SENDER="aliyun",
        ALIYUN_ACCESS_KEY_ID=ALIYUN_KEY_ID,
        ALIYUN_ACCESS_KEY_SECRET=ALIYUN_SECRET,
        ALIYUN_SMS_ENDPOINT=fake_aliyun.endpoint,
        SEND_RATE_PER_SECOND="1",
    )
    assert rt.settings.send_rate_per_second == 1
    _, residents, ids = reminded(rt, clock, "aliyun", buyers=4)
    outcomes = deliver_many(rt, ids)
    assert all(o.startswith("sent") for o in outcomes.values()), outcomes
    assert [r.action for r in fake_aliyun.requests] == ["SendBatchSms"]
    assert {s.phone for s in fake_aliyun.sent} == {r.phone[3:] for r in residents}


def test_an_aliyun_batch_receipt_finds_a_text_recorded_by_the_lookup(
    aliyun_rt, clock, fake_aliyun, app_factory
):
    """A batch text whose send timed out is recorded by what QuerySendDetails found,
    which has no BizId; its receipt (the batch's OutId, BizId and the number) still
    finds it, by our ids and the number."""
    world, residents, ids = reminded(aliyun_rt, clock, "aliyun")
    deliver_many(aliyun_rt, ids)
    sent = fake_aliyun.sent_to(residents[1].phone)[0]
    looked_up = f"ALIYUN-{sent.sent_at:%Y%m%d}-{ids[1]}"  # AliyunSender.find_sent's name
    with aliyun_rt.core.db.transaction() as session:
        session.get_one(Message, ids[1]).provider_sid = looked_up
    app = app_factory(aliyun_rt.settings.database_url)
    key = account_of(aliyun_rt.core, community_id=world.community_id, provider="aliyun").push_key
    phone = MainlandPhone(app.test_client(), "aliyun", key)
    receipt = {
        "phone_number": sent.phone,
        "success": False,
        "biz_id": sent.biz_id,
        "out_id": sent.out_id,
        "err_code": "MK:0001",
    }
    assert phone.post("report", [receipt]).status == 200
    assert statuses(aliyun_rt, ids)[1] == MessageStatus.UNDELIVERED
    assert statuses(aliyun_rt, ids)[0] == MessageStatus.SENT
