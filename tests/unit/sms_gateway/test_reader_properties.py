"""What must hold for any text the deal-aware reader is given (hypothesis).

The rule the issue sets: an order is placed only when both its deal and its quantity
come from the text, or from the resident's own answer to a question we asked. Texts
are built from the pieces residents really combine (names, numerals in every form,
measure words, fillers, addresses, phone numbers, prices, changes, corrections).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sms_gateway import normalize, numerals
from sms_gateway.intents import DialogContext, PlaceOrder, parse
from sms_gateway.plans import Add, OrderPlan, Put
from sms_gateway.products import DealEntry, en_names, zh_names
from sms_gateway.reader import index_for, prepare
from sms_gateway.tokens import tokenize

DEALS = (
    DealEntry(1, "赵县雪花梨", "Zhaoxian snow pears", "份"),
    DealEntry(2, "蔚县小米", "Yuxian millet", "袋"),
    DealEntry(3, "鲁花花生油", "Luhua peanut oil", "桶"),
    DealEntry(4, "正定蔬菜箱", "Zhengding vegetable box", "箱"),
    DealEntry(5, "高邑土鸡蛋", "Gaoyi free-range eggs", "盒"),
    DealEntry(6, "井陉核桃", "Jingxing walnuts", "袋", is_open=False),
    DealEntry(7, "泊头鸭梨", "Botou ya pears", "份"),
)
OPEN = frozenset(d.number for d in DEALS if d.is_open)

pieces = st.sampled_from(
    [
        "梨", "雪花梨", "赵县的", "小米", "油", "花生油", "菜箱", "鸡蛋", "核桃", "鸭梨", "大米",
        "pears", "millet", "oil", "eggs", "雪花里", "花生有", "晓米",
        "1", "2", "3", "5", "7", "12", "23", "0", "401", "一", "两", "俩", "仨", "十二", "三",
        "２", "one", "two", "号", "#", "第", "份", "分", "袋", "代", "桶", "统", "箱", "盒",
        "斤", "个", "x", "*",
        "我要", "订", "定", "来", "给我", "要", "买", "再加", "再来", "改成", "换成", "不要了",
        "取消", "全部取消", "不对", "刚才发错了", "各", "每样", "和", "还有", "，", "、", " ", "\n",
        "嗯", "那个", "就是", "啊", "吧", "谢谢", "你好", "老伴说",
        "3号楼", "2单元", "3-2-401", "13831123456", "11月28号", "9点", "15元", "15一份",
        "吗", "多少钱", "还有吗", "什么时候取", "负", "-",
    ]
)  # fmt: skip
texts = st.lists(pieces, min_size=1, max_size=10).map("".join)
held = st.dictionaries(st.sampled_from(sorted(OPEN)), st.integers(1, 4), max_size=3)


def names_of(deal: int) -> set[str]:
    entry = next(d for d in DEALS if d.number == deal)
    return zh_names(entry) | en_names(entry)


def prepared(text: str) -> str:
    return numerals.replace_english_numbers(prepare(normalize.clean(text).casefold(), DEALS)[0])


def numbers_in(text: str) -> set[int]:
    """The numbers the text says as numbers: not the digits of a room, a phone or a price."""
    prepared_text = prepared(text)
    tokens = tokenize(prepared_text, index_for(DEALS))
    found = {t.value for t in tokens if t.kind == "num" and t.value is not None}
    if re.search("(?:[要来订定买拿整弄]|给我|给俺)[个份袋桶箱盒瓶包]", prepared_text):
        found.add(1)  # 要个菜箱, 来份梨: one, said with the measure word alone
    return found


def deal_from_text(deal: int, text: str, context: DialogContext) -> bool:
    if deal == context.awaiting_quantity_for or deal in context.picking:
        return True  # the resident answered the question we asked about this deal
    if deal in numbers_in(text):
        return True
    if re.search("每样|每种|全部|所有|全都|都来|都要|every|of each", prepared(text)):
        return True  # "each of them" names every open deal
    return any(name.casefold() in prepared(text) for name in names_of(deal))


def quantity_from_text(quantity: int, text: str, context: DialogContext) -> bool:
    return quantity in numbers_in(text) or quantity == context.picking_quantity


@settings(max_examples=600)
@given(
    text=texts,
    orders=held,
    awaiting=st.none() | st.sampled_from(sorted(OPEN)),
    picking=st.sampled_from([(), (1, 7)]),
    picking_quantity=st.none() | st.integers(1, 3),
)
@pytest.mark.slow  # hypothesis: a few hundred generated texts, about 3 s
def test_an_order_stands_only_on_a_deal_and_a_quantity_the_resident_gave(
    text: str,
    orders: dict[int, int],
    awaiting: int | None,
    picking: tuple[int, ...],
    picking_quantity: int | None,
) -> None:
    context = DialogContext(
        awaiting_quantity_for=awaiting,
        open_deal_numbers=OPEN,
        deals=DEALS,
        orders=tuple(sorted(orders.items())),
        picking=picking,
        picking_quantity=picking_quantity if picking else None,
    )
    intent = parse(text, context)
    placed: list[tuple[int, int]] = []
    if isinstance(intent, PlaceOrder):
        placed.append((intent.deal_number, intent.quantity))
    elif isinstance(intent, OrderPlan) and intent.certain:
        placed.extend(
            (c.deal, abs(c.quantity)) for c in intent.changes if isinstance(c, Put | Add)
        )
    for deal, quantity in placed:
        assert deal in OPEN, (text, intent)
        assert deal_from_text(deal, text, context), (text, intent)
        assert quantity_from_text(quantity, text, context), (text, intent)


@settings(max_examples=300)
@given(text=texts)
def test_a_sound_alike_product_is_never_ordered_without_asking(text: str) -> None:
    """雪花里, 花生有, 晓米: matched by sound only, so always said back first."""
    if any(name in text for deal in DEALS for name in names_of(deal.number)):
        return  # a real name is there too
    intent = parse(text, DialogContext(open_deal_numbers=OPEN, deals=DEALS))
    if isinstance(intent, PlaceOrder) and re.search("雪花里|花生有|晓米", text):
        assert intent.deal_number in numbers_in(text), (text, intent)  # named by number too
