"""Imports check every row before they write (issue 10, finding 2), on SQLite and PostgreSQL.

Each test builds the committee's spreadsheet as it would arrive, with the one thing
wrong that the finding names, and checks that the good rows land, the bad ones are
named by line and reason, and a file that cannot be read as a whole changes nothing.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from core.residents.importing import ImportFileError, import_residents
from core.residents.models import Resident
from core.residents.services import find_resident

HEADER = "phone,name,building,unit,room,language,landline\n"


def rows(count: int, start: int = 0) -> list[str]:
    return [
        f"1380013{n:04d},住户{n},3,2,{n % 900 + 100},zh,no\n" for n in range(start, start + count)
    ]


def residents_in(world) -> int:  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Resident)) or 0


def run(world, text: str | bytes, **options: object):  # type: ignore[no-untyped-def]
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_residents(world.core, community_id=world.community_id, data=data, **options)


def test_a_name_too_long_on_line_702_of_1200_is_one_row_error_and_the_rest_import(world):
    lines = rows(1200)
    lines[700] = "13900139702," + "长" * 60 + ",3,2,401,zh,no\n"  # line 702 counting the header
    report = run(world, HEADER + "".join(lines))
    assert (report.created, report.updated) == (1199, 0)
    assert [(e.line, e.reason) for e in report.errors] == [(702, "import.error.too_long")]
    assert report.errors[0].value.endswith("…") and len(report.errors[0].value) == 40
    assert residents_in(world) == 1199


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("13800138001,王\x00芳,3,2,401,,\n", "import.error.control"),
        ("13800138001,王芳\u202e,3,2,401,,\n", "import.error.control"),
        ("13800138001,王芳,12345678901,2,401,,\n", "import.error.too_long"),
        ("13800138001,王芳,3,2,40\x1b1,,\n", "import.error.control"),
        ("13800138001,=NOW(),3,2,401,,\n", "import.error.unsafe"),
        ("13800138001,@SUM(1+1),3,2,401,,\n", "import.error.unsafe"),
        ("13800138001,王芳,3,2,401,,\n13800138001,王芳二,3,2,402,,\n", "import.error.duplicate"),
        ("13800138001,王,芳,3,2,401,zh,no\n", "import.error.extra_columns"),
    ],
)
def test_a_bad_field_is_reported_by_line_and_the_others_import(world, row, reason):
    report = run(world, HEADER + "13800138009,李秀英,1,1,101,,\n" + row)
    assert [e.reason for e in report.errors] == [reason]
    assert report.errors[0].line == (4 if reason == "import.error.duplicate" else 3)
    assert "\x00" not in report.errors[0].value and "\x1b" not in report.errors[0].value
    assert find_resident(world.core, community_id=world.community_id, phone="13800138009")
    expected = 2 if reason == "import.error.duplicate" else 1
    assert residents_in(world) == expected


@pytest.mark.parametrize(
    ("text", "key", "detail"),
    [
        # A quote left open: without the check the next rows became one 162-character name.
        (HEADER + '13800138001,"王芳,3,2,401,,\n' + "".join(rows(5)), "import.error.quoting", "2"),
        # Closed five rows later: still one record across lines, still not a name.
        (
            HEADER + '13800138001,"王芳,3,2,401,,\n' + "".join(rows(5)) + '139,李",1,1,1,,\n',
            "import.error.quoting",
            "2",
        ),
        (HEADER + '13800138001,"王"芳,3,2,401,,\n', "import.error.quoting", "2"),
        (
            HEADER + "".join(rows(3)) + "1," + "x" * 140_000 + ",1,1,1,,\n",
            "import.error.field_size",
            "5",
        ),
        ("", "import.error.empty", ""),
        ("name,room\nx,1\n", "import.error.columns", "phone"),
    ],
)
def test_a_file_that_cannot_be_read_as_a_whole_changes_nothing(world, text, key, detail):
    with pytest.raises(ImportFileError) as refused:
        run(world, text)
    assert (refused.value.key, refused.value.detail) == (key, detail)
    assert residents_in(world) == 0


def test_an_excel_workbook_or_other_binary_is_refused_politely(world):
    book = Workbook()
    book.active.append(["phone", "name"])
    buffer = io.BytesIO()
    book.save(buffer)
    for data in (buffer.getvalue(), bytes(range(256)) * 20):
        with pytest.raises(ImportFileError) as refused:
            run(world, data)
        assert refused.value.key == "import.error.binary"
    assert residents_in(world) == 0


def test_numbers_from_other_countries_need_the_operators_explicit_option(world):
    text = HEADER + (
        "+14155552671,Anna,1,1,101,en,\n"
        "+447911123456,Tom,1,1,102,en,\n"
        "+85291234567,陈先生,1,1,103,,\n"
        "13800138001,王芳,3,2,401,,\n"
    )
    report = run(world, text)
    assert [(e.line, e.reason) for e in report.errors] == [
        (2, "import.error.phone_country"),
        (3, "import.error.phone_country"),
        (4, "import.error.phone_country"),
    ]
    assert report.created == 1
    allowed = run(world, text, allow_other_countries=True)
    assert (allowed.created, allowed.updated, allowed.errors) == (3, 1, [])


def test_an_exported_file_reads_back_its_dialled_phones_and_quote_guards(world):
    text = HEADER + "138 0013 8001,王芳,3,2,401,zh,no\n0311 8888 6667,'=1+1,1,1,1,zh,yes\n"
    report = run(world, text)
    assert report.created == 1
    assert [(e.line, e.reason, e.value) for e in report.errors] == [
        (3, "import.error.unsafe", "=1+1")
    ]
