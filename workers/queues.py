"""The order workers listen in, and which queue a message's send job goes on.

Replies and confirmations go first, then reminders (and deal outcomes), then
broadcasts, so a resident's answer never waits behind a 10,000-message broadcast.
"""

from __future__ import annotations

from core.messages.models import MessageKind
from core.ports.jobs import Queue

#: The order a worker listens in: it always takes the first non-empty queue.
#: Housekeeping (a few quick queries every few seconds) goes before reminders and
#: broadcasts, or a 10,000-message broadcast would starve the sweep and the reminder
#: scan for hours.
WORKER_QUEUES = (
    Queue.REPLIES,
    Queue.INBOX,
    Queue.HOUSEKEEPING,
    Queue.REMINDERS,
    Queue.IMPORTS,
    Queue.BROADCASTS,
)

_BY_KIND = {
    MessageKind.REPLY: Queue.REPLIES,
    MessageKind.CONFIRMATION: Queue.REPLIES,
    MessageKind.STAFF_REPLY: Queue.REPLIES,
    MessageKind.DEAL_UPDATE: Queue.REMINDERS,
    MessageKind.REMINDER: Queue.REMINDERS,
    MessageKind.BROADCAST: Queue.BROADCASTS,
}


def queue_for(kind: str) -> Queue:
    return _BY_KIND.get(MessageKind(kind), Queue.REPLIES)
