"""A team message: one outbox row per member, with quiet hours and opt-outs kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.accounts.acting import OutsideCommunity
from core.messages.models import Message, MessageChannel, MessageStatus
from core.residents.services import opt_out
from core.teams.models import TeamKind
from core.teams.queries import team_page
from core.teams.services import (
    TeamMessageSent,
    TeamRefusal,
    add_member,
    join_team,
    leave_team,
    record_bargain,
    send_team_message,
    set_leader,
)
from tests.builders import SHANGHAI, World
from tests.unit.core.teams.helpers import staff_actor


def rows(world):  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return {m.phone: m for m in session.scalars(select(Message).order_by(Message.id))}


@pytest.fixture
def team(world):  # type: ignore[no-untyped-def]
    actor = staff_actor(world)
    members = {
        "wang": world.resident("王芳"),
        "tom": world.resident("Tom", language="en"),
        "grandma": world.resident("李奶奶", phone="+8631188880001", landline=True),
        "zhao": world.resident("赵先生"),
    }
    for member in members.values():
        add_member(world.core, actor=actor, team=TeamKind.BARGAINING, resident_id=member.id)
    return actor, members


def test_every_member_gets_it_in_their_language_the_opted_out_none(world, team):
    actor, members = team
    opt_out(world.core, community_id=world.community_id, phone=members["zhao"].phone)
    outsider = world.resident("路人")
    sent = send_team_message(
        world.core, actor=actor, team=TeamKind.BARGAINING, body="周六去正定。", token="t1"
    )
    assert sent == TeamMessageSent(sent.team_message_id, 4)
    written = rows(world)
    assert written[members["wang"].phone].body == "【洽谈价格砍价团】周六去正定。"
    assert written[members["tom"].phone].body == "[Bargaining team] 周六去正定。"
    assert written[members["zhao"].phone].status == MessageStatus.SUPPRESSED
    assert written[members["grandma"].phone].channel == MessageChannel.VOICE
    assert outsider.phone not in written
    again = send_team_message(
        world.core, actor=actor, team=TeamKind.BARGAINING, body="周六去正定。", token="t1"
    )
    assert again.replayed and len(rows(world)) == 4


def test_a_message_written_at_night_waits_for_the_morning(world, team, clock):
    actor, members = team
    evening = clock().astimezone(SHANGHAI).replace(hour=22, minute=30)
    clock.set(evening)
    send_team_message(world.core, actor=actor, team=TeamKind.BARGAINING, body="明天见", token="n")
    held = rows(world)[members["wang"].phone]
    morning = (evening + timedelta(days=1)).replace(hour=8, minute=0)
    assert held.status == MessageStatus.PENDING and held.not_before == morning


def test_empty_and_overlong_messages_are_refused(world, team):
    actor, _members = team
    blank = send_team_message(
        world.core, actor=actor, team=TeamKind.TASTING, body=" \r\n", token="a"
    )
    assert blank == TeamRefusal.EMPTY
    long = send_team_message(
        world.core, actor=actor, team=TeamKind.TASTING, body="梨" * 140, token="b"
    )
    assert long == TeamRefusal.TOO_LONG
    assert rows(world) == {}


def test_a_leader_is_a_member_and_leaving_ends_the_lead(world, team):
    actor, members = team
    wang = members["wang"]
    assert set_leader(world.core, actor=actor, team=TeamKind.TASTING, resident_id=wang.id) == (
        TeamRefusal.NOT_MEMBER
    )
    set_leader(world.core, actor=actor, team=TeamKind.BARGAINING, resident_id=wang.id)
    leave_team(
        world.core, community_id=world.community_id, phone=wang.phone, team=TeamKind.BARGAINING
    )
    page = team_page(world.core, actor=actor, team=TeamKind.BARGAINING)
    assert page.leader is None and wang.id not in [m.resident_id for m in page.members]
    rejoined = join_team(
        world.core, community_id=world.community_id, phone=wang.phone, team=TeamKind.BARGAINING
    )
    assert rejoined.changed


def test_bargaining_notes_and_another_community_s_team(world, team, clock):
    actor, _members = team
    pears = world.deal()
    assert record_bargain(world.core, actor=actor, deal_id=pears.id, asked_fen=1800,
                          agreed_fen=1500, note="原价18，谈到15") > 0  # fmt: skip
    assert record_bargain(world.core, actor=actor, deal_id=pears.id, asked_fen=1500,
                          agreed_fen=1800, note="") == TeamRefusal.BAD_PRICE  # fmt: skip
    other = World(world.core, clock, phone="+8631188887777", name="和平里")
    elsewhere = other.resident("李秘密")
    assert add_member(world.core, actor=actor, team=TeamKind.TASTING,
                      resident_id=elsewhere.id) == TeamRefusal.NOT_FOUND  # fmt: skip
    with pytest.raises(OutsideCommunity):
        send_team_message(world.core, actor=actor, community_id=other.community_id,
                          team=TeamKind.TASTING, body="x", token="c")  # fmt: skip
