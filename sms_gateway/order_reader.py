"""Orders read from a resident's words: 我要两份梨, 1号2份 2号1袋, 油不要了换成小米两袋.

A text's tokens (sms_gateway.tokens) become atoms: a reference to a deal (by
its number or a name), a quantity, or an operation (cancel, add, set,
replace, correct, each, all). Atoms are grouped into clauses and paired, and
the result is one `OrderPlan` — or, for the plain single order, the familiar
`PlaceOrder`. Anything that does not line up is a doubt, and a doubt is
asked about, never ordered on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sms_gateway import lexicon
from sms_gateway.plans import (
    Add,
    Change,
    Complaint,
    Doubt,
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
from sms_gateway.tokens import Token

MAX_QUANTITY = 99


@dataclass(frozen=True, slots=True)
class Ref:
    deals: frozenset[int]
    word: str
    by_sound: bool = False
    mixed: bool = False  # a number and a name that disagree: 3号梨


@dataclass(frozen=True, slots=True)
class Qty:
    value: int | None  # None: a vague amount (两三份)
    unit: str | None = None
    marked: bool = True  # False: a bare number, nothing says it is an amount
    negative: bool = False


@dataclass(frozen=True, slots=True)
class Op:
    kind: str


Atom = Ref | Qty | Op


@dataclass
class Scene:
    """What the reader knows besides the text: the deals and the resident's orders."""

    units: dict[int, str]  # deal number → its unit
    open_deals: frozenset[int]
    orders: dict[int, int]  # the resident's orders that can still change: deal → quantity
    last_deal: int | None = None  # the deal the dialog was last about
    awaiting_quantity_for: int | None = None


@dataclass
class Reading:
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    doubts: list[Doubt] = field(default_factory=list)
    choose: list[int] = field(default_factory=list)  # deals named without an amount
    pick: tuple[frozenset[int], int | None, str] | None = None


def atoms_of(tokens: list[Token]) -> list[Atom]:
    """Numbers and names with the role their neighbours give them."""
    atoms: list[Atom] = []
    used: set[int] = set()
    for i, token in enumerate(tokens):
        if i in used:
            continue
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        before = tokens[i - 1] if i > 0 else None
        if token.kind == "num":
            atoms.append(_number(tokens, i, used))
        elif token.kind == "vague":
            if after is not None and after.kind == "unit":
                used.add(i + 1)
                atoms.append(Qty(None, after.unit))
            else:
                atoms.append(Qty(None))
        elif token.kind == "product" and token.product is not None:
            if before is not None and before.kind == "unit" and (i - 1) not in used and (
                i >= 2 and tokens[i - 2].kind == "verb"
            ):
                atoms.append(Qty(1, before.unit))  # 要个菜箱, 来袋小米: one
            atoms.append(Ref(token.product.deals, token.product.word, token.product.by_sound))
        elif token.kind == "unsold":
            atoms.append(Ref(frozenset(), token.text))  # 大米: named, and sold by no deal
        elif token.kind == "deal_pre" and token.text == "no" and after is not None and (
            after.kind == "product"
        ):
            atoms.append(Op("cancel"))  # "no oil"
        elif token.kind in ("deal_pre", "hash", "times", "neg", "deal_post", "unit"):
            continue  # consumed by a number, or a marker standing alone
        elif token.kind == "negate" and (after is None or after.kind in ("sep", "num")):
            atoms.append(Op("correct"))  # 啊不，三份: a spoken correction
        elif token.kind == "each" and token.text == "each" and before is not None and (
            before.text == "of"
        ):
            atoms.append(Op("all"))  # "one of each": every deal
        elif token.kind in ("cancel", "set", "replace", "add", "reduce", "correct", "each", "all",
                            "sep", "verb", "except"):  # fmt: skip
            if token.kind == "add" and token.text in ("再", "又") and after is not None and (
                after.kind == "verb"
            ):
                used.add(i + 1)  # 再 + 来/要/订 is one "add"
            if token.kind == "cancel" and before is not None and before.kind == "all":
                atoms[-1:] = []  # 全部取消, 都不要了: all + cancel is one op
                atoms.append(Op("drop_all"))
                continue
            if token.kind == "all" and before is not None and before.kind == "cancel":
                atoms[-1:] = []  # "cancel everything"
                atoms.append(Op("drop_all"))
                continue
            atoms.append(Op(token.kind))
    return atoms


def _number(tokens: list[Token], i: int, used: set[int]) -> Atom:
    token = tokens[i]
    value = token.value or 0
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    before = tokens[i - 1] if i > 0 else None
    if after is not None and after.kind == "deal_post":
        used.add(i + 1)
        nxt = tokens[i + 2] if i + 2 < len(tokens) else None
        if nxt is not None and nxt.kind == "product" and nxt.product is not None:
            used.add(i + 2)
            deals = nxt.product.deals
            if value in deals:
                return Ref(frozenset({value}), nxt.text, nxt.product.by_sound)
            return Ref(frozenset({value}) | deals, nxt.text, mixed=True)
        return Ref(frozenset({value}), f"{value}号")
    if (before is not None and before.kind in ("deal_pre", "hash") and before.text != "no") or (
        before is not None and before.kind == "deal_pre" and before.text == "no"
    ):
        if after is not None and after.kind == "unit" and after.unit in ("个", "样"):
            used.add(i + 1)  # 第2个: the ordinal's 个 counts nothing
        return Ref(frozenset({value}), f"{value}号")
    if after is not None and after.kind == "hash":
        used.add(i + 1)
        return Ref(frozenset({value}), f"{value}号")
    negative = before is not None and before.kind == "neg"
    if after is not None and after.kind == "unit":
        used.add(i + 1)
        return Qty(-value if negative else value, after.unit, negative=negative)
    if (before is not None and before.kind == "times") or (
        after is not None and after.kind == "times"
    ):
        if after is not None and after.kind == "times":
            used.add(i + 1)
        return Qty(-value if negative else value, None, negative=negative)
    return Qty(-value if negative else value, None, marked=negative, negative=negative)


def clauses_of(atoms: list[Atom]) -> list[list[Atom]]:
    """Items are parted by 和, commas and new lines, and by a new verb after a cancel."""
    clauses: list[list[Atom]] = [[]]
    for atom in atoms:
        current = clauses[-1]
        if isinstance(atom, Op) and atom.kind == "sep":
            clauses.append([])
            continue
        if isinstance(atom, Op) and atom.kind in ("replace", "verb", "add", "set") and any(
            isinstance(a, Op) and a.kind in ("cancel", "drop_all") for a in current
        ) and any(isinstance(a, Ref) for a in current):
            clauses.append([atom])
            continue
        if isinstance(atom, Op) and atom.kind in ("add", "verb") and _complete(current):
            clauses.append([atom])  # 梨两份加一桶油: 加 joins a second item
            continue
        if isinstance(atom, Ref | Qty) and _complete(current) and _starts_item(atom, current):
            clauses.append([atom])
            continue
        current.append(atom)
    joined: list[list[Atom]] = []
    for clause in (c for c in clauses if c):
        previous = joined[-1] if joined else None
        if previous is not None and (
            (_only_amounts(clause) and _names_only(previous))
            or not any(isinstance(a, Ref | Qty) for a in clause)
        ):
            previous.extend(clause)  # 赵县的梨，四份: the amount after a comma
        else:
            joined.append(clause)
    return joined


def _only_amounts(clause: list[Atom]) -> bool:
    return any(isinstance(a, Qty) for a in clause) and not any(isinstance(a, Ref) for a in clause)


def _names_only(clause: list[Atom]) -> bool:
    return any(isinstance(a, Ref) for a in clause) and not any(isinstance(a, Qty) for a in clause)


def _complete(clause: list[Atom]) -> bool:
    return any(isinstance(a, Ref) for a in clause) and any(
        isinstance(a, Qty) for a in clause
    ) and not any(isinstance(a, Op) and a.kind in ("each", "all") for a in clause)


def _starts_item(atom: Atom, clause: list[Atom]) -> bool:
    """A second name after a name and an amount starts a new item: 梨两份 小米一袋."""
    items = [a for a in clause if isinstance(a, Ref | Qty)]
    if isinstance(atom, Ref):
        return isinstance(items[-1], Qty) or isinstance(items[0], Qty) is False
    # an amount after a full item starts one only when amounts come first (两份梨 一袋小米)
    return isinstance(items[0], Qty) and isinstance(items[-1], Ref)


def read_clause(clause: list[Atom], scene: Scene, reading: Reading) -> None:
    ops = {a.kind for a in clause if isinstance(a, Op)}
    refs = [a for a in clause if isinstance(a, Ref)]
    qtys = [a for a in clause if isinstance(a, Qty)]
    if "drop_all" in ops and not refs:
        reading.changes.append(DropAll())
        return
    if "cancel" in ops and not refs and not qtys and len(scene.orders) == 1:
        reading.changes.append(Drop(next(iter(scene.orders))))  # 算了不要了: the one order
        return
    if "cancel" in ops and refs and not any(q.marked for q in qtys):
        for ref in refs:
            deal = _one_deal(ref, scene, reading, None, held_only=True)
            if deal is not None:
                reading.changes.append(Drop(deal))
        return
    if not refs:
        _read_dealless(ops, qtys, scene, reading)
        return
    if "all" in ops and len(qtys) == 1 and not refs:
        return
    if ("each" in ops or "all" in ops) and len(qtys) == 1:
        for ref in refs:
            _item(ref, qtys[0], ops, scene, reading)
        return
    pairs, leftover = _pair(clause)
    for ref, qty in pairs:
        _item(ref, qty, ops, scene, reading)
    if any(not q.marked for q in leftover):
        reading.doubts.append("room_or_quantity")
    elif leftover:
        reading.doubts.append("mixed")


def _pair(clause: list[Atom]) -> tuple[list[tuple[Ref, Qty | None]], list[Qty]]:
    items = [a for a in clause if isinstance(a, Ref | Qty)]
    refs = [a for a in items if isinstance(a, Ref)]
    qtys = [a for a in items if isinstance(a, Qty)]
    if len(refs) == 1:
        marked = [q for q in qtys if q.marked]
        chosen = marked[-1] if marked else (qtys[-1] if len(qtys) == 1 else None)
        if chosen is None and qtys:
            return [(refs[0], None)], qtys
        rest = [q for q in qtys if q is not chosen]
        # repeats of the same amount ("两桶吧两桶") or one bare number beside a marked one
        leftover = [q for q in rest if q.value != (chosen.value if chosen else None)]
        return [(refs[0], chosen)], leftover
    qty_first = isinstance(items[0], Qty) and isinstance(items[-1], Ref)
    pairs: list[tuple[Ref, Qty | None]] = []
    pending: Qty | None = None
    current: Ref | None = None
    leftover: list[Qty] = []
    for atom in items:
        if isinstance(atom, Qty):
            if qty_first:
                if pending is not None:
                    leftover.append(pending)
                pending = atom
            elif current is not None:
                pairs.append((current, atom))
                current = None
            else:
                leftover.append(atom)
        else:
            if qty_first:
                pairs.append((atom, pending))
                pending = None
            else:
                if current is not None:
                    pairs.append((current, None))
                current = atom
    if current is not None:
        pairs.append((current, None))
    if pending is not None:
        leftover.append(pending)
    return pairs, leftover


def _one_deal(
    ref: Ref, scene: Scene, reading: Reading, qty: Qty | None, held_only: bool = False
) -> int | None:
    """The one open deal a reference means; a cancel or a change means one the resident holds."""
    if ref.mixed:
        reading.doubts.append("mixed")
    if ref.by_sound:
        reading.doubts.append("sound")
    if not ref.deals:
        reading.problems.append(Problem("not_sold", word=ref.word))
        return None
    open_deals = ref.deals & scene.open_deals
    if held_only and len(open_deals) > 1 and len(open_deals & set(scene.orders)) == 1:
        open_deals = open_deals & set(scene.orders)
    if len(ref.deals) == 1 and not open_deals:
        (deal,) = ref.deals
        reading.problems.append(Problem("closed", deal=deal, word=ref.word))
        return None
    if not open_deals:
        reading.problems.append(Problem("closed", word=ref.word))
        return None
    if len(open_deals) > 1:
        reading.pick = (open_deals, qty.value if qty else None, ref.word)
        return None
    (deal,) = open_deals
    return deal


def _item(
    ref: Ref, qty: Qty | None, ops: set[str], scene: Scene, reading: Reading, quiet: bool = False
) -> None:
    """One deal and its amount as a change; `quiet`: an item of 每样 skips what cannot be had."""
    deal = _one_deal(ref, scene, reading, qty, held_only=bool(ops & {"add", "reduce", "set"}))
    if deal is None:
        return
    if qty is None:
        reading.choose.append(deal)
        return
    problem = _quantity_problem(deal, qty, scene)
    if problem is not None:
        if not (quiet and problem.kind == "wrong_unit"):
            reading.problems.append(problem)
        return
    assert qty.value is not None
    if "reduce" in ops:
        reading.changes.append(Add(deal, -qty.value))
    elif "add" in ops:
        reading.changes.append(Add(deal, qty.value))
    else:
        reading.changes.append(Put(deal, qty.value))


def _quantity_problem(deal: int, qty: Qty, scene: Scene) -> Problem | None:
    unit = scene.units.get(deal, "")
    if qty.value is None:
        return Problem("vague", deal=deal, unit=unit)
    if qty.value <= 0:
        return Problem("bad_quantity", deal=deal, quantity=qty.value, unit=unit)
    if qty.value > MAX_QUANTITY:
        return Problem("too_many", deal=deal, quantity=qty.value, unit=unit)
    if qty.unit is not None and not fits_unit(qty.unit, unit):
        return Problem("wrong_unit", deal=deal, quantity=qty.value, unit=qty.unit)
    return None


def fits_unit(written: str, unit: str) -> bool:
    if written in lexicon.GENERIC_UNITS or written == unit or not unit:
        return True
    if written in lexicon.NEAR_UNITS.get(unit, frozenset()):
        return True
    return unit in lexicon.GENERIC_UNITS and written not in lexicon.WEIGHT_UNITS


def _read_dealless(ops: set[str], qtys: list[Qty], scene: Scene, reading: Reading) -> None:
    """Amounts with no deal named: the answer to our question, or a change to an order."""
    if not qtys:
        return
    if len(qtys) == 2 and not any(q.marked for q in qtys) and qtys[0].value:
        # "change 2 to 4": the number grammar's deal, then quantity
        _item(Ref(frozenset({qtys[0].value}), str(qtys[0].value)), qtys[1], ops, scene, reading)
        return
    qty = qtys[-1] if all(q.value == qtys[-1].value for q in qtys) else None
    if qty is None or (len(qtys) > 1 and any(not q.marked for q in qtys)):
        reading.doubts.append("mixed")
        return
    target = inferred_deal(scene, qty.unit)
    if "all" in ops:
        for deal in sorted(scene.open_deals):
            problem = _quantity_problem(deal, qty, scene)
            if problem is None and qty.value is not None:
                reading.changes.append(Put(deal, qty.value))
            elif problem is not None and problem.kind != "wrong_unit":
                reading.problems.append(problem)
        return
    if ops & {"add", "set", "correct", "replace", "reduce"} and target is not None:
        reading.doubts.append("inferred")
        _item(Ref(frozenset({target}), str(target)), qty, ops, scene, reading)
        return
    if scene.awaiting_quantity_for is not None and not ops & {"add", "set", "correct", "reduce"}:
        _item(Ref(frozenset({scene.awaiting_quantity_for}), ""), qty, ops, scene, reading)
        return
    reading.problems.append(Problem("no_quantity", quantity=qty.value, unit=qty.unit or ""))


def inferred_deal(scene: Scene, unit: str | None) -> int | None:
    """The order a change without a deal is about: the last one talked of, or the only one."""
    last = scene.last_deal
    if last is not None and last in scene.orders and (
        unit is None or fits_unit(unit, scene.units.get(last, ""))
    ):
        return last
    held = [d for d in scene.orders if unit is None or fits_unit(unit, scene.units.get(d, ""))]
    if len(held) == 1:
        return held[0]
    return None


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
