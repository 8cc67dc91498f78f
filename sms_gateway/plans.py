"""What a text asks of the resident's orders, when it is more than one plain order.

`OrderPlan` holds every change a text asks for (several items, 再加, 改成,
换成, 不要了, 全部取消) and the items that cannot be taken as written
(`Problem`). A plan is `certain` only when every deal and every quantity came
from the text itself; otherwise the dialog asks before acting on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Put:
    """The order on `deal` becomes `quantity` (a new order, or a change)."""

    deal: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Add:
    """`quantity` more on `deal`, on top of what the resident holds."""

    deal: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Drop:
    """Cancel the order on `deal`."""

    deal: int


@dataclass(frozen=True, slots=True)
class DropAll:
    """Cancel every order the resident can still cancel."""


Change = Put | Add | Drop | DropAll

ProblemKind = Literal[
    "not_sold",  # a product no open deal sells (大米)
    "closed",  # a deal that is no longer taking orders
    "bad_quantity",  # zero or negative
    "too_many",  # more than any household could order
    "wrong_unit",  # 斤 of millet sold by the 袋: ask, never convert
    "vague",  # 两三份: how many?
    "no_quantity",  # a product named, no amount: how many?
]


@dataclass(frozen=True, slots=True)
class Problem:
    kind: ProblemKind
    deal: int | None = None
    word: str = ""
    quantity: int | None = None
    unit: str = ""


Doubt = Literal[
    "sound",  # a product matched only by how it sounds (雪花里)
    "room_or_quantity",  # a number that could be a room or an amount
    "inferred",  # a change whose deal was not named: it was inferred from earlier texts
    "mixed",  # numbers and names that do not line up (3号梨 while 梨 is 1号)
]


@dataclass(frozen=True, slots=True)
class OrderPlan:
    changes: tuple[Change, ...]
    problems: tuple[Problem, ...] = ()
    doubt: Doubt | None = None
    pick: PickDeal | None = None  # one item named a product two deals sell: asked after

    @property
    def certain(self) -> bool:
        return self.doubt is None


@dataclass(frozen=True, slots=True)
class PickDeal:
    """A name that fits several deals (梨 with two pear deals open): ask which one."""

    candidates: tuple[int, ...]
    quantity: int | None = None
    word: str = ""


@dataclass(frozen=True, slots=True)
class ConfirmAnswer:
    """The resident's answer to "对吗？回1确认，回0不要"."""

    yes: bool


Topic = Literal["price", "stock", "pickup_time", "pickup_place", "gone_ahead", "other"]


@dataclass(frozen=True, slots=True)
class Question:
    """A question the deals can answer (梨多少钱, 还剩多少, 什么时候取) or one for a person."""

    topic: Topic
    deals: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class WantsPerson:
    """The resident asks for a person."""


@dataclass(frozen=True, slots=True)
class Complaint:
    """Something is wrong with goods (梨坏了3个): a person follows it up."""

    deals: tuple[int, ...] = ()
