"""Residents: registering, opting out, and importing the committee's spreadsheets."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.residents.importing import ImportFileError, import_residents
from core.residents.models import Resident
from core.residents.services import (
    ResidentError,
    find_resident,
    opt_in,
    opt_out,
    register_resident,
    set_language,
)
from core.results import Refusal, RefusalReason

CSV_HEADER = "phone,name,building,unit,room,language,landline\n"


def count_residents(world) -> int:  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Resident))


def test_register_normalises_the_phone_and_updates_on_second_registration(world):
    first = register_resident(
        world.core, community_id=world.community_id, phone="138 0013 8001", name="王芳"
    )
    assert first.phone == "+8613800138001" and first.language == "zh"
    again = register_resident(
        world.core,
        community_id=world.community_id,
        phone="+86 13800138001",
        name="王芳芳",
        building="3",
        unit="2",
        room="401",
    )
    assert again.id == first.id and again.address == "3-2-401"


def test_register_refuses_bad_details(world):
    with pytest.raises(ResidentError, match=r"resident\.error\.phone"):
        register_resident(world.core, community_id=world.community_id, phone="12", name="x")
    with pytest.raises(ResidentError, match=r"resident\.error\.name"):
        register_resident(world.core, community_id=world.community_id, phone="13800138001", name="")


def test_language_and_opt_out(world):
    wang = world.resident()
    set_language(world.core, community_id=world.community_id, phone=wang.phone, language="en")
    assert opt_out(world.core, community_id=world.community_id, phone=wang.phone) is True
    assert opt_out(world.core, community_id=world.community_id, phone=wang.phone) is False
    found = find_resident(world.core, community_id=world.community_id, phone=wang.phone)
    assert found.language == "en" and found.opted_out
    assert opt_in(world.core, community_id=world.community_id, phone=wang.phone) is True
    assert opt_out(world.core, community_id=world.community_id, phone="+8613999999999") == Refusal(
        RefusalReason.NOT_REGISTERED
    )


def test_import_reports_bad_rows_by_line_and_imports_the_good_ones(world):
    data = (
        CSV_HEADER
        + "13800138001,王芳,3,2,401,zh,否\n"
        + "12345,坏号码,1,1,101,,\n"
        + "13800138002,,1,1,102,,\n"
        + "13800138003,张伟,1,1,103,fr,\n"
        + "\n"
        + "+86 138 0013 8004,郭奶奶,2,1,102,,是\n"
        + "13800138001,重复,3,2,401,,\n"
        + "13800138005,李四,2,1,103,en,maybe\n"
    ).encode()

    report = import_residents(world.core, community_id=world.community_id, data=data)

    assert (report.created, report.updated) == (2, 0)
    assert [(e.line, e.reason) for e in report.errors] == [
        (3, "import.error.phone"),
        (4, "import.error.name"),
        (5, "import.error.language"),
        (8, "import.error.duplicate"),
        (9, "import.error.landline"),
    ]
    guo = find_resident(world.core, community_id=world.community_id, phone="13800138004")
    assert guo.landline and guo.name == "郭奶奶"


def test_import_twice_updates_rather_than_duplicates(world):
    data = (CSV_HEADER + "13800138001,王芳,3,2,401,,\n").encode()
    import_residents(world.core, community_id=world.community_id, data=data)
    changed = (CSV_HEADER + "13800138001,王芳,5,1,101,en,\n").encode()
    report = import_residents(world.core, community_id=world.community_id, data=changed)
    assert (report.created, report.updated) == (0, 1)
    assert count_residents(world) == 1
    wang = find_resident(world.core, community_id=world.community_id, phone="13800138001")
    assert (wang.address, wang.language) == ("5-1-101", "en")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_import_reads_files_from_chinese_excel(world, encoding):
    data = (CSV_HEADER + "13800138001,王芳,3,2,401,中文,是\n").encode(encoding)
    report = import_residents(world.core, community_id=world.community_id, data=data)
    assert report.created == 1 and report.errors == []
    wang = find_resident(world.core, community_id=world.community_id, phone="13800138001")
    assert wang.name == "王芳" and wang.landline


def test_import_without_the_needed_columns_says_which(world):
    with pytest.raises(ImportFileError) as caught:
        import_residents(world.core, community_id=world.community_id, data=b"name,room\nx,1\n")
    assert caught.value.key == "import.error.columns" and caught.value.detail == "phone"


def test_import_reports_progress_on_large_files(world):
    rows = "".join(f"1380013{n:04d},居民{n},1,1,{n},,\n" for n in range(1200))
    seen: list[tuple[int, int]] = []
    report = import_residents(
        world.core,
        community_id=world.community_id,
        data=(CSV_HEADER + rows).encode(),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert report.created == 1200
    assert seen == [(500, 1200), (1000, 1200), (1200, 1200)]
