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

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.accounts.services import audit
from core.community.models import Community
from core.context import Core
from core.conversations.inbox import PendingText
from core.conversations.models import Conversation, InboxText
from core.helpdesk.services import HelpReason, ask_for_help
from core.messages.models import MessageKind
from core.messages.outbox import queue_message
from core.residents.services import resident_by_phone

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


@dataclass(frozen=True)
class Dialog:
    """What the conversation so far changes about how the next text is read."""

    awaiting_quantity_for: int | None = None
    awaiting_cancel_choice: bool = False
    list_kind: str | None = None  # "deals" or "orders": the list MORE continues
    list_shown: int = 0  # how many of its items were shown already
    # A question waiting for a one-key answer: changes to confirm, or deals to pick from.
    pending: dict | None = None
    last_deal: int | None = None  # the deal "改成3份" or "再加一份" is about
    misread: int = 0  # texts in a row not understood

    @property
    def is_empty(self) -> bool:
        return self == Dialog()


@dataclass(frozen=True)
class Turn:
    """One text about to be read: the dialog it arrives in, and whether to answer at all."""

    text: PendingText
    dialog: Dialog
    muted: bool  # held back for a flood: answer only what reads as an order (and opt-out)
    newly_muted: bool  # this very text tripped the flood rule: tell the resident, once
    held_until: datetime | None = None


@dataclass(frozen=True)
class TurnEnd:
    reply_id: int | None  # the reply written to the outbox, if any
    collapsed: bool = False  # the same reply went out a moment ago: not sent again


def start_turn(core: Core, *, community_id: int, phone: str, text: PendingText) -> Turn:
    """Count the text against the flood rules and hand back the dialog it arrives in."""
    now = core.now()
    with core.db.transaction() as session:
        conversation = _conversation(session, community_id, phone, now)
        dialog = _live_dialog(conversation, now)
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
        return Turn(text, dialog, was_muted or newly_muted, newly_muted, held)


def _arrival(entry: str) -> tuple[datetime, str]:
    moment, _, digest = entry.partition("|")
    return datetime.fromisoformat(moment), digest


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def finish_turn(
    core: Core,
    *,
    community_id: int,
    phone: str,
    message_id: int,
    dialog: Dialog,
    outcome: str,
    reply: str | None = None,
    even_if_opted_out: bool = False,
    collapsible: bool = False,
    needs_person: str | None = None,
) -> TurnEnd:
    """Mark the text read, move the dialog on and write the reply, in one transaction.

    The reply goes through the outbox like every other text (kind `reply`, never
    held for quiet hours), deduplicated on the text it answers, so reading the
    same text twice can never answer it twice. A `collapsible` reply (not an
    order's answer) that went to this phone within REPEAT_WINDOW is not sent
    again. `needs_person` (a help reason) puts the text in the staff's help
    inbox in the same transaction.
    """
    now = core.now()
    with core.db.transaction() as session:
        conversation = _conversation(session, community_id, phone, now)
        _set_dialog(conversation, dialog, now)
        reply_id, collapsed = None, False
        if needs_person is not None:
            ask_for_help(
                session,
                community_id=community_id,
                phone=phone,
                reason=HelpReason(needs_person),
                message_id=message_id,
                now=now,
            )
        if reply is not None:
            collapsed = _seen_reply(conversation, reply, now) and collapsible
        if reply is not None and not collapsed:
            community = session.get_one(Community, community_id)
            message = queue_message(
                session,
                community=community,
                resident=resident_by_phone(session, community_id, phone),
                phone=phone,
                body=reply,
                kind=MessageKind.REPLY,
                now=now,
                dedupe_key=f"sms-reply:{message_id}",
                even_if_opted_out=even_if_opted_out,
            )
            reply_id = message.id if message is not None else None
        inbox = session.get(InboxText, message_id)
        if inbox is not None and inbox.handled_at is None:
            inbox.handled_at = now
            inbox.outcome = outcome[:40]
        conversation.updated_at = now
        return TurnEnd(reply_id, collapsed)


def _conversation(session: Session, community_id: int, phone: str, now: datetime) -> Conversation:
    query = select(Conversation).where(
        Conversation.community_id == community_id, Conversation.phone == phone
    )
    found = session.scalar(query.with_for_update())
    if found is not None:
        return found
    try:
        with session.begin_nested():
            conversation = Conversation(
                community_id=community_id,
                phone=phone,
                recent_texts=[],
                recent_replies=[],
                updated_at=now,
            )
            session.add(conversation)
        return conversation
    except IntegrityError:  # made a moment ago by another process (SQLite has no shared turn)
        return session.scalars(query.with_for_update()).one()


def _live_dialog(conversation: Conversation, now: datetime) -> Dialog:
    if conversation.state_at is None or conversation.state_at + DIALOG_TTL <= now:
        return Dialog()
    return Dialog(
        awaiting_quantity_for=conversation.awaiting_quantity_for,
        awaiting_cancel_choice=conversation.awaiting_cancel_choice,
        list_kind=conversation.list_kind,
        list_shown=conversation.list_shown,
        pending=conversation.pending,
        last_deal=conversation.last_deal,
        misread=conversation.misread or 0,
    )


def _set_dialog(conversation: Conversation, dialog: Dialog, now: datetime) -> None:
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


def _seen_reply(conversation: Conversation, reply: str, now: datetime) -> bool:
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
