"""Replies: every one in both languages, within two segments, with no links."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.community.models import Community
from core.results import DealView, OrderView, Refusal, RefusalReason
from core.sms_segments import count_segments
from sms_gateway.intents import Clarify
from sms_gateway.replies import Replies, clip, page

CLOSES = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def community(**changes: object) -> Community:
    values = {
        "id": 1,
        "name": "幸福里社区",
        "phone": "+8631188886666",
        "timezone": "Asia/Shanghai",
        "language": "zh",
        "pickup_place": "社区服务站",
        "staff_phones": ["+8613800000000"],
        "allow_self_registration": False,
    }
    return Community(**{**values, **changes})


def deal(number: int = 2, **changes: object) -> DealView:
    view = DealView(
        id=number,
        number=number,
        title_zh="赵县雪花梨",
        title_en="Snow pears",
        unit="箱",
        price_fen=3500,
        market_price_fen=4200,
        saving_fen=700,
        min_units=10,
        units_ordered=3,
        units_to_go_ahead=7,
        stock_cap=None,
        units_left=None,
        per_resident_limit=3,
        opens_at=None,
        closes_at=CLOSES,
        pickup_start=CLOSES + timedelta(days=2),
        pickup_end=CLOSES + timedelta(days=2, hours=2),
        pickup_place="",
        status="open",
    )
    return replace(view, **changes)


LANGUAGES = ("zh", "en")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("reason", list(RefusalReason))
def test_every_refusal_reads_as_a_short_sentence(language, reason):
    refusal = Refusal(reason, deal_number=2, units_left=1, limit=3)
    text = Replies(language, community()).refusal(refusal, deal())
    assert text and "{" not in text and count_segments(text) <= 2


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "reason",
    [
        "ambiguous_number", "deal_not_open", "need_deal_number", "quantity_zero",
        "quantity_too_large", "too_many_numbers", "ambiguous_order", "question",
        "order_format", "ambiguous_cancel", "register_format", "staff_format",
    ],
)  # fmt: skip
def test_every_question_is_short_and_asks_something(language, reason):
    question = Clarify(reason, deal_number=2, quantity=3)  # type: ignore[arg-type]
    text = Replies(language, community()).clarify(question, {2: deal()})
    assert text and "{" not in text and count_segments(text) <= 2


def test_a_deal_reads_with_price_saving_deadline_pickup_and_the_question():
    text = Replies("zh", community()).deal_detail(deal())
    assert text == (
        "2号赵县雪花梨35元/箱，省7元，11月26日周四 20:00截止，"
        "11月28日周六 20:00-22:00在社区服务站取货。要几箱？回1-3"
    )


def test_the_question_offers_no_more_than_the_stock_left():
    text = Replies("zh", community()).deal_detail(deal(per_resident_limit=None, units_left=2))
    assert text.endswith("要几箱？回1-2")
    assert Replies("zh", community()).deal_detail(deal(units_left=0)).endswith("已经订完了。")
    mine = Replies("zh", community()).deal_detail(deal(per_resident_limit=5, units_left=1), 2)
    assert mine.endswith("您已订2箱，要几箱？回1-3")


def test_a_pickup_place_too_long_for_two_segments_is_left_to_the_confirmation():
    long_place = "幸福里社区东门进去右手边第三个路口再往前走" * 4
    text = Replies("zh", community()).deal_detail(deal(pickup_place=long_place))
    assert count_segments(text) <= 2 and long_place not in text and "要几箱" in text


def test_english_replies_stay_in_the_cheap_alphabet_when_the_words_allow():
    replies = Replies("en", community())
    for text in (replies.help(), replies.unknown(), replies.text("sms.opt_out.done")):
        assert text.isascii(), text


@given(
    st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=30),
    st.integers(min_value=0, max_value=40),
)
def test_a_page_never_exceeds_two_segments_and_always_moves_on(items, start):
    shown = page("团购：", items, min(start, len(items)), "回“2 3”订购", "回“更多”看下页")
    assert count_segments(shown.text) <= 2
    if start < len(items):
        assert shown.shown_until > start


def test_clip_cuts_to_two_segments():
    assert count_segments(clip("梨" * 500)) == 2
    assert clip("short") == "short"


def test_orders_and_the_cancel_question_list_what_fits():
    orders = [
        OrderView(id=n, quantity=2, status="placed", channel="sms", total_fen=7000, deal=deal(n))
        for n in range(1, 12)
    ]
    replies = Replies("zh", community())
    which = replies.cancel_which(orders)
    assert which.startswith("您订了：1号赵县雪花梨2箱，") and count_segments(which) <= 2
    first = replies.order_page(orders, 0)
    assert first.more and count_segments(first.text) <= 2 and first.text.endswith("回“更多”看下页")
