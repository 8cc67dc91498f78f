"""Mianhua's RQ queues, in priority order: a worker always takes the first non-empty one.

Replies and confirmations go first, then reminders (and deal outcomes), then
broadcasts, so a resident's answer never waits behind a 10,000-message broadcast.
"""

from __future__ import annotations

from core.messages.models import MessageKind

REPLIES = "mianhua-replies"
REMINDERS = "mianhua-reminders"
BROADCASTS = "mianhua-broadcasts"
#: Periodic work (the outbox sweep, due reminders, closing deals at their deadline).
HOUSEKEEPING = "mianhua-housekeeping"
#: Inbound texts waiting to be read: the SMS webhook only records a text and puts a
#: read job here, so it answers Twilio in milliseconds.
INBOX = "mianhua-inbox"
#: Resident imports started from the console (a file of a few thousand rows, seconds).
IMPORTS = "mianhua-imports"
ALL = (REPLIES, INBOX, REMINDERS, BROADCASTS, HOUSEKEEPING, IMPORTS)
#: The order a worker listens in. Housekeeping (a few quick queries every few seconds)
#: goes before reminders and broadcasts, or a 10,000-message broadcast would starve the
#: sweep and the reminder scan for hours.
WORKER_QUEUES = (REPLIES, INBOX, HOUSEKEEPING, REMINDERS, IMPORTS, BROADCASTS)

_BY_KIND = {
    MessageKind.REPLY: REPLIES,
    MessageKind.CONFIRMATION: REPLIES,
    MessageKind.STAFF_REPLY: REPLIES,
    MessageKind.DEAL_UPDATE: REMINDERS,
    MessageKind.REMINDER: REMINDERS,
    MessageKind.BROADCAST: BROADCASTS,
}


def queue_for(kind: str) -> str:
    return _BY_KIND.get(MessageKind(kind), REPLIES)
