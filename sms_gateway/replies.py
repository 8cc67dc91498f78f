"""The words of every SMS reply, from the catalogs, sized to what the committee can afford.

A reply is at most `MAX_SEGMENTS` segments, counted as Twilio counts them;
lists longer than that are paged, and the resident asks for the next page
with 更多/MORE. Nothing here decides anything: it renders what the core and
the parser said, in the resident's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core import formatting
from core.community.models import Community
from core.deals.models import DealStatus
from core.i18n import t
from core.orders.models import OrderStatus
from core.orders.rules import most_allowed
from core.orders.self_registration import may_register_by_text
from core.results import DealView, OrderView, Refusal, RefusalReason
from core.sms_segments import count_segments
from sms_gateway.intents import MAX_QUANTITY, Clarify, Unknown

MAX_SEGMENTS = 2


def fits(text: str) -> bool:
    return count_segments(text) <= MAX_SEGMENTS


def clip(text: str) -> str:
    """Cut a text that would cost more than MAX_SEGMENTS (a 200-character pickup place...)."""
    if fits(text):
        return text
    ellipsis = "..." if text.isascii() else "…"
    while text and not fits(text + ellipsis):
        text = text[:-1]
    return text.rstrip() + ellipsis


@dataclass(frozen=True)
class Page:
    text: str
    shown_until: int  # index after the last item shown
    more: bool  # items remain after this page


def page(header: str, items: Sequence[str], start: int, footer: str, more_hint: str) -> Page:
    """As many items from `start` as fit in MAX_SEGMENTS with the header and footer."""

    def compose(lines: list[str], last: bool) -> str:
        tail = footer if last else f"{footer}\n{more_hint}" if footer else more_hint
        return "\n".join(part for part in (header, *lines, tail) if part)

    chosen: list[str] = []
    for index in range(start, len(items)):
        candidate = [*chosen, items[index]]
        if not fits(compose(candidate, last=index == len(items) - 1)):
            break
        chosen = candidate
    if not chosen and start < len(items):  # one item too long even alone: clip it
        chosen = [items[start]]
    end = start + len(chosen)
    more = end < len(items)
    return Page(clip(compose(chosen, last=not more)), end, more)


class Replies:
    """Texts in one language for one community."""

    def __init__(self, language: str, community: Community) -> None:
        self.language = language
        self.community = community

    def text(self, key: str, **params: object) -> str:
        return t(self.language, key, **params)

    # --- pieces -----------------------------------------------------------------

    def money(self, fen: int) -> str:
        return formatting.money(fen, self.language)

    def when(self, deal: DealView) -> str:
        return formatting.when(deal.closes_at, self.community.zone, self.language)

    def pickup(self, deal: DealView) -> str:
        return formatting.span(
            deal.pickup_start, deal.pickup_end, self.community.zone, self.language
        )

    def place(self, deal: DealView) -> str:
        return deal.pickup_place or self.community.pickup_place

    def saving(self, deal: DealView) -> str:
        if deal.saving_fen <= 0:
            return ""
        return self.text("sms.deals.saving", amount=self.money(deal.saving_fen))

    def _deal_params(self, deal: DealView) -> dict[str, object]:
        return {
            "number": deal.number,
            "title": deal.title(self.language),
            "price": self.money(deal.price_fen),
            "unit": deal.unit,
            "saving": self.saving(deal),
            "closes": self.when(deal),
        }

    # --- general ----------------------------------------------------------------

    def help(self) -> str:
        return clip(self.text("sms.help", phone=self.community.help_phone_dialled))

    def unknown(self) -> str:
        """The two-line help for a text we could not read."""
        return clip(self.text("sms.unknown", phone=self.community.help_phone_dialled))

    def error(self) -> str:
        return self.text("sms.error", phone=self.community.help_phone_dialled)

    # --- deals ------------------------------------------------------------------

    def deal_page(self, deals: Sequence[DealView], start: int) -> Page:
        if not deals:
            return Page(self.text("sms.deals.none"), 0, False)
        lines = [self.text("sms.deals.line", **self._deal_params(d)) for d in deals]
        return page(
            self.text("sms.deals.header"),
            lines,
            start,
            self.text("sms.deals.footer", number=deals[0].number),
            self.text("sms.list.more"),
        )

    def list_end(self) -> str:
        return self.text("sms.list.end")

    def deal_detail(self, deal: DealView, ordered: int = 0) -> str:
        """A deal in full and the guided dialog's question: how many? reply 1-N."""
        ask = self.ask_quantity(deal, ordered)
        full = self.text(
            "sms.deal.detail",
            **self._deal_params(deal),
            pickup=self.pickup(deal),
            place=self.place(deal),
        )
        brief = self.text("sms.deal.brief", **self._deal_params(deal))
        for candidate in (full + ask, brief + ask):
            if fits(candidate):
                return candidate
        return clip(brief + ask)

    def ask_quantity(self, deal: DealView, ordered: int = 0) -> str:
        most = self.most_allowed(deal, ordered)
        if most == 0:
            return self.text("sms.deal.sold_out")
        current = self.text("sms.ask.current", quantity=ordered, unit=deal.unit) if ordered else ""
        if most is None:
            return current + self.text("sms.ask.any", unit=deal.unit)
        return current + self.text("sms.ask.range", unit=deal.unit, max=most)

    @staticmethod
    def most_allowed(deal: DealView, ordered: int = 0) -> int | None:
        """The largest quantity worth offering: the core's limit for this resident, and no
        more than a text can ask for."""
        most = most_allowed(deal, ordered)
        return None if most is None else min(most, MAX_QUANTITY)

    # --- orders -----------------------------------------------------------------

    def order_page(self, orders: Sequence[OrderView], start: int) -> Page:
        if not orders:
            return Page(self.text("sms.orders.none"), 0, False)
        lines = [
            self.text(
                "sms.orders.line",
                number=o.deal.number,
                title=o.deal.title(self.language),
                quantity=o.quantity,
                unit=o.deal.unit,
                total=self.money(o.total_fen),
                status=self._order_status(o),
            )
            for o in orders
        ]
        return page(self.text("sms.orders.header"), lines, start, "", self.text("sms.list.more"))

    def _order_status(self, order: OrderView) -> str:
        deal = order.deal
        if order.status == OrderStatus.PICKED_UP:
            return self.text("sms.orders.status.picked_up")
        if deal.status == DealStatus.CONFIRMED:
            return self.text(
                "sms.orders.status.confirmed", pickup=self.pickup(deal), place=self.place(deal)
            )
        if deal.status == DealStatus.OPEN:
            return self.text("sms.orders.status.open", closes=self.when(deal))
        return self.text("sms.orders.status.closed")

    def cancel_which(self, orders: Sequence[OrderView]) -> str:
        if not orders:
            return self.text("sms.cancel.none")
        separator = "，" if self.language == "zh" else ", "
        items = [
            self.text(
                "sms.orders.item",
                number=o.deal.number,
                title=o.deal.title(self.language),
                quantity=o.quantity,
                unit=o.deal.unit,
            )
            for o in orders
        ]
        for count in range(len(items), 0, -1):
            candidate = self.text(
                "sms.cancel.which",
                orders=separator.join(items[:count]),
                number=orders[0].deal.number,
            )
            if fits(candidate):
                return candidate
        return clip(candidate)

    # --- refusals and questions -------------------------------------------------

    def refusal(self, refusal: Refusal, deal: DealView | None) -> str:
        number = refusal.deal_number
        unit = deal.unit if deal is not None else ""
        reason = refusal.reason
        if reason == RefusalReason.NOT_REGISTERED:
            return self.not_registered()
        if reason == RefusalReason.SOLD_OUT:
            if not refusal.units_left:
                return self.text("sms.refusal.sold_out_none", number=number)
            return self.text(
                "sms.refusal.sold_out", number=number, left=refusal.units_left, unit=unit
            )
        if reason == RefusalReason.OVER_LIMIT:
            return self.text(
                "sms.refusal.over_limit", number=number, limit=refusal.limit, unit=unit
            )
        if reason in (RefusalReason.OPTED_OUT, RefusalReason.BAD_QUANTITY):
            return self.text(f"sms.refusal.{reason.value}")
        return self.text(f"sms.refusal.{reason.value}", number=number)

    def not_registered(self) -> str:
        if may_register_by_text(self.community):
            return self.text("sms.refusal.not_registered_self")
        return self.text("sms.refusal.not_registered", phone=self.community.help_phone_dialled)

    def clarify(self, question: Clarify, deals: dict[int, DealView]) -> str:
        number, quantity = question.deal_number, question.quantity
        deal = deals.get(number) if number is not None else None
        reason = question.reason
        if reason == "ambiguous_number" and deal is not None and quantity is not None:
            return self.text(
                "sms.clarify.ambiguous_number", number=number, quantity=quantity, unit=deal.unit
            )
        if reason == "deal_not_open":
            if number is None:
                return self.text("sms.clarify.no_such_deal")
            return self.text("sms.refusal.unknown_deal", number=number)
        if reason == "need_deal_number":
            example = min(deals) if deals else 1
            return self.text("sms.clarify.need_deal_number", number=example, quantity=quantity or 1)
        if reason == "quantity_zero" and number is not None:
            return self.text("sms.clarify.quantity_zero", number=number)
        if reason == "quantity_too_large" and deal is not None:
            most = self.most_allowed(deal) or MAX_QUANTITY
            return self.text("sms.clarify.quantity_too_large", number=number, max=most)
        if reason == "too_many_numbers":
            return self.text("sms.clarify.too_many_numbers")
        if reason == "question":
            return self.text("sms.clarify.question", phone=self.community.help_phone_dialled)
        if reason == "ambiguous_cancel":
            return self.text("sms.clarify.ambiguous_cancel")
        if reason == "register_format":
            return self.text("sms.clarify.register_format")
        if reason == "staff_format":
            return self.text("sms.clarify.staff_format")
        return self.text("sms.clarify.format")

    def unknown_text(self, unknown: Unknown) -> str | None:
        """None for courtesies: a 谢谢 after an order costs nothing to leave unanswered."""
        if unknown.reason == "courtesy":
            return None
        if unknown.reason == "staff_only":
            return self.text("sms.staff_only")
        return self.unknown()
