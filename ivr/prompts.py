"""The sentences a caller hears about deals and orders, from the catalogs."""

from __future__ import annotations

from core.deals.models import DealStatus
from core.orders.models import OrderStatus
from core.results import DealView, OrderView
from ivr import speech
from ivr.states import Call


def money(call: Call, fen: int) -> str:
    return speech.money(fen, call.language)


def count(call: Call, n: int, deal: DealView) -> str:
    return speech.count(n, deal.unit, call.language)


def moment(call: Call, when) -> str:  # type: ignore[no-untyped-def]
    return speech.moment(when, call.community.zone, call.language, call.now)


def place(call: Call, deal: DealView) -> str:
    return deal.pickup_place or call.community.pickup_place


def window(call: Call, deal: DealView) -> str:
    """周六上午9点到11点."""
    return speech.span(
        deal.pickup_start, deal.pickup_end, call.community.zone, call.language, call.now
    )


def pickup(call: Call, deal: DealView) -> str:
    """周六上午9点到11点，在社区服务站取货。"""
    return call.say("ivr.deal.pickup", pickup=window(call, deal), place=place(call, deal))


def title(call: Call, deal: DealView) -> str:
    return deal.title(call.language)


def deal_lines(call: Call, deal: DealView, *, ordered: int) -> list[str]:
    """One group buy as read out: name, price and unit, saving, stock, deadline, pickup."""
    lang = call.language
    lines = [
        call.say("ivr.deal.title", number=deal.number, title=title(call, deal)),
        call.say(
            "ivr.deal.price",
            unit=speech.unit_word(deal.unit, 1, lang),
            price=money(call, deal.price_fen),
        ),
    ]
    if deal.saving_fen > 0:
        lines.append(call.say("ivr.deal.saving", saving=money(call, deal.saving_fen)))
    if deal.units_left == 0:
        lines.append(call.say("ivr.deal.sold_out"))
    elif deal.units_left is not None:
        lines.append(call.say("ivr.deal.left", count=count(call, deal.units_left, deal)))
    lines.append(call.say("ivr.deal.closes", closes=moment(call, deal.closes_at)))
    lines.append(pickup(call, deal))
    if ordered:
        lines.append(call.say("ivr.deal.yours", count=count(call, ordered, deal)))
    return lines


def order_summary(call: Call, key: str, deal: DealView, quantity: int, **extra: object) -> str:
    """A sentence naming the deal, the quantity and the total (confirm, done, my orders)."""
    return call.say(
        key,
        number=deal.number,
        title=title(call, deal),
        count=count(call, quantity, deal),
        total=money(call, quantity * deal.price_fen),
        **extra,
    )


def my_order_lines(call: Call, order: OrderView) -> list[str]:
    """One of my orders: what, how many, the total, whether it goes ahead, pickup."""
    deal = order.deal
    lines = [order_summary(call, "ivr.orders.item", deal, order.quantity)]
    if order.status == OrderStatus.PICKED_UP:
        lines.append(call.say("ivr.orders.picked_up"))
        return lines
    if deal.status == DealStatus.CONFIRMED or deal.units_to_go_ahead == 0:
        lines.append(call.say("ivr.orders.going_ahead"))
    else:
        lines.append(call.say("ivr.orders.needs", count=count(call, deal.units_to_go_ahead, deal)))
    lines.append(pickup(call, deal))
    return lines + pickup_code(call, order)


def pickup_code(call: Call, order: OrderView) -> list[str]:
    """取货码是：4 8 2 1。 (digit by digit), or nothing for an order without one."""
    if not order.pickup_code:
        return []
    return [call.say("ivr.orders.code", code=speech.digits(order.pickup_code, call.language))]
