"""The address normaliser on the forms residents and staff write, and natural room order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.residents.addresses import (
    Flat,
    display_flat,
    normalise_flat,
    parse_flat,
    room_sort_key,
)
from core.residents.importing import read_rows
from core.residents.services import ResidentEdit, register_resident, save_resident

CHINESE = "零一二三四五六七八九"


@pytest.mark.parametrize(
    "written",
    [
        "3/2/401",
        "3-2-401",
        "3 2 401",
        "3、2、401",
        "３－２－４０１",
        "三号楼二单元401",
        "三号楼二单元四零一",
        "3号楼/二单元/401室",
        "3号楼2单元401室",
        "3号楼 2单元 401室",
        "3栋2单元401",
        "3幢2门401号",
    ],
)
def test_every_way_of_writing_a_flat_is_stored_one_way_and_shown_one_way(written):
    flat = normalise_flat(written)
    assert flat == Flat("3", "2", "401")
    assert display_flat(*flat.__dict__.values()) == "3号楼2单元401室"


def test_three_fields_lose_their_words_but_keep_names_that_are_not_numbers():
    assert normalise_flat("三号楼", "二单元", "401室") == Flat("3", "2", "401")
    assert normalise_flat("十二号楼", "1", "1203") == Flat("12", "1", "1203")
    assert normalise_flat("3A", "2", "401") == Flat("3A", "2", "401")
    assert normalise_flat("A座", "2", "401") == Flat("A座", "2", "401")
    assert display_flat("A座", "2", "401") == "A座2单元401室"  # never A座号楼
    assert normalise_flat("东区", "", "") == Flat("东区", "", "")
    assert normalise_flat("", "", "") == Flat("", "", "")


def test_the_display_never_doubles_a_word():
    for written in ("3号楼/二单元/401室", "3号楼", "三号楼"):
        flat = normalise_flat(written)
        assert "号楼号楼" not in display_flat(flat.building, flat.unit, flat.room)


def test_a_text_that_is_no_address_is_not_read_as_one():
    assert parse_flat("王芳") is None
    assert parse_flat("") is None


def _chinese(n: int) -> str:
    return "".join(CHINESE[int(d)] for d in str(n))


@given(
    building=st.integers(1, 99),
    unit=st.integers(1, 9),
    room=st.integers(101, 2999),
    form=st.sampled_from(
        [
            "{b}/{u}/{r}",
            "{b}-{u}-{r}",
            "{b}号楼{u}单元{r}室",
            "{b}号楼/{u}单元/{r}室",
            "{B}号楼{U}单元{r}",
        ]
    ),
)
def test_any_flat_in_any_form_comes_back_as_its_numbers(building, unit, room, form):
    written = form.format(b=building, u=unit, r=room, B=_chinese(building), U=_chinese(unit))
    flat = normalise_flat(written)
    assert flat == Flat(str(building), str(unit), str(room)), written
    assert normalise_flat(flat.building, flat.unit, flat.room) == flat  # idempotent


@given(st.text(max_size=12), st.text(max_size=6), st.text(max_size=6))
def test_the_normaliser_never_fails_and_is_stable(building, unit, room):
    once = normalise_flat(building, unit, room)
    assert normalise_flat(once.building, once.unit, once.room) == normalise_flat(
        once.building, once.unit, once.room
    )


def test_flats_sort_naturally():
    flats = [("10", "1", "201"), ("2", "1", "101"), ("2", "1", "1101"), ("2", "10", "101")]
    ordered = sorted(flats, key=lambda f: room_sort_key(*f))
    assert ordered == [
        ("2", "1", "101"),
        ("2", "1", "1101"),
        ("2", "10", "101"),
        ("10", "1", "201"),
    ]


def test_the_console_form_and_self_registration_store_the_normal_form(world):
    wang = register_resident(
        world.core,
        community_id=world.community_id,
        phone="13800138001",
        name="王芳",
        building="3号楼/二单元/401室",
    )
    assert (wang.building, wang.unit, wang.room) == ("3", "2", "401")
    li = save_resident(
        world.core,
        community_id=world.community_id,
        by="xiaoli",
        edit=ResidentEdit(
            phone="13800138002", name="李秀英", building="三号楼", unit="二单元", room="402室"
        ),
    )
    assert (li.building, li.unit, li.room) == ("3", "2", "402")


def test_an_import_stores_the_normal_form():
    header = "phone,name,building,unit,room,language,landline\n"
    rows, errors = read_rows(
        header
        + "13800138003,赵大爷,3-2-401,,,zh,no\n13800138004,钱奶奶,三号楼,二单元,401室,zh,no\n"
    )
    assert errors == []
    assert [(r.building, r.unit, r.room) for r in rows] == [("3", "2", "401")] * 2
