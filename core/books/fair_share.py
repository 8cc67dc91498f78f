"""Sharing a short delivery among the orders: pure rules, no database.

Two rules the committee chooses between. Both give nobody more than they ordered,
never hand out more than was delivered, and hand out all of it when less came than
was ordered:

- first come, first served: orders in the order they were placed take all they asked
  for while the delivery lasts; the one where it runs out takes what is left;
- pro rata with whole units: each order gets its share of the delivery rounded down,
  and the units those roundings leave go one each to the largest remainders (Hamilton's
  method), ties to the order placed first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.books.models import ShareRule


@dataclass(frozen=True)
class Claim:
    order_id: int
    ordered: int
    placed_at: datetime


def _by_time(claims: Iterable[Claim]) -> list[Claim]:
    return sorted(claims, key=lambda c: (c.placed_at, c.order_id))


def first_come(claims: Iterable[Claim], delivered: int) -> dict[int, int]:
    left = max(delivered, 0)
    shares: dict[int, int] = {}
    for claim in _by_time(claims):
        given = min(claim.ordered, left)
        shares[claim.order_id] = given
        left -= given
    return shares


def pro_rata(claims: Iterable[Claim], delivered: int) -> dict[int, int]:
    ordered = _by_time(claims)
    total = sum(c.ordered for c in ordered)
    delivered = max(delivered, 0)
    if total <= delivered:
        return {c.order_id: c.ordered for c in ordered}
    # Integer arithmetic throughout: share = ordered * delivered / total, exactly.
    shares = {c.order_id: c.ordered * delivered // total for c in ordered}
    left = delivered - sum(shares.values())
    by_remainder = sorted(
        enumerate(ordered), key=lambda ic: (-(ic[1].ordered * delivered % total), ic[0])
    )
    for _, claim in by_remainder[:left]:
        shares[claim.order_id] += 1
    return shares


def share(rule: ShareRule | str, claims: Iterable[Claim], delivered: int) -> dict[int, int]:
    """What each order gets of `delivered` units, by the committee's chosen rule."""
    claims = list(claims)
    if ShareRule(rule) == ShareRule.FIRST_COME:
        return first_come(claims, delivered)
    return pro_rata(claims, delivered)
