"""Joining and leaving by text: opting out and in, and registering oneself.

Opt-out words work in any dialog state; words Twilio acts on itself (STOP, START)
are answered by Twilio, so ours would only bounce.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.residents.services import ResidentError, opt_in, opt_out, register_resident
from sms_gateway.answer import Answer
from sms_gateway.intents import OptIn, OptOut, Register

if TYPE_CHECKING:
    from sms_gateway.conversation import Reading

#: Words Twilio itself acts on (whole message, any case): it answers them and blocks
#: or unblocks the number, so a reply of ours would only bounce with 21610.
CARRIER_OPT_OUT = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
CARRIER_OPT_IN = frozenset({"start", "yes", "unstop"})


def opt(reading: Reading, intent: OptOut | OptIn) -> Answer:
    """Opt-out words work in any state. Twilio answers its own keywords; we answer ours
    (T, TD, 退订; 订阅, 恢复), the opt-out only once: after it, nothing more is sent."""
    by_carrier = reading.body.strip().casefold() in (
        CARRIER_OPT_OUT if isinstance(intent, OptOut) else CARRIER_OPT_IN
    )
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
    if reading.resident is not None:
        return Answer(
            reading.replies.text(
                "sms.register.already",
                name=reading.resident.name,
                address=reading.resident.address,
                phone=reading.community.help_phone,
            )
        )
    if not reading.community.allow_self_registration:
        return Answer(reading.replies.not_registered())
    try:
        resident = register_resident(
            reading.core,
            community_id=reading.community.id,
            phone=reading.phone,
            name=intent.name,
            building=intent.building,
            unit=intent.unit,
            room=intent.room,
            language=reading.replies.language,
            notes="registered by SMS",
        )
    except ResidentError as exc:
        # A name that is a formula or holds control characters is refused, politely.
        unsafe = str(exc) in ("resident.error.formula", "resident.error.control")
        key = "sms.register.bad_name" if unsafe else "sms.clarify.register_format"
        return Answer(reading.replies.text(key))
    return Answer(
        reading.replies.text("sms.register.done", name=resident.name, address=resident.address)
    )
