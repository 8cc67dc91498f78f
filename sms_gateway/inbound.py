"""A resident's text as the SMS channel takes it, whichever carrier brought it.

A provider's route (providers/twilio, providers/aliyun, providers/tencent) verifies the
request, turns its wire format into an `InboundText` and calls `receive`: the text is
recorded with its place in the phone's inbox (once however often the carrier repeats
it, in one insert), and the reader is woken (sms_gateway/jobs.py: one job for a burst
of texts, the inbox itself being the queue). When the queue
cannot be reached and the carrier can carry an answer in its reply to the webhook
(Twilio's TwiML), the text is read in the request instead and the replies that could
not be queued are handed back to go inline, logged as such.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from bootstrap import Mianhua, mianhua
from core.community.models import Community
from core.context import Core
from core.conversations.inbox import Accepted, accept_text, unsent_answers
from core.conversations.phone_lock import PhoneBusy
from core.db import Database, OutboxEntry
from core.messages.services import mark_answered_inline
from core.ports.carriers import MAX_TEXT_CHARS
from core.ports.jobs import JobsUnavailable
from sms_gateway.conversation import read_waiting_texts
from sms_gateway.jobs import wake_reader

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundText:
    """One text, in the channel's words: to which community, from which phone."""

    community_id: int  # found by the provider: the number texted, or the push URL's key
    phone: str  # the resident's, E.164 where it could be read as a phone
    body: str
    provider_sid: str  # the carrier's id for it: the same for every repeat
    spooled_at: datetime | None = None  # it came then and waited in the spool


@dataclass(frozen=True)
class Received:
    """What became of a text: its row, whether it was new, and the replies to give in
    the webhook's own answer (only when the queue was down)."""

    message_id: int
    is_new: bool
    inline: tuple[str, ...] = ()


def record(core: Core, text: InboundText) -> Accepted:
    """Record the text and its inbox entry in one transaction; a repeat changes nothing."""
    return accept_text(
        core,
        community_id=text.community_id,
        phone=text.phone,
        # A NUL cannot be stored (PostgreSQL) and means nothing in a text: keep the rest.
        body=text.body.replace("\x00", "")[:MAX_TEXT_CHARS],
        provider_sid=text.provider_sid[:64],
        spooled_at=text.spooled_at,
    )


def queue_reading(root: Mianhua, text: InboundText, message_id: int) -> None:
    """See that a reader will read the text: wake one unless one waits already; raises
    JobsUnavailable when the queue is down (the periodic work then finds the text
    unread and wakes one). The root is named, not looked up: the spool's drainer
    thread runs outside any request."""
    wake_reader(root.jobs)


def receive(text: InboundText, *, can_answer_inline: bool = False) -> Received:
    """Record the text and queue its reading; with the queue down and a carrier that can
    answer inline, read it now and hand back the replies that could not be queued.
    Called by a provider's route, inside its request."""
    root = mianhua()
    accepted = record(root.core, text)
    if not accepted.waiting:
        return Received(accepted.message_id, accepted.is_new)  # read already: nothing more
    try:
        queue_reading(root, text, accepted.message_id)
    except JobsUnavailable as exc:
        if not can_answer_inline:
            log.warning("sms %s: inbox queue unreachable (%s); the sweep reads it", text.phone, exc)
            return Received(accepted.message_id, accepted.is_new)
        log.warning("sms %s: inbox queue unreachable (%s); reading it now", text.phone, exc)
        inline = _read_now(root, text, accepted.message_id)
        return Received(accepted.message_id, accepted.is_new, inline)
    return Received(accepted.message_id, accepted.is_new)


def _read_now(root: Mianhua, text: InboundText, message_id: int) -> tuple[str, ...]:
    """Redis is down: read the phone's waiting texts in this request; the replies go
    inline if they cannot be queued either."""
    core = root.core
    with core.db.transaction() as session:
        community = session.get_one(Community, text.community_id)
    with _capturing(core.db) as written:
        try:
            read_waiting_texts(core, community, text.phone)
        except PhoneBusy:
            # It stays waiting in the inbox and is read with this phone's next text.
            log.warning("sms: %s is busy; text %s left waiting", text.phone, message_id)
    if not written or root.relay.last_enqueue_ok():
        return ()
    answers = unsent_answers(core, message_ids=[e.message_id for e in written], phone=text.phone)
    for answered_id, _body in answers:
        mark_answered_inline(core, answered_id)
    if answers:
        log.warning("sms: queue unreachable, answered %d message(s) inline", len(answers))
    return tuple(body for _id, body in answers)


# --- which messages this request wrote ----------------------------------------------

_capture = threading.local()


def _written(entries: list[OutboxEntry]) -> None:
    """An outbox listener: note new messages for the request capturing on this thread."""
    collected = getattr(_capture, "entries", None)
    if collected is not None:
        collected.extend(entries)


@contextmanager
def _capturing(db: Database) -> Iterator[list[OutboxEntry]]:
    if _written not in db.outbox_listeners:  # once per database: it listens for every thread
        db.outbox_listeners.append(_written)
    _capture.entries = []
    try:
        yield _capture.entries
    finally:
        _capture.entries = None
