"""The console's import page with files that are wrong as a whole, too big, or foreign
(issue 10, finding 2): always a page in the staff member's words, never a traceback."""

from __future__ import annotations

import json
from io import BytesIO

from core.residents.services import find_resident
from tests.support.inbox import run_imports


def upload(staff, data: bytes, **fields: str):  # type: ignore[no-untyped-def]
    return staff.post(
        "/staff/residents/import",
        {"file": (BytesIO(data), "名单.csv"), **fields},
        form_on="/staff/residents/import",
        content_type="multipart/form-data",
    )


def outcome(staff, app, response):  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.get_data(as_text=True)
    run_imports(app.extensions["mianhua"])
    return json.loads(staff.get(response.headers["Location"] + ".json").data)


def test_an_excel_workbook_uploaded_as_csv_is_explained(staff, app, app_world):
    state = outcome(staff, app, upload(staff, b"PK\x03\x04" + bytes(range(256)) * 4))
    assert (state["status"], state["finished"]) == ("failed", True)
    assert state["file_error"].startswith("这不是 CSV 文件，整个文件都没有导入")


def test_a_quote_left_open_is_named_by_line(staff, app, app_world):
    data = 'phone,name\n13800138001,"王芳\n13800138002,李秀英\n'.encode()
    state = outcome(staff, app, upload(staff, data))
    assert state["file_error"] == "第2行的引号没有配对，整个文件都没有导入，请改好后再试"
    assert (
        find_resident(app_world.core, community_id=app_world.community_id, phone="13800138002")
        is None
    )


def test_foreign_numbers_need_the_tick_box(staff, app, app_world):
    data = "phone,name\n+85291234567,陈先生\n13800138001,王芳\n".encode()
    refused = outcome(staff, app, upload(staff, data))
    assert refused["errors"][0]["line_text"] == "第2行：不是本社区所在国家的号码：+85291234567"
    assert refused["created"] == 1
    allowed = outcome(staff, app, upload(staff, data, allow_other_countries="y"))
    assert (allowed["created"], allowed["updated"], allowed["errors"]) == (1, 1, [])
    assert "也接受其他国家和地区的号码" in staff.page("/staff/residents/import")


def test_a_file_past_the_limit_gets_a_console_page_saying_the_limit(staff, app_world):
    response = upload(staff, b"x" * (6 * 1024 * 1024))
    assert response.status_code == 413
    assert "文件太大（最多5.0MB）" in response.get_data(as_text=True)
