"""The template rules `templates check` applies, one at a time."""

from __future__ import annotations

from core.carriers.checks import check_template
from core.carriers.services import TemplateView


def rules(text: str, *variables: str, provider: str = "aliyun", kind: str = "reminder") -> set[str]:
    template = TemplateView(1, provider, kind, "SMS_1", tuple(variables), text)
    return {f.rule for f in check_template(template, sign_name="幸福里社区").findings}


def test_a_plain_notification_keeps_every_rule():
    assert rules("明天上午9点到11点在社区服务站取货，请带好袋子。") == set()


def test_variables_must_match_what_was_filed_and_never_touch():
    assert "variables" in rules("${community}明天取货", "content")
    assert "adjacent" in rules("${community}${content}", "community", "content")
    assert "all_variables" in rules("${community}", "community")
    assert "variables" in rules("{1}明天取货{3}", "community", "content", provider="tencent")


def test_notifications_carry_no_refuse_r_and_promotions_end_with_unsubscribe():
    assert "refuse_r" in rules("明天取货。拒收请回复R")
    assert "unsubscribe" in rules("本周团购开始啦", kind="broadcast")
    assert "unsubscribe" not in rules("本周团购开始啦，回T退订", kind="broadcast")


def test_contact_numbers_only_as_at_most_two_fixed_lines():
    assert rules("有事请打0311-88886666") == set()
    assert "numbers" in rules("请打0311-88886666、0311-88887777或4001234567")
    assert "mobile" in rules("请打13800000000")


def test_length_counts_the_signature_and_the_longest_variable():
    # A free text is carried in pieces of the provider's variable limit (Aliyun 35).
    checked = check_template(
        TemplateView(1, "aliyun", "reply", "SMS_1", ("content",), "回复：${content}"),
        sign_name="幸福里社区",
    )
    assert checked.longest == len("【幸福里社区】") + len("回复：") + 35
    assert checked.segments == 1
    assert {f.rule for f in checked.findings} == {"variable_numbers"}
    assert checked.ok


def test_typed_variables_count_at_their_own_longest_within_the_provider_limit():
    text = "您已订${deal}，共${amount}，合计${total}，请于${pickup}到${place}取货。"
    variables = ("deal", "amount", "total", "pickup", "place")
    checked = check_template(
        TemplateView(1, "aliyun", "confirmation", "SMS_2", variables, text), sign_name="幸福里社区"
    )
    fixed = len("您已订，共，合计，请于到取货。")
    assert checked.longest == len("【幸福里社区】") + fixed + 12 + 8 + 10 + 20 + 20
    assert checked.ok and checked.segments == 2
    tencent = "您已订{1}，共{2}，合计{3}，请于{4}到{5}取货。"
    checked = check_template(
        TemplateView(1, "tencent", "confirmation", "2", variables, tencent), sign_name="幸福里社区"
    )
    assert checked.ok  # every typed variable is at most Tencent's 20


def test_a_community_name_longer_than_a_variable_may_hold_is_caught():
    checked = check_template(
        TemplateView(1, "tencent", "reminder", "3", ("community",), "{1}提醒您明天取货"),
        sign_name="幸福里社区",
        known={"community": "石家庄市长安区建北街道幸福里社区居民委员会"},
    )
    assert "variable_long" in {f.rule for f in checked.findings} and not checked.ok


def test_promotional_keys_need_unsubscribe_and_the_digest_is_a_notification():
    assert "unsubscribe" in rules("团购消息：${content}", "content", kind="broadcast")
    assert "unsubscribe" not in rules("取货提醒：${items}，请于${pickup}到${place}取。",
                                      "items", "pickup", "place", kind="digest")
