"""One text's reading, as the core sees it: begun in one transaction, finished in another.

The SMS channel reads a phone's waiting texts while it holds the phone's lock
(core.conversations.phone_lock). For each text it makes few calls to the core:

1. `begin_reading` (core.conversations.arrival) counts the text against the flood
   rules and hands back, in one transaction, everything the dialog needs to decide:
   the dialog state, the resident, the deals open and lately closed, and the orders
   the resident may still change.
2. The channel's pure reader and dialog decide the answer, asking the core's use
   cases for whatever they do (an order placed, a language set).
3. `finish_reading` marks the text read, moves the dialog on and writes the reply
   to the outbox, in one transaction.

The worker reads a text in one transaction instead (core.joined): `oldest_waiting`
finds the text with its conversation and resident in one statement, `arrive_waiting`
(both in core.conversations.arrival) and `leave` (here) are the first and last steps
inside it, and the use cases between run in it. `begin_reading` and `finish_reading`
are the same steps, each in a transaction of its own: the way a text is read again
after its one transaction failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from core.books.quality import attach_complaint
from core.community.models import Community
from core.context import Core
from core.conversations.models import Conversation, InboxText
from core.conversations.services import Dialog, conversation_for, seen_reply, set_dialog
from core.helpdesk.models import HelpReason
from core.helpdesk.services import ask_for_help
from core.messages.models import MessageKind
from core.messages.outbox import queue_message
from core.residents.models import Resident
from core.residents.services import resident_by_phone


@dataclass(frozen=True)
class Finished:
    replied: bool  # a reply was written to the outbox
    collapsed: bool = False  # the same reply went out a moment ago: not sent again


def finish_reading(
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
    needs_person: HelpReason | None = None,
    about_deals: tuple[int, ...] = (),
) -> Finished:
    """Mark the text read, move the dialog on and write the reply, in one transaction.

    The reply goes through the outbox like every other text (kind `reply`, never
    held for quiet hours), deduplicated on the text it answers, so reading the
    same text twice can never answer it twice. A `collapsible` reply (not an
    order's answer) that went to this phone within REPEAT_WINDOW is not sent
    again. `needs_person` (a help reason) puts the text in the staff's help
    inbox in the same transaction; a complaint gets the collected order it is about
    (of `about_deals`, the deal numbers it named, when there are any).
    """
    now = core.now()
    with core.db.transaction() as session:
        conversation = conversation_for(session, community_id, phone, now)
        return leave(
            session,
            now,
            conversation,
            message_id=message_id,
            dialog=dialog,
            outcome=outcome,
            reply=reply,
            even_if_opted_out=even_if_opted_out,
            collapsible=collapsible,
            needs_person=needs_person,
            about_deals=about_deals,
        )


def leave(
    session: Session,
    now: datetime,
    conversation: Conversation,
    *,
    message_id: int,
    dialog: Dialog,
    outcome: str,
    reply: str | None = None,
    even_if_opted_out: bool = False,
    collapsible: bool = False,
    needs_person: HelpReason | None = None,
    about_deals: tuple[int, ...] = (),
    resident: Resident | None = None,
) -> Finished:
    """`finish_reading` inside a transaction the caller holds, on the phone's conversation
    row it locked (`conversation_for`, or `arrive` in the same transaction). `resident`:
    her row as `arrive` found it in this transaction (what the use cases changed of it
    since is on the same object); None to look her up (a stranger may have registered)."""
    community_id, phone = conversation.community_id, conversation.phone
    if conversation not in session:  # held out by `arrive` (core.joined): back, changed
        session.add(conversation)
    set_dialog(conversation, dialog, now)
    conversation.updated_at = now
    replied = False
    # Before anything queries: the conversation's changes go out in one UPDATE.
    collapsed = reply is not None and seen_reply(conversation, reply, now) and collapsible
    if needs_person is not None:
        item_id = ask_for_help(
            session,
            community_id=community_id,
            phone=phone,
            reason=HelpReason(needs_person),
            message_id=message_id,
            now=now,
        )
        if needs_person == HelpReason.COMPLAINT:
            # Found once: the reply below is hers too.
            resident = resident or resident_by_phone(session, community_id, phone)
            _attach_collected_order(
                session, community_id, resident, item_id, message_id, now, about_deals
            )
    if reply is not None and not collapsed:
        message = queue_message(
            session,
            community=session.get_one(Community, community_id),
            resident=resident or resident_by_phone(session, community_id, phone),
            phone=phone,
            body=reply,
            kind=MessageKind.REPLY,
            now=now,
            dedupe_key=f"sms-reply:{message_id}",
            key_is_new=True,
            even_if_opted_out=even_if_opted_out,
        )
        replied = message is not None
    session.execute(_READ, {"text_id": message_id, "now": now, "read_as": outcome[:40]})
    return Finished(replied, collapsed)


#: Built once (run for every text read): the text marked read. No InboxText is ever
#: loaded as an object (the reading has a PendingText), so the session has nothing to
#: bring in step: without `synchronize_session=False` the ORM would still search its
#: identity map for one, evaluating the WHERE clause, on every text (5% of a text's CPU).
_READ = (
    update(InboxText)
    .where(InboxText.message_id == bindparam("text_id"), InboxText.handled_at.is_(None))
    .values(
        handled_at=bindparam("now", type_=InboxText.handled_at.type),
        outcome=bindparam("read_as", type_=InboxText.outcome.type),
    )
    .execution_options(synchronize_session=False)
)


def _attach_collected_order(
    session: Session,
    community_id: int,
    resident: Resident | None,
    item_id: int,
    message_id: int,
    now: datetime,
    about_deals: tuple[int, ...],
) -> None:
    """A complaint about goods lands in the inbox with the order the resident collected
    (`resident`: the texter's row, found by the caller, which needs it for the reply too)."""
    attach_complaint(
        session,
        community_id=community_id,
        help_request_id=item_id,
        resident_id=resident.id if resident else None,
        channel="sms",
        message_id=message_id,
        now=now,
        deal_numbers=about_deals,
    )
