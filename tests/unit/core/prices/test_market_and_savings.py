"""A deal's market price from the survey, staff's override, and the savings counted on it."""

from __future__ import annotations

from datetime import timedelta

from core.orders.models import Channel
from core.orders.services import place_order
from core.prices.market import PriceSource
from core.prices.membership import add_survey_member
from core.prices.queries import deal_market_prices
from core.prices.savings import month_savings, savings_by_month
from core.prices.services import (
    PriceRecorded,
    PriceRefusal,
    PriceSeen,
    record_price_by_text,
    set_market_price,
)


def _member(world, name="李秀英"):  # type: ignore[no-untyped-def]
    resident = world.resident(name)
    with world.core.db.transaction() as session:
        add_survey_member(session, community_id=world.community_id, resident_id=resident.id)
    return resident


def _text(world, phone, product, price, place, key, **more):  # type: ignore[no-untyped-def]
    return record_price_by_text(
        world.core,
        community_id=world.community_id,
        phone=phone,
        seen=PriceSeen(product, place, price, **more),
        key=key,
    )


def _prices(world):  # type: ignore[no-untyped-def]
    return {
        view.number: price
        for view, price in deal_market_prices(world.core, community_id=world.community_id)
    }


def test_the_market_price_is_the_median_of_the_recent_observations(world) -> None:  # type: ignore[no-untyped-def]
    pears = world.deal("赵县雪花梨", price_fen=3500, market_price_fen=5800)
    surveyor = _member(world)
    assert isinstance(_text(world, surveyor.phone, "梨", 6000, "北国超市", "SM1"), PriceRecorded)
    _text(world, surveyor.phone, "梨", 5200, "菜市场", "SM2")
    _text(world, surveyor.phone, "梨", 9900, "精品店", "SM3")
    _text(world, surveyor.phone, "梨", 800, "菜市场", "SM4", amount=1, unit="斤")  # not a 箱

    price = _prices(world)[pears.number]
    assert price.source == PriceSource.SURVEY
    assert price.price_fen == 6000
    assert sorted(s.place for s in price.sources) == ["北国超市", "精品店", "菜市场"]


def test_a_text_retried_by_the_carrier_is_recorded_once(world) -> None:  # type: ignore[no-untyped-def]
    world.deal("赵县雪花梨")
    surveyor = _member(world)
    _text(world, surveyor.phone, "梨", 6000, "北国超市", "SM1")
    again = _text(world, surveyor.phone, "梨", 6000, "北国超市", "SM1")
    assert isinstance(again, PriceRecorded) and again.again
    assert len(next(iter(_prices(world).values())).sources) == 1


def test_only_the_survey_team_records_prices(world) -> None:  # type: ignore[no-untyped-def]
    world.deal("赵县雪花梨", market_price_fen=5800)
    neighbour = world.resident("张伟")
    assert _text(world, neighbour.phone, "梨", 9000, "超市", "SM1") == PriceRefusal.NOT_ON_TEAM
    assert _text(world, "+8613999999999", "梨", 9000, "超市", "SM2") == (
        PriceRefusal.NOT_REGISTERED
    )
    price = next(iter(_prices(world).values()))
    assert (price.source, price.price_fen) == (PriceSource.TYPED, 5800)


def test_staff_override_wins_with_its_note_and_can_be_lifted(world) -> None:  # type: ignore[no-untyped-def]
    pears = world.deal("赵县雪花梨", market_price_fen=None)
    surveyor = _member(world)
    _text(world, surveyor.phone, "梨", 6000, "北国超市", "SM1")
    assert set_market_price(
        world.core, community_id=world.community_id, deal_id=pears.id,
        price_fen=5500, note="北国超市是礼盒装，按散装算", by="admin",
    )  # fmt: skip
    price = _prices(world)[pears.number]
    assert (price.source, price.price_fen, price.median_fen) == (PriceSource.OVERRIDE, 5500, 6000)
    assert price.note == "北国超市是礼盒装，按散装算"
    set_market_price(
        world.core, community_id=world.community_id, deal_id=pears.id, price_fen=None, note=""
    )
    assert _prices(world)[pears.number].source == PriceSource.SURVEY
    assert not set_market_price(
        world.core, community_id=world.community_id, deal_id=7777, price_fen=1, note="x"
    )


def test_savings_per_deal_month_and_resident(world) -> None:  # type: ignore[no-untyped-def]
    pears = world.deal("赵县雪花梨", price_fen=3500, market_price_fen=None)
    millet = world.deal("井陉小米5斤", price_fen=2800, market_price_fen=None, unit="袋")
    surveyor = _member(world)
    _text(world, surveyor.phone, "梨", 5800, "北国超市", "SM1")
    _text(world, surveyor.phone, "小米", 4000, "菜市场", "SM2", amount=5, unit="斤")
    wang, li = world.resident("王芳"), world.resident("刘桂兰")
    for phone, deal, quantity in [
        (wang.phone, pears, 2),
        (li.phone, pears, 1),
        (li.phone, millet, 3),
    ]:
        place_order(
            world.core, community_id=world.community_id, phone=phone,
            deal_number=deal.number, quantity=quantity, channel=Channel.SMS,
        )  # fmt: skip

    month = month_savings(world.core, community_id=world.community_id)
    assert month.saved_fen == 3 * 2300 + 3 * 1200
    assert month.residents == 2
    assert month.per_resident_fen == (3 * 2300 + 3 * 1200) // 2
    assert [(d.deal.number, d.saved_fen) for d in month.deals] == [
        (pears.number, 6900), (millet.number, 3600),
    ]  # fmt: skip
    assert [(r.name, r.saved_fen) for r in month.by_resident] == [("刘桂兰", 5900), ("王芳", 4600)]

    series = savings_by_month(world.core, community_id=world.community_id, months=3)
    assert [fen for _, fen in series] == [0, 0, 10500]
    world.clock.set(world.clock() + timedelta(days=40))
    assert month_savings(world.core, community_id=world.community_id).saved_fen == 0
