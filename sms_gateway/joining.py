"""Joining and leaving by text: opting out and in, and registering oneself.

Opt-out words work in any dialog state; words the carrier acts on itself (Twilio's
STOP, START: `core.ports.carriers.CarrierKeywords`) are answered by the carrier, so
ours would only bounce.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.orders.self_registration import register_by_text
from core.ports.carriers import CarrierKeyword
from core.residents.services import ResidentError, opt_in, opt_out
from core.results import Refusal
from sms_gateway.answer import Answer
from sms_gateway.intents import OptIn, OptOut, Register

if TYPE_CHECKING:
    from sms_gateway.conversation import Reading


def opt(reading: Reading, intent: OptOut | OptIn) -> Answer:
    """Opt-out words work in any state. The carrier answers its own keywords; we answer
    ours (T, TD, 退订; 订阅, 恢复), the opt-out only once: after it, nothing more is sent."""
    wanted = CarrierKeyword.OPT_OUT if isinstance(intent, OptOut) else CarrierKeyword.OPT_IN
    by_carrier = reading.core.carrier_keywords.acted_on(reading.body) == wanted
    if reading.resident is None:
        return Answer(None)
    if isinstance(intent, OptOut):
        changed = opt_out(reading.core, community_id=reading.community.id, phone=reading.phone)
        if changed is True and not by_carrier:
            return Answer(reading.replies.text("sms.opt_out.done"), even_if_opted_out=True)
        return Answer(None)
    changed = opt_in(reading.core, community_id=reading.community.id, phone=reading.phone)
    if by_carrier:
        return Answer(None)
    key = "sms.opt_in.done" if changed is True else "sms.opt_in.already"
    return Answer(reading.replies.text(key))


def register(reading: Reading, intent: Register) -> Answer:
    """注册 name address: the core says whether this community takes it and who they are."""
    try:
        joined = register_by_text(
            reading.core,
            community_id=reading.community.id,
            phone=reading.phone,
            name=intent.name,
            building=intent.building,
            unit=intent.unit,
            room=intent.room,
            language=reading.replies.language,
        )
    except ResidentError as exc:
        # A name that is a formula or holds control characters is refused, politely.
        unsafe = str(exc) in ("resident.error.formula", "resident.error.control")
        key = "sms.register.bad_name" if unsafe else "sms.clarify.register_format"
        return Answer(reading.replies.text(key))
    if isinstance(joined, Refusal):
        return Answer(reading.replies.not_registered())
    resident = joined.resident
    if joined.already:
        return Answer(
            reading.replies.text(
                "sms.register.already",
                name=resident.name,
                address=resident.address,
                phone=reading.community.help_phone_dialled,
            )
        )
    return Answer(
        reading.replies.text("sms.register.done", name=resident.name, address=resident.address)
    )
