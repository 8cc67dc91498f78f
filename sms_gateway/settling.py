"""What a reading of an order text comes to: one intent, the last word winning.

`settle` turns the changes, problems and doubts the order reader collected into an
`OrderPlan`, a pick between deals, a question, or a hand-over to a person.
"""

from __future__ import annotations

from sms_gateway.order_reader import Reading
from sms_gateway.plans import (
    Add,
    Change,
    Complaint,
    Drop,
    DropAll,
    OrderPlan,
    PickDeal,
    Problem,
    Put,
    Question,
    Topic,
    WantsPerson,
)


def topic_of(text: str) -> Topic:
    if any(w in text for w in ("多少钱", "几块", "价", "钱", "贵", "便宜", "how much", "price")):
        return "price"
    if any(w in text for w in ("成团", "成了", "够了吗", "够数", "能成", "gone ahead")):
        return "gone_ahead"
    if any(w in text for w in ("在哪", "哪里", "哪儿", "什么地方", "啥地方", "地点", "where")):
        return "pickup_place"
    if any(
        w in text
        for w in "什么时候 啥时候 几点 哪天 几号 时间 取货 来取 去取 when".split()
    ):
        return "pickup_time"
    if any(w in text for w in ("还有", "剩", "卖完", "有没有", "还能订", "left", "any more")):
        return "stock"
    return "other"


def settle(
    reading: Reading, flags: set[str], text: str, named: list[int]
) -> OrderPlan | PickDeal | Question | WantsPerson | Complaint | None:
    """The reading as one intent, or None when the text holds no order at all."""
    if "person" in flags:
        return WantsPerson()
    if "complaint" in flags:
        return Complaint(tuple(named))
    has_order = bool(reading.changes) or bool(reading.problems and "verb" in flags)
    if "question" in flags and not (reading.changes and flags & {"verb", "add", "set"}):
        return Question(topic_of(text), tuple(named))
    if reading.pick is not None and not reading.changes:
        candidates, quantity, word = reading.pick
        return PickDeal(tuple(sorted(candidates)), quantity, word)
    if not has_order and not reading.problems and not reading.doubts and not reading.choose:
        return None
    changed = {getattr(c, "deal", None) for c in reading.changes}
    for deal in reading.choose:
        if deal not in changed:
            reading.problems.append(Problem("no_quantity", deal=deal))
    changes = _last_word_wins(reading.changes)
    doubt = reading.doubts[0] if reading.doubts else None
    pick = None
    if reading.pick is not None:
        candidates, quantity, word = reading.pick
        pick = PickDeal(tuple(sorted(candidates)), quantity, word)
    return OrderPlan(tuple(changes), tuple(reading.problems), doubt, pick)


def _last_word_wins(changes: list[Change]) -> list[Change]:
    """Put then Put on one deal: the later stands. Adds to one deal add up."""
    result: list[Change] = []
    for change in changes:
        if isinstance(change, Drop) and any(
            isinstance(c, Put | Add) and c.deal == change.deal for c in result
        ):  # 每样都来一份，油不要: the oil is simply not ordered
            result = [c for c in result if getattr(c, "deal", None) != change.deal]
            continue
        if isinstance(change, Put | Drop):
            result = [c for c in result if getattr(c, "deal", None) != change.deal]
        if isinstance(change, DropAll):
            result = [c for c in result if not isinstance(c, Drop)]
        result.append(change)
    return result
