"""The pickup code: one per resident and pickup day, unique among that day's households,
kept through changes; and the desk's reading of rooms as residents write them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.books.desk import _matches, room_of
from core.orders.models import Order
from core.orders.services import cancel_order, place_order
from core.residents.models import Resident


def _place(world, phone: str, number: int, quantity: int = 1) -> None:  # type: ignore[no-untyped-def]
    placed = place_order(
        world.core,
        community_id=world.community_id,
        phone=phone,
        deal_number=number,
        quantity=quantity,
        channel="sms",
    )
    assert placed


def _codes(world) -> dict[tuple[int, int], str]:  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return {(o.resident_id, o.deal_id): o.pickup_code for o in session.scalars(select(Order))}


def test_one_code_per_resident_and_day_unique_among_households(world):
    pears, millet = world.deal(), world.deal("蔚县小米", unit="袋")  # both on one Saturday
    later = world.deal("花生油", closes_at=world.local(6, 20), unit="桶")  # another day
    people = [world.resident(f"居民{i}", room=str(100 + i)) for i in range(30)]
    for person in people:
        _place(world, person.phone, pears.number)
        _place(world, person.phone, millet.number)
    _place(world, people[0].phone, later.number)
    codes = _codes(world)
    saturday = {p.id: codes[(p.id, pears.id)] for p in people}
    assert all(codes[(p.id, millet.id)] == saturday[p.id] for p in people)
    assert len(set(saturday.values())) == len(people)  # no two households share one
    assert all(len(c) == 4 and c[0] != "0" and c.isdigit() for c in saturday.values())
    assert codes[(people[0].id, later.id)] is not None  # another day draws its own


def test_the_code_stays_through_changes_and_a_new_order_after_cancelling(world):
    deal = world.deal(limit=5)
    wang = world.resident("王芳")
    _place(world, wang.phone, deal.number, 1)
    [first] = _codes(world).values()
    _place(world, wang.phone, deal.number, 3)
    cancel_order(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=deal.number,
        channel="sms",
    )
    li = world.resident("李秀英", room="302")
    _place(world, li.phone, deal.number)  # never handed the cancelled order's code
    world.clock.advance(minutes=5)
    _place(world, wang.phone, deal.number, 2)
    codes = _codes(world)
    assert codes[(wang.id, deal.id)] == first  # the code in her first text stays right
    assert codes[(li.id, deal.id)] != first


@pytest.mark.parametrize(
    "text",
    ["3-2-401", "3/2/401", "3号楼2单元401室", "三号楼二单元401", "3 2 401", "3栋2单元401"],
)
def test_rooms_as_residents_write_them(text):
    assert room_of(text) == ("3", "2", "401")


def test_a_tall_building_s_room_is_a_room_and_a_dialled_phone_a_phone():
    high = Resident(name="高明", phone="+8613800138001", building="10", unit="2", room="1201")
    assert _matches("10-2-1201", high, set())
    assert _matches("138 0013 8001", high, set()) and _matches("138-0013-8001", high, set())
    assert not _matches("10-2-1202", high, set())


def test_ten_and_above_in_chinese_numerals():
    assert room_of("十二号楼一单元1201") == ("12", "1", "1201")
    assert room_of("王芳") is None and room_of("401") is None
