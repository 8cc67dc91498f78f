"""The atoms of an order text: a deal named, an amount, or an operation on orders.

A text's tokens (sms_gateway.tokens) become atoms by their neighbours: 2号 names
deal 2, 3份 is an amount, 俩梨 is two of the pears, 全部取消 one operation. The
order reader (sms_gateway.order_reader) pairs them into changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sms_gateway.tokens import Token


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
