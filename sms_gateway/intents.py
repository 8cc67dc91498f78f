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
3. otherwise an order, read by the small token grammar in `_read_order`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sms_gateway import normalize, reader
from sms_gateway.plans import (
    Complaint,
    ConfirmAnswer,
    OrderPlan,
    PickDeal,
    Question,
    WantsPerson,
)
from sms_gateway.products import DealEntry

MAX_QUANTITY = 99
MAX_DEAL_NUMBER = 99
# Twilio caps a body at 1,600 characters; anything near that is a pasted
# article or an attack, and is not read at all.
MAX_BODY_CHARS = 1600
# Real commands are short: "注册 王芳 3号楼2单元401室" is under 20 characters.
# A cleaned body longer than this is chatter whose numbers cannot be trusted.
MAX_COMMAND_CHARS = 80


@dataclass(frozen=True, slots=True)
class DialogContext:
    """What the conversation so far changes about how a bare reply is read."""

    awaiting_quantity_for: int | None = None  # resident sent a bare deal number; we asked how many
    awaiting_cancel_choice: bool = False  # resident sent a bare 取消; we asked which order
    open_deal_numbers: frozenset[int] = frozenset()
    is_staff: bool = False
    # The deals by name: open ones, and lately closed ones (named only to say so).
    deals: tuple[DealEntry, ...] = ()
    orders: tuple[tuple[int, int], ...] = ()  # the resident's changeable orders: (deal, quantity)
    last_deal: int | None = None  # what "改成3份" or "再加一份" is about
    confirming: bool = False  # we asked "对吗？回1确认，回0不要"
    picking: tuple[int, ...] = ()  # we asked which of these deals a name meant
    picking_quantity: int | None = None  # ... and the amount that came with it

    def catalog(self) -> tuple[DealEntry, ...]:
        """The deals to read names against; numbers alone when only those are known."""
        if self.deals:
            return self.deals
        return tuple(DealEntry(n, "") for n in sorted(self.open_deal_numbers))


@dataclass(frozen=True, slots=True)
class ListDeals:
    page_next: bool = False


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    """Order or change an order: the quantity replaces any earlier one for the deal."""

    deal_number: int
    quantity: int

    def __post_init__(self) -> None:
        if not (1 <= self.deal_number <= MAX_DEAL_NUMBER and 1 <= self.quantity <= MAX_QUANTITY):
            raise ValueError(f"PlaceOrder out of range: {self.deal_number}, {self.quantity}")


@dataclass(frozen=True, slots=True)
class ChooseDeal:
    """A bare open deal number: the reply shows the deal and asks how many."""

    deal_number: int


@dataclass(frozen=True, slots=True)
class CancelOrder:
    """Cancel the order on a deal; None means "which one?" (a bare 取消)."""

    deal_number: int | None = None


@dataclass(frozen=True, slots=True)
class MyOrders:
    pass


@dataclass(frozen=True, slots=True)
class Help:
    pass


@dataclass(frozen=True, slots=True)
class OptOut:
    pass


@dataclass(frozen=True, slots=True)
class OptIn:
    pass


@dataclass(frozen=True, slots=True)
class SetLanguage:
    lang: Literal["zh", "en"]


@dataclass(frozen=True, slots=True)
class Register:
    name: str
    building: str
    unit: str
    room: str


@dataclass(frozen=True, slots=True)
class StaffRemind:
    deal_number: int


@dataclass(frozen=True, slots=True)
class StaffClose:
    deal_number: int


@dataclass(frozen=True, slots=True)
class StaffTotal:
    deal_number: int


ClarifyReason = Literal[
    "ambiguous_number",  # "23" with 23 not open but 2 open: deal 23, or deal 2 × 3?
    "deal_not_open",  # a deal number that is not open (deal_number None if outside 1..99)
    "need_deal_number",  # a quantity without a deal ("我要两份梨")
    "quantity_zero",
    "quantity_too_large",  # over MAX_QUANTITY
    "too_many_numbers",  # "2 3 4"
    "ambiguous_order",  # numbers with negation, 再/加, 、/和, a time or an address, odd marks
    "question",  # "2号还有吗?"
    "order_format",  # an order word with no usable number ("我要", "两三份")
    "ambiguous_cancel",  # "取消 2 3", "取消1份", "不要取消"
    "register_format",
    "staff_format",  # a staff command without a usable deal number
]


@dataclass(frozen=True, slots=True)
class Clarify:
    """The text could mean more than one thing (or is incomplete): ask, never act.

    deal_number and quantity echo what was understood, only when in 1..99,
    so the reply can say "是2号3份吗？".
    """

    reason: ClarifyReason
    deal_number: int | None = None
    quantity: int | None = None


UnknownReason = Literal[
    "empty",  # nothing readable: blank, emoji only, punctuation only
    "courtesy",  # only polite words (谢谢, thanks): the edge may choose not to answer
    "too_long",
    "staff_only",  # a staff command from a resident's phone
    "unrecognised",
]


@dataclass(frozen=True, slots=True)
class Unknown:
    reason: UnknownReason = "unrecognised"


Intent = (
    ListDeals | PlaceOrder | ChooseDeal | CancelOrder | MyOrders | Help | OptOut | OptIn
    | SetLanguage | Register | StaffRemind | StaffClose | StaffTotal | Clarify | Unknown
    | OrderPlan | PickDeal | ConfirmAnswer | Question | WantsPerson | Complaint
)  # fmt: skip


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
    if len(text) > MAX_BODY_CHARS:
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
    return (
        _read_register(normalize.strip_polite(cleaned))
        or _read_staff(polite_free, context)
        or _read_answer(polite_free, context)
        or _read_by_deals(folded, context)
        or _read_numbers(polite_free, context)
    )


def _read_numbers(folded: str, context: DialogContext) -> Intent:
    """Numbers only ("2 3", "取消2"), in the one form the number grammar reads."""
    plain = reader.canonical(folded, context.catalog()) if folded.strip() else folded
    return _read_cancel(plain) or _read_order(plain, context)


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


def _in_range(n: int | None) -> int | None:
    """Echo a number in Clarify only when it could be a deal or a quantity."""
    return n if n is not None and 1 <= n <= MAX_QUANTITY else None


# Kinds that make numbers untrustworthy: "不要2号", "再加1份", "2号和3号", "3点".
_DOUBTS = frozenset({"negation", "relative", "multi", "noise", "cancel"})
# A product name may follow the numbers ("2号3份梨"); a sentence may not.
_MAX_ITEM_CHARS = 6


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


# --- cancel -------------------------------------------------------------------


def _read_cancel(folded: str) -> Intent | None:
    """取消 2, 退 2, 2号不要了, cancel 2; a bare 取消 asks which order (CancelOrder(None)).

    A bare CANCEL never gets here: it is a Twilio opt-out word.
    """
    tokens = normalize.tokenize(folded)
    cancels = sum(t.kind == "cancel" for t in tokens)
    if not cancels:
        return None
    reading = normalize.read_numbers(tokens)
    if "junk" in reading.kinds or reading.item_chars > _MAX_ITEM_CHARS:
        return Unknown("unrecognised")
    # "不要取消" (do not cancel) holds two cancel words
    if cancels > 1 or reading.muddled or reading.kinds & (_DOUBTS - {"cancel"} | {"question"}):
        return Clarify("ambiguous_cancel")
    if not reading.numbers:
        return CancelOrder(None)
    (number, *others) = reading.numbers
    if others or number.role == "qty" or not 1 <= number.value <= MAX_DEAL_NUMBER:
        return Clarify("ambiguous_cancel")  # "取消1份" is "one fewer", "取消 2 3" two orders
    return CancelOrder(number.value)


# --- order --------------------------------------------------------------------


def _read_order(folded: str, context: DialogContext) -> Intent:
    """An order or a change: "2 3", "2号3份", "#2*3", "buy 2 x3"; or a step of the guided dialog."""
    reading = normalize.read_numbers(normalize.tokenize(folded))
    if "junk" in reading.kinds or reading.item_chars > _MAX_ITEM_CHARS:
        return Unknown("unrecognised")
    if not reading.numbers:
        if reading.kinds & {"verb", "qty_post", "qty_pre", "deal_post", "deal_pre", "times"}:
            return Clarify("order_format")  # "我要", "两三份"
        if "question" in reading.kinds:
            return Clarify("question")
        return Unknown("unrecognised")
    if "question" in reading.kinds:
        deals = [n.value for n in reading.numbers if n.role == "deal"]
        return Clarify("question", deal_number=_in_range(deals[0]) if len(deals) == 1 else None)
    if reading.muddled or reading.kinds & _DOUBTS:
        return Clarify("ambiguous_order")
    if len(reading.numbers) > 2:
        return Clarify("too_many_numbers")
    if len(reading.numbers) == 1:
        return _read_single(reading.numbers[0], context)
    return _read_pair(*reading.numbers, context=context)


def _awaited_deal(context: DialogContext) -> int | None:
    deal = context.awaiting_quantity_for
    return deal if deal is not None and 1 <= deal <= MAX_DEAL_NUMBER else None


def _read_single(number: normalize.Number, context: DialogContext) -> Intent:
    """One number: its role, or the question we last asked, says what it is."""
    awaited = _awaited_deal(context)
    if awaited is not None and context.awaiting_cancel_choice and number.role != "deal":
        return Clarify("ambiguous_order")  # both questions open: do not guess which was answered
    if number.role == "deal":
        if context.awaiting_cancel_choice and awaited is None:
            return _cancel_choice(number.value)
        return _choose(number.value, context)
    if awaited is not None:
        return _order(awaited, number.value, context)  # the answer to "how many?"
    if number.role == "qty":
        return Clarify("need_deal_number", quantity=_in_range(number.value))
    if context.awaiting_cancel_choice:
        return _cancel_choice(number.value)
    if number.value in context.open_deal_numbers:
        return _choose(number.value, context)
    return _unknown_bare_number(number, context)


def _read_pair(
    first: normalize.Number, second: normalize.Number, *, context: DialogContext
) -> Intent:
    """Two numbers: markers decide; unmarked, the first is the deal ("2 3")."""
    roles = (first.role, second.role)
    if roles in (("deal", "qty"), ("deal", None), (None, "qty")):
        return _order(first.value, second.value, context)
    if roles in (("qty", "deal"), ("qty", None)):
        return _order(second.value, first.value, context)
    if roles == (None, None):
        if context.awaiting_cancel_choice:
            return Clarify("ambiguous_cancel")  # "2 3" after "which order?": two orders?
        return _order(first.value, second.value, context)
    return Clarify("ambiguous_order")  # "3 2号" (an unmarked number before the deal), "2号3号"


def _choose(deal: int, context: DialogContext) -> Intent:
    if deal in context.open_deal_numbers and 1 <= deal <= MAX_DEAL_NUMBER:
        return ChooseDeal(deal)
    return Clarify("deal_not_open", deal_number=_in_range(deal))


def _cancel_choice(deal: int) -> Intent:
    if 1 <= deal <= MAX_DEAL_NUMBER:
        return CancelOrder(deal)
    return Clarify("ambiguous_cancel")


def _order(deal: int, quantity: int, context: DialogContext) -> Intent:
    if deal not in context.open_deal_numbers or not 1 <= deal <= MAX_DEAL_NUMBER:
        return Clarify("deal_not_open", deal_number=_in_range(deal), quantity=_in_range(quantity))
    if quantity == 0:
        return Clarify("quantity_zero", deal_number=deal)
    if quantity > MAX_QUANTITY:
        return Clarify("quantity_too_large", deal_number=deal)
    return PlaceOrder(deal, quantity)


def _unknown_bare_number(number: normalize.Number, context: DialogContext) -> Intent:
    """A bare number that is no open deal: "23" may be deal 2 × 3, so ask rather than guess."""
    digits = str(number.value)
    splits = [
        (int(digits[:i]), int(digits[i:]))
        for i in range(1, len(digits))
        if digits[i] != "0"
        and int(digits[:i]) in context.open_deal_numbers
        and 1 <= int(digits[i:]) <= MAX_QUANTITY
    ]
    if len(splits) == 1:
        deal, quantity = splits[0]
        return Clarify("ambiguous_number", deal_number=_in_range(deal), quantity=quantity)
    if splits:
        return Clarify("ambiguous_number")
    return Clarify("deal_not_open", deal_number=_in_range(number.value))
