"""The price survey's texts, read as residents write them."""

from __future__ import annotations

import pytest

from sms_gateway.intents import DialogContext, PriceFormat, RecordPrice, parse


def read(text: str):  # type: ignore[no-untyped-def]
    return parse(text, DialogContext(open_deal_numbers=frozenset({1, 2})))


@pytest.mark.parametrize(
    ("text", "product", "place", "fen", "amount", "unit"),
    [
        ("价 梨 22 北国超市", "梨", "北国超市", 2200, 1, ""),
        ("价格 小米 5斤 30 菜市场", "小米", "菜市场", 3000, 5, "斤"),
        ("價格：小米５斤３０元，菜市場", "小米", "菜市场", 3000, 5, "斤"),  # 繁体, ５
        ("价 梨 22.5元 北国超市", "梨", "北国超市", 2250, 1, ""),
        ("价 白菜 一斤 两块五 菜市场", "白菜", "菜市场", 250, 1, "斤"),  # Chinese numerals
        ("价 梨 二十二 北国超市", "梨", "北国超市", 2200, 1, ""),
        ("价格 鸡蛋 每斤6块 在菜市场", "鸡蛋", "菜市场", 600, 1, "斤"),
        ("价格 梨 30元/斤 菜市场", "梨", "菜市场", 3000, 1, "斤"),
        ("小米5斤30元菜市场", None, None, None, None, None),  # no prefix: not a survey text
        ("报价 花生油 一桶 一百二十九 北国超市", "花生油", "北国超市", 12900, 1, "桶"),
        ("价格 梨 22 裕华路 菜市场", "梨", "裕华路 菜市场", 2200, 1, ""),
    ],
)
def test_survey_texts_are_read_with_product_place_price_and_unit(
    text: str, product: str | None, place: str, fen: int, amount: int, unit: str
) -> None:
    intent = read(text)
    if product is None:
        assert not isinstance(intent, RecordPrice)
        return
    assert intent == RecordPrice(product, place, fen, amount, unit)


def test_yesterday_dates_the_price_a_day_back() -> None:
    intent = read("价 梨 22 北国超市 昨天")
    assert isinstance(intent, RecordPrice)
    assert intent.days_ago == 1


@pytest.mark.parametrize(
    "text",
    ["价 梨 22 30 北国超市", "价 22 30 北国超市", "价 梨 5斤 2袋 22 超市", "价格 梨 0 超市"],
)
def test_a_survey_text_that_does_not_read_as_one_price_asks_for_the_form(text: str) -> None:
    assert read(text) == PriceFormat()


@pytest.mark.parametrize("text", ["价格多少", "梨多少钱", "价格贵吗", "价格 2号", "price 2"])
def test_questions_about_prices_are_not_survey_texts(text: str) -> None:
    assert not isinstance(read(text), RecordPrice | PriceFormat)
