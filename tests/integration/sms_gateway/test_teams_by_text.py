"""Residents join and leave the teams, ask for deal news and score samples, by text."""

from __future__ import annotations

from sqlalchemy import select

from core.accounts.acting import Actor
from core.accounts.services import create_staff_user
from core.announcements.models import AnnouncementSubscription
from core.helpdesk.models import HelpRequest
from core.orders.services import resident_orders
from core.tastings.models import Rating
from core.tastings.services import start_tasting
from core.teams.models import TeamKind, TeamMember
from core.teams.services import add_member, is_member, send_team_message


def member(world, resident, team):  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return is_member(
            session, community_id=world.community_id, resident_id=resident.id, team=team
        )


def staff(world):  # type: ignore[no-untyped-def]
    user = create_staff_user(
        world.core, "xiaoli", "staff-password", "staff", community_ids=[world.community_id]
    )
    return Actor(user, "xiaoli", world.community_id)


def test_joining_and_leaving_a_team_by_text(sms, app_world):
    wang = app_world.resident("王芳")
    assert sms.reply(wang.phone, "加入 砍价团") == (
        "欢迎加入洽谈价格砍价团！有活动会短信通知您。回“退出洽谈价格砍价团”可退出。"
    )
    assert member(app_world, wang, TeamKind.BARGAINING)
    assert sms.reply(wang.phone, "参加试吃团。").startswith("欢迎加入产品质量试吃团")
    assert sms.reply(wang.phone, "加入砍价团") == "您已经是洽谈价格砍价团成员了。"
    assert sms.reply(wang.phone, "退出 砍价团") == "您已退出洽谈价格砍价团，谢谢您的付出。"
    assert not member(app_world, wang, TeamKind.BARGAINING)
    assert member(app_world, wang, TeamKind.TASTING)
    assert sms.reply(wang.phone, "退出砍价团") == "您不在洽谈价格砍价团里，不用退出。"
    tom = app_world.resident("Tom", language="en")
    assert sms.reply(tom.phone, "join tasting team").startswith("Welcome to the Tasting team")
    assert member(app_world, tom, TeamKind.TASTING)


def test_a_stranger_cannot_join(sms, app_world):
    answer = sms.reply("+8613912345678", "加入砍价团")
    assert "还没登记" in answer
    with app_world.core.db.transaction() as session:
        assert session.scalars(select(TeamMember)).all() == []


def test_announcements_on_and_off_by_text_leave_other_texts_on(sms, app_world):
    wang = app_world.resident("王芳")
    assert sms.reply(wang.phone, "订阅团购").startswith("好的，有新团购会短信告诉您")
    assert sms.reply(wang.phone, "不要通知") == "好的，不再发新团购通知。回“订阅团购”可恢复。"
    with app_world.core.db.transaction() as session:
        row = session.scalars(select(AnnouncementSubscription)).one()
        assert row.subscribed is False and row.changed_by == "sms"
    pears = app_world.deal()
    assert sms.reply(wang.phone, f"{pears.number} 2").startswith(f"已订{pears.number}号")


def test_a_tasting_member_scores_the_sample_by_text(sms, app_world):
    wang = app_world.resident("王芳")
    sms.reply(wang.phone, "参加试吃团")
    draft = app_world.deal("井陉小米", open_now=False, unit="袋")
    started = start_tasting(
        app_world.core, actor=staff(app_world), deal_id=draft.id, resident_ids=[wang.id]
    )
    assert started.asked == 1
    assert sms.new_replies(wang.phone) == [
        "井陉小米的样品您尝了吗？回1-5给样品打分，可加一句话，如：4 很甜"
    ]
    open_deal = app_world.deal()  # deal 2 is open: "2" would order it, but a score waits
    assert open_deal.number == 2
    assert sms.reply(wang.phone, "4 很香，就是有点碎") == "谢谢！已记下井陉小米4分。"
    with app_world.core.db.transaction() as session:
        rating = session.scalars(select(Rating)).one()
        assert (rating.score, rating.words, rating.deal_id) == (4, "很香，就是有点碎", draft.id)
    # Answered: the next "2 1" is an order again.
    assert sms.reply(wang.phone, "2 1").startswith("已订2号")
    found = resident_orders(app_world.core, community_id=app_world.community_id, phone=wang.phone)
    assert [o.deal.number for o in found] == [2]


def test_a_member_s_reply_to_a_team_message_reaches_the_help_inbox_marked(sms, app_world):
    wang = app_world.resident("王芳")
    actor = staff(app_world)
    add_member(app_world.core, actor=actor, team=TeamKind.BARGAINING, resident_id=wang.id)
    send_team_message(
        app_world.core,
        actor=actor,
        team=TeamKind.BARGAINING,
        body="周六上午9点在居委会碰头，去正定谈梨的价格。",
        token="t1",
    )
    assert sms.new_replies(wang.phone) == [
        "【洽谈价格砍价团】周六上午9点在居委会碰头，去正定谈梨的价格。"
    ]
    answer = sms.reply(wang.phone, "好的我周六能去，带上上次的报价单")
    assert answer == "收到，已转给洽谈价格砍价团和居委会，会有人回复您。"
    with app_world.core.db.transaction() as session:
        item = session.scalars(select(HelpRequest)).one()
        assert item.reason == "team_bargaining" and item.phone == wang.phone
    # Someone outside the team writing the same is answered as before, not marked.
    zhao = app_world.resident("赵先生")
    sms.send(zhao.phone, "好的我周六能去，带上上次的报价单")
    with app_world.core.db.transaction() as session:
        reasons = {h.phone: h.reason for h in session.scalars(select(HelpRequest))}
    assert reasons.get(zhao.phone) != "team_bargaining"


def test_a_member_s_half_order_after_a_team_message_is_still_asked_about(sms, app_world):
    wang = app_world.resident("王芳")
    app_world.deal()
    app_world.deal("东北大米", unit="袋")
    actor = staff(app_world)
    add_member(app_world.core, actor=actor, team=TeamKind.TASTING, resident_id=wang.id)
    send_team_message(app_world.core, actor=actor, team=TeamKind.TASTING, body="明天见", token="t")
    sms.new_replies(wang.phone)
    assert "要订哪一号" in sms.reply(wang.phone, "我要两份")
    with app_world.core.db.transaction() as session:
        assert session.scalars(select(HelpRequest)).all() == []


def test_a_confirmation_asked_before_a_score_is_answered_first(sms, app_world):
    wang = app_world.resident("王芳")
    app_world.deal()
    app_world.deal("东北大米", unit="袋")
    sms.reply(wang.phone, "参加试吃团")
    millet = app_world.deal("井陉小米", open_now=False, unit="袋")
    start_tasting(app_world.core, actor=staff(app_world), deal_id=millet.id, resident_ids=[wang.id])
    sms.new_replies(wang.phone)
    assert sms.reply(wang.phone, "23").endswith("对吗？回1确认，回0不要")
    assert sms.reply(wang.phone, "1").startswith("已订2号东北大米3袋")
    assert sms.reply(wang.phone, "5").startswith("谢谢！已记下井陉小米5分")
