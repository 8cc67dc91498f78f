"""Browsing group buys one at a time, choosing how many, and confirming the order.

Nothing is written until the caller presses 1 on the read-back; then one
`place_order` call, keyed by CallSid and step, does it all or nothing. A caller
who hangs up before that leaves no trace, and a retried step is answered from
the stored result instead of ordering twice.
"""

from __future__ import annotations

from core.bounded import bounded_int
from core.deals.services import open_deals
from core.orders.models import Channel, OrderStatus
from core.orders.preview import OrderableDeal, orderable_deal, preview_order
from core.orders.services import place_order, resident_orders
from core.results import DealView, OrderPlaced, Refusal, RefusalReason
from ivr import prompts, speech
from ivr.navigation import home, unregistered
from ivr.states import Call, Prompt, State, Where

_CLOSED = (RefusalReason.DEAL_CLOSED, RefusalReason.UNKNOWN_DEAL, RefusalReason.NOT_OPEN_YET)


def _phone(call: Call) -> str:
    return call.resident.phone if call.resident else call.phone


def _deals(call: Call) -> list[DealView]:
    return open_deals(call.core, community_id=call.community.id)


def _ordered(call: Call) -> dict[int, int]:
    """Deal number -> units this resident has ordered, to mention while browsing."""
    orders = resident_orders(call.core, community_id=call.community.id, phone=_phone(call))
    if isinstance(orders, Refusal):
        return {}
    return {o.deal.number: o.quantity for o in orders if o.status == OrderStatus.PLACED}


# --- DEAL: one group buy at a time ---------------------------------------------------------


def enter_deal(call: Call, where: Where) -> Prompt:
    """Read the deal `where.deal` (the first one when None); one that closed is skipped.

    In BROWSE (an unknown caller) the same words are read, with no way to order.
    """
    deals = _deals(call)
    if not deals:
        return home(call).before(call.say("ivr.deals.none"))
    state = State.BROWSE if where.state == State.BROWSE else State.DEAL
    numbers = [d.number for d in deals]
    if where.deal is None:
        return _read_deal(call, deals, 0, state)
    if where.deal in numbers:
        return _read_deal(call, deals, numbers.index(where.deal), state)
    following = [i for i, n in enumerate(numbers) if n > where.deal]
    prompt = _read_deal(call, deals, following[0] if following else 0, state)
    return prompt.before(call.say("ivr.deal.gone"))


def _read_deal(
    call: Call, deals: list[DealView], index: int, state: State = State.DEAL
) -> Prompt:
    deal = deals[index]
    lines = []
    if index == 0 and len(deals) == 1:
        lines.append(call.say("ivr.deals.only_one"))
    elif index == 0:
        lines.append(call.say("ivr.deals.position", count=len(deals), position=1))
    ordered = _ordered(call).get(deal.number, 0) if call.resident else 0
    lines += prompts.deal_lines(call, deal, ordered=ordered)
    if state == State.BROWSE:
        menu = "ivr.browse.menu"
    else:
        menu = "ivr.deal.menu_sold_out" if deal.units_left == 0 else "ivr.deal.menu"
    lines.append(call.say(menu))
    return Prompt(lines, wait=Where(state, deal=deal.number))


def _step_deal(call: Call, where: Where, step: int) -> Prompt:
    """Next (+1) or previous (-1); at either end, say so and stay."""
    deals = _deals(call)
    numbers = [d.number for d in deals]
    if not deals or where.deal not in numbers:
        return enter_deal(call, where)
    state = State.BROWSE if where.state == State.BROWSE else State.DEAL
    index = numbers.index(where.deal) + step
    if 0 <= index < len(deals):
        return _read_deal(call, deals, index, state)
    edge = "ivr.deal.last" if step > 0 else "ivr.deal.first"
    return _read_deal(call, deals, numbers.index(where.deal), state).before(call.say(edge))


def deal_keys(call: Call, where: Where, digits: str) -> Prompt | None:
    if digits == "1" and where.deal is not None:
        return enter_quantity(call, where)
    if digits == "2":
        return _step_deal(call, where, +1)
    if digits == "3":
        return _step_deal(call, where, -1)
    return None


def browse_keys(call: Call, where: Where, digits: str) -> Prompt | None:
    """An unknown caller hears the deals but cannot order: next and previous only."""
    if digits in ("2", "3"):
        return _step_deal(call, where, +1 if digits == "2" else -1)
    return None


# --- QUANTITY: how many, then # ------------------------------------------------------------


def enter_quantity(call: Call, where: Where) -> Prompt:
    assert where.deal is not None
    found = orderable_deal(
        call.core, community_id=call.community.id, phone=_phone(call), deal_number=where.deal
    )
    if isinstance(found, Refusal):
        return refused(call, found, where)
    return _ask_quantity(call, found)


def _ask_quantity(call: Call, found: OrderableDeal) -> Prompt:
    deal, lang = found.deal, call.language
    lines = []
    if found.previous_quantity:
        count = prompts.count(call, found.previous_quantity, deal)
        lines.append(call.say("ivr.deal.yours", count=count))
    if deal.per_resident_limit is not None:
        count = prompts.count(call, deal.per_resident_limit, deal)
        lines.append(call.say("ivr.quantity.limit", count=count))
    if deal.units_left is not None and (
        deal.per_resident_limit is None or deal.units_left < deal.per_resident_limit
    ):
        lines.append(call.say("ivr.deal.left", count=prompts.count(call, deal.units_left, deal)))
    lines.append(call.say("ivr.quantity.ask", unit=speech.unit_word(deal.unit, 2, lang)))
    return Prompt(lines, wait=Where(State.QUANTITY, deal=deal.number))


def quantity_keys(call: Call, where: Where, digits: str) -> Prompt | None:
    if "*" in digits:
        return enter_deal(call, where)
    quantity = bounded_int(digits, low=1)
    if quantity is None:
        return enter_quantity(call, where).before(call.say("ivr.quantity.bad"))
    return enter_confirm(call, Where(State.CONFIRM, deal=where.deal, quantity=quantity))


# --- CONFIRM: the order read back ----------------------------------------------------------


def enter_confirm(call: Call, where: Where) -> Prompt:
    assert where.deal is not None and where.quantity is not None
    preview = preview_order(
        call.core,
        community_id=call.community.id,
        phone=_phone(call),
        deal_number=where.deal,
        quantity=where.quantity,
    )
    if isinstance(preview, Refusal):
        return refused(call, preview, where)
    deal, quantity = preview.deal, preview.quantity
    if preview.previous_quantity:
        previous = prompts.count(call, preview.previous_quantity, deal)
        read_back = prompts.order_summary(
            call, "ivr.confirm.change", deal, quantity, previous=previous
        )
    else:
        read_back = prompts.order_summary(call, "ivr.confirm.new", deal, quantity)
    lines = [read_back, prompts.pickup(call, deal), call.say("ivr.confirm.menu")]
    return Prompt(lines, wait=where)


def confirm_keys(call: Call, where: Where, digits: str) -> Prompt | None:
    if digits == "1":
        return _place(call, where)
    if digits == "2":
        return enter_quantity(call, where)
    return None


def _place(call: Call, where: Where) -> Prompt:
    assert where.deal is not None and where.quantity is not None
    result = place_order(
        call.core,
        community_id=call.community.id,
        phone=_phone(call),
        deal_number=where.deal,
        quantity=where.quantity,
        channel=Channel.VOICE,
        idempotency_key=call.step_key("confirm"),
    )
    if isinstance(result, Refusal):
        return refused(call, result, where)
    return _done(call, result)


def _done(call: Call, placed: OrderPlaced) -> Prompt:
    """Say it is done; a landline resident, who gets no text, hears it twice."""
    order = placed.order
    done = prompts.order_summary(call, "ivr.done", order.deal, order.quantity)
    lines = [done, prompts.pickup(call, order.deal)]
    resident = call.resident
    if resident is not None and resident.landline:
        # No text will carry the pickup code: it is said with the rest, both times.
        code = prompts.pickup_code(call, order)
        lines += code
        lines += [call.say("ivr.done.again"), done, prompts.pickup(call, order.deal), *code]
        lines.append(call.say("ivr.done.landline"))
    else:
        lines.append(call.say("ivr.done.sms"))
    return home(call).before(*lines)


# --- refusals from the core, said and moved on from ----------------------------------------


def refused(call: Call, refusal: Refusal, where: Where) -> Prompt:
    """Render a core refusal; nothing was ordered, and the caller is never left stranded."""
    reason = refusal.reason
    if reason == RefusalReason.NOT_REGISTERED:
        return unregistered(call)
    if reason == RefusalReason.OPTED_OUT:
        return home(call).before(call.say("ivr.opted_out"))
    deal_only = Where(State.DEAL, deal=where.deal)
    if reason in _CLOSED:
        return enter_deal(call, Where(State.DEAL)).before(call.say(_closed_key(where)))
    if reason == RefusalReason.SOLD_OUT:
        if not refusal.units_left:
            key = "ivr.deal.just_sold_out" if where.state == State.CONFIRM else "ivr.deal.sold_out"
            return enter_deal(call, Where(State.DEAL)).before(call.say(key))
        deal = _deal_view(call, where)
        left = speech.count(refusal.units_left, deal.unit if deal else "", call.language)
        return enter_quantity(call, deal_only).before(
            call.say("ivr.quantity.over_stock", count=left)
        )
    if reason == RefusalReason.OVER_LIMIT and refusal.limit is not None:
        deal = _deal_view(call, where)
        limit = speech.count(refusal.limit, deal.unit if deal else "", call.language)
        return enter_quantity(call, deal_only).before(
            call.say("ivr.quantity.over_limit", count=limit)
        )
    return enter_quantity(call, deal_only).before(call.say("ivr.quantity.bad"))


def _closed_key(where: Where) -> str:
    return "ivr.deal.just_closed" if where.state == State.CONFIRM else "ivr.deal.gone"


def _deal_view(call: Call, where: Where) -> DealView | None:
    return next((d for d in _deals(call) if d.number == where.deal), None)
