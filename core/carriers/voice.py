"""Use cases over a community's TTS template for reminder calls, and the calls' receipts.

Filing works as for the SMS catalogue (`core.carriers.services`), with one template per
community and provider: a reminder call is the only call Mianhua places through them.
A receipt (Aliyun VoiceReport, Tencent's voice callback) ends the call's attempt through
the same rule as Twilio's reminder-call callback (`record_call_outcome`): answered is
delivered, unanswered is tried once more, and a repeat changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.carriers.models import Carrier
from core.carriers.services import CatalogueProblem
from core.carriers.variables import VARIABLE_SOURCES, FilledTemplate, MessageFacts, fill
from core.carriers.voice_models import VoiceTemplate
from core.context import Core
from core.messages.models import Message, MessageChannel

_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
#: What a receipt says of a call, in the words `record_call_outcome` takes.
CALL_OUTCOMES = frozenset({"completed", "busy", "no-answer", "failed"})


@dataclass(frozen=True)
class VoiceTemplateView:
    community_id: int
    provider: str
    template_code: str
    variables: tuple[str, ...]
    template_text: str = ""


@dataclass(frozen=True)
class CallReceipt:
    """What a provider pushed about one reminder call, in our words."""

    call_id: str  # the provider's id of the call (Aliyun CallId, Tencent callid)
    outcome: str  # one of CALL_OUTCOMES
    message_id: int | None = None  # our outbox id, where the provider hands it back (OutId)
    detail: str = ""  # the provider's own status code and words, for the log


def set_voice_template(
    core: Core,
    *,
    community_id: int,
    provider: str,
    template_code: str,
    variables: list[str],
    template_text: str = "",
) -> VoiceTemplateView | CatalogueProblem:
    """File the approved TTS template reminder calls are spoken in, with its variables."""
    if provider not in Carrier.__members__.values():
        return CatalogueProblem("provider", f"one of {', '.join(Carrier)}")
    if not _CODE.match(template_code):
        return CatalogueProblem("template_code", "letters, digits, _ . - (at most 40)")
    unknown = [name for name in variables if name not in VARIABLE_SOURCES]
    if unknown:
        known = ", ".join(VARIABLE_SOURCES)
        return CatalogueProblem("variables", f"unknown {', '.join(unknown)}; known: {known}")
    with core.db.transaction() as session:
        entry = _entry(session, community_id, provider)
        if entry is None:
            entry = VoiceTemplate(community_id=community_id, provider=provider)
            session.add(entry)
        entry.template_code = template_code
        entry.variables = list(variables)
        entry.template_text = template_text.strip()
        entry.updated_at = core.now()
        session.flush()
        return _view(entry)


def voice_template_of(core: Core, *, community_id: int, provider: str) -> VoiceTemplateView | None:
    with core.db.transaction() as session:
        entry = _entry(session, community_id, provider)
        return _view(entry) if entry is not None else None


def voice_template_for(
    session: Session, *, community_id: int, provider: str, facts: MessageFacts
) -> FilledTemplate | None:
    """The TTS template and values a reminder call is placed with; None when none is filed."""
    entry = _entry(session, community_id, provider)
    if entry is None:
        return None
    return FilledTemplate(
        provider=provider,
        sign_name="",  # calls carry no signature: the caller id is the provider's number
        template_code=entry.template_code,
        values=tuple(fill(tuple(entry.variables), facts)),
    )


def take_call_receipt(
    core: Core, *, communities: frozenset[int], receipt: CallReceipt
) -> str | None:
    """Move the reminder call this receipt is about; only calls of these communities
    (those on the provider whose push URL it came to: one URL serves them all).

    The call is found by the provider's call id (what the placer recorded as the row's
    sid); the outbox id, where given, must agree. Returns the row's new status, or None
    when nothing moved (a repeat, a late receipt, a call that is not ours)."""
    from core.messages.sending import record_call_outcome

    if receipt.outcome not in CALL_OUTCOMES or not receipt.call_id:
        return None
    with core.db.transaction() as session:
        message_id = session.scalar(
            select(Message.id).where(
                Message.provider_sid == receipt.call_id[:64],
                Message.channel == MessageChannel.VOICE,
                Message.community_id.in_(communities),
            )
        )
    if message_id is None or receipt.message_id not in (None, message_id):
        return None
    return record_call_outcome(
        core, message_id=message_id, call_sid=receipt.call_id[:64], call_status=receipt.outcome
    )


def _entry(session: Session, community_id: int, provider: str) -> VoiceTemplate | None:
    return session.scalar(
        select(VoiceTemplate).where(
            VoiceTemplate.community_id == community_id, VoiceTemplate.provider == provider
        )
    )


def _view(entry: VoiceTemplate) -> VoiceTemplateView:
    return VoiceTemplateView(
        entry.community_id,
        entry.provider,
        entry.template_code,
        tuple(entry.variables),
        entry.template_text,
    )
