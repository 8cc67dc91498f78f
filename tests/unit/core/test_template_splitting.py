"""Typed template variables and long texts cut to fit them: no database, no provider."""

from __future__ import annotations

from core.carriers.filling import fill_entry, render
from core.carriers.keys import TEMPLATE_KEYS, keys_to_try, suggested_text
from core.carriers.models import CarrierTemplate
from core.carriers.splitting import split_text
from core.carriers.variables import MessageFacts

CONFIRMATION = (
    "您已订1号赵县雪花梨2箱，共70元。请于11月28日周六 9:00-11:00到社区服务站取货，记得带袋子。"
)


def entry(text: str, *variables: str, code: str = "SMS_1") -> CarrierTemplate:
    return CarrierTemplate(template_code=code, variables=list(variables), template_text=text)


def facts(**typed: str) -> MessageFacts:
    return MessageFacts(body=CONFIRMATION, community_name="幸福里社区", **typed)


def test_a_long_text_is_cut_at_the_breaks_a_reader_pauses_at():
    pieces = split_text(CONFIRMATION, 35)
    assert pieces == [
        "您已订1号赵县雪花梨2箱，共70元。",
        "请于11月28日周六 9:00-11:00到社区服务站取货，",
        "记得带袋子。",
    ]
    assert all(len(piece) <= 35 for piece in pieces)


def test_no_piece_splits_a_time_or_a_number_in_two():
    for limit in (12, 20, 35):
        pieces = split_text(CONFIRMATION, limit)
        assert all(len(piece) <= limit for piece in pieces)
        assert "".join(pieces).replace(" ", "") == CONFIRMATION.replace(" ", "")
        assert any("9:00-11:00" in piece for piece in pieces)


def test_a_text_with_no_breaks_is_still_cut_within_the_limit():
    assert split_text("梨" * 50, 20) == ["梨" * 20, "梨" * 20, "梨" * 10]
    assert split_text("  ", 20) == []


def test_a_confirmation_fills_typed_variables_that_each_fit_one_text():
    template = entry(
        "您已订{1}，共{2}，合计{3}，请于{4}到{5}取货。",
        "deal",
        "amount",
        "total",
        "pickup",
        "place",
    )
    typed = facts(
        deal="赵县雪花梨",
        amount="2箱",
        total="70元",
        pickup="11月28日周六 9:00-11:00",
        place="社区服务站",
    )
    [text] = fill_entry(template, "幸福里社区", "tencent", typed)
    assert all(len(value) <= 20 for value in text.in_order())
    assert text.in_order()[0] == "赵县雪花梨"
    assert (
        text.text
        == "您已订赵县雪花梨，共2箱，合计70元，请于11月28日周六 9:00-11:00到社区服务站取货。"
    )


def test_a_long_title_is_held_to_its_variable_and_a_missing_value_fills_nothing():
    template = entry("您订的${deal}已取消，欢迎再订。", "deal")
    [text] = fill_entry(
        template, "幸福里社区", "aliyun", facts(deal="河北赵县梨园直供特级雪花梨礼盒")
    )
    assert text.as_dict()["deal"] == "河北赵县梨园直供特级雪…" and len(text.as_dict()["deal"]) == 12
    assert fill_entry(template, "幸福里社区", "aliyun", facts()) == ()


def test_a_free_text_too_long_for_its_variable_goes_as_several_texts_in_order():
    texts = fill_entry(entry("{1}", "content", code="1001"), "幸福里社区", "tencent", facts())
    assert len(texts) > 1
    assert all(len(t.in_order()[0]) <= 20 for t in texts)
    assert "".join(t.text for t in texts).replace(" ", "") == CONFIRMATION.replace(" ", "")


def test_rendering_follows_each_providers_way_of_naming_variables():
    values = [("deal", "梨"), ("place", "服务站")]
    assert render("${deal}到${place}取", "aliyun", values) == "梨到服务站取"
    assert render("{1}到{2}取", "tencent", values) == "梨到服务站取"


def test_every_kind_has_a_key_and_the_special_ones_fall_back_to_their_kind():
    assert keys_to_try("confirmation", "order:1:r2", order_active=False) == [
        "cancellation",
        "confirmation",
    ]
    assert keys_to_try("reminder", "digest:3:9", order_active=None) == ["digest", "reminder"]
    assert (
        keys_to_try("reminder", "reminder:1:3:uncollected", order_active=True)[0] == "uncollected"
    )
    assert keys_to_try("reply", None, order_active=None) == ["reply"]
    digest = TEMPLATE_KEYS["digest"]
    assert suggested_text(digest, "tencent", digest.variables) == "取货提醒：{1}，请于{2}到{3}取。"
