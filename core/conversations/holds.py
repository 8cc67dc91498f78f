"""Phones held back (not answered for a while), as staff see them, and lifting a hold.

The flood rule in `core.conversations.services` decides when a phone is held and
records it on its `Conversation` (`muted_until`, `muted_reason`). Here is the staff
side: which phones are held right now, and a staff member's judgement that a held
phone is a person after all. Lifting clears the flood counters too, or the very next
text would count the flood that was just forgiven and hold the phone again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.accounts.services import audit
from core.context import Core
from core.conversations.models import Conversation
from core.conversations.phone_lock import phone_turn
from core.phones import try_normalize_phone
from core.residents.models import Resident

#: How long lifting a hold waits for a reader to finish with the phone (a text takes
#: milliseconds): staff are told to try again after that.
LIFT_WAIT_SECONDS = 3.0


@dataclass(frozen=True)
class Hold:
    phone: str
    resident_id: int | None
    resident_name: str | None
    reason: str | None  # "flood", "loop", ...: what the conversation rules recorded
    until: datetime


def holds_in(
    session: Session, *, community_id: int, now: datetime, phone: str | None = None
) -> list[Hold]:
    """The holds still running in a community (of one phone, if given), soonest end first."""
    statement = (
        select(Conversation, Resident.id, Resident.name)
        .outerjoin(
            Resident,
            (Resident.community_id == Conversation.community_id)
            & (Resident.phone == Conversation.phone),
        )
        .where(Conversation.community_id == community_id, Conversation.muted_until > now)
        .order_by(Conversation.muted_until)
    )
    if phone is not None:
        statement = statement.where(Conversation.phone == _stored_form(phone))
    return [
        Hold(c.phone, resident_id, name, c.muted_reason, c.muted_until)
        for c, resident_id, name in session.execute(statement).all()
        if c.muted_until is not None
    ]


@acting(by=None)
def current_holds(core: Core, *, community_id: int) -> list[Hold]:
    """Every phone held back right now: for the message log and the help inbox."""
    with core.db.transaction() as session:
        return holds_in(session, community_id=community_id, now=core.now())


@acting(by=None)
def hold_for(core: Core, *, community_id: int, phone: str) -> Hold | None:
    """This phone's running hold, if any: for the resident's page."""
    with core.db.transaction() as session:
        found = holds_in(session, community_id=community_id, now=core.now(), phone=phone)
        return found[0] if found else None


@acting()
def lift_hold(core: Core, *, community_id: int, phone: str, by: str) -> bool:
    """Answer this phone again from now on; False when it was not held (lifted already).

    Under the phone's lock, as every write of a conversation row is (the reader reads
    the row without a row lock of its own); raises PhoneBusy when a reader held the
    phone all the while it waited."""
    now = core.now()
    stored = _stored_form(phone)
    with phone_turn(
        core, community_id=community_id, phone=stored, wait_seconds=LIFT_WAIT_SECONDS
    ) as session:
        conversation = session.scalar(
            select(Conversation).where(
                Conversation.community_id == community_id, Conversation.phone == stored
            )
        )
        if (
            conversation is None
            or conversation.muted_until is None
            or conversation.muted_until <= now
        ):
            return False
        audit(
            session,
            actor=by,
            action="sms.hold_lifted",
            community_id=community_id,
            phone=conversation.phone,
            reason=conversation.muted_reason,
            until=conversation.muted_until.isoformat(),
        )
        conversation.muted_until = None
        conversation.muted_reason = None
        conversation.recent_texts = []
        conversation.recent_replies = []
        conversation.updated_at = now
        return True


def _stored_form(phone: str) -> str:
    """Conversations keep E.164 where the number parses, else the number as received."""
    return try_normalize_phone(phone) or phone.strip()
