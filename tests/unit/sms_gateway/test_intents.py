"""sms_gateway.intents: what residents text, read as intents.

The corpus (corpus.tsv beside this file) pins down realistic texts one by
one; the property tests below check what must hold for any text at all.
"""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sms_gateway import normalize, numerals
from sms_gateway.intents import (
    MAX_DEAL_NUMBER,
    MAX_QUANTITY,
    OPT_IN_WORDS,
    OPT_OUT_WORDS,
    CancelOrder,
    ChooseDeal,
    Clarify,
    DialogContext,
    Help,
    Intent,
    ListDeals,
    MyOrders,
    OptIn,
    OptOut,
    PlaceOrder,
    Register,
    SetLanguage,
    StaffClose,
    StaffRemind,
    StaffTotal,
    Unknown,
    parse,
)
from sms_gateway.plans import (
    Add,
    Complaint,
    ConfirmAnswer,
    Drop,
    OrderPlan,
    PickDeal,
    Problem,
    Put,
    Question,
    WantsPerson,
)

INTENT_CLASSES = (
    ListDeals, PlaceOrder, ChooseDeal, CancelOrder, MyOrders, Help, OptOut, OptIn, SetLanguage,
    Register, StaffRemind, StaffClose, StaffTotal, Clarify, Unknown, OrderPlan, PickDeal,
    ConfirmAnswer, Question, WantsPerson, Complaint,
)  # fmt: skip
OPEN = frozenset({1, 2, 3, 4, 5, 12})


# --- the corpus -------------------------------------------------------------------

CORPUS = Path(__file__).with_name("corpus.tsv")
_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([tnr\\]))")
_SIMPLE_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match[1] or match[2] or match[3]
        return chr(int(code, 16)) if code else _SIMPLE_ESCAPES[match[4]]

    return _ESCAPE.sub(one, text)


def _context(flags: str) -> DialogContext:
    """ "open=1-5,12 qty_for=2 cancel? staff" → DialogContext; "-" is the empty context."""
    open_deals: set[int] = set()
    qty_for: int | None = None
    cancel = staff = False
    for flag in flags.split():
        if flag.startswith("open="):
            for part in flag.removeprefix("open=").split(","):
                low, _, high = part.partition("-")
                open_deals.update(range(int(low), int(high or low) + 1))
        elif flag.startswith("qty_for="):
            qty_for = int(flag.removeprefix("qty_for="))
        elif flag == "cancel?":
            cancel = True
        elif flag == "staff":
            staff = True
        elif flag != "-":
            raise ValueError(f"unknown context flag {flag!r}")
    return DialogContext(qty_for, cancel, frozenset(open_deals), staff)


def _expected(source: str) -> Intent:
    namespace = {cls.__name__: cls for cls in (*INTENT_CLASSES, Add, Drop, Put, Problem)}
    intent = eval(source, {"__builtins__": {}}, namespace)  # our own file, intents only
    assert isinstance(intent, INTENT_CLASSES), source
    return intent


def _corpus_rows() -> list[pytest.param]:
    lines = CORPUS.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "text\tcontext\texpected", "corpus.tsv must start with its header line"
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("# "):
            continue
        text, flags, expected = line.split("\t")
        rows.append(pytest.param(_unescape(text), flags, expected, id=f"line{number}:{text[:24]}"))
    return rows


CORPUS_ROWS = _corpus_rows()


@pytest.mark.parametrize(("text", "flags", "expected"), CORPUS_ROWS)
def test_corpus(text: str, flags: str, expected: str) -> None:
    assert parse(text, _context(flags)) == _expected(expected)


def test_corpus_is_large_and_covers_every_intent() -> None:
    assert len(CORPUS_ROWS) >= 150
    expected_classes = {type(_expected(row.values[2])) for row in CORPUS_ROWS}
    # Names, pickings and confirmations need the deals' titles: the dialog corpus
    # (tests/unit/sms_gateway/corpus/) covers those against real deals.
    by_name = {PickDeal, ConfirmAnswer, Question, WantsPerson}
    assert expected_classes == set(INTENT_CLASSES) - by_name


# --- edges the corpus cannot hold ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "梨" * 1600,
        "2" * 1600,
        "2 3 " * 400,
        "谢谢" * 800,
        "x" * 5000,
        "\x00" * 1600,
        "😀" * 1600,
        "2号3份" + "。" * 1597,
    ],
    ids=["zh", "digits", "repeated-order", "thanks", "over-twilio-cap", "nul", "emoji", "punct"],
)
def test_very_long_bodies_are_not_acted_on(text: str) -> None:
    intent = parse(text, DialogContext(awaiting_quantity_for=2, open_deal_numbers=OPEN))
    assert isinstance(intent, Unknown)


def test_padding_does_not_make_a_short_order_long() -> None:
    """Twilio may deliver trailing whitespace; what counts is what was typed."""
    assert parse("2 3" + " " * 1597, DialogContext(open_deal_numbers=OPEN)) == PlaceOrder(2, 3)


def test_a_missing_body_is_empty_not_an_error() -> None:
    assert parse(None, DialogContext()) == Unknown("empty")  # type: ignore[arg-type]


def test_place_order_refuses_to_exist_out_of_range() -> None:
    for deal, quantity in [(0, 1), (100, 1), (1, 0), (1, 100), (-1, 5)]:
        with pytest.raises(ValueError):
            PlaceOrder(deal, quantity)


def test_intents_and_context_are_frozen() -> None:
    with pytest.raises(AttributeError):
        PlaceOrder(2, 3).quantity = 4  # type: ignore[misc]
    with pytest.raises(AttributeError):
        DialogContext().is_staff = True  # type: ignore[misc]


def test_dialog_context_fields() -> None:
    assert [f.name for f in fields(DialogContext)] == [
        "awaiting_quantity_for",
        "awaiting_cancel_choice",
        "open_deal_numbers",
        "is_staff",
        "deals",
        "orders",
        "last_deal",
        "confirming",
        "picking",
        "picking_quantity",
    ]


@pytest.mark.parametrize(
    ("run", "value"),
    [
        ("零", 0), ("一", 1), ("两", 2), ("俩", 2), ("三", 3), ("九", 9), ("十", 10), ("十二", 12),
        ("一十二", 12), ("二十", 20), ("二十五", 25), ("九十九", 99), ("廿", 20), ("廿三", 23),
        ("拾", 10), ("贰拾", 20),
        ("两三", None), ("三五", None), ("十十", None), ("二十零", None), ("零十", None),
        ("廿十", None), ("一二三", None),
    ],
)  # fmt: skip
def test_chinese_numerals(run: str, value: int | None) -> None:
    assert numerals.chinese_to_int(run) == value


def test_room_numbers_said_digit_by_digit() -> None:
    assert numerals.chinese_digit_string("四零一") == "401"
    assert numerals.chinese_digit_string("一五零二") == "1502"
    assert numerals.chinese_digit_string("十二") == "12"
    assert numerals.chinese_digit_string("两零一") is None  # 两 counts, it is never a digit


def test_english_number_words() -> None:
    assert numerals.replace_english_numbers("buy two three").split() == ["buy", "2", "3"]
    assert numerals.replace_english_numbers("twenty-one x ninety nine").split() == [
        "21",
        "x",
        "99",
    ]
    assert numerals.replace_english_numbers("someone often tone").split() == [
        "someone",
        "often",
        "tone",
    ]


# --- properties -------------------------------------------------------------------


def _chinese(n: int) -> str:
    """n (0..99) as a resident would write it in Chinese numerals."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


def _full_width(text: str) -> str:
    """What a phone in full-width mode sends for ASCII text."""
    return "".join(
        "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text
    )


any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=200)
# Fragments residents actually combine, so that random texts reach deep into the grammar.
sms_fragments = st.sampled_from(
    [
        "2", "3", "23", "0", "100", "２", "３", "二", "三", "两", "十二", "廿", "号", "份",
        "个", "#", "*", "x", "×", " ", "\u3000", "，", "。", "、", ",", ".", "?", "？",
        "订", "我要", "买", "buy", "取消", "退", "不要了", "cancel", "不", "再", "和", "吗",
        "谢谢", "thanks", "pls", "梨", "😀", "\u200d", "\x00", "\n", "T", "STOP", "start",
        "注册", "王芳", "3-2-401", "REMIND", "截单", "统计", "号楼", "单元", "no", "deal",
        "qty", "pcs", "and", "'", ";", "--", "=", "点",
    ]
)  # fmt: skip
sms_like = st.lists(sms_fragments, max_size=12).map("".join)
deal_numbers = st.integers(min_value=-5, max_value=150)
contexts = st.builds(
    DialogContext,
    awaiting_quantity_for=st.none() | deal_numbers,
    awaiting_cancel_choice=st.booleans(),
    open_deal_numbers=st.frozensets(deal_numbers, max_size=8),
    is_staff=st.booleans(),
)


def _assert_within_bounds(intent: Intent, context: DialogContext) -> None:
    in_range = range(1, MAX_DEAL_NUMBER + 1)
    if isinstance(intent, PlaceOrder):
        assert intent.deal_number in in_range and intent.deal_number in context.open_deal_numbers
        assert 1 <= intent.quantity <= MAX_QUANTITY
    elif isinstance(intent, ChooseDeal):
        assert intent.deal_number in in_range and intent.deal_number in context.open_deal_numbers
    elif isinstance(intent, CancelOrder):
        assert intent.deal_number is None or intent.deal_number in in_range
    elif isinstance(intent, Clarify):
        assert intent.deal_number is None or intent.deal_number in in_range
        assert intent.quantity is None or intent.quantity in in_range
    elif isinstance(intent, StaffRemind | StaffClose | StaffTotal):
        assert context.is_staff and intent.deal_number in in_range
    assert isinstance(intent, INTENT_CLASSES)


@settings(max_examples=300)
@given(text=any_text, context=contexts)
def test_any_text_in_any_context_yields_a_bounded_intent(text: str, context: DialogContext) -> None:
    _assert_within_bounds(parse(text, context), context)


@settings(max_examples=500)
@given(text=sms_like, context=contexts)
def test_sms_like_text_yields_a_bounded_intent(text: str, context: DialogContext) -> None:
    _assert_within_bounds(parse(text, context), context)


@given(text=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40))
def test_full_width_text_reads_like_ascii(text: str) -> None:
    context = DialogContext(open_deal_numbers=OPEN, is_staff=True)
    assert parse(_full_width(text), context) == parse(text, context)


ORDER_FORMS = [
    "{d} {q}", "{d}号{q}份", "#{d}*{q}", "buy {d} x{q}", "订{d}号 {q}份 谢谢", "我要{d}号{q}份",
    "{q}份{d}号", "No.{d} x {q} pls", "第{d}个 {q}份", "{d}号 改成{q}份",
]  # fmt: skip


@given(
    deal=st.integers(1, MAX_DEAL_NUMBER),
    quantity=st.integers(1, MAX_QUANTITY),
    form=st.sampled_from(ORDER_FORMS),
    chinese=st.booleans(),
    full_width=st.booleans(),
)
def test_every_order_form_orders(
    deal: int, quantity: int, form: str, chinese: bool, full_width: bool
) -> None:
    d, q = (_chinese(deal), _chinese(quantity)) if chinese else (str(deal), str(quantity))
    text = form.format(d=d, q=q)
    if full_width:
        text = _full_width(text)
    context = DialogContext(open_deal_numbers=frozenset({deal}))
    assert parse(text, context) == PlaceOrder(deal, quantity)


@given(deal=st.integers(1, MAX_DEAL_NUMBER), quantity=st.integers(0, 200), chinese=st.booleans())
def test_a_bare_number_answers_how_many(deal: int, quantity: int, chinese: bool) -> None:
    text = _chinese(quantity) if chinese and quantity < 100 else str(quantity)
    context = DialogContext(awaiting_quantity_for=deal, open_deal_numbers=frozenset({deal}))
    intent = parse(text, context)
    if 1 <= quantity <= MAX_QUANTITY:
        assert intent == PlaceOrder(deal, quantity)
    else:
        assert isinstance(intent, Clarify) and intent.deal_number == deal


@given(
    word=st.sampled_from(sorted(OPT_OUT_WORDS | OPT_IN_WORDS)),
    upper=st.booleans(),
    before=st.sampled_from(["", " ", "\u3000", "。", "!"]),
    after=st.sampled_from(["", " ", "。", "！", "...", "🙏"]),
    context=contexts,
)
def test_opt_words_win_in_any_dialog_state(
    word: str, upper: bool, before: str, after: str, context: DialogContext
) -> None:
    text = before + (word.upper() if upper else word) + after
    expected = OptOut() if word in OPT_OUT_WORDS else OptIn()
    assert parse(text, context) == expected


@given(deal=st.integers(1, 20), context=contexts)
def test_staff_commands_never_act_from_a_resident_phone(deal: int, context: DialogContext) -> None:
    resident = DialogContext(
        context.awaiting_quantity_for,
        context.awaiting_cancel_choice,
        context.open_deal_numbers,
        is_staff=False,
    )
    for verb in ["REMIND", "提醒", "CLOSE", "截单", "TOTAL", "统计"]:
        assert parse(f"{verb} {deal}", resident) == Unknown("staff_only")


@given(quantity=st.integers(1, 9), deal=st.integers(1, 9))
def test_two_digits_that_are_no_open_deal_are_never_an_order(quantity: int, deal: int) -> None:
    text = f"{deal}{quantity}"
    context = DialogContext(open_deal_numbers=frozenset({deal}))
    assert parse(text, context) == Clarify("ambiguous_number", deal_number=deal, quantity=quantity)


@given(text=any_text)
def test_cleaning_is_idempotent(text: str) -> None:
    once = normalize.clean(text)
    assert normalize.clean(once) == once
