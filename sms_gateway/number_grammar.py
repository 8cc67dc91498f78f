"""The number grammar: orders and cancels written with numbers only.

"2 3", "2号3份", "#2*3", "buy 2 x3", "取消2", or a bare number answering the question
we asked. Each number gets the role its neighbours give it (normalize.read_numbers);
whatever could mean two things becomes `Clarify`. Texts that name products, several
items or changes are read by the deal-aware reader (sms_gateway.reader) instead.
"""

from __future__ import annotations

from sms_gateway import normalize
from sms_gateway.intent_types import (
    MAX_DEAL_NUMBER,
    MAX_QUANTITY,
    CancelOrder,
    ChooseDeal,
    Clarify,
    DialogContext,
    Intent,
    PlaceOrder,
    Unknown,
)


def _in_range(n: int | None) -> int | None:
    """Echo a number in Clarify only when it could be a deal or a quantity."""
    return n if n is not None and 1 <= n <= MAX_QUANTITY else None


# Kinds that make numbers untrustworthy: "不要2号", "再加1份", "2号和3号", "3点".
_DOUBTS = frozenset({"negation", "relative", "multi", "noise", "cancel"})
# A product name may follow the numbers ("2号3份梨"); a sentence may not.
_MAX_ITEM_CHARS = 6


# --- cancel -------------------------------------------------------------------


def read_cancel(folded: str) -> Intent | None:
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


def read_order(folded: str, context: DialogContext) -> Intent:
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
