"""The conversation rules: where the dialog stands, and when a phone is answered no
more for a while (which texts wait to be read is core.conversations.inbox).

Rules kept here so every channel and test reads them the same:

* A question we asked ("how many?", "对吗？回1确认") and a paged list lapse
  `DIALOG_TTL` after they were asked; after that a bare "3" is read afresh.
* Nobody is silenced for being hard to understand. The same reply is sent
  once within `REPEAT_WINDOW`, not again and again (an order's answer always
  goes out). Only a real flood is held back: more than `FLOOD_LIMIT` texts
  within `FLOOD_WINDOW`, the same text `MACHINE_REPEATS` times within
  `REPEAT_WINDOW` (a loop with another machine), or an auto-responder. The
  phone is then held for `HOLD_FOR`, told so once, and shown to staff, who
  can lift it. A text that reads as an order is answered even while held.
"""

from __future__ import annotations

import enum
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.accounts.services import audit
from core.context import Core
from core.conversations.inbox import PendingText
from core.conversations.models import Conversation
from core.joined import in_one_transaction

log = logging.getLogger(__name__)

DIALOG_TTL = timedelta(minutes=30)
FLOOD_WINDOW = timedelta(minutes=1)
FLOOD_LIMIT = 30  # "dozens of texts a minute": no person types that fast
REPEAT_WINDOW = timedelta(minutes=5)
MACHINE_REPEATS = 8  # the same text, again and again: another machine answering us
HOLD_FOR = timedelta(minutes=30)
# Words auto-responders put in their texts; answering them starts a loop.
AUTO_REPLY_MARKS = ("自动回复", "auto-reply", "autoreply", "auto reply", "out of office",
                    "此为自动", "系统自动", "无需回复")  # fmt: skip


class ListKind(enum.StrEnum):
    """The paged list MORE continues."""

    DEALS = "deals"
    ORDERS = "orders"


class AskKind(enum.StrEnum):
    """The one-key question a dialog waits on (`Dialog.pending["kind"]`)."""

    CONFIRM = "confirm"  # changes said back: 回1确认，回0不要
    PICK = "pick"  # a name several deals share: which one?


@dataclass(frozen=True)
class Dialog:
    """What the conversation so far changes about how the next text is read."""

    awaiting_quantity_for: int | None = None
    awaiting_cancel_choice: bool = False
    list_kind: ListKind | None = None  # the list MORE continues
    list_shown: int = 0  # how many of its items were shown already
    # A question waiting for a one-key answer: changes to confirm, or deals to pick from.
    pending: dict | None = None
    last_deal: int | None = None  # the deal "改成3份" or "再加一份" is about
    misread: int = 0  # texts in a row not understood

    @property
    def is_empty(self) -> bool:
        return self == Dialog()


@dataclass(frozen=True)
class Hold:
    """Whether a phone is held back for flooding as this text arrives."""

    muted: bool  # held back: answer only what reads as an order (and opt-out)
    newly_muted: bool  # this very text tripped the flood rule: tell the resident, once
    held_until: datetime | None = None


def note_arrival(
    session: Session, conversation: Conversation, text: PendingText, now: datetime
) -> Hold:
    """Count the text against the flood rules; hold the phone when it trips one."""
    digest = _digest(" ".join((text.body or "").split()).casefold())
    recent = [
        (moment, seen)
        for moment, seen in map(_arrival, conversation.recent_texts)
        if moment > text.received_at - REPEAT_WINDOW
    ]
    recent.append((text.received_at, digest))
    conversation.recent_texts = [f"{m.isoformat()}|{d}" for m, d in recent[-60:]]
    in_a_minute = sum(m > text.received_at - FLOOD_WINDOW for m, _ in recent)
    repeats = sum(d == digest for _, d in recent)
    was_muted = _is_muted(conversation, now)
    reason = None
    if in_a_minute > FLOOD_LIMIT:
        reason = "flood"
    elif repeats >= MACHINE_REPEATS:
        reason = "machine"
    elif any(mark in (text.body or "").casefold() for mark in AUTO_REPLY_MARKS):
        reason = "auto_reply"
    newly_muted = not was_muted and reason is not None
    if newly_muted:
        _mute(session, conversation, now, reason or "flood", texts=in_a_minute)
    conversation.updated_at = now
    held = conversation.muted_until if (was_muted or newly_muted) else None
    return Hold(was_muted or newly_muted, newly_muted, held)


def _arrival(entry: str) -> tuple[datetime, str]:
    moment, _, digest = entry.partition("|")
    return datetime.fromisoformat(moment), digest


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def conversation_for(
    session: Session, community_id: int, phone: str, now: datetime
) -> Conversation:
    """The phone's conversation row, locked for this transaction; made on its first text."""
    found = session.scalar(_LOCKED, {"community_id": community_id, "phone": phone})
    if found is not None:
        return found
    return new_conversation(session, community_id, phone, now)


def new_conversation(
    session: Session, community_id: int, phone: str, now: datetime
) -> Conversation:
    """The row of a phone that has none yet (its first text)."""
    conversation = Conversation(
        community_id=community_id, phone=phone, recent_texts=[], recent_replies=[], updated_at=now
    )
    if in_one_transaction(session):
        return conversation  # `leave` adds it: one INSERT with the arrival and the dialog
    try:
        with session.begin_nested():
            session.add(conversation)
        return conversation
    except IntegrityError:  # made a moment ago by another process (SQLite has no shared turn)
        return session.scalars(_LOCKED, {"community_id": community_id, "phone": phone}).one()


#: Built once (run for every text read): cheaper to run again than to build.
_LOCKED = (
    select(Conversation)
    .where(
        Conversation.community_id == bindparam("community_id"),
        Conversation.phone == bindparam("phone"),
    )
    .with_for_update()
)


def live_dialog(conversation: Conversation, now: datetime) -> Dialog:
    if conversation.state_at is None or conversation.state_at + DIALOG_TTL <= now:
        return Dialog()
    return Dialog(
        awaiting_quantity_for=conversation.awaiting_quantity_for,
        awaiting_cancel_choice=conversation.awaiting_cancel_choice,
        list_kind=ListKind(conversation.list_kind) if conversation.list_kind else None,
        list_shown=conversation.list_shown,
        pending=conversation.pending,
        last_deal=conversation.last_deal,
        misread=conversation.misread or 0,
    )


def set_dialog(conversation: Conversation, dialog: Dialog, now: datetime) -> None:
    conversation.awaiting_quantity_for = dialog.awaiting_quantity_for
    conversation.awaiting_cancel_choice = dialog.awaiting_cancel_choice
    conversation.list_kind = dialog.list_kind
    conversation.list_shown = dialog.list_shown
    conversation.pending = dialog.pending
    conversation.last_deal = dialog.last_deal
    conversation.misread = dialog.misread
    conversation.state_at = None if dialog.is_empty else now


def _is_muted(conversation: Conversation, now: datetime) -> bool:
    return conversation.muted_until is not None and now < conversation.muted_until


def seen_reply(conversation: Conversation, reply: str, now: datetime) -> bool:
    """Remember a reply; True when the same one went to this phone within REPEAT_WINDOW."""
    digest = _digest(reply)
    recent = [
        [d, at]
        for d, at in conversation.recent_replies
        if datetime.fromisoformat(at) > now - REPEAT_WINDOW
    ]
    seen = any(d == digest for d, _ in recent)
    recent.append([digest, now.isoformat()])
    conversation.recent_replies = recent[-20:]
    return seen


def _mute(
    session: Session, conversation: Conversation, now: datetime, reason: str, **detail: object
) -> None:
    conversation.muted_until = now + HOLD_FOR
    conversation.muted_reason = reason
    log.warning(
        "sms: muting %s until %s (%s) %s",
        conversation.phone,
        conversation.muted_until,
        reason,
        detail,
    )
    audit(
        session,
        actor="sms",
        action="sms.muted",
        community_id=conversation.community_id,
        phone=conversation.phone,
        reason=reason,
        until=conversation.muted_until.isoformat(),
        **detail,
    )


def mute_state(core: Core, *, community_id: int, phone: str) -> datetime | None:
    """Until when this phone is not answered, or None: for staff screens and tests."""
    now = core.now()
    with core.db.transaction() as session:
        conversation = session.scalar(
            select(Conversation).where(
                Conversation.community_id == community_id, Conversation.phone == phone
            )
        )
        if conversation is None or not _is_muted(conversation, now):
            return None
        return conversation.muted_until
