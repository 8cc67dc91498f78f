"""Residents in the console: search, add, edit, the keypad card, and the import with progress."""

from __future__ import annotations

import json
from io import BytesIO

from core.accounts.services import create_staff_user
from core.residents.services import find_resident
from tests.support.inbox import run_imports


def test_search_finds_by_name_phone_or_flat(staff, app_world):
    app_world.resident("王芳", phone="+8613800138001", building="3", unit="2", room="401")
    app_world.resident("李秀英", phone="+8613800138003", building="1", unit="1", room="101")
    assert "王芳" in staff.page("/staff/residents?q=3-2-401")
    page = staff.page("/staff/residents?q=8003")
    assert "李秀英" in page and "王芳" not in page
    assert "没找到" in staff.page("/staff/residents?q=张")


def test_add_then_edit_opt_out_language_and_landline(staff, app_world):
    new = {
        "name": "郭奶奶",
        "phone": "0311-8566-2001",
        "building": "2",
        "unit": "1",
        "room": "102",
        "language": "",
        "landline": "y",
        "notes": "需要送货上门",
    }
    response = staff.post("/staff/residents/new", new, form_on="/staff/residents/new")
    assert response.status_code == 302
    person = find_resident(
        app_world.core, community_id=app_world.community_id, phone="+8631185662001"
    )
    assert person is not None and person.landline and person.language == "zh"
    page = staff.page(response.headers["Location"])
    assert "已添加郭奶奶" in page and "需要送货上门" in page
    edit = {**new, "landline": "", "phone": "13800138019", "opted_out": "y", "language": "en"}
    staff.post(f"/staff/residents/{person.id}", edit, form_on="/staff/residents")
    after = find_resident(app_world.core, community_id=app_world.community_id, phone="13800138019")
    assert after is not None and (after.opted_out, after.landline, after.language) == (
        True,
        False,
        "en",
    )


def test_a_bad_phone_or_a_taken_one_is_explained(staff, app_world):
    app_world.resident("王芳", phone="+8613800138001")
    bad = staff.post(
        "/staff/residents/new", {"name": "x", "phone": "123"}, form_on="/staff/residents"
    )
    assert bad.status_code == 422 and "电话号码不对" in bad.get_data(as_text=True)
    taken = staff.post(
        "/staff/residents/new", {"name": "x", "phone": "13800138001"}, form_on="/staff/residents"
    )
    assert "已经登记给别的居民了" in taken.get_data(as_text=True)


def test_the_keypad_card_has_the_numbers_and_keys_in_the_residents_language(staff, app_world):
    grandma = app_world.resident("郭奶奶", phone="0311-8566-2001", landline=True)
    card = staff.page(f"/staff/residents/{grandma.id}/card")
    assert "0311-8888 6666" in card and "138 0000 0000" in card
    assert "打电话到" in card and "请按1" in card and "发短信" not in card  # landline: no texts
    anna = app_world.resident("Anna", language="en")
    card = staff.page(f"/staff/residents/{anna.id}/card")
    assert "Call or text" in card and "press 1" in card and "Text 2 3" in card


CSV = (
    "phone,name,building,unit,room,language,landline\n"
    "13800138001,王芳,3,2,401,zh,no\n"
    "12345,坏号码,1,1,101,,\n"
    "0311-8566-2001,郭奶奶,2,1,102,,是\n"
).encode("gbk")


def upload(staff, data: bytes, filename: str):  # type: ignore[no-untyped-def]
    """Choose a file on the import page and send it."""
    return staff.post(
        "/staff/residents/import",
        {"file": (BytesIO(data), filename)},
        form_on="/staff/residents/import",
        content_type="multipart/form-data",
    )


def test_import_runs_as_a_worker_job_and_reports_progress_and_row_errors(staff, app, app_world):
    response = upload(staff, CSV, "名单.csv")
    assert response.status_code == 302
    progress_page = response.headers["Location"]
    waiting = json.loads(staff.get(progress_page + ".json").data)
    assert (waiting["status"], waiting["finished"]) == ("queued", False)  # no thread ran it
    run_imports(app.extensions["mianhua"])
    state = json.loads(staff.get(progress_page + ".json").data)
    assert state["status"] == "done" and state["finished"]
    assert (state["created"], state["updated"], state["percent"]) == (2, 0, 100)
    assert state["errors"] == [
        {"line": 3, "text": "电话号码不对：12345", "line_text": "第3行：电话号码不对：12345"}
    ]
    assert find_resident(app_world.core, community_id=app_world.community_id, phone="13800138001")
    assert "第3行：电话号码不对：12345" in staff.page(progress_page)


def test_an_import_redis_cannot_take_is_failed_politely_not_left_waiting(
    app_factory, sqlite_url, clock
):
    from tests.builders import World
    from tests.integration.staff.conftest import PASSWORDS, Console

    app = app_factory(sqlite_url, REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    core = app.extensions["mianhua"].core
    World(core, clock)
    create_staff_user(core, "xiaoli", PASSWORDS["xiaoli"], "staff")
    staff = Console(app.test_client())
    assert staff.login("xiaoli").status_code == 302
    response = upload(staff, CSV, "名单.csv")
    assert response.status_code == 302
    state = json.loads(staff.get(response.headers["Location"] + ".json").data)
    assert (state["status"], state["finished"]) == ("failed", True)
    assert "后台服务连不上" in state["file_error"]


def test_an_import_without_a_file_is_refused_politely(staff, app_world):
    response = staff.post(
        "/staff/residents/import",
        form_on="/staff/residents/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "请选择一个 CSV 文件" in response.get_data(as_text=True)
