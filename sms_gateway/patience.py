"""Nobody silenced: the dialog's rules for texts not understood and for floods.

A resident not understood twice in a row gets the simplest path (a numbered list, one
key each) and staff see her in the help inbox. A text that reads as an order is always
answered, even while its phone is held back for flooding; the hold itself is told once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core import formatting
from core.conversations.services import Dialog
from core.helpdesk.models import HelpReason
from sms_gateway import dialog_plans
from sms_gateway.answer import Answer
from sms_gateway.intents import (
    CancelOrder,
    ChooseDeal,
    Clarify,
    Intent,
    OptIn,
    OptOut,
    PlaceOrder,
    Unknown,
)
from sms_gateway.plans import ConfirmAnswer, OrderPlan, PickDeal
from sms_gateway.replies import clip

if TYPE_CHECKING:
    from sms_gateway.conversation import Reading

#: Intents that read as an order: always answered, even while a phone is held for flooding.
ORDERLIKE = (PlaceOrder, CancelOrder, OrderPlan, PickDeal, ConfirmAnswer, ChooseDeal, Clarify)
#: Ways of not being understood: the second in a row gets the simplest path and a person.
_MISREAD = ("unrecognised",)
_MISREAD_CLARIFY = ("order_format", "ambiguous_order", "too_many_numbers", "need_deal_number")


def respond(reading: Reading, intent: Intent) -> tuple[Answer, str]:
    """The answer to one text and its outcome, by the rules of patience above."""
    hold = reading.arrival.hold
    if hold.muted and not isinstance(intent, (OptOut, OptIn, *ORDERLIKE)):
        return held(reading), "muted"
    answer = track(reading, intent, reading.answer(intent))
    if hold.newly_muted:  # an order on the very text that tripped the hold: say both
        notice = held(reading)
        joined = "\n".join(t for t in (notice.reply, answer.reply) if t)
        answer = Answer(
            clip(joined), answer.dialog, collapsible=False, needs_person=notice.needs_person
        )
    return answer, type(intent).__name__


def track(reading: Reading, intent: Intent, answer: Answer) -> Answer:
    """Count texts not understood in a row; the second gets the simplest path and a person.

    Also remembers the deal the dialog was about, for "改成3份" in the next text.
    """
    dialog = answer.dialog
    misread = is_misread(intent)
    count = reading.arrival.dialog.misread + 1 if misread else 0
    last_deal = dialog_plans.deal_of(intent) or dialog.last_deal or reading.arrival.dialog.last_deal
    if misread and count >= 2 and reading.resident is not None:
        answer = Answer(
            reading.answers.simplest(),
            Dialog(misread=count, last_deal=last_deal),
            needs_person=HelpReason.NOT_UNDERSTOOD,
        )
        return answer
    moved = Dialog(
        awaiting_quantity_for=dialog.awaiting_quantity_for,
        awaiting_cancel_choice=dialog.awaiting_cancel_choice,
        list_kind=dialog.list_kind,
        list_shown=dialog.list_shown,
        pending=dialog.pending,
        last_deal=last_deal,
        misread=count,
    )
    return Answer(
        answer.reply,
        moved,
        answer.even_if_opted_out,
        answer.collapsible and not isinstance(intent, ORDERLIKE),
        answer.needs_person,
        answer.about_deals,
    )

def held(reading: Reading) -> Answer:
    """A phone held back for flooding: told once, in plain words; staff see it."""
    if not reading.arrival.hold.newly_muted or reading.arrival.hold.held_until is None:
        return Answer(None, reading.arrival.dialog)
    zone, language = reading.community.zone, reading.replies.language
    until = formatting.when(reading.arrival.hold.held_until, zone, language)
    return Answer(
        reading.replies.text("sms.held", until=until, phone=reading.community.help_phone_dialled),
        reading.arrival.dialog,
        needs_person=HelpReason.FLOOD,
    )


def is_misread(intent: Intent) -> bool:
    """Texts we could not read at all, or whose order we could not make out."""
    if isinstance(intent, Unknown):
        return intent.reason in _MISREAD
    return isinstance(intent, Clarify) and intent.reason in _MISREAD_CLARIFY
