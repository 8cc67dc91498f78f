"""A team leader in the console: an admin gives the leader a login; with it the leader
sees the team's page and texts the team, and nothing else of the console."""

from __future__ import annotations

from sqlalchemy import select

from core.messages.models import Message
from tests.integration.staff.conftest import Console

PASSWORD = "leader-password-1"


def leader_of_the_tasting_team(admin: Console, app_world):  # type: ignore[no-untyped-def]
    li, wang = app_world.resident("李秀英"), app_world.resident("王芳")
    for who in (li, wang):
        admin.post("/staff/teams/tasting/members", {"phone": who.phone})
    admin.post("/staff/teams/tasting/leader", {"resident_id": str(li.id)})
    made = admin.post(
        "/staff/teams/tasting/leader-login", {"username": "lixiuying", "password": PASSWORD}
    )
    assert "已给李秀英开通后台账号lixiuying" in admin.page(made.location)
    assert "团长李秀英的后台账号：lixiuying" in admin.page("/staff/teams/tasting")
    admin.post("/staff/logout")
    return li, wang


def test_the_leader_logs_in_to_the_team_page_and_texts_the_team(admin, app, app_world):
    _li, wang = leader_of_the_tasting_team(admin, app_world)
    leader = Console(app.test_client())
    landed = leader.login("lixiuying", PASSWORD)
    while landed.status_code == 302:  # the dashboard leads a leader to the team
        landed = leader.get(landed.location)
    page = landed.get_data(as_text=True)
    assert "产品质量试吃团" in page and "王芳" in page
    assert 'class="main"' not in page  # no console menu
    assert "staff.team_add" not in page and "/members" not in page  # no staff forms
    sent = leader.post(
        "/staff/teams/tasting/message",
        {"body": "明早9点在服务站领鸡蛋样品。", "token": "t" * 32},
        form_on="/staff/teams/tasting",
    )
    assert "已写好2条短信" in leader.page(sent.location)
    with app_world.core.db.transaction() as session:
        body = session.scalars(select(Message).where(Message.phone == wang.phone)).one().body
    assert body == "【产品质量试吃团】明早9点在服务站领鸡蛋样品。"
    assert "lixiuying" in leader.page("/staff/teams/tasting")  # the message, sent by the leader


def test_the_leader_reaches_nothing_else(admin, app, app_world):
    _li, wang = leader_of_the_tasting_team(admin, app_world)
    leader = Console(app.test_client())
    leader.login("lixiuying", PASSWORD)
    for path in ("/staff/", "/staff/deals", "/staff/residents", "/staff/inbox", "/staff/teams",
                 "/staff/accounts", "/staff/audit"):  # fmt: skip
        answer = leader.get(path)
        assert answer.status_code == 302 and answer.location.endswith("/staff/my-team"), path
    assert leader.get("/staff/teams/bargaining").status_code == 404  # not their team
    added = leader.post(
        "/staff/teams/tasting/members", {"phone": "13900000000"}, form_on="/staff/teams/tasting"
    )
    assert added.status_code == 302 and added.location.endswith("/staff/my-team")
    assert leader.page("/staff/me")  # their own password page stays theirs
    # The admin names another leader: the old login opens the team no more.
    admin.login("admin")
    admin.post("/staff/teams/tasting/leader", {"resident_id": str(wang.id)})
    admin.post("/staff/logout")
    assert leader.get("/staff/teams/tasting").status_code == 404
    assert "不是任何一个团的团长" in leader.page("/staff/my-team")


def test_plain_staff_cannot_make_a_leader_login(staff, app_world):
    li = app_world.resident("李秀英")
    staff.post("/staff/teams/tasting/members", {"phone": li.phone})
    staff.post("/staff/teams/tasting/leader", {"resident_id": str(li.id)})
    assert 'name="username"' not in staff.page("/staff/teams/tasting")
    answer = staff.post(
        "/staff/teams/tasting/leader-login", {"username": "li", "password": PASSWORD}
    )
    assert answer.status_code == 403
