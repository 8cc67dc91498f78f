"""What a resident's text message asks for: a pure, I/O-free reading of an SMS body.

Residents of an old neighbourhood text from basic phones and type however they
type: 订2号3份, ２　３, 我要两份梨, "buy 2 x3", a stray 。 or emoji, 谢谢 at
the end. `parse` turns one body, read in the light of the dialog so far, into
one intent. It never raises and never guesses an order: whatever could mean
two things becomes `Clarify`, so the reply can ask instead of buying.

Reading happens in three steps, each its own small function:

1. normalise (normalize.clean: NFKC, controls, emoji, punctuation);
2. whole-message words: opt-out/in (these win in any dialog state), help,
   list, my orders, language; then the prefixed commands: register, staff,
   cancel;
3. otherwise an order: the deal-aware reader (sms_gateway.reader) for names, items
   and changes, the number grammar (sms_gateway.number_grammar) for numbers alone.
"""

from __future__ import annotations

import re

from core.ports.carriers import MAX_TEXT_CHARS
from sms_gateway import normalize, reader
from sms_gateway.intent_types import (
    MAX_COMMAND_CHARS,
    MAX_DEAL_NUMBER,
    MAX_QUANTITY,
    CancelOrder,
    ChooseDeal,
    Clarify,
    ClarifyReason,
    DialogContext,
    Help,
    Intent,
    ListDeals,
    MyOrders,
    OptIn,
    OptOut,
    PlaceOrder,
    PriceFormat,
    RecordPrice,
    Register,
    SetLanguage,
    StaffClose,
    StaffRemind,
    StaffTotal,
    Unknown,
    UnknownReason,
)
from sms_gateway.number_grammar import read_cancel, read_order
from sms_gateway.price_reader import read_price
from sms_gateway.team_words import read as read_team_words

# The intents are read from here, with `parse`, by the dialog and the tests.
__all__ = [
    "MAX_COMMAND_CHARS",
    "MAX_DEAL_NUMBER",
    "MAX_QUANTITY",
    "OPT_IN_WORDS",
    "OPT_OUT_WORDS",
    "CancelOrder",
    "ChooseDeal",
    "Clarify",
    "ClarifyReason",
    "DialogContext",
    "Help",
    "Intent",
    "ListDeals",
    "MyOrders",
    "OptIn",
    "OptOut",
    "PlaceOrder",
    "PriceFormat",
    "RecordPrice",
    "Register",
    "SetLanguage",
    "StaffClose",
    "StaffRemind",
    "StaffTotal",
    "Unknown",
    "UnknownReason",
    "parse",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Whole-message keywords, looked up by normalize.compact_key (no spaces, casefolded).
# Twilio's own opt-out words plus the Chinese convention 回T退订.
OPT_OUT_WORDS = _words(
    "stop stopall unsubscribe cancel end quit t td 退订 回t退订 退订短信 取消订阅 "
    "不要再发了 别再发了 不要发了 别发了"
)
OPT_IN_WORDS = _words("start yes unstop 订阅 恢复 恢复订阅 重新订阅")
_WHOLE_MESSAGE: dict[str, Intent] = {
    **dict.fromkeys(
        _words("帮助 help info 怎么订 怎么买 怎么用 怎么弄 怎么办 说明 求助 帮忙"), Help()
    ),
    **dict.fromkeys(
        _words("团购 列表 有什么 有啥 list l menu 菜单 deals 团购列表 有什么团购 今天有什么"),
        ListDeals(page_next=False),
    ),
    **dict.fromkeys(_words("更多 more 下一页 下页 next 还有呢"), ListDeals(page_next=True)),
    **dict.fromkeys(
        _words(
            "我的 订单 查询 my status orders myorders myorder orderstatus 我的订单 查订单 "
            "查询订单 订单查询 我订了什么 我买了什么"
        ),
        MyOrders(),
    ),
    **dict.fromkeys(_words("中文 zh chinese 汉语 普通话 华语"), SetLanguage("zh")),
    **dict.fromkeys(_words("english en eng 英文 英语"), SetLanguage("en")),
}


def parse(text: str, context: DialogContext) -> Intent:
    """Read one SMS body, in the light of the dialog so far, as exactly one intent.

    Never raises. Never yields PlaceOrder unless both numbers were stated
    unambiguously (or the quantity answers our own question) and the deal is
    open; the core still enforces stock and per-resident limits.
    """
    if not isinstance(text, str) or not text.strip():
        return Unknown("empty")
    if len(text) > MAX_TEXT_CHARS:  # a body at the carriers' cap: a pasted article, unread
        return Unknown("too_long")
    cleaned = normalize.clean(text)
    if len(cleaned) > MAX_COMMAND_CHARS:
        return Unknown("too_long")
    folded = cleaned.casefold()
    if not normalize.compact_key(folded):
        return Unknown("empty")
    polite_free = normalize.strip_polite(folded)
    key = normalize.compact_key(polite_free)
    if key in OPT_OUT_WORDS:
        return OptOut()
    if key in OPT_IN_WORDS:
        return OptIn()
    if context.confirming:  # 好的, 对: the answer to 对吗？, not a courtesy
        answer = reader.confirm_answer(folded)
        if answer is not None:
            return answer
    if not key:
        return Unknown("courtesy")
    if not key.strip("?"):
        return Help()
    if key.rstrip("?") in _WHOLE_MESSAGE:
        return _WHOLE_MESSAGE[key.rstrip("?")]
    team_words = read_team_words(key)  # 加入 砍价团, 订阅团购 / 不要通知
    if team_words is not None:
        return team_words
    return (
        _read_register(normalize.strip_polite(cleaned))
        or read_price(cleaned)
        or _read_staff(polite_free, context)
        or _read_answer(polite_free, context)
        or _read_by_deals(folded, context)
        or _read_numbers(polite_free, context)
    )


def _read_numbers(folded: str, context: DialogContext) -> Intent:
    """Numbers only ("2 3", "取消2"), in the one form the number grammar reads."""
    plain = reader.canonical(folded, context.catalog()) if folded.strip() else folded
    return read_cancel(plain) or read_order(plain, context)


def _read_answer(folded: str, context: DialogContext) -> Intent | None:
    """The answer to the question we asked: 1/对 or 0/不要, or the number of a deal to pick."""
    if context.confirming:
        answer = reader.confirm_answer(folded)
        if answer is not None:
            return answer
    if context.picking:
        reading = normalize.read_numbers(normalize.tokenize(folded))
        named = reader.deals_named(folded, context.catalog()) & frozenset(context.picking)
        chosen = reading.numbers[0].value if len(reading.numbers) == 1 else None
        if len(named) == 1 and not reading.numbers:
            chosen = next(iter(named))  # 鸭梨, 赵县的: the answer by name
        if chosen is not None and chosen in context.picking:
            deal = chosen
            quantity = context.picking_quantity
            if quantity is not None and 1 <= quantity <= MAX_QUANTITY:
                return PlaceOrder(deal, quantity)
            return ChooseDeal(deal)
    return None


def _read_by_deals(folded: str, context: DialogContext) -> Intent | None:
    """Products by name, several items, changes and questions: the deal-aware reader."""
    scene = reader.Scene(
        units={d.number: d.unit for d in context.catalog()},
        open_deals=frozenset(context.open_deal_numbers),
        orders=dict(context.orders),
        last_deal=context.last_deal,
        awaiting_quantity_for=context.awaiting_quantity_for,
    )
    return reader.read_order(folded, context.catalog(), scene)  # type: ignore[return-value]


# --- register ---------------------------------------------------------------

_REGISTER = re.compile(r"^(?:注册|登记|reg|register)(?![a-z])\s*(?P<rest>.*)$", re.IGNORECASE)
_MAX_NAME_CHARS = 20


def _read_register(cleaned: str) -> Intent | None:
    """注册 王芳 3-2-401 / REG Wang Fang 3号楼2单元401室; the name may come before or after.

    Read before numerals are converted and case is folded, so that 张三 stays
    张三 and Wang Fang keeps its capitals.
    """
    match = _REGISTER.match(cleaned)
    if match is None:
        return None
    address = normalize.split_address(match["rest"])
    if address is None:
        return Clarify("register_format")
    name = normalize.strip_polite(re.sub(r"[,.、/]", " ", address.rest))
    if not _is_plausible_name(name):
        return Clarify("register_format")
    return Register(name=name, building=address.building, unit=address.unit, room=address.room)


def _is_plausible_name(name: str) -> bool:
    return (
        0 < len(name) <= _MAX_NAME_CHARS
        and any(ch.isalpha() for ch in name)
        and not any(ch.isdigit() or ch in "#*?-" for ch in name)
    )


# --- staff --------------------------------------------------------------------

_STAFF_COMMANDS: dict[str, type[StaffRemind | StaffClose | StaffTotal]] = {
    "remind": StaffRemind, "提醒": StaffRemind,
    "close": StaffClose, "截单": StaffClose,
    "total": StaffTotal, "统计": StaffTotal,
}  # fmt: skip
_STAFF = re.compile(rf"^(?P<verb>{'|'.join(_STAFF_COMMANDS)})(?![a-z])\s*(?P<rest>.*)$")


def _read_staff(folded: str, context: DialogContext) -> Intent | None:
    """REMIND 3 / 提醒 3, CLOSE 3 / 截单 3, TOTAL 3 / 统计 3, from a staff phone only.

    The deal need not be open: reminders go out after a deal has closed.
    """
    match = _STAFF.match(folded)
    if match is None:
        return None
    if not context.is_staff:
        return Unknown("staff_only")
    reading = normalize.read_numbers(normalize.tokenize(match["rest"]))
    unexpected = reading.kinds - {"num", "deal_pre", "deal_post", "hash", "no", "filler"}
    if reading.muddled or unexpected or len(reading.numbers) != 1:
        return Clarify("staff_format")
    deal = reading.numbers[0].value
    if not 1 <= deal <= MAX_DEAL_NUMBER:
        return Clarify("staff_format")
    return _STAFF_COMMANDS[match["verb"]](deal)
