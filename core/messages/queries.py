"""Reading the message log: for the console's log page and the simulator's chat view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.context import Core
from core.deals.models import Deal
from core.messages.models import Direction, Message, MessageStatus
from core.phones import try_normalize_phone
from core.residents.models import Resident

PAGE = 100
#: What the log's status filter offers, in the order a message goes through them.
PROBLEM_STATUSES = (MessageStatus.FAILED, MessageStatus.UNDELIVERED)


@dataclass(frozen=True)
class LoggedMessage:
    id: int
    at: datetime
    direction: str
    channel: str
    phone: str
    resident_name: str | None
    body: str
    kind: str
    status: str
    segments: int
    error_code: str | None
    error_detail: str | None
    deal_number: int | None
    provider_sid: str | None
    inline: bool
    not_before: datetime | None
    sent_at: datetime | None

    @property
    def inbound(self) -> bool:
        return self.direction == Direction.INBOUND


@dataclass(frozen=True)
class MessageLog:
    messages: list[LoggedMessage]
    total: int
    page: int
    pages: int
    by_status: dict[str, int]


def _rows(session: Session, statement: Select[tuple[Message]]) -> list[LoggedMessage]:
    rows = session.execute(
        statement.add_columns(Resident.name, Deal.number)
        .outerjoin(Resident, Resident.id == Message.resident_id)
        .outerjoin(Deal, Deal.id == Message.deal_id)
    ).all()
    return [
        LoggedMessage(
            id=m.id,
            at=m.created_at,
            direction=m.direction,
            channel=m.channel,
            phone=m.phone,
            resident_name=name,
            body=m.body,
            kind=m.kind,
            status=m.status,
            segments=m.segments,
            error_code=m.error_code,
            error_detail=m.error_detail,
            deal_number=number,
            provider_sid=m.provider_sid,
            inline=m.inline,
            not_before=m.not_before,
            sent_at=m.sent_at,
        )
        for m, name, number in rows
    ]


@acting(by=None)
def message_log(
    core: Core,
    *,
    community_id: int,
    status: str = "",
    kind: str = "",
    phone: str = "",
    page: int = 1,
) -> MessageLog:
    """Newest first, filtered by status (`problems` = failed or undelivered), kind or phone."""
    where = [Message.community_id == community_id]
    if status == "problems":
        where.append(Message.status.in_([s.value for s in PROBLEM_STATUSES]))
    elif status:
        where.append(Message.status == status)
    if kind:
        where.append(Message.kind == kind)
    if phone.strip():
        e164 = try_normalize_phone(phone)
        where.append(
            Message.phone == e164
            if e164
            else Message.phone.contains(phone.strip(), autoescape=True)
        )
    page = max(page, 1)
    with core.db.transaction() as session:
        total = int(session.scalar(select(func.count(Message.id)).where(*where)) or 0)
        statuses = dict(
            session.execute(
                select(Message.status, func.count())
                .where(Message.community_id == community_id)
                .group_by(Message.status)
            ).all()
        )
        messages = _rows(
            session,
            select(Message)
            .where(*where)
            .order_by(Message.id.desc())
            .limit(PAGE)
            .offset((page - 1) * PAGE),
        )
        return MessageLog(
            messages=messages,
            total=total,
            page=page,
            pages=max(1, -(-total // PAGE)),
            by_status={k: int(v) for k, v in statuses.items()},
        )


@acting(by=None)
def conversation(
    core: Core,
    *,
    community_id: int,
    phone: str,
    after_id: int = 0,
    limit: int | None = 200,
) -> list[LoggedMessage]:
    """Everything to and from one number, oldest first: the simulator's chat view
    (its newest `limit`), and the help inbox's whole conversation (`limit=None`).

    Rows already shown (id <= after_id) are left out; rows whose status moved on are
    not, so callers that want live statuses ask again from 0.
    """
    e164 = try_normalize_phone(phone) or phone
    with core.db.transaction() as session:
        newest = _rows(
            session,
            select(Message)
            .where(
                Message.community_id == community_id,
                Message.phone == e164,
                Message.id > after_id,
            )
            .order_by(Message.id.desc())
            .limit(limit),
        )
        return list(reversed(newest))
