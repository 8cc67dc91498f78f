"""A team message is a text like any other: with a mainland provider it counts against
the resident's daily cap and waits for the morning past it."""

from __future__ import annotations

from datetime import datetime

from core.carriers.caps import HELD
from core.carriers.services import set_daily_budget
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
