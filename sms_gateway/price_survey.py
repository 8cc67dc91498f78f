"""The dialog's side of the price survey: record a member's price and say back what was kept.

The membership rule and the record are the core's (core.prices.services); a text from
someone not on the survey team is answered with how to join, never silenced.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from core.prices.services import (
    PriceRecorded,
    PriceRefusal,
    PriceSeen,
    local_today,
    record_price_by_text,
)
from sms_gateway.answer import Answer
from sms_gateway.intent_types import PriceFormat, RecordPrice

if TYPE_CHECKING:
    from sms_gateway.conversation import Reading


def record(reading: Reading, intent: RecordPrice) -> Answer:
    today = local_today(reading.core, reading.community)
    result = record_price_by_text(
        reading.core,
        community_id=reading.community.id,
        phone=reading.phone,
        seen=PriceSeen(
            product=intent.product,
            place=intent.place,
            price_fen=intent.price_fen,
            amount=intent.amount,
            unit=intent.unit,
            observed_on=today - timedelta(days=intent.days_ago),
        ),
        key=reading.key,
    )
    replies = reading.replies
    if isinstance(result, PriceRefusal):
        return Answer(replies.text(f"sms.price.{result.value}"))
    return Answer(replies.text("sms.price.recorded", **_said(reading, result)))


def explain(reading: Reading, _intent: PriceFormat) -> Answer:
    return Answer(reading.replies.text("sms.price.format"))


def _said(reading: Reading, seen: PriceRecorded) -> dict[str, object]:
    replies = reading.replies
    amount = f"{seen.amount}{seen.unit}" if seen.unit else ""
    return {
        "product": seen.product,
        "amount": replies.text("sms.price.per", amount=amount) if amount else "",
        "price": replies.money(seen.price_fen),
        "place": seen.place,
        "date": replies.text(
            "sms.price.date", month=seen.observed_on.month, day=seen.observed_on.day
        ),
    }
