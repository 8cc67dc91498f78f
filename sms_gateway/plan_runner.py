"""Carrying out an order plan through the core: each item placed or refused on its own.

Every item gets its own idempotency key, derived from the text's MessageSid
and the item's place in the plan, so reading the same text twice (a retry, a
worker that died after ordering but before replying) finds each result stored
and does nothing twice. A plan of several items asks the core not to confirm
each order: the resident gets one reply for the whole text.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.context import Core
from core.orders.models import Channel
from core.orders.services import cancel_order, place_order
from sms_gateway.plans import Add, Change, Drop, DropAll, Put


def changes_to_json(changes: Sequence[Change]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for change in changes:
        if isinstance(change, Put):
            out.append({"op": "put", "deal": change.deal, "quantity": change.quantity})
        elif isinstance(change, Add):
            out.append({"op": "add", "deal": change.deal, "quantity": change.quantity})
        elif isinstance(change, Drop):
            out.append({"op": "drop", "deal": change.deal})
        else:
            out.append({"op": "drop_all"})
    return out


def changes_from_json(rows: Sequence[dict[str, object]]) -> tuple[Change, ...]:
    changes: list[Change] = []
    for row in rows:
        op, deal, quantity = row.get("op"), row.get("deal"), row.get("quantity")
        if op == "put" and isinstance(deal, int) and isinstance(quantity, int):
            changes.append(Put(deal, quantity))
        elif op == "add" and isinstance(deal, int) and isinstance(quantity, int):
            changes.append(Add(deal, quantity))
        elif op == "drop" and isinstance(deal, int):
            changes.append(Drop(deal))
        elif op == "drop_all":
            changes.append(DropAll())
    return tuple(changes)


def run_plan(
    core: Core,
    *,
    community_id: int,
    phone: str,
    changes: Sequence[Change],
    held: dict[int, int],
    key: str,
) -> list[tuple[Change, object]]:
    """Apply each change in turn; returns each change with the core's result.

    `held`: the resident's orders that can still change (deal number → quantity)."""
    steps = _expand(changes, held)
    confirm_each = len(steps) == 1
    outcomes: list[tuple[Change, object]] = []
    for index, change in enumerate(steps):
        item_key = key if confirm_each else f"{key}:{index}"
        if isinstance(change, Drop):
            result: object = _cancel(core, community_id, phone, change, item_key, confirm_each)
        else:
            quantity = change.quantity
            if isinstance(change, Add):
                quantity += held.get(change.deal, 0)
            if quantity <= 0 and change.deal in held:  # 少要 down to nothing: a cancel
                drop = Drop(change.deal)
                outcomes.append(
                    (drop, _cancel(core, community_id, phone, drop, item_key, confirm_each))
                )
                continue
            result = place_order(
                core,
                community_id=community_id,
                phone=phone,
                deal_number=change.deal,
                quantity=quantity,
                channel=Channel.SMS,
                idempotency_key=item_key,
                confirm=confirm_each,
            )
        outcomes.append((change, result))
    return outcomes


def _cancel(
    core: Core, community_id: int, phone: str, change: Drop, key: str, confirm: bool
) -> object:
    return cancel_order(
        core,
        community_id=community_id,
        phone=phone,
        deal_number=change.deal,
        channel=Channel.SMS,
        idempotency_key=key,
        confirm=confirm,
    )


def _expand(changes: Sequence[Change], held: dict[int, int]) -> list[Put | Add | Drop]:
    """DropAll becomes one Drop per order that can still be cancelled (`held`: the core's
    cancellable orders, read with the text)."""
    steps: list[Put | Add | Drop] = []
    for change in changes:
        if isinstance(change, DropAll):
            steps.extend(Drop(number) for number in sorted(held))
        else:
            steps.append(change)
    return steps
