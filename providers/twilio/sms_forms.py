"""Twilio's Messaging form posts, read into our values: a text, or a status callback.

The live routes (providers/twilio/sms_web.py) and the spool's intake
(providers/twilio/spooled.py) read the same fields the same way through these.
Twilio names the id `MessageSid` (and, in older posts, `SmsSid`); our own message id
rides in the status callback's URL (`?m=123`), which we gave Twilio when sending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from core.bounded import bounded_int
from core.messages.models import MessageStatus
from core.phones import try_normalize_phone
from sms_gateway.inbound import InboundText

#: Twilio's message statuses that move one of our messages; any other ("accepted",
#: "scheduled", "read", ...) says nothing our status machine keeps.
STATUSES: dict[str, MessageStatus] = {
    "queued": MessageStatus.QUEUED,
    "sending": MessageStatus.SENDING,
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.UNDELIVERED,
    "failed": MessageStatus.FAILED,
}


def _field(fields: Mapping[str, str], *names: str) -> str:
    for name in names:
        value = (fields.get(name) or "").strip()
        if value:
            return value
    return ""


def sender_phone(fields: Mapping[str, str]) -> str:
    """The resident's phone: E.164 when it reads as one, else as Twilio gave it."""
    sender = _field(fields, "From")
    return try_normalize_phone(sender) or sender[:40]


@dataclass(frozen=True)
class TextForm:
    """A text as Twilio posted it: its id, the resident's phone, the number texted."""

    sid: str
    phone: str
    to: str
    body: str

    def inbound(self, community_id: int, spooled_at: datetime | None = None) -> InboundText:
        return InboundText(
            community_id=community_id,
            phone=self.phone,
            body=self.body,
            provider_sid=self.sid,
            spooled_at=spooled_at,
        )


def read_text(fields: Mapping[str, str]) -> TextForm | None:
    """The text, or None without the fields Twilio always sends (MessageSid, From, To)."""
    sid, to = _field(fields, "MessageSid", "SmsSid"), _field(fields, "To")
    if not sid or not to or not _field(fields, "From"):
        return None
    return TextForm(sid=sid, phone=sender_phone(fields), to=to, body=fields.get("Body") or "")


@dataclass(frozen=True)
class StatusReport:
    """A status callback: Twilio's word for it, and which message it is about."""

    reported: str  # Twilio's status, lower case
    message_id: int | None  # ours, from ?m=
    provider_sid: str | None
    error_code: str | None

    @property
    def status(self) -> MessageStatus | None:
        """Ours for Twilio's word; None for a status that moves nothing."""
        return STATUSES.get(self.reported)


def read_status(fields: Mapping[str, str], ours: str | None) -> StatusReport | None:
    """The report, or None when it names no status or no message at all."""
    reported = _field(fields, "MessageStatus", "SmsStatus").lower()
    sid = _field(fields, "MessageSid", "SmsSid") or None
    if not reported or (sid is None and not ours):
        return None
    return StatusReport(
        reported=reported,
        message_id=bounded_int(ours),
        provider_sid=sid,
        error_code=_field(fields, "ErrorCode")[:10] or None,
    )
