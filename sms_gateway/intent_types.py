"""The intents a resident's text can come to, and the dialog context it is read in.

Plain values, shared by the reader (sms_gateway.intents, .reader, .number_grammar)
and the dialog that acts on them (sms_gateway.conversation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sms_gateway.plans import (
    Complaint,
    ConfirmAnswer,
    OrderPlan,
    PickDeal,
    Question,
    WantsPerson,
)
from sms_gateway.products import DealEntry
from sms_gateway.team_words import TeamIntent

MAX_QUANTITY = 99
MAX_DEAL_NUMBER = 99
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

    def __post_init__(self) -> None:
        """A number no deal can carry (outside 1-MAX_DEAL_NUMBER) is never read as a deal,
        whatever a stale or damaged dialog state says."""

        def carried(n: int) -> bool:
            return 1 <= n <= MAX_DEAL_NUMBER

        numbers = frozenset(filter(carried, self.open_deal_numbers))
        object.__setattr__(self, "open_deal_numbers", numbers)
        object.__setattr__(self, "deals", tuple(e for e in self.deals if carried(e.number)))
        object.__setattr__(self, "picking", tuple(filter(carried, self.picking)))

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


@dataclass(frozen=True, slots=True)
class RecordPrice:
    """A price survey team member's observation: 价格 小米 5斤 30 菜市场."""

    product: str
    place: str
    price_fen: int
    amount: int = 1  # what the price is for: 5 and 斤; 1 and "" for the deal's own unit
    unit: str = ""
    days_ago: int = 0  # 昨天: 1


@dataclass(frozen=True, slots=True)
class PriceFormat:
    """A survey text (价 ...) whose product, price or place could not be told apart."""


Intent = (
    ListDeals | PlaceOrder | ChooseDeal | CancelOrder | MyOrders | Help | OptOut | OptIn
    | SetLanguage | Register | StaffRemind | StaffClose | StaffTotal | Clarify | Unknown
    | OrderPlan | PickDeal | ConfirmAnswer | Question | WantsPerson | Complaint
    | RecordPrice | PriceFormat | TeamIntent
)  # fmt: skip
