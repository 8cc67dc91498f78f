"""The words of the reader's newer answers: plans said back, results of several items,
questions answered from the deals, and the simplest path for a resident not understood.

Like sms_gateway.replies it decides nothing: it renders what the reader and the
core said, in the resident's language, within two SMS segments.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.deals.models import DealStatus
from core.results import DealView, OrderCancelled, OrderPlaced, Refusal, RefusalReason
from sms_gateway.plans import Add, Change, Drop, DropAll, PickDeal, Problem, Put, Question
from sms_gateway.replies import Replies, clip, fits


class Answers:
    """Texts built on `Replies` for one resident."""

    def __init__(
        self, replies: Replies, deals: dict[int, DealView], held: dict[int, int] | None = None
    ) -> None:
        self.replies = replies
        self.deals = deals
        self.held = held or {}  # the resident's orders before this text: deal → quantity

    def t(self, key: str, **params: object) -> str:
        return self.replies.text(key, **params)

    def _deal(self, number: int) -> dict[str, object]:
        deal = self.deals[number]
        return {
            "number": number,
            "title": deal.title(self.replies.language),
            "unit": deal.unit,
            "price": self.replies.money(deal.price_fen),
        }

    def _join(self, parts: Sequence[str]) -> str:
        return self.t("sms.plan.join").join(parts)

    # --- saying a plan back ----------------------------------------------------------

    def ask_plan(self, changes: Sequence[Change]) -> str:
        parts = [self._change(change) for change in changes]
        for count in range(len(parts), 0, -1):
            text = self.t("sms.plan.ask", what=self._join(parts[:count]))
            if fits(text):
                return text
        return clip(self.t("sms.plan.ask", what=self._join(parts)))

    def _change(self, change: Change) -> str:
        if isinstance(change, DropAll):
            return self.t("sms.plan.drop_all")
        params = self._deal(change.deal)
        deal = self.deals[change.deal]
        if isinstance(change, Put):
            total = self.replies.money(change.quantity * deal.price_fen)
            return self.t("sms.plan.put", **params, quantity=change.quantity, total=total)
        if isinstance(change, Add):
            new = max(0, self.held.get(change.deal, 0) + change.quantity)
            total = self.replies.money(new * deal.price_fen)
            if change.quantity < 0:
                return self.t(
                    "sms.plan.reduce", **params, quantity=-change.quantity, new=new, total=total
                )
            return self.t("sms.plan.add", **params, quantity=change.quantity, new=new, total=total)
        assert isinstance(change, Drop)
        return self.t("sms.plan.drop", **params)

    # --- results of several changes ----------------------------------------------------

    def results(self, outcomes: Sequence[tuple[Change, object]], extra: Sequence[str]) -> str:
        """One reply for every item of a text: what was done, what was refused and why."""
        lines: list[str] = []
        pickups: list[str] = []
        for change, result in outcomes:
            if isinstance(result, OrderPlaced):
                order, deal = result.order, result.order.deal
                lines.append(
                    self.t(
                        "sms.plan.placed",
                        **self._deal(deal.number),
                        quantity=order.quantity,
                        total=self.replies.money(order.total_fen),
                    )
                )
                pickup = self.t(
                    "sms.plan.pickup",
                    pickup=self.replies.pickup(deal),
                    place=self.replies.place(deal),
                )
                if pickup not in pickups:
                    pickups.append(pickup)
            elif isinstance(result, OrderCancelled):
                lines.append(self.t("sms.plan.cancelled", **self._deal(result.order.deal.number)))
            elif isinstance(result, Refusal):
                lines.append(self.refusal(change, result))
        lines.extend(extra)
        body = "\n".join([*lines, *pickups])
        if fits(body):
            return body
        return clip("\n".join(lines))

    def refusal(self, change: Change, refusal: Refusal) -> str:
        number = getattr(change, "deal", None)
        deal = self.deals.get(number) if number is not None else None
        if (
            refusal.reason == RefusalReason.OVER_LIMIT
            and deal is not None
            and self.held.get(deal.number)
        ):  # 每户最多3份，您已订2份: the limit and what is held already
            return self.t(
                "sms.plan.over_limit_held",
                number=deal.number,
                limit=refusal.limit,
                unit=deal.unit,
                held=self.held.get(change.deal, 0),
            )
        return self.replies.refusal(refusal, deal)

    # --- problems ----------------------------------------------------------------------

    def problem(self, problem: Problem) -> str:
        number = problem.deal
        params = self._deal(number) if number is not None and number in self.deals else {}
        kind = problem.kind
        if kind == "not_sold":
            return self.t("sms.problem.not_sold", word=problem.word, deals=self.deal_names())
        if kind == "closed":
            return self.t("sms.problem.closed", title=problem.word or f"{number}")
        if kind == "wrong_unit" and params:
            return self.t("sms.problem.wrong_unit", **params, written=problem.unit)
        if kind == "bad_quantity" and params:
            return self.t("sms.problem.bad_quantity", **params)
        if kind in ("vague", "no_quantity") and params:
            return self.t("sms.problem.vague", **params)
        if kind == "too_many" and params:
            most = Replies.most_allowed(self.deals[number]) or 99  # type: ignore[index]
            return self.t("sms.clarify.quantity_too_large", number=number, max=most)
        return self.t("sms.problem.which_deal", options=self.options(problem.quantity or 1))

    def deal_names(self) -> str:
        names = [self.t("sms.deal.short_name", **self._deal(n)) for n in sorted(self.deals)]
        separator = "、" if self.replies.language == "zh" else ", "
        return separator.join(names) if names else "-"

    def options(self, quantity: int = 1, numbers: Sequence[int] | None = None) -> str:
        """回“1 2”订梨2份，回“2 2”订小米2袋: the simplest way to order each deal."""
        chosen = sorted(numbers if numbers is not None else self.deals)
        parts = [
            self.t("sms.simplest.option", **self._deal(n), quantity=quantity) for n in chosen
        ]
        separator = "，" if self.replies.language == "zh" else "; "
        for count in range(len(parts), 0, -1):
            text = separator.join(parts[:count])
            if fits(self.t("sms.simplest.list", options=text, phone="0" * 16)):
                return text
        return parts[0] if parts else ""

    def simplest(self) -> str:
        """For a resident not understood twice: a numbered list, one key each."""
        if not self.deals:
            return self.replies.text("sms.deals.none")
        separator = "，" if self.replies.language == "zh" else "; "
        keys = [self.t("sms.simplest.key", **self._deal(n)) for n in sorted(self.deals)]
        phone = self.replies.community.help_phone_dialled
        for count in range(len(keys), 0, -1):  # as many deals as fit in two segments
            text = self.t("sms.simplest.list", options=separator.join(keys[:count]), phone=phone)
            if fits(text):
                return text
        return clip(self.t("sms.simplest.list", options=keys[0], phone=phone))

    def pick(self, pick: PickDeal) -> str:
        options = [self.t("sms.pick.option", **self._deal(n)) for n in pick.candidates]
        separator = "，" if self.replies.language == "zh" else "; "
        return clip(
            self.t(
                "sms.pick.ask",
                word=pick.word,
                count=len(options),
                options=separator.join(options),
                first=pick.candidates[0],
            )
        )

    # --- questions --------------------------------------------------------------------

    def question(self, question: Question) -> str | None:
        """The answer from the deals, or None when only a person can answer it."""
        numbers = [n for n in question.deals if n in self.deals]
        if not numbers:
            numbers = [n for n in self.held if n in self.deals] or sorted(self.deals)
        if not numbers or question.topic == "other":
            return None
        lines = [self._answer(question.topic, self.deals[n]) for n in numbers]
        text = "\n".join(lines)
        while len(lines) > 1 and not fits(text):
            lines.pop()
            text = "\n".join(lines)
        return clip(text)

    def _answer(self, topic: str, deal: DealView) -> str:
        replies = self.replies
        params = {
            **self._deal(deal.number),
            "closes": replies.when(deal),
            "pickup": replies.pickup(deal),
            "place": replies.place(deal),
        }
        if topic == "price":
            return self.t("sms.answer.price", **params, saving=replies.saving(deal))
        if topic == "stock":
            if deal.units_left is None:
                return self.t("sms.answer.stock_any", **params)
            if deal.units_left <= 0:
                return self.t("sms.answer.stock_none", **params)
            return self.t("sms.answer.stock_left", **params, left=deal.units_left)
        if topic == "gone_ahead":
            if deal.units_to_go_ahead <= 0 or deal.status == DealStatus.CONFIRMED:
                return self.t("sms.answer.gone_ahead", **params)
            return self.t("sms.answer.not_yet", **params, short=deal.units_to_go_ahead)
        return self.t("sms.answer.pickup", **params)
