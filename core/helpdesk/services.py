"""Asking for a person, and the committee's answer: the help inbox's use cases.

`ask_for_help` runs inside the SMS reader's own transaction (it is called from the
turn that read the text), so the text being handled and its inbox item stand or
fall together. The staff actions own their transactions and are audit-logged
under the staff member's name.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.accounts.services import audit
from core.community.models import Community
from core.context import Core
from core.helpdesk.models import HelpReason, HelpRequest, HelpStatus
from core.messages.models import MessageKind
from core.messages.outbox import queue_message
from core.phones import try_normalize_phone
from core.residents.services import resident_by_phone
from core.sms_segments import segment_info

#: A staff answer is a reply, and replies stay short: at most two SMS segments.
MAX_REPLY_SEGMENTS = 2


class HelpRefusalReason(enum.StrEnum):
    NOT_FOUND = "not_found"  # no such item in this community
    EMPTY = "empty"
    TOO_LONG = "too_long"
    CANNOT_TEXT = "cannot_text"  # a landline, or a number that takes no texts
    OPTED_OUT = "opted_out"  # the resident asked for no more texts
    ALREADY_OPEN = "already_open"  # reopening: this phone has another open item


@dataclass(frozen=True)
class HelpRefusal:
    reason: HelpRefusalReason
    segments: int | None = None  # with TOO_LONG
    open_item_id: int | None = None  # with ALREADY_OPEN

    def __bool__(self) -> bool:  # `if result:` reads as "it worked"
        return False


@dataclass(frozen=True)
class ReplyDraft:
    """A staff answer as it will be sent, and what it costs."""

    text: str
    characters: int
    segments: int
    encoding: str

    @property
    def too_long(self) -> bool:
        return self.segments > MAX_REPLY_SEGMENTS

    @property
    def empty(self) -> bool:
        return not self.text


@dataclass(frozen=True)
class HelpAnswered:
    item_id: int
    message_id: int | None  # None when `replayed`
    done: bool
    replayed: bool = False  # the same form came again: nothing was sent twice


def draft_reply(body: str) -> ReplyDraft:
    """The text as it will go: browsers send CRLF, which would cost a character per line."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    info = segment_info(text)
    return ReplyDraft(text, len(text), info.segments if text else 0, info.encoding)


def ask_for_help(
    session: Session,
    *,
    community_id: int,
    phone: str,
    reason: HelpReason,
    message_id: int | None,
    now: datetime,
) -> int:
    """Open (or add to) the help item for this phone, inside the caller's transaction.

    Returns the item's id.

    One open item per community+phone: a later call while one is open updates its latest
    reason, latest message and updated_at instead of opening another (so a resident is one
    row in the inbox). The same text handled twice finds the item it made the first time.
    """
    if message_id is not None:
        known = session.scalar(
            select(HelpRequest.id).where(
                HelpRequest.community_id == community_id,
                HelpRequest.latest_message_id == message_id,
            )
        )
        if known is not None:
            return known
    item = _open_item(session, community_id, phone)
    if item is None:
        resident = resident_by_phone(session, community_id, phone)
        try:
            with session.begin_nested():
                item = HelpRequest(
                    community_id=community_id,
                    phone=phone,
                    open_phone=phone,
                    resident_id=resident.id if resident else None,
                    reason=reason,
                    status=HelpStatus.OPEN,
                    first_message_id=message_id,
                    latest_message_id=message_id,
                    waiting_since=now,
                    created_at=now,
                    updated_at=now,
                )
                session.add(item)
            return item.id
        except IntegrityError:  # another reader opened it a moment ago
            item = _open_item(session, community_id, phone)
            assert item is not None
    item.reason = reason
    if message_id is not None:
        item.latest_message_id = message_id
        item.first_message_id = item.first_message_id or message_id
    if item.waiting_since is None:  # answered before; this text needs a person again
        item.waiting_since = now
    item.updated_at = now
    return item.id


def _open_item(session: Session, community_id: int, phone: str) -> HelpRequest | None:
    return session.scalar(
        select(HelpRequest)
        .where(HelpRequest.community_id == community_id, HelpRequest.open_phone == phone)
        .with_for_update()
    )


def _item(session: Session, community_id: int, item_id: int) -> HelpRequest | None:
    item = session.get(HelpRequest, item_id, with_for_update=True)
    return item if item is not None and item.community_id == community_id else None


@acting()
def answer_help(
    core: Core,
    *,
    community_id: int,
    item_id: int,
    body: str,
    by: str,
    form_token: str,
    mark_done: bool = False,
) -> HelpAnswered | HelpRefusal:
    """Text the resident the staff member's answer, through the outbox like every message.

    `form_token` is made with the form: the same form sent twice (a double click, a
    browser resending) finds its message written and sends nothing more.
    """
    draft = draft_reply(body)
    if draft.empty:
        return HelpRefusal(HelpRefusalReason.EMPTY)
    if draft.too_long:
        return HelpRefusal(HelpRefusalReason.TOO_LONG, segments=draft.segments)
    now = core.now()
    with core.db.transaction() as session:
        item = _item(session, community_id, item_id)
        if item is None:
            return HelpRefusal(HelpRefusalReason.NOT_FOUND)
        resident = resident_by_phone(session, community_id, item.phone)
        if resident is not None and resident.opted_out:
            return HelpRefusal(HelpRefusalReason.OPTED_OUT)
        if try_normalize_phone(item.phone) is None or (
            resident is not None and not resident.can_receive_sms
        ):
            return HelpRefusal(HelpRefusalReason.CANNOT_TEXT)
        message = queue_message(
            session,
            community=session.get_one(Community, community_id),
            resident=resident,
            phone=item.phone,
            body=draft.text,
            kind=MessageKind.STAFF_REPLY,
            now=now,
            dedupe_key=f"staff-reply:{item.id}:{form_token[:64]}",
        )
        if message is None:
            return HelpAnswered(item.id, None, item.status == HelpStatus.DONE, replayed=True)
        item.waiting_since = None
        item.answered_at = now
        item.answered_by = by
        item.updated_at = now
        if mark_done:
            _close(item, by, now)
        audit(
            session,
            actor=by,
            action="help.answered",
            community_id=community_id,
            item_id=item.id,
            phone=item.phone,
            message_id=message.id,
            done=mark_done,
        )
        return HelpAnswered(item.id, message.id, item.status == HelpStatus.DONE)


def _close(item: HelpRequest, actor: str, now: datetime) -> None:
    item.status = HelpStatus.DONE
    item.open_phone = None
    item.waiting_since = None
    item.done_at = now
    item.done_by = actor
    item.updated_at = now


@acting()
def mark_done(core: Core, *, community_id: int, item_id: int, by: str) -> bool | HelpRefusal:
    """Nothing more to do for this resident; False when it was done already."""
    now = core.now()
    with core.db.transaction() as session:
        item = _item(session, community_id, item_id)
        if item is None:
            return HelpRefusal(HelpRefusalReason.NOT_FOUND)
        if item.status == HelpStatus.DONE:
            return False
        _close(item, by, now)
        audit(session, actor=by, action="help.done", community_id=community_id, item_id=item.id)
        return True


@acting()
def reopen(core: Core, *, community_id: int, item_id: int, by: str) -> bool | HelpRefusal:
    """Put a done item back in the inbox as waiting; False when it was open already."""
    now = core.now()
    with core.db.transaction() as session:
        item = _item(session, community_id, item_id)
        if item is None:
            return HelpRefusal(HelpRefusalReason.NOT_FOUND)
        if item.status == HelpStatus.OPEN:
            return False
        other = _open_item(session, community_id, item.phone)
        if other is not None:  # the resident wrote again since: that item is the live one
            return HelpRefusal(HelpRefusalReason.ALREADY_OPEN, open_item_id=other.id)
        item.status = HelpStatus.OPEN
        item.open_phone = item.phone
        item.waiting_since = now
        item.done_at = None
        item.done_by = None
        item.updated_at = now
        audit(
            session, actor=by, action="help.reopened", community_id=community_id, item_id=item.id
        )
        return True
