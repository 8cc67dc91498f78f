"""Orders read from a resident's words: 我要两份梨, 1号2份 2号1袋, 油不要了换成小米两袋.

A text's atoms (sms_gateway.atoms: a reference to a deal by its number or a
name, a quantity, or an operation: cancel, add, set, replace, correct, each,
all) are grouped into clauses and paired, and
the result is one `OrderPlan` — or, for the plain single order, the familiar
`PlaceOrder`. Anything that does not line up is a doubt, and a doubt is
asked about, never ordered on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sms_gateway import lexicon
from sms_gateway.atoms import Atom, Op, Qty, Ref
from sms_gateway.plans import (
    Add,
    Change,
    Doubt,
    Drop,
    DropAll,
    Problem,
    Put,
)

MAX_QUANTITY = 99




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
        if isinstance(atom, Ref) and _cancelled(current):
            clauses.append([atom])  # 油不要了 梨再来一份: the cancel ends its item
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


def _cancelled(clause: list[Atom]) -> bool:
    """A name followed by a cancel (油不要了): that item is said in full."""
    seen_ref = False
    for atom in clause:
        if isinstance(atom, Ref):
            seen_ref = True
        elif isinstance(atom, Op) and atom.kind in ("cancel", "drop_all") and seen_ref:
            return True
    return False


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
            read_item(ref, qtys[0], ops, scene, reading)
        return
    pairs, leftover = _pair(clause)
    for ref, qty in pairs:
        read_item(ref, qty, ops, scene, reading)
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


def read_item(
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
    if _counts_pieces(ref, qty, scene.units.get(deal, "")):
        reading.doubts.append("mixed")  # 鸡蛋3个, "3 eggs": three eggs, or three boxes?
    if "reduce" in ops:
        reading.changes.append(Add(deal, -qty.value))
    elif "add" in ops:
        reading.changes.append(Add(deal, qty.value))
    else:
        reading.changes.append(Put(deal, qty.value))


_CONTAINERS = frozenset("盒 箱 袋 包 桶 瓶 提 筐".split())
# Goods a resident may count one by one (3个鸡蛋, "3 eggs") where a deal sells boxes of them.
_PIECE_GOODS = ("蛋", "梨", "苹果", "富士", "桃", "橘", "橙", "柿", "瓜", "红薯", "土豆", "西红柿",
                "egg", "pear", "apple", "peach", "orange", "potato", "tomato")  # fmt: skip


def _counts_pieces(ref: Ref, qty: Qty, unit: str) -> bool:
    """An amount in pieces (个, or an English bare number) of goods sold by the box or bag:
    it may count the pieces, not the boxes, so it is said back before ordering."""
    if unit not in _CONTAINERS or unit in ref.word:
        return False  # sold by the 份, or the name says the box itself (菜箱)
    if not any(piece in ref.word for piece in _PIECE_GOODS):
        return False  # oil, millet: nobody counts those in pieces
    return qty.unit in ("个", "只") or (qty.unit is None and ref.word.isascii())


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
        read_item(Ref(frozenset({qtys[0].value}), str(qtys[0].value)), qtys[1], ops, scene, reading)
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
        read_item(Ref(frozenset({target}), str(target)), qty, ops, scene, reading)
        return
    if scene.awaiting_quantity_for is not None and not ops & {"add", "set", "correct", "reduce"}:
        read_item(Ref(frozenset({scene.awaiting_quantity_for}), ""), qty, ops, scene, reading)
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
