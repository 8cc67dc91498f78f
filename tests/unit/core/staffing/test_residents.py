"""Finding and editing residents as the committee does: by name, phone digits or flat."""

from __future__ import annotations

import pytest

from core.residents.queries import resident_detail, search_residents
from core.residents.services import ResidentEdit, ResidentError, save_resident


@pytest.fixture
def street(world):  # type: ignore[no-untyped-def]
    world.resident("王芳", phone="+8613800138001", building="3", unit="2", room="401")
    world.resident("王建国", phone="+8613800138002", building="3", unit="1", room="101")
    world.resident("李秀英", phone="+8613800138003", building="10", unit="2", room="401")
    return world


def names(street, query):  # type: ignore[no-untyped-def]
    found = search_residents(street.core, community_id=street.community_id, query=query)
    return sorted(r.name for r in found.residents)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("王", ["王建国", "王芳"]),
        ("8003", ["李秀英"]),
        ("138-0013-8001", ["王芳"]),
        ("3-2-401", ["王芳"]),
        ("3号楼2单元401室", ["王芳"]),
        ("3-1", ["王建国"]),
        ("401", ["李秀英", "王芳"]),
        ("", ["李秀英", "王建国", "王芳"]),
        ("%", []),
    ],
)
def test_search_by_name_phone_or_flat(street, query, expected):
    assert names(street, query) == expected


def test_staff_add_and_edit_a_resident_and_it_is_audited(world):
    added = save_resident(
        world.core,
        community_id=world.community_id,
        edit=ResidentEdit(phone="0311 8566 2001", name="郭奶奶", building="2", landline=True),
        by="xiaoli",
    )
    assert added.phone == "+8631185662001" and added.landline and added.language == "zh"
    edited = save_resident(
        world.core,
        community_id=world.community_id,
        edit=ResidentEdit(
            phone="13800138009", name="郭奶奶", building="2", opted_out=True, language="en"
        ),
        by="xiaoli",
        resident_id=added.id,
    )
    assert (edited.phone, edited.opted_out, edited.language, edited.landline) == (
        "+8613800138009",
        True,
        "en",
        False,
    )
    detail = resident_detail(world.core, community_id=world.community_id, resident_id=added.id)
    assert detail is not None and detail.can_receive_sms


def test_a_phone_cannot_belong_to_two_residents(world):
    wang = world.resident("王芳", phone="+8613800138001")
    li = world.resident("李秀英", phone="+8613800138003")
    with pytest.raises(ResidentError, match=r"staff\.resident\.error\.phone_taken"):
        save_resident(
            world.core,
            community_id=world.community_id,
            edit=ResidentEdit(phone=wang.phone, name="李秀英"),
            by="xiaoli",
            resident_id=li.id,
        )
    with pytest.raises(ResidentError, match=r"^resident\.error\.phone$"):
        save_resident(
            world.core,
            community_id=world.community_id,
            edit=ResidentEdit(phone="12", name="x"),
            by="xiaoli",
        )
