"""A reply that comes late because its text waited in the spool says so.

While the database was down a resident's text waited on the web host's disk; when
it is taken in and read, minutes may have passed since they pressed send. The
reply or confirmation then begins with a short apology in their language
("刚才系统忙，您的订单已收到。"), so nobody wonders whether it is about an old text.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.community.models import Community
from core.conversations.models import InboxText
from core.i18n import t
from core.messages.models import Message, MessageKind
from core.residents.models import Resident

#: A text answered this long after it came (and that came through the spool) is late.
LATE_AFTER = timedelta(minutes=3)
_NOTES = {MessageKind.CONFIRMATION: "spool.late.order", MessageKind.REPLY: "spool.late.reply"}


def note_reading(
    session: Session, *, phone: str, received_at: datetime, spooled_at: datetime | None
) -> None:
    """Tell this transaction which of the phone's texts is being read (its oldest unread),
    so the messages it writes to that phone need not look it up again."""
    session.info["reading"] = (phone, received_at, spooled_at)


def with_late_note(
    session: Session,
    *,
    community: Community,
    resident: Resident | None,
    phone: str,
    kind: str,
    body: str,
    now: datetime,
) -> str:
    """`body`, prefixed with the apology when it answers the phone's text now being read
    and that text waited in the spool longer than LATE_AFTER."""
    key = _NOTES.get(kind)  # type: ignore[call-overload]  # a StrEnum key matches its str
    if key is None or not phone:
        return body
    # The text being read is the phone's oldest unread one: its turn reads them in order.
    noted = session.info.get("reading")
    if noted is not None and noted[0] == phone:
        received_at, spooled_at = noted[1], noted[2]
    else:
        reading = session.execute(
            select(InboxText.received_at, Message.spooled_at)
            .join(Message, Message.id == InboxText.message_id)
            .where(
                InboxText.community_id == community.id,
                InboxText.phone == phone,
                InboxText.handled_at.is_(None),
            )
            .order_by(InboxText.message_id)
            .limit(1)
        ).first()
        if reading is None:
            return body
        received_at, spooled_at = reading.received_at, reading.spooled_at
    if spooled_at is None or now - received_at < LATE_AFTER:
        return body
    language = resident.language if resident is not None else community.language
    return t(language, key) + ("" if language == "zh" else " ") + body
