"""Reading a phone's texts one by one and answering each: the SMS dialog.

Every rule is the core's, every reading the parser's; this module only wires them.
It reads a phone's waiting texts in order, each in one transaction holding the
phone's lock. For each, one core call (`arrive`) hands over the dialog so far, the
resident, the deals and their orders; the parser turns the text into an intent; the
dialog answers it, asking a core use case for any order, cancel or change; and one
core call (`leave`) moves the dialog on and writes the reply to the outbox. A text
whose transaction fails is read again with a transaction per step (`begin_reading`,
the use cases, `finish_reading`).
Nothing here talks to Twilio or Redis.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy.orm import Session

from core.community.models import Community
from core.context import Core
from core.conversations.arrival import (
    Arrival,
    Waiting,
    arrive_waiting,
    begin_reading,
    oldest_waiting,
)
from core.conversations.inbox import PendingText, pending_texts
from core.conversations.phone_lock import PhoneBusy, hold_phone, phone_turn
from core.conversations.reading import finish_reading, leave
from core.conversations.services import AskKind, Dialog, ListKind
from core.helpdesk.models import HelpReason
from core.joined import ensure_whole, joined
from core.orders.models import Channel
from core.orders.preview import why_not_orderable
from core.orders.services import cancel_order, place_order, resident_orders
from core.residents.services import ResidentView, set_language
from core.results import OrderPlaced, OrderView, Refusal, RefusalReason
from sms_gateway import (
    dialog_plans,
    intents,
    joining,
    patience,
    price_survey,
    staff_commands,
    team_words,
    teams_dialog,
)
from sms_gateway.answer import Answer
from sms_gateway.answers import Answers
from sms_gateway.intents import parse
from sms_gateway.plans import (
    Complaint,
    ConfirmAnswer,
    OrderPlan,
    PickDeal,
    Put,
    Question,
    WantsPerson,
)
from sms_gateway.products import DealEntry
from sms_gateway.replies import Replies

log = logging.getLogger(__name__)

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def read_waiting_texts(core: Core, community: Community, phone: str) -> int:
    """Read every text of this phone still waiting, oldest first; how many were read.

    Each text is read and answered in one transaction that holds the phone's lock from
    its first statement (`phone_turn`) and takes the oldest waiting text in its second,
    so texts of one phone are read one at a time and in order, whoever reads them. The
    text that brought this request is among them, unless another reader read it
    already; a text left by a crashed reader is read now, before the newer one.
    """
    read = 0
    while True:
        waiting: Waiting | None = None
        try:
            with phone_turn(core, community_id=community.id, phone=phone) as session:
                waiting = oldest_waiting(session, core.now(), community.id, phone)
                if waiting is None:
                    return read
                read_text(core, session, community, phone, waiting)
        except PhoneBusy:
            raise
        except Exception:  # rolled back whole: read it again the careful way
            if waiting is None:
                raise
            log.info("sms: reading message %s again step by step", waiting.text.message_id,
                     exc_info=True)  # fmt: skip
            read_again_step_by_step(core, community, phone, waiting.text)
        read += 1
        if not waiting.more:
            return read


def read_text(
    core: Core, session: Session, community: Community, phone: str, waiting: Waiting
) -> None:
    """Read the text `oldest_waiting` found and answer it in the transaction `session` is
    in (core.joined: the use cases' own transactions are it, and any of them failing
    rolls it back whole)."""
    now = core.now()
    # The job's row, held in the session (weakly keyed: keep it) for the use cases.
    known = session.merge(community, load=False)  # noqa: F841
    one = joined(core, session)
    arrived = arrive_waiting(session, now, community.id, phone, waiting)
    answer, outcome = _respond(one, community, phone, arrived.arrival)
    leave(session, now, arrived.conversation, message_id=waiting.text.message_id,
          outcome=outcome, resident=arrived.resident, **_written(answer))  # fmt: skip
    ensure_whole(session)  # a use case that failed inside: roll it all back, read again


def read_again_step_by_step(
    core: Core, community: Community, phone: str, text: PendingText
) -> None:
    """A text whose one transaction failed, read step by step under the phone's lock
    held apart (`hold_phone`), if no other reader read it in the meantime."""
    with hold_phone(core, community_id=community.id, phone=phone):
        waiting = pending_texts(core, community_id=community.id, phone=phone)
        if any(t.message_id == text.message_id for t in waiting):
            read_step_by_step(core, community, phone, text)


def read_step_by_step(core: Core, community: Community, phone: str, text: PendingText) -> None:
    """One text read in a transaction per step: what it arrives to, each use case, the reply.

    A text whose reading raises still gets an answer (an apology, and a person in the help
    inbox), so one bad text never wedges the phone's later texts behind it.
    """
    arrival = begin_reading(core, community_id=community.id, phone=phone, text=text)
    try:
        answer, outcome = _respond(core, community, phone, arrival)
    except Exception:  # one bad text must not wedge the phone's later texts behind it
        log.exception("sms: could not read message %s from %s", text.message_id, phone)
        replies = Replies(_language_of(arrival.resident, community, text.body), community)
        answer, outcome = Answer(replies.error(), needs_person=HelpReason.NOT_UNDERSTOOD), "error"
    finish_reading(
        core,
        community_id=community.id,
        phone=phone,
        message_id=text.message_id,
        outcome=outcome,
        **_written(answer),
    )


def _respond(core: Core, community: Community, phone: str, arrival: Arrival) -> tuple[Answer, str]:
    reading = Reading(core, community, phone, arrival)
    return patience.respond(reading, reading.intent())


def _written(answer: Answer) -> dict[str, Any]:
    """What of an answer the core writes when the reading ends."""
    return {
        "dialog": answer.dialog,
        "reply": answer.reply,
        "even_if_opted_out": answer.even_if_opted_out,
        "collapsible": answer.collapsible,
        "needs_person": answer.needs_person,
        "about_deals": answer.about_deals,
    }


def _language_of(resident: ResidentView | None, community: Community, body: str) -> str:
    """The resident's language; for a stranger, English only when they wrote in it."""
    if resident is not None:
        return resident.language
    if _LATIN.search(body or "") and not _CJK.search(body or ""):
        return "en"
    return community.language


class Reading:
    """One text from one phone, read and answered."""

    def __init__(self, core: Core, community: Community, phone: str, arrival: Arrival) -> None:
        self.core = core
        self.community = community
        self.phone = phone
        self.arrival = arrival
        self.body = arrival.text.body
        self.resident = arrival.resident
        self.is_staff = community.is_staff_phone(phone)
        self.deals = {d.number: d for d in arrival.open_deals}
        self.replies = Replies(_language_of(self.resident, community, self.body), community)

    @property
    def answers(self) -> Answers:
        return Answers(self.replies, self.deals, self.held_orders())

    def held_orders(self) -> dict[int, int]:
        """The resident's orders that can still change: deal number → quantity."""
        return {o.deal.number: o.quantity for o in self.cancellable()}

    def cancellable(self) -> tuple[OrderView, ...]:
        """The core's rule, read with the text: orders on deals still taking orders."""
        return self.arrival.cancellable

    def catalog(self) -> tuple[DealEntry, ...]:
        """The open deals by name, and the lately closed ones, named only to say so."""
        entries = [dialog_plans.entry(d, True) for d in self.arrival.open_deals]
        entries += [dialog_plans.entry(d, False) for d in self.arrival.closed_deals]
        return tuple(sorted(entries, key=lambda e: e.number))

    @property
    def key(self) -> str:
        """The idempotency key of actions this text triggers: Twilio's MessageSid."""
        return self.arrival.key

    def intent(self) -> intents.Intent:
        dialog = self.arrival.dialog
        pending = dialog.pending or {}
        picking = pending.get("kind") == AskKind.PICK
        context = intents.DialogContext(
            awaiting_quantity_for=dialog.awaiting_quantity_for,
            awaiting_cancel_choice=dialog.awaiting_cancel_choice,
            open_deal_numbers=frozenset(self.deals),
            is_staff=self.is_staff,
            deals=self.catalog(),
            orders=tuple(sorted(self.held_orders().items())),
            last_deal=dialog.last_deal,
            confirming=pending.get("kind") == AskKind.CONFIRM,
            picking=tuple(pending.get("candidates", ())) if picking else (),
            picking_quantity=pending.get("quantity") if picking else None,
        )
        return teams_dialog.as_score(self, parse(self.body, context))

    def answer(self, intent: intents.Intent) -> Answer:
        if isinstance(intent, intents.OptOut | intents.OptIn):
            return joining.opt(self, intent)
        if isinstance(intent, intents.Unknown) and intent.reason == "courtesy":
            return Answer(None, self.arrival.dialog)  # 谢谢 keeps the question we asked open
        if isinstance(intent, intents.StaffRemind | intents.StaffClose | intents.StaffTotal):
            return Answer(
                staff_commands.run(
                    self.core, self.community, self.phone, intent, self.replies, self.key
                )
            )
        if isinstance(intent, intents.Register):
            return joining.register(self, intent)
        if self.resident is None:
            return Answer(self.replies.not_registered(), needs_person=HelpReason.UNKNOWN_NUMBER)
        to_team = teams_dialog.team_reply(self, intent)
        if to_team is not None:
            return to_team
        handler = _HANDLERS.get(type(intent))
        if handler is None:  # pragma: no cover - every intent has a handler
            return Answer(self.replies.unknown())
        return handler(self, intent)  # type: ignore[no-any-return]

    # --- ordering --------------------------------------------------------------------

    def place(self, intent: intents.PlaceOrder) -> Answer:
        result = place_order(
            self.core,
            community_id=self.community.id,
            phone=self.phone,
            deal_number=intent.deal_number,
            quantity=intent.quantity,
            channel=Channel.SMS,
            idempotency_key=self.key,
        )
        if isinstance(result, OrderPlaced):
            return Answer(None)  # the core wrote the confirmation with the order
        deal = self.deals.get(intent.deal_number)
        reply = self.replies.refusal(result, deal)
        if result.reason == RefusalReason.OVER_LIMIT and self.held_orders().get(intent.deal_number):
            reply = self.answers.refusal(Put(intent.deal_number, intent.quantity), result)
        if result.limit or result.units_left:  # "reply 3" now orders the most allowed
            return Answer(reply, Dialog(awaiting_quantity_for=intent.deal_number))
        return Answer(reply)

    def choose(self, intent: intents.ChooseDeal) -> Answer:
        deal = self.deals[intent.deal_number]
        held = self.held_orders().get(deal.number, 0)
        return Answer(
            self.replies.deal_detail(deal, held), Dialog(awaiting_quantity_for=deal.number)
        )

    def cancel(self, intent: intents.CancelOrder) -> Answer:
        if intent.deal_number is None:
            orders = self.cancellable()
            if len(orders) == 1:  # 取消 with one order: that one
                return self.cancel(intents.CancelOrder(orders[0].deal.number))
            reply = self.replies.cancel_which(orders)
            return Answer(reply, Dialog(awaiting_cancel_choice=bool(orders)))
        result = cancel_order(
            self.core,
            community_id=self.community.id,
            phone=self.phone,
            deal_number=intent.deal_number,
            channel=Channel.SMS,
            idempotency_key=self.key,
        )
        if isinstance(result, Refusal):
            return Answer(self.replies.refusal(result, self.deals.get(intent.deal_number)))
        return Answer(None)  # the core wrote the confirmation

    # --- lists -----------------------------------------------------------------------

    def list_deals(self, intent: intents.ListDeals) -> Answer:
        dialog = self.arrival.dialog
        if intent.page_next and dialog.list_kind == ListKind.ORDERS:
            return self.list_orders(start=dialog.list_shown)
        start = dialog.list_shown if intent.page_next and dialog.list_kind == ListKind.DEALS else 0
        deals = sorted(self.deals.values(), key=lambda d: d.number)
        return self._paged(ListKind.DEALS, self.replies.deal_page(deals, start), start, len(deals))

    def my_orders(self, _intent: intents.MyOrders) -> Answer:
        return self.list_orders(start=0)

    def list_orders(self, start: int) -> Answer:
        orders = resident_orders(self.core, community_id=self.community.id, phone=self.phone)
        if isinstance(orders, Refusal):
            return Answer(self.replies.refusal(orders, None))
        page = self.replies.order_page(orders, start)
        return self._paged(ListKind.ORDERS, page, start, len(orders))

    def _paged(self, kind: ListKind, page: Any, start: int, total: int) -> Answer:
        if start > 0 and start >= total:
            return Answer(self.replies.list_end())
        if total == 0:
            return Answer(page.text)
        return Answer(page.text, Dialog(list_kind=kind, list_shown=page.shown_until))

    # --- the rest --------------------------------------------------------------------

    def help(self, _intent: intents.Help) -> Answer:
        return Answer(self.replies.help())

    def language(self, intent: intents.SetLanguage) -> Answer:
        set_language(
            self.core, community_id=self.community.id, phone=self.phone, language=intent.lang
        )
        self.replies = Replies(intent.lang, self.community)
        return Answer(self.replies.text("sms.language.set"))

    def clarify(self, intent: intents.Clarify) -> Answer:
        number = intent.deal_number
        if intent.reason == "question" and number in self.deals:  # "2号还有吗?": show it
            return self.choose(intents.ChooseDeal(number))
        if intent.reason == "question":  # not for the deals to answer: a person will
            return dialog_plans.to_person(self, HelpReason.QUESTION, "sms.answer.to_person")
        if intent.reason == "deal_not_open" and number is not None:
            return Answer(self.not_orderable(number))
        quantity = intent.quantity
        if intent.reason == "ambiguous_number" and number in self.deals and quantity is not None:
            return dialog_plans.ask(self, (Put(number, quantity),))  # "12": 1号2份，对吗？
        return Answer(self.replies.clarify(intent, self.deals))

    def not_orderable(self, number: int) -> str:
        """Why a deal the parser does not see as open cannot be ordered: the core's word."""
        refusal = why_not_orderable(self.core, community_id=self.community.id, deal_number=number)
        if refusal is None:  # opened since this text was read: it is closed no more
            not_open = intents.Clarify("deal_not_open", deal_number=number)
            return self.replies.clarify(not_open, self.deals)
        return self.replies.refusal(refusal, None)

    def unknown(self, intent: intents.Unknown) -> Answer:
        return Answer(self.replies.unknown_text(intent))


_HANDLERS: dict[type, Any] = {
    intents.PlaceOrder: Reading.place,
    intents.ChooseDeal: Reading.choose,
    intents.CancelOrder: Reading.cancel,
    intents.ListDeals: Reading.list_deals,
    intents.MyOrders: Reading.my_orders,
    intents.Help: Reading.help,
    intents.SetLanguage: Reading.language,
    intents.Clarify: Reading.clarify,
    intents.Unknown: Reading.unknown,
    OrderPlan: dialog_plans.plan,
    ConfirmAnswer: dialog_plans.confirm,
    PickDeal: dialog_plans.pick,
    Question: dialog_plans.question,
    WantsPerson: dialog_plans.wants_person,
    Complaint: dialog_plans.complaint,
    intents.RecordPrice: price_survey.record,
    intents.PriceFormat: price_survey.explain,
    team_words.JoinTeam: teams_dialog.team,
    team_words.LeaveTeam: teams_dialog.team,
    team_words.Announcements: teams_dialog.announcements,
    team_words.GiveScore: teams_dialog.score,
}
