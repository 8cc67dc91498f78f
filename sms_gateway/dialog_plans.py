"""The dialog's answers to the deal-aware reader: plans done or asked about, deals picked,
questions answered, and texts handed to a person.

Each handler takes the `Reading` of one text (sms_gateway.conversation) and
returns its `Answer`. Certain plans are carried out at once; uncertain ones
are said back with a one-key question and kept in the dialog until the
resident answers 1 or 0.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from core import formatting
from core.community.hours import staff_calendar
from core.conversations.services import AskKind, Dialog
from core.helpdesk.models import HelpReason
from core.results import DealView, OrderCancelled, OrderPlaced, Refusal
from sms_gateway.answer import Answer
from sms_gateway.plan_runner import changes_from_json, changes_to_json, run_plan
from sms_gateway.plans import (
    Add,
    Change,
    Complaint,
    ConfirmAnswer,
    DropAll,
    OrderPlan,
    PickDeal,
    Problem,
    Put,
    Question,
    WantsPerson,
)
from sms_gateway.products import DealEntry
from sms_gateway.replies import clip

if TYPE_CHECKING:
    from sms_gateway.conversation import Reading


def _answer(*args: object, **kwargs: object) -> Answer:
    return Answer(*args, **kwargs)  # type: ignore[arg-type]


def plan(reading: Reading, intent: OrderPlan) -> Answer:
    changes = _known(reading, intent.changes)
    if not changes and not intent.problems and intent.doubt is not None:
        return _answer(reading.replies.text("sms.clarify.format"), collapsible=True)
    if intent.doubt is not None and changes:
        return ask(reading, changes)
    done = carry_out(reading, changes, intent.problems, reading.key)
    if intent.pick is None:
        return done
    asked = pick(reading, intent.pick)  # 梨两份 油一桶: the oil ordered, which pears?
    text = "\n".join(t for t in (done.reply, asked.reply) if t)
    return _answer(clip(text), asked.dialog, collapsible=False)


def _known(reading: Reading, changes: tuple[Change, ...]) -> tuple[Change, ...]:
    """Changes on open deals only; a drop of an order the resident does not hold is no change."""
    kept: list[Change] = []
    for change in changes:
        if isinstance(change, DropAll) or change.deal in reading.deals:
            kept.append(change)  # a drop of no order: the core says there is none
    return tuple(kept)


def ask(reading: Reading, changes: tuple[Change, ...]) -> Answer:
    """Say back what was understood; the order waits for 回1确认."""
    text = reading.answers.ask_plan(changes)
    pending = {"kind": AskKind.CONFIRM, "changes": changes_to_json(changes)}
    return _answer(text, Dialog(pending=pending), collapsible=False)


def carry_out(
    reading: Reading, changes: tuple[Change, ...], problems: tuple[Problem, ...], key: str
) -> Answer:
    answers = reading.answers
    if not changes:
        return _problems_only(reading, problems)
    if changes == (DropAll(),) and not reading.held_orders():
        return _answer(reading.replies.text("sms.plan.nothing_to_cancel"), collapsible=False)
    outcomes = run_plan(
        reading.core,
        community_id=reading.community.id,
        phone=reading.phone,
        changes=changes,
        held=reading.held_orders(),
        key=key,
    )
    extra = [answers.problem(p) for p in problems]
    awaited = [
        p.deal
        for p in problems
        if p.kind in ("wrong_unit", "vague", "no_quantity") and p.deal in reading.deals
    ]
    asking = Dialog(awaiting_quantity_for=awaited[0]) if len(awaited) == 1 else Dialog()
    if len(outcomes) == 1 and not extra:
        change, result = outcomes[0]
        if isinstance(result, OrderPlaced | OrderCancelled):
            return _answer(None)  # the core wrote the confirmation
        assert isinstance(result, Refusal)
        return _answer(answers.refusal(change, result), collapsible=False)
    if not outcomes and not extra:
        return _answer(reading.replies.text("sms.plan.nothing_to_cancel"), collapsible=False)
    return _answer(answers.results(outcomes, extra), asking, collapsible=False)


def _problems_only(reading: Reading, problems: tuple[Problem, ...]) -> Answer:
    """Nothing to do yet: say why, and ask what would make it an order."""
    answers = reading.answers
    text = "\n".join(answers.problem(p) for p in problems) or reading.replies.unknown()
    awaited = [
        p.deal
        for p in problems
        if p.kind in ("wrong_unit", "vague", "no_quantity") and p.deal in reading.deals
    ]
    dialog = Dialog(awaiting_quantity_for=awaited[0]) if len(awaited) == 1 else Dialog()
    return _answer(clip(text), dialog, collapsible=False)


def confirm(reading: Reading, intent: ConfirmAnswer) -> Answer:
    pending = reading.arrival.dialog.pending or {}
    changes = changes_from_json(pending.get("changes", ()))
    if not intent.yes or not changes:
        return _answer(reading.replies.text("sms.plan.declined"), collapsible=False)
    return carry_out(reading, _known(reading, changes), (), reading.key)


def pick(reading: Reading, intent: PickDeal) -> Answer:
    text = reading.answers.pick(intent)
    pending = {
        "kind": AskKind.PICK,
        "candidates": list(intent.candidates),
        "quantity": intent.quantity,
    }
    return _answer(text, Dialog(pending=pending), collapsible=False)


def question(reading: Reading, intent: Question) -> Answer:
    text = reading.answers.question(intent)
    if text is None:
        return to_person(reading, HelpReason.QUESTION, "sms.answer.to_person")
    return _answer(text)


def wants_person(reading: Reading, _intent: WantsPerson) -> Answer:
    return to_person(reading, HelpReason.WANTS_PERSON, "sms.answer.person")


def complaint(reading: Reading, intent: Complaint) -> Answer:
    answer = to_person(reading, HelpReason.COMPLAINT, "sms.answer.complaint")
    return replace(answer, about_deals=intent.deals)


def to_person(reading: Reading, reason: HelpReason, key: str) -> Answer:
    """Hand the text to staff, and say when a person will be there (the office calendar)."""
    text = reading.replies.text(key, phone=reading.community.help_phone_dialled)
    now = reading.core.now()
    office = staff_calendar(reading.core, community_id=reading.community.id)
    if not office.available(now):
        opening = office.next_opening(now)
        if opening is not None:
            when = formatting.when(opening, reading.community.zone, reading.replies.language)
            text = reading.replies.text("sms.answer.person_later", opening=when) + text
    return _answer(clip(text), collapsible=False, needs_person=reason)


def entry(deal: DealView, is_open: bool) -> DealEntry:
    return DealEntry(
        number=deal.number,
        title_zh=deal.title_zh,
        title_en=deal.title_en,
        unit=deal.unit,
        aliases=deal.aliases,
        is_open=is_open,
    )


def deal_of(intent: object) -> int | None:
    """The deal an intent was about, remembered for the next text's 改成/再加."""
    for name in ("deal_number",):
        value = getattr(intent, name, None)
        if isinstance(value, int):
            return value
    if isinstance(intent, OrderPlan):
        for change in reversed(intent.changes):
            if isinstance(change, Put | Add):
                return change.deal
    return None
