"""Committee staff texting from a registered staff phone: REMIND 3, CLOSE 3, TOTAL 3.

The parser only yields these for a phone in `community.staff_phones`; each is
one core call, audit-logged by the core with the staff phone as the actor.
"""

from __future__ import annotations

import hashlib

from core.community.models import Community
from core.context import Core
from core.deals.services import CloseResult, DealNotFound, close_deal
from core.deals.sheets import supplier_sheet
from core.reminders.services import NobodyToRemind, send_bulk_reminder
from sms_gateway.intents import StaffClose, StaffRemind, StaffTotal
from sms_gateway.replies import Replies


def run(
    core: Core,
    community: Community,
    phone: str,
    command: StaffRemind | StaffClose | StaffTotal,
    replies: Replies,
    key: str,
) -> str:
    """Carry out one staff command and say what came of it.

    `key` is the text's MessageSid: a reminder batch named after it is sent once,
    however often the text is read.
    """
    number = command.deal_number
    by = f"sms:{phone}"
    try:
        if isinstance(command, StaffRemind):
            batch = "sms" + hashlib.blake2b(key.encode(), digest_size=14).hexdigest()
            return _remind(core, community, number, by, batch, replies)
        if isinstance(command, StaffClose):
            return _close(core, community, number, by, replies)
        return _total(core, community, number, replies)
    except DealNotFound:
        return replies.text("sms.staff.no_deal", number=number)


def _remind(
    core: Core, community: Community, number: int, by: str, batch: str, replies: Replies
) -> str:
    try:
        sent = send_bulk_reminder(
            core, community_id=community.id, number=number, by=by, batch_id=batch
        )
    except NobodyToRemind:
        return replies.text("sms.staff.remind_nobody", number=number)
    return replies.text(
        "sms.staff.reminded",
        number=number,
        recipients=sent.recipients,
        segments=sent.segments_total,
    )


def _close(core: Core, community: Community, number: int, by: str, replies: Replies) -> str:
    closed = close_deal(core, community_id=community.id, number=number, by=by)
    if not closed.closed_now:
        return replies.text("sms.staff.closed.already", number=number)
    deal = closed.deal
    if closed.outcome == CloseResult.CONFIRMED:
        return replies.text(
            "sms.staff.closed.confirmed",
            number=number,
            units=deal.units_ordered,
            unit=deal.unit,
            told=closed.residents_told,
        )
    if closed.outcome == CloseResult.CANCELLED:
        return replies.text(
            "sms.staff.closed.cancelled",
            number=number,
            min=deal.min_units,
            unit=deal.unit,
            told=closed.residents_told,
        )
    return replies.text("sms.staff.closed.already", number=number)


def _total(core: Core, community: Community, number: int, replies: Replies) -> str:
    sheet = supplier_sheet(core, community_id=community.id, number=number)
    return replies.text(
        "sms.staff.total",
        number=number,
        title=sheet.deal.title(replies.language),
        orders=sheet.orders,
        units=sheet.units,
        unit=sheet.deal.unit,
        cost=replies.money(sheet.cost_fen),
        saving=replies.money(sheet.saving_fen),
    )
