"""The survey's arithmetic, pure: which observations speak for a deal, and their median.

The median, not the mean: one stall's odd price (a clearance, a typo) must not move
the figure the committee shows residents as their saving.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

#: How far back an observation still speaks for today's market.
RECENT_DAYS = 30

_AMOUNT_IN_TITLE = re.compile(r"(\d+)\s*(斤|公斤|kg|千克|l|升|克|g|枚|个)", re.IGNORECASE)


@dataclass(frozen=True)
class Seen:
    """What the arithmetic needs of one observation."""

    product: str
    price_fen: int
    amount: int
    unit: str
    observed_on: date


def median_fen(prices: Sequence[int]) -> int | None:
    """The middle price, or the mean of the two middle ones, rounded to the fen."""
    if not prices:
        return None
    ordered = sorted(prices)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle] + 1) // 2


def unit_labels(deal_unit: str, title_zh: str) -> frozenset[str]:
    """The ways a price for the deal's unit is written: 袋, and 5斤 for 井陉小米5斤."""
    labels = {f"1{deal_unit.strip()}"} if deal_unit.strip() else set()
    for amount, unit in _AMOUNT_IN_TITLE.findall(title_zh):
        labels.add(f"{int(amount)}{unit.casefold()}")
    return frozenset(labels)


def speaks_for(seen: Seen, *, names: Iterable[str], labels: frozenset[str]) -> bool:
    """Whether an observation prices what the deal sells, in the deal's own unit.

    The product is one of the deal's names or a word inside its title (梨 in 赵县雪花梨);
    the unit is none (the deal's own), the deal's unit, or the amount its title names
    (5斤 for a 5斤 bag). Other units are shown but never converted: a 斤 of loose pears
    is not a twelfth of a gift box.
    """
    product = seen.product.strip().casefold()
    if not product or not any(product in name.casefold() for name in names if name):
        return False
    return not seen.unit or f"{seen.amount}{seen.unit.casefold()}" in labels


def recent(seen: Seen, *, until: date) -> bool:
    return 0 <= (until - seen.observed_on).days <= RECENT_DAYS
