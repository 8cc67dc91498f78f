"""What a mainland provider pushes to us, in its own words parsed into ours, and its receipts.

Aliyun and Tencent push replies (上行) and receipts (回执) as JSON to the URLs we gave them;
the parsers in providers/<name>/pushes.py turn each push into these values. The live
routes and the spool's intake (providers/mainland_pushes.py) hand the replies to the SMS
channel like Twilio's texts, and the receipts to `take_receipt`, the same status machine.
Neither provider's pushes are idempotent: a reply is recorded once by an id made of the
push's own identifiers (unique `provider_sid`), and a receipt only ever moves a message
forward, so a repeat changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.context import Core
from core.messages.models import MessageStatus
from core.messages.services import StatusUpdate, apply_status_callback


class BadPush(ValueError):
    """The push is not in the provider's documented shape: answered 400, nothing recorded."""


@dataclass(frozen=True)
class ReplyPush:
    """A resident's text, as a provider pushed it."""

    phone: str  # E.164
    body: str
    provider_sid: str  # made of the push's own identifiers; the same for a repeat
    sign_name: str = ""
    extend_code: str = ""


@dataclass(frozen=True)
class ReceiptPush:
    """A carrier's receipt for one of our texts."""

    delivered: bool
    message_id: int | None  # our outbox id, from OutId / SessionContext
    provider_sid: str | None  # BizId / SerialNo
    error_code: str | None = None


def take_receipt(core: Core, *, community_id: int, receipt: ReceiptPush) -> StatusUpdate | None:
    """Delivered or undelivered, for a message of this community only (the push key's)."""
    return apply_status_callback(
        core,
        status=MessageStatus.DELIVERED if receipt.delivered else MessageStatus.UNDELIVERED,
        message_id=receipt.message_id,
        provider_sid=receipt.provider_sid,
        error_code=(receipt.error_code or "")[:10] or None,
        community_id=community_id,
    )
