"""Hearing my orders, and cancelling one: its number then #, then 1 to confirm."""

from __future__ import annotations

from core.books.quality import recent_pickup, report_problem_by_phone
from core.bounded import bounded_int
from core.orders.models import Channel
from core.orders.preview import cancellable_orders
from core.orders.services import cancel_order, resident_orders
from core.results import OrderView, Refusal, RefusalReason
from ivr import prompts
from ivr.navigation import home, unregistered
from ivr.states import Call, Prompt, State, Where


def _phone(call: Call) -> str:
    return call.resident.phone if call.resident else call.phone


# --- ORDERS ---------------------------------------------------------------------------------


def enter_orders(call: Call, where: Where) -> Prompt:
    orders = resident_orders(call.core, community_id=call.community.id, phone=_phone(call))
    if isinstance(orders, Refusal):
        return unregistered(call)
    collected = recent_pickup(call.core, community_id=call.community.id, phone=_phone(call))
    if not orders and not collected:
        return home(call).before(call.say("ivr.orders.none"))
    if not orders:
        lines = [call.say("ivr.orders.none")]
    elif len(orders) == 1:
        lines = [call.say("ivr.orders.one")]
    else:
        lines = [call.say("ivr.orders.many", count=len(orders))]
    for order in orders:
        lines += prompts.my_order_lines(call, order)
    if collected:
        lines.append(call.say("ivr.orders.problem_key"))
    lines.append(call.say("ivr.orders.menu"))
    return Prompt(lines, wait=Where(State.ORDERS))


def orders_keys(call: Call, where: Where, digits: str) -> Prompt | None:
    """3 reports a problem with collected goods; else the shared keys (9, *, #)."""
    if digits == "3":
        return _report_problem(call)
    return None


def _report_problem(call: Call) -> Prompt:
    """To the help inbox with the collected order attached; a person calls back."""
    report_problem_by_phone(call.core, community_id=call.community.id, phone=_phone(call))
    return home(call).before(call.say("ivr.orders.problem_noted"))


# --- CANCEL: which one ----------------------------------------------------------------------


def _cancellable(call: Call) -> list[OrderView] | Refusal:
    return cancellable_orders(call.core, community_id=call.community.id, phone=_phone(call))


def enter_cancel(call: Call, where: Where) -> Prompt:
    orders = _cancellable(call)
    if isinstance(orders, Refusal):
        return unregistered(call)
    if not orders:
        return home(call).before(call.say("ivr.cancel.none"))
    lines = [call.say("ivr.cancel.intro")]
    lines += [prompts.order_summary(call, "ivr.cancel.item", o.deal, o.quantity) for o in orders]
    lines.append(call.say("ivr.cancel.ask"))
    return Prompt(lines, wait=Where(State.CANCEL))


def cancel_keys(call: Call, where: Where, digits: str) -> Prompt | None:
    if "*" in digits:
        return home(call)
    number = bounded_int(digits)
    if number is None:
        return None
    orders = _cancellable(call)
    if isinstance(orders, Refusal):
        return unregistered(call)
    if not any(o.deal.number == number for o in orders):
        return enter_cancel(call, where).before(call.say("ivr.cancel.not_found", number=number))
    return enter_cancel_confirm(call, Where(State.CANCEL_CONFIRM, deal=number))


# --- CANCEL_CONFIRM: 1 cancels, 2 keeps -----------------------------------------------------


def enter_cancel_confirm(call: Call, where: Where) -> Prompt:
    orders = _cancellable(call)
    if isinstance(orders, Refusal):
        return unregistered(call)
    order = next((o for o in orders if o.deal.number == where.deal), None)
    if order is None:
        return enter_cancel(call, Where(State.CANCEL)).before(
            call.say("ivr.cancel.not_found", number=where.deal)
        )
    line = prompts.order_summary(call, "ivr.cancel.confirm", order.deal, order.quantity)
    return Prompt([line], wait=where)


def cancel_confirm_keys(call: Call, where: Where, digits: str) -> Prompt | None:
    if digits == "1":
        return _cancel(call, where)
    if digits == "2":
        return home(call).before(call.say("ivr.cancel.kept"))
    return None


def _cancel(call: Call, where: Where) -> Prompt:
    assert where.deal is not None
    result = cancel_order(
        call.core,
        community_id=call.community.id,
        phone=_phone(call),
        deal_number=where.deal,
        channel=Channel.VOICE,
        idempotency_key=call.step_key("cancel"),
    )
    if isinstance(result, Refusal):
        if result.reason == RefusalReason.NOT_REGISTERED:
            return unregistered(call)
        if result.reason == RefusalReason.DEAL_CLOSED:
            return home(call).before(call.say("ivr.cancel.too_late", number=where.deal))
        return home(call).before(call.say("ivr.cancel.not_found", number=where.deal))
    order = result.order
    done = call.say(
        "ivr.cancel.done", number=order.deal.number, title=prompts.title(call, order.deal)
    )
    return home(call).before(done)
