"""What a mainland provider pushes to us, in its own words parsed into ours, and its receipts.

Aliyun and Tencent push replies (上行) and receipts (回执) as JSON to the URLs we gave them;
the parsers in providers/<name>/pushes.py turn each push into these values. The live
routes and the spool's intake (providers/mainland_pushes.py) hand the replies to the SMS
channel like Twilio's texts, and the receipts to `take_receipt`, the same status machine.
Neither provider's pushes are idempotent: a reply is recorded once by an id made of the
push's own identifiers (unique `provider_sid`), and a receipt only ever moves a message
forward, so a repeat changes nothing.

One push URL is set per provider account, and one account (the service's credentials)
serves every community on that provider, a street office's many at once. So the key in
the URL only says the push is the provider's; each reply is routed by its signature and
extension code (`PushRoutes`), and each receipt by the message it names, among the
communities on that provider.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.carriers.models import CarrierAccount
from core.context import Core
from core.messages.models import Message, MessageStatus
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
    # A batch call's receipt names the call's outbox ids (OutId / SessionContext) and
    # the number: its text is the one of those sent to that number.
    batch_ids: tuple[int, ...] = ()
    phone: str = ""


@dataclass(frozen=True)
class PushRoutes:
    """Which of our communities a provider's push may be about: by (signature,
    extension code) for replies, and all of them on this provider for receipts."""

    provider: str
    by_signature: dict[tuple[str, str], int]
    communities: frozenset[int]

    def community_of(self, reply: ReplyPush, *, key_community_id: int) -> int | None:
        """The community a reply was sent to; None when it names none of ours.

        A push without a signature (an older format) is the key's community's. A
        signature with one community and no extension code takes every reply under it
        (the provider may add its own digits to dest_code)."""
        if not reply.sign_name:
            return key_community_id
        found = self.by_signature.get((reply.sign_name, reply.extend_code))
        if found is None:
            found = self.by_signature.get((reply.sign_name, ""))
        return found


def push_routes(core: Core, *, provider: str) -> PushRoutes:
    """The provider's accounts of every community: one read per push."""
    with core.db.transaction() as session:
        rows = session.execute(
            select(
                CarrierAccount.community_id, CarrierAccount.sign_name, CarrierAccount.extend_code
            ).where(CarrierAccount.provider == provider)
        ).all()
    return PushRoutes(
        provider,
        {(sign, extend or ""): community for community, sign, extend in rows},
        frozenset(community for community, _, _ in rows),
    )


def take_receipt(
    core: Core, *, communities: frozenset[int], receipt: ReceiptPush
) -> StatusUpdate | None:
    """Delivered or undelivered, for a message of one of these communities only (those on
    the provider whose push URL it came to)."""
    message_id = receipt.message_id
    if message_id is None and receipt.batch_ids and receipt.phone:
        message_id = _batch_message(core, receipt, communities)
    return apply_status_callback(
        core,
        status=MessageStatus.DELIVERED if receipt.delivered else MessageStatus.UNDELIVERED,
        message_id=message_id,
        provider_sid=receipt.provider_sid,
        error_code=(receipt.error_code or "")[:10] or None,
        community_ids=communities,
    )


def _batch_message(core: Core, receipt: ReceiptPush, communities: frozenset[int]) -> int | None:
    """The text of a batch call sent to the receipt's number. Found by our ids, not the
    provider's: a text whose send timed out was recorded by what the lookup found, which
    for Aliyun is no BizId (QuerySendDetails gives none)."""
    with core.db.transaction() as session:
        return session.scalar(
            select(Message.id).where(
                Message.id.in_(receipt.batch_ids),
                Message.phone == receipt.phone,
                Message.community_id.in_(communities),
            )
        )
