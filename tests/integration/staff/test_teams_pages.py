"""The team pages: members and leader, a team message, bargaining notes, a tasting."""

from __future__ import annotations

from sqlalchemy import select

from core.messages.models import Message
from core.tastings.models import Rating
from core.tastings.services import record_score


def test_staff_add_members_name_a_leader_and_see_them(staff, app_world):
    wang = app_world.resident("王芳")
    li = app_world.resident("李建国", building="5", unit="1", room="202")
    for who in (wang, li):
        answer = staff.post("/staff/teams/bargaining/members", {"phone": who.phone})
        assert answer.status_code == 302
    staff.post("/staff/teams/bargaining/leader", {"resident_id": str(li.id)})
    page = staff.page("/staff/teams/bargaining")
    assert "洽谈价格砍价团" in page and "王芳" in page and "李建国" in page
    assert "5号楼1单元202室" in page  # the room in words, not 5-1-202
    overview = staff.page("/staff/teams")
    assert "市场价格调查团" in overview and "李建国" in overview
    assert "没有找到这个号码的居民" in staff.page(
        staff.post("/staff/teams/bargaining/members", {"phone": "12"}).location
    )


def test_a_leader_must_be_a_member_and_an_unknown_team_is_404(staff, app_world):
    wang = app_world.resident("王芳")
    answer = staff.post("/staff/teams/tasting/leader", {"resident_id": str(wang.id)})
    assert "团长须是本团成员" in staff.page(answer.location)
    assert staff.get("/staff/teams/cooking").status_code == 404


def test_a_team_message_goes_once_to_every_member(staff, app_world):
    wang = app_world.resident("王芳")
    staff.post("/staff/teams/tasting/members", {"phone": wang.phone})
    form = {"body": "明天上午10点在服务站领小米样品。", "token": "a" * 32}
    for _ in range(2):  # the same form twice: sent once
        staff.post("/staff/teams/tasting/message", form)
    with app_world.core.db.transaction() as session:
        bodies = [
            m.body for m in session.scalars(select(Message).where(Message.phone == wang.phone))
        ]
    assert bodies == ["【产品质量试吃团】明天上午10点在服务站领小米样品。"]
    page = staff.page("/staff/teams/tasting")
    assert "明天上午10点" in page and "1人 · 0条回复" in page
    empty = staff.post("/staff/teams/tasting/message", {"body": "  ", "token": "b" * 32})
    assert "短信内容是空的" in staff.page(empty.location)


def test_bargaining_notes_are_kept_with_the_deal(staff, app_world):
    pears = app_world.deal()
    answer = staff.post(
        "/staff/teams/bargaining/notes",
        {"deal_id": str(pears.id), "asked": "18", "agreed": "15", "note": "买满200箱送货上门"},
    )
    page = staff.page(answer.location)
    assert "原价18元，谈到15元" in page and "买满200箱送货上门" in page
    bad = staff.post(
        "/staff/teams/bargaining/notes", {"deal_id": str(pears.id), "asked": "15", "agreed": "x"}
    )
    assert "价格不对" in staff.page(bad.location)


def test_a_tasting_is_started_from_the_tasting_team_page(staff, app_world):
    wang = app_world.resident("王芳")
    staff.post("/staff/teams/tasting/members", {"phone": wang.phone})
    millet = app_world.deal("井陉小米", open_now=False, unit="袋")
    page = staff.page("/staff/teams/tasting")
    assert "开始试吃" in page and "井陉小米" in page
    answer = staff.post(
        "/staff/teams/tasting/start", {"deal_id": str(millet.id), "resident_id": str(wang.id)}
    )
    assert "已请1位成员打分" in staff.page(answer.location)
    with app_world.core.db.transaction() as session:
        assert session.scalars(select(Rating.resident_id)).all() == [wang.id]
    open_deal = app_world.deal()
    refused = staff.post(
        "/staff/teams/tasting/start", {"deal_id": str(open_deal.id), "resident_id": str(wang.id)}
    )
    assert "试吃要在开团前" in staff.page(refused.location)


def test_subscriptions_set_by_staff_and_the_pickup_question_by_an_admin(admin, app_world):
    wang = app_world.resident("王芳")
    answer = admin.post("/staff/announcements", {"phone": wang.phone, "on": "1"})
    page = admin.page(answer.location)
    assert "已订阅新团购通知" in page and "王芳" in page
    admin.post("/staff/announcements", {"resident_id": str(wang.id), "on": "0"})
    assert "还没有人订阅" in admin.page("/staff/announcements")
    turned = admin.post("/staff/announcements/pickup-question", {"on": "1"})
    assert "已开启取货后打分" in admin.page(turned.location)


def test_plain_staff_cannot_turn_the_pickup_question_on(staff):
    assert staff.post("/staff/announcements/pickup-question", {"on": "1"}).status_code == 403


def test_a_deal_page_shows_its_tasting_scores(staff, app_world):
    wang = app_world.resident("王芳")
    staff.post("/staff/teams/tasting/members", {"phone": wang.phone})
    millet = app_world.deal("井陉小米", open_now=False, unit="袋")
    assert "试吃打分" not in staff.page(f"/staff/deals/{millet.number}")
    staff.post(
        "/staff/teams/tasting/start", {"deal_id": str(millet.id), "resident_id": str(wang.id)}
    )
    record_score(
        app_world.core,
        community_id=app_world.community_id,
        phone=wang.phone,
        score=4,
        words="很香",
        key="SMdeal",
    )
    page = staff.page(f"/staff/deals/{millet.number}")
    assert "试吃打分" in page and "1/1人打分，平均4.0分" in page and "王芳：4分 “很香”" in page


def test_a_member_s_reply_shows_in_the_inbox_marked_with_the_team(staff, app, app_world):
    from tests.support.phone import Sms

    sms = Sms(app.test_client(), app_world.core)
    wang = app_world.resident("王芳")
    staff.post("/staff/teams/bargaining/members", {"phone": wang.phone})
    staff.post(
        "/staff/teams/bargaining/message", {"body": "周六去正定谈梨价。", "token": "c" * 32}
    )
    assert sms.new_replies(wang.phone) == ["【洽谈价格砍价团】周六去正定谈梨价。"]
    assert "已转给洽谈价格砍价团" in sms.reply(wang.phone, "我周六能去，带上报价单")
    inbox = staff.page("/staff/inbox")
    assert "王芳" in inbox and "砍价团回复" in inbox and "我周六能去，带上报价单" in inbox
    assert "1人 · 1条回复" in staff.page("/staff/teams/bargaining")
    assert "Bargaining team reply" in staff.page("/staff/inbox?lang=en")
