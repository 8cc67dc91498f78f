"""The help inbox and held phones as staff see them: list, conversation, answer, done, lift."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.accounts.models import AuditLog
from core.conversations import holds
from core.conversations.holds import hold_for
from core.conversations.phone_lock import hold_phone
from core.helpdesk.models import HelpReason
from core.helpdesk.queries import waiting_count
from core.messages.models import Message, MessageKind, MessageStatus
from core.orders.services import place_order
from tests.builders import World
from tests.unit.core.helpdesk.helpers import held_back, writes_for_help

STRANGER = "+8613700000009"
SCRIPT = '<script>alert("x")</script>'
_REPLY_TOKEN = re.compile(r'id="token" name="token" type="hidden" value="([0-9a-f]{32})"')


def staff_replies(world) -> list[Message]:  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return list(session.scalars(select(Message).where(Message.kind == MessageKind.STAFF_REPLY)))


def reply_token(page: str) -> str:
    found = _REPLY_TOKEN.search(page)
    assert found, "no reply token on the item page"
    return found.group(1)


def test_the_menu_and_dashboard_say_how_many_wait(staff, app_world):
    assert "没有短信等人回复" in staff.page("/staff/")
    wang = app_world.resident("王芳")
    writes_for_help(app_world, wang.phone, "找人工", HelpReason.WANTS_PERSON)
    writes_for_help(app_world, STRANGER, "你好", HelpReason.UNKNOWN_NUMBER)
    writes_for_help(app_world, app_world.resident("李秀英").phone, "梨烂了", HelpReason.COMPLAINT)
    page = staff.page("/staff/")
    assert "3条短信等人回复" in page
    assert 'id="nav-help-waiting">3<' in page and "求助" in page
    assert 'id="nav-help-waiting">3<' in staff.page("/staff/deals")


def test_the_list_shows_resident_room_reason_text_and_wait(staff, app_world, clock):
    wang = app_world.resident("王芳", building="3", unit="2", room="401")
    writes_for_help(app_world, wang.phone, "梨是哪里产的？", HelpReason.QUESTION)
    writes_for_help(app_world, STRANGER, "请问怎么登记", HelpReason.UNKNOWN_NUMBER)
    clock.advance(hours=2, minutes=5)
    page = staff.page("/staff/inbox")
    assert "王芳" in page and "3号楼2单元401室" in page and "问题系统答不了" in page
    assert "梨是哪里产的？" in page and "等了2小时5分" in page
    assert "陌生号码" in page and f"/staff/residents/new?phone=%2B{STRANGER[1:]}" in page
    english = staff.page("/staff/inbox?lang=en")
    assert "Bldg 3, Unit 2, Room 401" in english and "waiting 2 h 5 min" in english


def test_register_this_caller_fills_the_phone_in(staff, app_world):
    writes_for_help(app_world, STRANGER, "我是新搬来的", HelpReason.UNKNOWN_NUMBER)
    form = staff.page(f"/staff/residents/new?phone=%2B{STRANGER[1:]}")
    assert f'value="{STRANGER}"' in form


def test_an_item_shows_the_whole_conversation_the_orders_and_answers_once(staff, app_world):
    deal = app_world.deal()
    wang = app_world.resident("王芳")
    assert place_order(
        app_world.core,
        community_id=app_world.community_id,
        phone=wang.phone,
        deal_number=deal.number,
        quantity=2,
        channel="sms",
    )
    item = writes_for_help(app_world, wang.phone, "梨有两个坏了", HelpReason.COMPLAINT)
    path = f"/staff/inbox/{item}"
    page = staff.page(path)
    assert "梨有两个坏了" in page and "订单确认" in page and "赵县雪花梨" in page
    assert "0个字，0条短信（最多2条）" in page
    token = reply_token(page)
    answer = "王阿姨您好，坏梨请拿到服务站换。"
    preview = staff.post(path, {"text": answer, "token": token, "action": "preview"}, form_on=path)
    assert preview.status_code == 200
    assert "16个字，1条短信（最多2条）" in preview.get_data(as_text=True)
    assert staff_replies(app_world) == []  # a preview sends nothing
    send = {"text": answer, "token": token, "action": "send", "csrf_token": staff.token(path)}
    first = staff.client.post(path, data=send)
    again = staff.client.post(path, data=send)  # a double click
    assert first.status_code == again.status_code == 302
    (reply,) = staff_replies(app_world)  # no worker ran: it waits in the outbox, unsent
    assert reply.status in (MessageStatus.PENDING, MessageStatus.QUEUED)
    assert (reply.phone, reply.body, reply.sent_at, reply.not_before) == (
        wang.phone,
        answer,
        None,
        None,
    )
    after = staff.page(path)
    assert "已回复王芳，短信正在发送。" in after and "xiaoli已回复" in after
    assert reply_token(after) != token  # a new form for a new answer
    assert waiting_count(app_world.core, community_id=app_world.community_id) == 0


def test_send_and_mark_done_then_reopen(staff, app_world):
    item = writes_for_help(app_world, app_world.resident().phone, "找人工", HelpReason.WANTS_PERSON)
    path = f"/staff/inbox/{item}"
    token = reply_token(staff.page(path))
    staff.post(path, {"text": "好的，马上给您打电话。", "token": token, "action": "send_done"})
    page = staff.page("/staff/inbox")
    assert "现在没有短信等人回复" in page and "最近处理完的" in page
    assert staff.post(f"/staff/inbox/{item}/reopen").status_code == 302
    assert waiting_count(app_world.core, community_id=app_world.community_id) == 1
    assert staff.post(f"/staff/inbox/{item}/done").status_code == 302
    assert waiting_count(app_world.core, community_id=app_world.community_id) == 0


def test_bad_answers_are_form_errors_and_send_nothing(staff, app_world):
    item = writes_for_help(app_world, app_world.resident().phone, "找人工", HelpReason.WANTS_PERSON)
    path = f"/staff/inbox/{item}"
    token = reply_token(staff.page(path))
    too_long = staff.post(path, {"text": "您" * 200, "token": token, "action": "send"})
    assert too_long.status_code == 422
    assert "回复太长：要3条短信，最多2条" in too_long.get_data(as_text=True)
    empty = staff.post(path, {"text": "   ", "token": token, "action": "send"})
    assert empty.status_code == 422 and "请先写回复内容" in empty.get_data(as_text=True)
    nonsense = staff.post(path, {"token": "not-a-token", "action": "whatever"})
    assert nonsense.status_code == 200
    landline = app_world.resident("郭奶奶", phone="0311-8566-2001", landline=True)
    on_landline = writes_for_help(app_world, landline.phone, "找人工", HelpReason.WANTS_PERSON)
    assert 'id="call-instead"' in staff.page(f"/staff/inbox/{on_landline}")  # said before typing
    refused = staff.post(
        f"/staff/inbox/{on_landline}", {"text": "您好", "token": token, "action": "send"}
    )
    assert refused.status_code == 422 and "请打电话+8631185662001" in refused.get_data(as_text=True)
    assert staff_replies(app_world) == []


def test_resident_written_text_is_escaped(staff, app_world):
    person = app_world.resident(SCRIPT, building="<b>1</b>")
    item = writes_for_help(app_world, person.phone, SCRIPT, HelpReason.QUESTION)
    writes_for_help(app_world, STRANGER, "<img src=x onerror=alert(1)>", HelpReason.UNKNOWN_NUMBER)
    for path in ("/staff/inbox", f"/staff/inbox/{item}"):
        html = staff.page(path)
        assert SCRIPT not in html and "<b>1</b>" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(" in html, path


def test_another_communitys_item_is_not_found(staff, app, app_world, clock):
    other = World(app_world.core, clock, phone="+8631188887777")
    theirs = writes_for_help(other, STRANGER, "hello", HelpReason.UNKNOWN_NUMBER)
    assert staff.get(f"/staff/inbox/{theirs}").status_code == 404
    token = reply_token(
        staff.page(
            f"/staff/inbox/{writes_for_help(app_world, STRANGER, 'hi', HelpReason.UNKNOWN_NUMBER)}"
        )
    )
    answer = {"text": "hi", "token": token, "action": "send"}
    assert staff.post(f"/staff/inbox/{theirs}", answer).status_code == 404
    assert staff.post(f"/staff/inbox/{theirs}/done").status_code == 404
    assert staff.post(f"/staff/inbox/{theirs}/reopen").status_code == 404
    assert staff.get("/staff/inbox/999999").status_code == 404
    assert waiting_count(app_world.core, community_id=other.community_id) == 1


def test_inbox_actions_need_a_login_and_a_csrf_token(browser, staff, app_world):
    item = writes_for_help(app_world, STRANGER, "hello", HelpReason.UNKNOWN_NUMBER)
    assert staff.client.post(f"/staff/inbox/{item}/done").status_code == 400
    assert (
        staff.client.post(f"/staff/inbox/{item}", data={"text": "hi", "action": "send"}).status_code
        == 400
    )
    assert staff.client.post("/staff/holds/lift", data={"phone": STRANGER}).status_code == 400
    assert staff_replies(app_world) == []
    assert waiting_count(app_world.core, community_id=app_world.community_id) == 1


def test_admins_use_the_inbox_too(admin, app_world):
    item = writes_for_help(app_world, STRANGER, "hello", HelpReason.UNKNOWN_NUMBER)
    assert admin.post(f"/staff/inbox/{item}/done").status_code == 302
    assert waiting_count(app_world.core, community_id=app_world.community_id) == 0


def test_a_held_phone_is_shown_with_its_end_and_lifted_from_the_residents_page(staff, app_world):
    wang = app_world.resident("王芳")
    held_back(app_world, wang.phone, minutes=30)  # 10:00 in Shanghai: held until 10:30
    writes_for_help(app_world, wang.phone, "1", HelpReason.FLOOD)
    resident_page = staff.page(f"/staff/residents/{wang.id}")
    assert "这个号码暂停回复" in resident_page and "暂停到11月23日周一 10:30" in resident_page
    log = staff.page("/staff/messages")
    assert "暂停回复的号码" in log and "暂停回复中" in log
    inbox = staff.page("/staff/inbox")
    assert "短信太多，暂停回复" in inbox and "暂停到11月23日周一 10:30" in inbox
    lifted = staff.post(
        "/staff/holds/lift",
        {"phone": wang.phone, "back": f"/staff/residents/{wang.id}"},
    )
    assert lifted.headers["Location"] == f"/staff/residents/{wang.id}"
    assert hold_for(app_world.core, community_id=app_world.community_id, phone=wang.phone) is None
    assert f"已恢复回复{wang.phone}" in staff.page(f"/staff/residents/{wang.id}")
    with app_world.core.db.transaction() as session:
        (entry,) = session.scalars(select(AuditLog).where(AuditLog.action == "sms.hold_lifted"))
        assert entry.actor == "xiaoli"
    again = staff.post("/staff/holds/lift", {"phone": wang.phone, "back": "//evil.example/"})
    assert again.headers["Location"] == "/staff/"  # never bounced to another site
    assert "暂停回复的号码" not in staff.page("/staff/messages")


def test_a_hold_is_not_lifted_while_a_reader_holds_the_phone_and_staff_are_told(
    staff, app_world, monkeypatch
):
    wang = app_world.resident("王芳")
    held_back(app_world, wang.phone)
    monkeypatch.setattr(holds, "LIFT_WAIT_SECONDS", 0.2)
    with hold_phone(app_world.core, community_id=app_world.community_id, phone=wang.phone):
        busy = staff.post("/staff/holds/lift", {"phone": wang.phone, "back": "/staff/inbox"})
    assert busy.status_code == 302
    assert hold_for(app_world.core, community_id=app_world.community_id, phone=wang.phone)
    assert f"正在回复{wang.phone}，请稍后再试" in staff.page("/staff/inbox")
    staff.post("/staff/holds/lift", {"phone": wang.phone, "back": "/staff/inbox"})
    assert not hold_for(app_world.core, community_id=app_world.community_id, phone=wang.phone)


def test_the_residents_page_leads_to_her_open_item(staff, app_world, clock):
    wang = app_world.resident("王芳")
    assert 'id="help-wanted"' not in staff.page(f"/staff/residents/{wang.id}")
    item = writes_for_help(app_world, wang.phone, "找人工", HelpReason.WANTS_PERSON)
    clock.advance(minutes=7)
    page = staff.page(f"/staff/residents/{wang.id}")
    assert "求助：要找人工" in page and "等了7分钟" in page
    assert f'href="/staff/inbox/{item}"' in page


def test_each_reason_for_a_hold_is_said_in_words(staff, app_world):
    held_back(app_world, "+8613700000001", reason="auto_reply")
    held_back(app_world, "+8613700000002", reason="machine")
    held_back(app_world, "+8613700000003", reason="something_new")
    log = staff.page("/staff/messages")
    assert "对方是自动回复" in log and "像是机器" in log and "something_new" in log
