"""Taking in a mainland provider's push, live or from the spool: one function for both.

Parse it in the provider's shape (providers/<name>/pushes.py), then each reply into the
phone's inbox and each receipt into the status machine, for the community whose push key
was in the URL. Returns what to do after (queue the readings), so the spool can do it
only once its file is gone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from core.carriers.pushes import ReceiptPush, ReplyPush, take_receipt, take_reply
from providers.aliyun import pushes as aliyun
from providers.tencent import pushes as tencent

if TYPE_CHECKING:
    from bootstrap import Mianhua

INBOUND, REPORT = "inbound", "report"
Parser = Callable[[bytes], list[ReplyPush]] | Callable[[bytes], list[ReceiptPush]]
PARSERS: dict[tuple[str, str], Parser] = {
    ("aliyun", INBOUND): aliyun.replies,
    ("aliyun", REPORT): aliyun.receipts,
    ("tencent", INBOUND): tencent.replies,
    ("tencent", REPORT): tencent.receipts,
}
#: (what the provider wants to hear when it was taken, when it was refused)
ANSWERS: dict[str, tuple[dict[str, object], dict[str, object]]] = {
    "aliyun": (aliyun.ACCEPTED, aliyun.REFUSED),
    "tencent": (tencent.ACCEPTED, tencent.REFUSED),
}


@dataclass
class PushTaken:
    new: int = 0
    repeated: int = 0
    unknown: int = 0  # receipts for no message of this community
    readings: list[tuple[str, int]] = field(default_factory=list)  # (phone, message id)

    def read_them(self, mianhua: Mianhua, community_id: int) -> None:
        """Queue each new text's reading (raises JobsUnavailable: the periodic work
        finds unread texts then)."""
        from sms_gateway.jobs import enqueue_reading

        for phone, message_id in self.readings:
            enqueue_reading(mianhua.jobs, community_id, phone, message_id)


def parse(provider: str, kind: str, raw: bytes) -> list[ReplyPush] | list[ReceiptPush]:
    """Raises core.carriers.pushes.BadPush for a push not in the documented shape."""
    return PARSERS[(provider, kind)](raw)


def take_in_push(
    mianhua: Mianhua,
    *,
    community_id: int,
    items: list[ReplyPush] | list[ReceiptPush],
    spooled_at: datetime | None = None,
) -> PushTaken:
    taken = PushTaken()
    for item in items:
        if isinstance(item, ReplyPush):
            text = take_reply(
                mianhua.core, community_id=community_id, reply=item, spooled_at=spooled_at
            )
            if text.is_new:
                taken.new += 1
            else:
                taken.repeated += 1
            if text.waiting:
                taken.readings.append((item.phone, text.message_id))
        else:
            update = take_receipt(mianhua.core, community_id=community_id, receipt=item)
            if update is None:
                taken.unknown += 1
            elif update.moved:
                taken.new += 1
            else:
                taken.repeated += 1
    return taken
