"""A resident's daily budget of texts with a mainland provider, on the real database and
through the stand-ins: replies first, reminders merged into a digest at the cap or held
to the next morning, and the 08:00-21:00 window for everything but direct replies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.carriers.caps import HELD
from core.carriers.services import set_daily_budget
from core.community.models import Community
from core.deals.models import Deal
from core.deals.services import close_deal
from core.messages.models import Direction, Message, MessageKind, MessageStatus
from core.messages.outbox import queue_message
from core.orders.services import place_order
from core.reminders.due import queue_due_reminders
from core.reminders.services import send_bulk_reminder
from core.residents.models import Resident
from tests.builders import SHANGHAI
from tests.integration.providers.conftest import filed
from workers.delivery import deliver, deliver_many

FREE = {
    kind: ("SMS_100", ["content"])
    for kind in ("reply", "confirmation", "reminder", "broadcast", "staff_reply", "deal_update")
}
TENCENT_FREE = {kind: ("1001", ["content"]) for kind in FREE}
DIGEST_TEXT = "取货提醒：{1}，请于{2}到{3}取。"


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def outbound(core, phone: str) -> list[Message]:  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        return list(
            session.scalars(
                select(Message)
                .where(Message.phone == phone, Message.direction == Direction.OUTBOUND)
                .order_by(Message.id)
            )
        )


def write(core, world, resident, body: str, kind: MessageKind) -> int:  # type: ignore[no-untyped-def]
    """A message to the resident in the outbox, as a reply or a staff answer writes it."""
    with core.db.transaction() as session:
        message = queue_message(
            session,
            community=session.get_one(Community, world.community_id),
            resident=session.get_one(Resident, resident.id),
            body=body,
            kind=kind,
            now=core.now(),
        )
        assert message is not None
        session.flush()
        return message.id


def two_deals_ordered(rt, world, resident):  # type: ignore[no-untyped-def]
    """Pears and millet, ordered and gone ahead; pickup on Saturday 28 November."""
    pears = world.deal(min_units=1)
    millet = world.deal("蔚县小米", unit="袋", min_units=1, price_fen=2000)
    for deal, quantity in ((pears, 2), (millet, 1)):
        place_order(
            rt.core,
            community_id=world.community_id,
            phone=resident.phone,
            deal_number=deal.number,
            quantity=quantity,
            channel="staff",
            confirm=False,
        )
        close_deal(rt.core, community_id=world.community_id, number=deal.number)
    return pears, millet


def test_at_the_cap_two_pickup_reminders_become_one_digest_through_tencent(
    tencent_rt, fake_tencent, clock
):
    rt = tencent_rt
    fake_tencent.templates["1003"] = DIGEST_TEXT
    world = filed(
        rt, clock, "tencent", {**TENCENT_FREE, "digest": ("1003", ["items", "pickup", "place"])}
    )
    assert set_daily_budget(rt.core, community_id=world.community_id, provider="tencent", budget=5)
    wang = world.resident("王芳")
    two_deals_ordered(rt, world, wang)
    clock.set(local(27, 19, 0))
    for body in ("梨35元一箱。", "在社区服务站取。"):  # she asked twice today: 2 of 5 used
        assert deliver(rt, write(rt.core, world, wang, body, MessageKind.REPLY)).startswith("sent")

    assert queue_due_reminders(rt.core).pickup_evening == 2
    reminders = [m for m in outbound(rt.core, wang.phone) if m.kind == MessageKind.REMINDER]
    # Two more would leave her no text for a reply (5 - 2 kept): merged into one.
    outcomes = deliver_many(rt, [m.id for m in reminders])
    assert set(outcomes.values()) == {"dropped (merged)"}

    [digest] = [
        m for m in outbound(rt.core, wang.phone) if (m.dedupe_key or "").startswith("digest:")
    ]
    assert (
        digest.body
        == "取货提醒：赵县雪花梨2箱、蔚县小米1袋，请于11月28日周六 9:00-11:00到社区服务站取。"
    )
    merged = [m for m in outbound(rt.core, wang.phone) if m.id in {r.id for r in reminders}]
    assert {(m.status, m.error_code, m.error_detail) for m in merged} == {
        (MessageStatus.SUPPRESSED, "merged", f"digest:{digest.id}")
    }
    assert deliver(rt, digest.id).startswith("sent")
    last = fake_tencent.sent_to(wang.phone)[-1]
    assert last.template_id == "1003"
    assert last.params == ("赵县雪花梨2箱、蔚县小米1袋", "11月28日周六 9:00-11:00", "社区服务站")
    assert len(fake_tencent.sent_to(wang.phone)) == 3  # two replies and the digest


def test_past_the_budget_news_waits_for_the_morning_and_replies_still_go_through_aliyun(
    aliyun_rt, fake_aliyun, clock
):
    rt = aliyun_rt
    world = filed(rt, clock, "aliyun", FREE)
    # Aliyun counts per template: 3 a day leaves one bulk reminder for the day.
    assert set_daily_budget(rt.core, community_id=world.community_id, provider="aliyun", budget=3)
    wang = world.resident("王芳")
    pears, millet = two_deals_ordered(rt, world, wang)
    clock.set(local(27, 10, 0))
    for deal, text in ((pears, "明早9点取梨"), (millet, "小米明早到")):
        send_bulk_reminder(
            rt.core, community_id=world.community_id, number=deal.number, text=text, by="t"
        )
    [first_id, second_id] = [
        m.id for m in outbound(rt.core, wang.phone) if m.kind == MessageKind.BROADCAST
    ]
    assert deliver(rt, first_id).startswith("sent")
    assert deliver(rt, second_id) == f"not before {local(28, 8, 0).isoformat()}"
    held = next(m for m in outbound(rt.core, wang.phone) if m.id == second_id)
    assert held.status in (MessageStatus.PENDING, MessageStatus.QUEUED)
    assert held.error_code == HELD

    reply = write(rt.core, world, wang, "梨35元一箱。", MessageKind.REPLY)
    assert deliver(rt, reply).startswith("sent")  # replies first: her own answer goes

    clock.set(local(28, 8, 0))
    assert deliver(rt, second_id).startswith("sent")
    assert [s.params["content"] for s in fake_aliyun.sent_to(wang.phone)] == [
        "明早9点取梨",
        "梨35元一箱。",
        "小米明早到",
    ]


def test_at_night_only_direct_replies_go_out_in_a_mainland_community(aliyun_rt, fake_aliyun, clock):
    rt = aliyun_rt
    world = filed(rt, clock, "aliyun", FREE)
    wang = world.resident("王芳")
    clock.set(local(27, 21, 30))
    answer = write(rt.core, world, wang, "明天上午有人在。", MessageKind.STAFF_REPLY)
    reply = write(rt.core, world, wang, "梨35元一箱。", MessageKind.REPLY)

    assert deliver(rt, answer) == f"not before {local(28, 8, 0).isoformat()}"
    assert deliver(rt, reply).startswith("sent")
    assert [s.params["content"] for s in fake_aliyun.sent_to(wang.phone)] == ["梨35元一箱。"]


def test_a_community_on_the_console_keeps_the_quiet_hours_it_had(make_root, sqlite_url, clock):
    rt = make_root(sqlite_url)
    world = filed(rt, clock, "aliyun", FREE)  # filed, but it does not text through Aliyun
    wang = world.resident("王芳")
    clock.set(local(27, 21, 30))
    answer = write(rt.core, world, wang, "明天上午有人在。", MessageKind.STAFF_REPLY)
    assert deliver(rt, answer).startswith("sent")


def test_reminders_for_two_pickups_share_no_digest_one_goes_and_one_gives_way(
    tencent_rt, fake_tencent, clock
):
    rt = tencent_rt
    fake_tencent.templates["1004"] = "取货提醒：您订的{1}共{2}，请于{3}到{4}取。"
    typed = {"reminder": ("1004", ["deal", "amount", "pickup", "place"])}
    world = filed(rt, clock, "tencent", {**TENCENT_FREE, **typed})
    assert set_daily_budget(rt.core, community_id=world.community_id, provider="tencent", budget=4)
    wang = world.resident("王芳")
    _, millet = two_deals_ordered(rt, world, wang)
    with rt.core.db.transaction() as session:  # the millet is handed out at the north gate
        session.get_one(Deal, millet.id).pickup_place = "北门"
    clock.set(local(27, 19, 0))
    assert deliver(rt, write(rt.core, world, wang, "梨35元一箱。", MessageKind.REPLY)).startswith(
        "sent"
    )
    queue_due_reminders(rt.core)
    reminders = [m.id for m in outbound(rt.core, wang.phone) if m.kind == MessageKind.REMINDER]

    outcomes = deliver_many(rt, reminders)  # room for one of the two (4 - 2 kept - 1 used)
    assert outcomes[reminders[0]].startswith("sent")
    # Tomorrow 08:00 is past this evening reminder's use (the morning one takes over).
    assert outcomes[reminders[1]] == "dropped (cn_held)"
    assert fake_tencent.sent_to(wang.phone)[-1].params == (
        "赵县雪花梨",
        "2箱",
        "11月28日周六 9:00-11:00",
        "社区服务站",
    )
    assert not [
        m for m in outbound(rt.core, wang.phone) if (m.dedupe_key or "").startswith("digest")
    ]


def test_without_a_template_that_can_list_deals_nothing_is_merged(tencent_rt, fake_tencent, clock):
    rt = tencent_rt
    fake_tencent.templates["1004"] = "取货提醒：您订的{1}共{2}，请于{3}到{4}取。"
    typed = {"reminder": ("1004", ["deal", "amount", "pickup", "place"])}
    world = filed(rt, clock, "tencent", {**TENCENT_FREE, **typed})  # and no digest template
    assert set_daily_budget(rt.core, community_id=world.community_id, provider="tencent", budget=4)
    wang = world.resident("王芳")
    two_deals_ordered(rt, world, wang)
    clock.set(local(27, 19, 0))
    assert deliver(rt, write(rt.core, world, wang, "梨35元一箱。", MessageKind.REPLY)).startswith(
        "sent"
    )
    queue_due_reminders(rt.core)
    reminders = [m.id for m in outbound(rt.core, wang.phone) if m.kind == MessageKind.REMINDER]
    outcomes = deliver_many(rt, reminders)
    assert [outcomes[r].split(" ")[0] for r in reminders] == ["sent", "dropped"]
    assert not [
        m for m in outbound(rt.core, wang.phone) if (m.dedupe_key or "").startswith("digest")
    ]


def test_deals_with_long_titles_still_share_one_digest_within_tencents_variable(
    tencent_rt, fake_tencent, clock
):
    """Each deal is named short in a digest, so two fit Tencent's 20 characters."""
    rt = tencent_rt
    fake_tencent.templates["1003"] = DIGEST_TEXT
    world = filed(
        rt, clock, "tencent", {**TENCENT_FREE, "digest": ("1003", ["items", "pickup", "place"])}
    )
    assert set_daily_budget(rt.core, community_id=world.community_id, provider="tencent", budget=3)
    wang = world.resident("王芳")
    for title, unit in (("河北赵县精品雪花梨礼盒", "箱"), ("张家口蔚县黄小米", "袋")):
        deal = world.deal(title, unit=unit, min_units=1)
        place_order(
            rt.core,
            community_id=world.community_id,
            phone=wang.phone,
            deal_number=deal.number,
            quantity=1,
            channel="staff",
            confirm=False,
        )
        close_deal(rt.core, community_id=world.community_id, number=deal.number)
    clock.set(local(27, 19, 0))
    assert queue_due_reminders(rt.core).pickup_evening == 2
    reminders = [m for m in outbound(rt.core, wang.phone) if m.kind == MessageKind.REMINDER]
    assert set(deliver_many(rt, [m.id for m in reminders]).values()) == {"dropped (merged)"}
    [digest] = [
        m for m in outbound(rt.core, wang.phone) if (m.dedupe_key or "").startswith("digest:")
    ]
    assert deliver(rt, digest.id).startswith("sent")
    [sent] = fake_tencent.sent_to(wang.phone)
    assert sent.params[0] == "河北赵县精…1箱、张家口蔚县…1袋"
