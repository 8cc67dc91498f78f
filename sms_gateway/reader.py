"""Read an order text with the community's deals in mind: the deal-aware half of `parse`.

`read_order` is given a cleaned, casefolded text and the dialog context (the
open deals with their names and units, the resident's orders, the question
we asked last) and returns one intent. It is pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sms_gateway import numerals, wording
from sms_gateway.atoms import Atom, Op, Qty, Ref, atoms_of
from sms_gateway.intent_types import CancelOrder, ChooseDeal, MyOrders, PlaceOrder
from sms_gateway.lexicon import GENERIC_UNITS, UNITS
from sms_gateway.order_reader import (
    Reading,
    Scene,
    clauses_of,
    inferred_deal,
    read_clause,
    read_item,
)
from sms_gateway.plans import ConfirmAnswer, Drop, OrderPlan, Put
from sms_gateway.products import DealEntry, ProductIndex, build_index
from sms_gateway.settling import settle, topic_of
from sms_gateway.tokens import Token, tokenize

# 15一份, 12块一袋: a price per unit, said before numerals become digits ("151份").
_PER_UNIT_PRICE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(?:元|块)?(?:钱)?\s*一\s*({})".format(
    "|".join(UNITS)
))
# "the wrong one", "that one": the "one" counts nothing.
_IDIOM_NUMERALS = re.compile(f"[{numerals.CHINESE_NUMERAL_CHARS}]")
_N_MORE = re.compile(r"\b([0-9]+|one|two|three|four|five) more\b")
_WRONG_ONE = re.compile(r"\b(wrong|that|this|other|another|the) one\b")
_YES = frozenset(
    "1 对 对的 是 是的 好 好的 行 可以 确认 确定 没错 嗯 嗯嗯 ok yes y 对对 要 订 好嘞".split()
)
_NO = frozenset("0 不 不对 不是 不要 不用 算了 取消 no n 错了 别 不行".split())


@lru_cache(maxsize=256)
def index_for(deals: tuple[DealEntry, ...]) -> ProductIndex:
    """One product index per set of deals; the worker reads many texts against the same set."""
    return build_index(deals)


@lru_cache(maxsize=256)
def _spelling_table(deals: tuple[DealEntry, ...]) -> tuple[dict[str, str], frozenset[str]]:
    index = index_for(deals)
    from sms_gateway.lexicon import EN_UNITS, vocabulary

    english = frozenset(w for w in vocabulary() if w.isascii()) | frozenset(EN_UNITS)
    english |= frozenset(index.english) | frozenset(f"{w}s" for w in index.english)
    english |= frozenset("stop start yes no help list more".split())
    return wording.pinyin_words(sorted(index.names)), english


def prepare(text: str, deals: tuple[DealEntry, ...]) -> tuple[str, frozenset[int]]:
    """Simplified, numerals in digits, pinyin spelt out: the form the tokens are read from."""
    simplified = _PER_UNIT_PRICE.sub(r"\1元每\2", wording.simplify(text))
    simplified = _WRONG_ONE.sub(r"\1", simplified)
    simplified = _N_MORE.sub(r"more \1", simplified)  # "one more box": more, one box
    table, english = _spelling_table(deals)
    spelled = wording.spell_out_pinyin(simplified, table, english)
    return wording.numerals_to_digits(spelled.text), spelled.sounded


def canonical(text: str, deals: tuple[DealEntry, ...]) -> str:
    """The text as the number grammar should read it: simplified, pinyin spelt out, and
    sound-alike measure words (两分, 2粉, 一统) written as the measure words they are."""
    prepared, sounded = prepare(text, deals)
    tokens = tokenize(prepared, index_for(deals), sounded)
    parts: list[str] = []
    for token in tokens:
        if token.kind == "unsold":
            continue
        word = "两三" if token.kind == "vague" else token.text
        if token.kind != "vague":  # a numeral left in words (一定, 一下) is no number
            word = _IDIOM_NUMERALS.sub("", word) or " "
        if token.by_sound:
            word = token.unit or ("号" if token.kind == "deal_post" else word)
        parts.append(word if token.glued or not parts else f" {word}")
    return "".join(parts)


def deals_named(text: str, deals: tuple[DealEntry, ...]) -> frozenset[int]:
    """The deals a text names by product (赵县的, 鸭梨): the answer to "which one?"."""
    prepared, sounded = prepare(text, deals)
    named: set[int] = set()
    for atom in _merge_refs(atoms_of(tokenize(prepared, index_for(deals), sounded))):
        if isinstance(atom, Ref):
            named = set(atom.deals) if not named else named & atom.deals or set(atom.deals)
    return frozenset(named)


def confirm_answer(text: str) -> ConfirmAnswer | None:
    key = "".join(ch for ch in wording.simplify(text) if ch.isalnum())
    for polite in ("谢谢", "好的谢谢", "麻烦了"):
        key = key.replace(polite, "") or key
    if key in _YES:
        return ConfirmAnswer(True)
    if key in _NO:
        return ConfirmAnswer(False)
    return None


def read_order(text: str, deals: tuple[DealEntry, ...], scene: Scene) -> object | None:
    """The intent of an order text, or None when it names no deal, product or change."""
    prepared, sounded = prepare(text, deals)
    index = index_for(deals)
    tokens = tokenize(prepared, index, sounded)
    flags = {t.kind for t in tokens}
    atoms = _merge_refs(atoms_of(tokens))
    named = sorted({d for a in atoms if isinstance(a, Ref) for d in a.deals})
    if not _needs_names(tokens, atoms, flags) and not (
        "question" in flags and topic_of(prepared) != "other" and not _numbered(atoms)
    ):
        return None  # numbers alone ("2 3", "7号"): the number grammar reads those
    reading = Reading()
    both = any(w in prepared for w in ("两种", "2种", "都要", "both", "两样"))
    _read_atoms(atoms, scene, reading, both)
    cancels = any(isinstance(a, Op) and a.kind in ("cancel", "drop_all") for a in atoms)
    if any(w in prepared for w in _MY_ORDERS) and not reading_has_order(atoms) and not cancels:
        return MyOrders()
    result = settle(reading, flags, prepared, named)
    return _simplest(result, scene)


# 我订了啥来着, 我都订了什么: the resident's own orders
_MY_ORDERS = (
    "我订了啥", "订了什么", "订了啥", "我订的啥", "我订的什么", "我的订单", "what did i order",
    "my order",
)  # fmt: skip


def _numbered(atoms: list[Atom]) -> bool:
    """A deal named by number only ("2号还有吗"): the number grammar shows that deal."""
    return any(isinstance(a, Ref) and a.word.endswith("号") for a in atoms)


def reading_has_order(atoms: list[Atom]) -> bool:
    return any(isinstance(a, Qty) for a in atoms) and any(isinstance(a, Ref) for a in atoms)


def _needs_names(tokens: list[Token], atoms: list[Atom], flags: set[str]) -> bool:
    """Whether this text is more than the number grammar reads: names, changes, items."""
    ops = {a.kind for a in atoms if isinstance(a, Op)}
    quantities = [a for a in atoms if isinstance(a, Qty)]
    numbered = [a for a in atoms if isinstance(a, Ref)]
    return bool(
        "product" in flags
        or ops & {"add", "set", "correct", "replace", "reduce", "drop_all"}
        or (ops & {"all", "each"} and quantities)
        or flags & {"unsold", "person", "complaint", "neg"}
        or (any(w in "".join(t.text for t in tokens) for w in _MY_ORDERS) and "cancel" not in flags)
        or (len(numbered) >= 2 and len(quantities) >= 2)
        or (numbered and flags & {"noise", "other", "each"})
        or _pairs_by_lines(atoms) is not None
        or any(q.unit is not None and q.unit not in GENERIC_UNITS for q in quantities)
    )


def _merge_refs(atoms: list[Atom]) -> list[Atom]:
    """那个油就是花生油: two names of one deal, next to each other, are one reference."""
    merged: list[Atom] = []
    for atom in atoms:
        last = merged[-1] if merged else None
        if isinstance(atom, Ref) and isinstance(last, Op) and last.kind == "sep":
            # 赵县的，对，雪花梨: one product said twice across a pause
            back = len(merged) - 1
            while back >= 0 and isinstance(merged[back], Op) and merged[back].kind == "sep":
                back -= 1
            earlier = merged[back] if back >= 0 else None
            if isinstance(earlier, Ref) and earlier.deals and atom.deals == earlier.deals:
                del merged[back + 1 :]
                last = earlier
        if isinstance(atom, Ref) and isinstance(last, Ref) and atom.deals & last.deals:
            merged[-1] = Ref(
                atom.deals & last.deals,
                atom.word,
                by_sound=atom.by_sound and last.by_sound,
                mixed=atom.mixed or last.mixed,
            )
            continue
        merged.append(atom)
    return merged


def _read_atoms(atoms: list[Atom], scene: Scene, reading: Reading, both: bool = False) -> None:
    """`both`: the text says 两种/都/both, so a name two deals share means each of them."""
    segments: list[list[Atom]] = [[]]
    for atom in atoms:
        if isinstance(atom, Op) and atom.kind == "correct":
            segments.append([])
        else:
            segments[-1].append(atom)
    if len(segments) > 1:
        _read_correction(segments, scene, reading)
        return
    ops = {a.kind for a in atoms if isinstance(a, Op)}
    if "replace" in ops:
        _read_replace(atoms, scene, reading)
        return
    pairs = _pairs_by_lines(atoms)
    if pairs is not None:  # "1 2\n3 1", "2 2，5 1": the number grammar, line by line
        for ref, qty in pairs:
            read_item(ref, qty, set(), scene, reading)
        return
    if "each" in ops:
        atoms = _listed_numbers(atoms)
    excluded = _excluded(atoms, scene)
    atoms = [a for a in atoms if not (isinstance(a, Op) and a.kind == "except")]
    refs = [a for a in atoms if isinstance(a, Ref) and a.deals - excluded]
    qtys = [a for a in atoms if isinstance(a, Qty)]
    if "all" in ops and not refs and len({q.value for q in qtys}) == 1 and "cancel" not in ops:
        for deal in sorted(scene.open_deals - excluded):
            every = Ref(frozenset({deal}), str(deal))
            read_item(every, qtys[-1], set(), scene, reading, quiet=True)
        return
    if ops & {"each", "all"} and "cancel" not in ops and refs and len({q.value for q in qtys}) == 1:
        for ref in refs:
            if len(ref.deals & scene.open_deals) > 1 and "each" in ops and both:  # 两种梨各两份
                for deal in sorted(ref.deals & scene.open_deals):
                    read_item(Ref(frozenset({deal}), ref.word), qtys[-1], set(), scene, reading)
                continue
            read_item(ref, qtys[-1], ops - {"all", "each"}, scene, reading)
        return
    for clause in clauses_of(atoms):
        read_clause(clause, scene, reading)
    if excluded:
        reading.changes = [c for c in reading.changes if getattr(c, "deal", None) not in excluded]


def _pairs_by_lines(atoms: list[Atom]) -> list[tuple[Ref, Qty]] | None:
    """Bare number pairs, one item per line or comma: "1 2\n3 1"; None if that is not the text."""
    lines: list[list[Atom]] = [[]]
    for atom in atoms:
        if isinstance(atom, Op) and atom.kind == "sep":
            lines.append([])
        elif isinstance(atom, Op) and atom.kind in ("verb",):
            continue
        else:
            lines[-1].append(atom)
    lines = [line for line in lines if line]
    if len(lines) < 2:
        return None
    pairs: list[tuple[Ref, Qty]] = []
    for line in lines:
        if len(line) != 2 or not all(isinstance(a, Qty) and not a.marked for a in line):
            if len(line) == 2 and isinstance(line[0], Ref) and isinstance(line[1], Qty):
                pairs.append((line[0], line[1]))
                continue
            return None
        deal, qty = line
        assert isinstance(deal, Qty) and isinstance(qty, Qty)
        if not deal.value:
            return None
        pairs.append((Ref(frozenset({deal.value}), f"{deal.value}号"), qty))
    return pairs


def _listed_numbers(atoms: list[Atom]) -> list[Atom]:
    """1 3 5号各1份, 1、2、4号各一份: bare numbers listed before 号…各 are deals too."""
    at = next(i for i, a in enumerate(atoms) if isinstance(a, Op) and a.kind == "each")
    before = atoms[:at]
    if not any(isinstance(a, Ref) and a.word.endswith("号") for a in before):
        return atoms
    listed: list[Atom] = []
    for atom in before:
        if isinstance(atom, Qty) and not atom.marked and atom.value:
            listed.append(Ref(frozenset({atom.value}), f"{atom.value}号"))
        elif not (isinstance(atom, Op) and atom.kind == "sep"):
            listed.append(atom)
    return listed + atoms[at:]


def _excluded(atoms: list[Atom], scene: Scene) -> frozenset[int]:
    """除了油每样一份, one of each except the oil: the deals named after 除了."""
    out: set[int] = set()
    for i, atom in enumerate(atoms):
        if isinstance(atom, Op) and atom.kind == "except":
            following = next((a for a in atoms[i + 1 :] if isinstance(a, Ref)), None)
            if following is not None:
                out |= following.deals & scene.open_deals
    return frozenset(out)


def _read_replace(atoms: list[Atom], scene: Scene, reading: Reading) -> None:
    """油换成两袋小米: cancel what comes before 换成 (or the order talked of), order the rest."""
    at = next(i for i, a in enumerate(atoms) if isinstance(a, Op) and a.kind == "replace")
    before, after = atoms[:at], atoms[at + 1 :]
    for clause in clauses_of(after):
        read_clause(clause, scene, reading)
    placed = {c.deal for c in reading.changes if isinstance(c, Put)}
    old = [a for a in before if isinstance(a, Ref)]
    if old:
        for ref in old:
            dropped = ref.deals & scene.open_deals
            if len(dropped) == 1 and not dropped & placed:
                reading.changes.insert(0, Drop(next(iter(dropped))))
        return
    target = inferred_deal(scene, None)
    if target is not None and target not in placed:
        reading.changes.insert(0, Drop(target))
        reading.doubts.append("inferred")


def _read_correction(segments: list[list[Atom]], scene: Scene, reading: Reading) -> None:
    """不对 是3份; 1号2份 不对 是3份; 刚才发错了 是2号3袋: what follows the correction stands."""
    last = [a for a in segments[-1]]
    earlier = [a for seg in segments[:-1] for a in seg]
    refs = [a for a in last if isinstance(a, Ref)]
    qtys = [a for a in last if isinstance(a, Qty)]
    if not refs and len(qtys) == 2 and not any(q.marked for q in qtys) and qtys[0].value:
        # "sorry, I meant 2 2": the number grammar's deal and quantity
        last = [Ref(frozenset({qtys[0].value}), str(qtys[0].value)), qtys[1]]
        refs, qtys = [last[0]], [qtys[1]]  # type: ignore[list-item]
    if not refs and qtys:
        earlier_refs = [a for a in earlier if isinstance(a, Ref)]
        if earlier_refs:  # the deal was named in this very text
            for clause in clauses_of([earlier_refs[-1], *last]):
                read_clause(clause, scene, reading)
            return
        target = inferred_deal(scene, qtys[-1].unit)
        if target is None:
            reading.doubts.append("mixed")
            return
        reading.doubts.append("inferred")
        for clause in clauses_of([Ref(frozenset({target}), str(target)), *last]):
            read_clause(clause, scene, reading)
        return
    for clause in clauses_of(last):
        read_clause(clause, scene, reading)
    dropped = any(isinstance(c, Drop) for c in reading.changes)
    if not dropped and not any(isinstance(a, Ref | Qty) for a in earlier):  # the text before
        target = inferred_deal(scene, None) if scene.orders else None
        placed = {c.deal for c in reading.changes if isinstance(c, Put)}
        if target is not None and target not in placed:
            reading.changes.insert(0, Drop(target))
            reading.doubts.append("inferred")


def _simplest(result: object, scene: Scene) -> object:
    """A certain plan of one plain order or one cancel is the familiar intent."""
    if (
        isinstance(result, OrderPlan)
        and result.certain
        and not result.problems
        and result.pick is None
        and len(result.changes) == 1
    ):
        (change,) = result.changes
        if isinstance(change, Put):
            return PlaceOrder(change.deal, change.quantity)
        if isinstance(change, Drop):
            return CancelOrder(change.deal)
    if isinstance(result, OrderPlan) and not result.changes and result.certain:
        kinds = [p.kind for p in result.problems]
        if kinds == ["no_quantity"] and result.problems[0].deal is not None:
            return ChooseDeal(result.problems[0].deal)
        if not kinds:
            return None
    return result


def tokens_for_debug(text: str, deals: tuple[DealEntry, ...]) -> list[Token]:
    prepared, sounded = prepare(text, deals)
    return tokenize(prepared, index_for(deals), sounded)
