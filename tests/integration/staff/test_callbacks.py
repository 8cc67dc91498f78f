"""Call backs waiting for a person, the office's hours, a resident's voice pace, the card."""

from __future__ import annotations

from urllib.parse import unquote

from core.calls.models import CallbackReason
from core.calls.services import start_call
from core.calls.staff_callbacks import callbacks_for_staff, request_staff_callback
from core.community.closed_days import closed_days
from core.community.models import Community
from core.residents.services import find_resident
from tests.builders import World


def ask_for_a_call_back(world: World, sid: str, phone: str, reason: CallbackReason) -> None:
    start_call(world.core, community_id=world.community_id, call_sid=sid, phone=phone)
    request_staff_callback(
        world.core, community_id=world.community_id, call_sid=sid, phone=phone, reason=reason
    )


def test_waiting_call_backs_are_counted_listed_and_marked_done(staff, app_world):  # type: ignore[no-untyped-def]
    assert "没有要回的电话" in staff.page("/staff/")
    wang = app_world.resident("王芳")
    ask_for_a_call_back(app_world, "CA-1", wang.phone, CallbackReason.OUT_OF_HOURS)
    ask_for_a_call_back(app_world, "CA-2", "+8613912345678", CallbackReason.UNKNOWN_CALLER)

    assert "有2位来电的人等着回电话" in staff.page("/staff/")
    page = staff.page("/staff/callbacks")
    assert "139 1234 5678" in page and "王芳" in page and "3号楼2单元401室" in page
    assert "下班时间找工作人员" in page and "未登记的来电，想登记" in page
    [known, _unknown] = callbacks_for_staff(app_world.core, community_id=app_world.community_id)

    response = staff.post(
        f"/staff/callbacks/{known.id}/done", {"phone": known.dial}, form_on="/staff/callbacks"
    )
    assert response.status_code == 302
    page = staff.page("/staff/callbacks")
    assert "王芳" not in page and "139 1234 5678" in page
    again = staff.post(f"/staff/callbacks/{known.id}/done", form_on="/staff/callbacks")
    assert "这个电话已经有人处理过了" in staff.page(again.headers["Location"])
    assert staff.post("/staff/callbacks/9999/done", form_on="/staff/callbacks").status_code == 404


def test_an_unknown_caller_is_registered_from_the_call_back(staff, app_world):  # type: ignore[no-untyped-def]
    ask_for_a_call_back(app_world, "CA-1", "+8613912345678", CallbackReason.UNKNOWN_CALLER)
    page = staff.page("/staff/callbacks")
    link = unquote(page.split('href="/staff/residents/new?phone=')[1].split('"')[0])
    assert link == "+8613912345678"
    form = staff.page("/staff/residents/new?phone=%2B8613912345678")
    assert 'value="+8613912345678"' in form

    new = {"name": "赵大爷", "phone": link, "building": "5", "unit": "1", "room": "201"}
    response = staff.post("/staff/residents/new", new, form_on="/staff/residents/new")
    assert response.status_code == 302
    found = find_resident(
        app_world.core, community_id=app_world.community_id, phone="+8613912345678"
    )
    assert found is not None and found.name == "赵大爷"
    assert "赵大爷" in staff.page("/staff/callbacks")  # now with the name, until rung back


def test_closed_days_and_weekly_hours_from_the_console(staff, app_world):  # type: ignore[no-untyped-def]
    page = staff.page("/staff/hours")
    assert "现在是工作时间" in page  # Monday 10:00
    closing = {"action": "add", "day": "2026-11-23", "note": "培训"}
    added = staff.post("/staff/hours", closing, form_on="/staff/hours")
    assert added.status_code == 302
    page = staff.page("/staff/hours")
    assert "2026-11-23" in page and "培训" in page and "现在不是工作时间" in page
    assert [d.note for d in closed_days(app_world.core, community_id=app_world.community_id)] == [
        "培训"
    ]
    staff.post("/staff/hours", {"action": "remove", "day": "2026-11-23"}, form_on="/staff/hours")
    assert closed_days(app_world.core, community_id=app_world.community_id) == []

    bad = staff.post("/staff/hours", {"action": "hours", "hours": "9到5"}, form_on="/staff/hours")
    assert bad.status_code == 422 and "看不懂这个工作时间" in bad.get_data(as_text=True)
    bad_day = staff.post("/staff/hours", {"action": "add", "day": "明天"}, form_on="/staff/hours")
    assert bad_day.status_code == 422
    stray = staff.post("/staff/hours", {"name": "x"}, form_on="/staff/hours")
    assert stray.status_code == 422 and "请用页面上的按钮保存" in stray.get_data(as_text=True)
    week = "mon-fri 08:30-17:30; sat 09:00-12:00"
    assert staff.post(
        "/staff/hours", {"action": "hours", "hours": week}, form_on="/staff/hours"
    ).status_code == 302
    with app_world.core.db.transaction() as session:
        assert session.get_one(Community, app_world.community_id).staff_hours == week


def test_a_residents_voice_pace_is_set_in_the_console(staff, app_world):  # type: ignore[no-untyped-def]
    wang = app_world.resident("王芳", phone="+8613800138001")
    page = staff.page(f"/staff/residents/{wang.id}")
    assert '<option value="normal" selected>' in page
    edit = {"name": "王芳", "phone": wang.phone, "language": "zh", "voice_pace": "slow"}
    saved = staff.post(f"/staff/residents/{wang.id}", edit, form_on="/staff/residents")
    assert saved.status_code == 302
    after = find_resident(app_world.core, community_id=app_world.community_id, phone=wang.phone)
    assert after is not None and after.voice_pace == "slow"
    assert '<option value="slow" selected>' in staff.page(f"/staff/residents/{wang.id}")
    bad = staff.post(
        f"/staff/residents/{wang.id}", {**edit, "voice_pace": "fast"}, form_on="/staff/residents"
    )
    assert bad.status_code == 422


def test_the_keypad_card_names_the_new_keys(staff, app_world):  # type: ignore[no-untyped-def]
    grandma = app_world.resident("郭奶奶")
    card = staff.page(f"/staff/residents/{grandma.id}/card")
    assert "按8：说慢一点" in card and "按星号：再说一遍最后一句" in card
    assert "回主菜单，请按井号键" in card
    anna = app_world.resident("Anna", language="en")
    card = staff.page(f"/staff/residents/{anna.id}/card")
    assert "Press 8: slower speech" in card and "Press star: hear the last sentence again" in card


def test_the_help_inbox_lists_callers_waiting_to_be_rung_back(staff, app_world):  # type: ignore[no-untyped-def]
    wang = app_world.resident("王芳")
    ask_for_a_call_back(app_world, "CA-9", wang.phone, CallbackReason.NO_ANSWER)
    page = staff.page("/staff/inbox")
    assert "等回电的来电" in page and "王芳" in page
    assert 'id="nav-help-waiting">1<' in page  # the menu counts callers with the texts
    [waiting] = callbacks_for_staff(app_world.core, community_id=app_world.community_id)
    done = staff.post(
        f"/staff/callbacks/{waiting.id}/done",
        {"phone": waiting.dial, "back": "inbox"},
        form_on="/staff/inbox",
    )
    assert done.headers["Location"] == "/staff/inbox"
    assert "等回电的来电" not in staff.page("/staff/inbox")
