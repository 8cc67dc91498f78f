"""A team message is a text like any other: with a mainland provider it counts against
the resident's daily cap and waits for the morning past it, and an opted-out member
gets none."""

from __future__ import annotations

from datetime import datetime

from core.carriers.caps import HELD
from core.carriers.services import set_daily_budget
from core.messages.models import MessageStatus
from core.residents.services import opt_out
from core.teams.models import TeamKind
from core.teams.services import join_team, send_team_message
from tests.builders import SHANGHAI
from tests.integration.providers.conftest import filed
from tests.integration.providers.test_daily_caps import FREE, outbound
from tests.unit.core.teams.helpers import staff_actor
from workers.delivery import deliver


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def test_past_the_daily_budget_a_team_message_waits_for_the_morning(aliyun_rt, fake_aliyun, clock):
    rt = aliyun_rt
    world = filed(rt, clock, "aliyun", FREE)
    assert set_daily_budget(rt.core, community_id=world.community_id, provider="aliyun", budget=2)
    wang = world.resident("王芳")
    join_team(rt.core, community_id=world.community_id, phone=wang.phone, team=TeamKind.TASTING)
    clock.set(local(27, 10, 0))
    actor = staff_actor(world)
    for body, token in (("周五开会", "first"), ("明天领样品", "second")):
        send_team_message(rt.core, actor=actor, team=TeamKind.TASTING, body=body, token=token)
    first, team_message = (m.id for m in outbound(rt.core, wang.phone))
    assert deliver(rt, first).startswith("sent")
    assert deliver(rt, team_message) == f"not before {local(28, 8, 0).isoformat()}"
    held = next(m for m in outbound(rt.core, wang.phone) if m.id == team_message)
    assert held.error_code == HELD
    clock.set(local(28, 8, 0))
    assert deliver(rt, team_message).startswith("sent")
    assert [s.params["content"] for s in fake_aliyun.sent_to(wang.phone)][-1] == (
        "【产品质量试吃团】明天领样品"
    )


def test_one_team_message_held_for_a_capped_member_never_sent_to_an_opted_out_one(
    aliyun_rt, fake_aliyun, clock
):
    """The same message to three members: sent to one, held past the day's cap for the
    one who had her texts today, and written down only for the one who opted out."""
    rt = aliyun_rt
    world = filed(rt, clock, "aliyun", FREE)
    assert set_daily_budget(rt.core, community_id=world.community_id, provider="aliyun", budget=2)
    wang, li, zhao = world.resident("王芳"), world.resident("李秀英"), world.resident("赵先生")
    for member in (wang, li, zhao):
        join_team(rt.core, community_id=world.community_id, phone=member.phone,
                  team=TeamKind.TASTING)  # fmt: skip
    join_team(rt.core, community_id=world.community_id, phone=wang.phone,
              team=TeamKind.BARGAINING)  # fmt: skip
    opt_out(rt.core, community_id=world.community_id, phone=zhao.phone)
    clock.set(local(27, 10, 0))
    actor = staff_actor(world)
    send_team_message(rt.core, actor=actor, team=TeamKind.BARGAINING, body="周五开会", token="b")
    [earlier] = outbound(rt.core, wang.phone)
    assert deliver(rt, earlier.id).startswith("sent")  # wang's one text of the day so far
    sent = send_team_message(
        rt.core, actor=actor, team=TeamKind.TASTING, body="明天领样品", token="t"
    )
    assert sent.recipients == 3
    to = {who.name: outbound(rt.core, who.phone)[-1] for who in (wang, li, zhao)}
    assert deliver(rt, to["李秀英"].id).startswith("sent")
    assert deliver(rt, to["王芳"].id) == f"not before {local(28, 8, 0).isoformat()}"
    assert to["赵先生"].status == MessageStatus.SUPPRESSED
    assert not deliver(rt, to["赵先生"].id).startswith("sent")
    assert fake_aliyun.sent_to(zhao.phone) == []
    clock.set(local(28, 8, 0))
    assert deliver(rt, to["王芳"].id).startswith("sent")
    assert [s.params["content"] for s in fake_aliyun.sent_to(wang.phone)] == [
        "【洽谈价格砍价团】周五开会",
        "【产品质量试吃团】明天领样品",
    ]
    assert [s.params["content"] for s in fake_aliyun.sent_to(li.phone)] == [
        "【产品质量试吃团】明天领样品"
    ]
