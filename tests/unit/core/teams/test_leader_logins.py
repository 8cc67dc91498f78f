"""A team leader's console login: its own team's page and message, nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts.acting import Actor, AdminOnly, NotForLeaders, OutsideCommunity
from core.accounts.models import AuditLog, StaffUser
from core.accounts.services import change_my_password
from core.messages.models import Message
from core.teams.access import my_teams
from core.teams.leaders import LeaderLoginMade, LeaderLoginRefusal, make_leader_login
from core.teams.models import TeamKind
from core.teams.queries import team_page, teams_overview
from core.teams.services import (
    TeamMessageSent,
    add_member,
    record_bargain,
    send_team_message,
    set_leader,
)
from tests.unit.core.teams.helpers import staff_actor

PASSWORD = "leader-password"


@pytest.fixture
def tasting(world):  # type: ignore[no-untyped-def]
    admin = staff_actor(world, "admin", role="admin")
    li, wang = world.resident("李秀英"), world.resident("王芳")
    for member in (li, wang):
        add_member(world.core, actor=admin, team=TeamKind.TASTING, resident_id=member.id)
    set_leader(world.core, actor=admin, team=TeamKind.TASTING, resident_id=li.id)
    return admin, li, wang


def leader_actor(world, admin, username="lixiuying"):  # type: ignore[no-untyped-def]
    made = make_leader_login(
        world.core, actor=admin, team=TeamKind.TASTING, username=username, password=PASSWORD
    )
    assert made == LeaderLoginMade(username, "李秀英")
    with world.core.db.transaction() as session:
        user_id = session.scalar(select(StaffUser.id).where(StaffUser.username == username))
    return Actor(user_id, username, world.community_id)


def test_the_leader_reads_the_team_page_and_texts_the_members(world, tasting):
    admin, _li, wang = tasting
    leader = leader_actor(world, admin)
    assert my_teams(world.core, actor=leader) == [TeamKind.TASTING]
    page = team_page(world.core, actor=leader, team=TeamKind.TASTING)
    assert {m.name for m in page.members} == {"李秀英", "王芳"}
    assert team_page(world.core, actor=admin, team=TeamKind.TASTING).leader_login == "lixiuying"
    sent = send_team_message(
        world.core, actor=leader, team=TeamKind.TASTING, body="明早9点领鸡蛋样品", token="L1"
    )
    assert isinstance(sent, TeamMessageSent) and sent.recipients == 2
    with world.core.db.transaction() as session:
        bodies = {m.phone: m.body for m in session.scalars(select(Message))}
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "team.message")).one()
    assert bodies[wang.phone] == "【产品质量试吃团】明早9点领鸡蛋样品"
    assert entry.actor == "lixiuying"  # audited under the leader's own login


def test_the_leader_reaches_no_other_team_and_no_staff_action(world, tasting):
    admin, _li, wang = tasting
    leader = leader_actor(world, admin)
    with pytest.raises(OutsideCommunity):  # another team: as if it were not there
        team_page(world.core, actor=leader, team=TeamKind.BARGAINING)
    with pytest.raises(OutsideCommunity):
        send_team_message(world.core, actor=leader, team=TeamKind.BARGAINING, body="x", token="b")
    with pytest.raises(NotForLeaders):
        teams_overview(world.core, actor=leader)
    with pytest.raises(NotForLeaders):
        add_member(world.core, actor=leader, team=TeamKind.TASTING, resident_id=wang.id)
    with pytest.raises(NotForLeaders):
        set_leader(world.core, actor=leader, team=TeamKind.TASTING, resident_id=wang.id)
    pears = world.deal()
    with pytest.raises(NotForLeaders):
        record_bargain(world.core, actor=leader, deal_id=pears.id, asked_fen=1800,
                       agreed_fen=1500, note="")  # fmt: skip
    # Its own password, though, is its own.
    change_my_password(world.core, actor=leader, current=PASSWORD, new="another-password")


def test_a_new_leader_closes_the_old_leader_s_login(world, tasting):
    admin, li, wang = tasting
    leader = leader_actor(world, admin)
    set_leader(world.core, actor=admin, team=TeamKind.TASTING, resident_id=wang.id)
    assert my_teams(world.core, actor=leader) == []
    with pytest.raises(OutsideCommunity):
        team_page(world.core, actor=leader, team=TeamKind.TASTING)
    # Made leader again, the same login opens the team again.
    set_leader(world.core, actor=admin, team=TeamKind.TASTING, resident_id=li.id)
    assert my_teams(world.core, actor=leader) == [TeamKind.TASTING]


def test_only_an_admin_makes_one_and_only_for_a_named_leader(world, tasting):
    admin, _li, _wang = tasting
    staff = staff_actor(world, "xiaoli")
    with pytest.raises(AdminOnly):
        make_leader_login(world.core, actor=staff, team=TeamKind.TASTING, username="li",
                          password=PASSWORD)  # fmt: skip

    def make(team=TeamKind.TASTING, username="li", password=PASSWORD):  # type: ignore[no-untyped-def]
        return make_leader_login(
            world.core, actor=admin, team=team, username=username, password=password
        )

    assert make(team=TeamKind.BARGAINING) == LeaderLoginRefusal.NO_LEADER
    assert make(username="  ") == LeaderLoginRefusal.USERNAME
    assert make(password="short") == LeaderLoginRefusal.PASSWORD_SHORT
    assert make(username="xiaoli") == LeaderLoginRefusal.TAKEN
    assert isinstance(make(), LeaderLoginMade)
    assert make(username="li2") == LeaderLoginRefusal.HAS_LOGIN
    with world.core.db.transaction() as session:
        actions = [a.action for a in session.scalars(select(AuditLog))]
    assert actions.count("team.leader_login") == 1


def acting_use_cases():  # type: ignore[no-untyped-def]
    """Every core function wrapped by `acting`, with whether it lets a leader in at all."""
    import importlib
    import inspect
    import pkgutil

    import core

    found = {}
    for info in pkgutil.walk_packages(core.__path__, "core."):
        module = importlib.import_module(info.name)
        for name, fn in vars(module).items():
            code = getattr(fn, "__code__", None)
            if not inspect.isfunction(fn) or code is None or code.co_name != "scoped":
                continue
            cells = dict(zip(code.co_freevars, fn.__closure__ or (), strict=True))
            found[f"{fn.__module__}.{name}"] = (fn, cells["leader_may"].cell_contents)
    return found


def test_every_console_use_case_refuses_a_leader_but_its_own_team_s(world, tasting):
    admin, _li, _wang = tasting
    leader = leader_actor(world, admin)
    cases = acting_use_cases()
    assert len(cases) > 40  # the walk found the console's use cases
    let_in = sorted(name for name, (_fn, may) in cases.items() if may is not None)
    assert let_in == ["core.teams.queries.team_page", "core.teams.services.send_team_message"]
    for name, (fn, may) in cases.items():
        # The scope is checked before the use case runs: its other arguments never matter.
        refused = NotForLeaders if may is None else OutsideCommunity
        with pytest.raises(refused):
            fn(world.core, actor=leader, team=TeamKind.BARGAINING)
            pytest.fail(f"{name} let a team leader's login in")
