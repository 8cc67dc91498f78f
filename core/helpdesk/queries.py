"""Reading the help inbox: who waits, since when, for what, and the whole conversation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from core.accounts.acting import acting
from core.context import Core
from core.conversations.holds import Hold, holds_in
from core.helpdesk.models import HelpRequest, HelpStatus
from core.messages.models import Message
from core.messages.queries import LoggedMessage, conversation
from core.orders.services import resident_orders
from core.residents.models import Resident
from core.residents.services import ResidentView
from core.results import OrderView

#: How long a done item stays on the inbox page, for a colleague to see it was handled.
RECENTLY_DONE = timedelta(days=7)
DONE_SHOWN = 50


@dataclass(frozen=True)
class HelpItem:
    id: int
    phone: str
    reason: str
    status: str
    resident: ResidentView | None  # the resident of that phone now (None: unknown number)
    latest_text: str | None
    latest_at: datetime | None
    created_at: datetime
    updated_at: datetime
    waiting_since: datetime | None
    answered_at: datetime | None
    answered_by: str | None
    done_at: datetime | None
    done_by: str | None
    held_until: datetime | None  # the phone is held back (a flood) until then
    waited: timedelta | None  # how long the resident has waited for a person, when she does

    @property
    def is_open(self) -> bool:
        return self.status == HelpStatus.OPEN

    @property
    def is_waiting(self) -> bool:
        return self.is_open and self.waiting_since is not None

    @property
    def unknown_caller(self) -> bool:
        return self.resident is None


@dataclass(frozen=True)
class HelpInbox:
    waiting: list[HelpItem]  # oldest wait first: who has waited longest is answered first
    answered: list[HelpItem]  # open, answered, not marked done yet
    done: list[HelpItem]  # done within RECENTLY_DONE, newest first
    now: datetime


@dataclass(frozen=True)
class HelpItemDetail:
    item: HelpItem
    conversation: list[LoggedMessage]  # every text in and out of that phone, oldest first
    orders: list[OrderView]  # the resident's current orders
    hold: Hold | None


def _items(
    session: Session, statement: Select[tuple[HelpRequest]], community_id: int, now: datetime
) -> list[HelpItem]:
    latest = aliased(Message)
    rows = session.execute(
        statement.add_columns(Resident, latest.body, latest.created_at)
        .outerjoin(
            Resident,
            and_(
                Resident.community_id == HelpRequest.community_id,
                Resident.phone == HelpRequest.phone,
            ),
        )
        .outerjoin(latest, latest.id == HelpRequest.latest_message_id)
    ).all()
    held = {h.phone: h.until for h in holds_in(session, community_id=community_id, now=now)}
    return [
        HelpItem(
            id=item.id,
            phone=item.phone,
            reason=item.reason,
            status=item.status,
            resident=ResidentView.of(resident) if resident is not None else None,
            latest_text=body,
            latest_at=at,
            created_at=item.created_at,
            updated_at=item.updated_at,
            waiting_since=item.waiting_since,
            answered_at=item.answered_at,
            answered_by=item.answered_by,
            done_at=item.done_at,
            done_by=item.done_by,
            held_until=held.get(item.phone),
            waited=None
            if item.waiting_since is None
            else max(now - item.waiting_since, timedelta(0)),
        )
        for item, resident, body, at in rows
    ]


@acting(by=None)
def help_inbox(core: Core, *, community_id: int) -> HelpInbox:
    """The open items (waiting, then answered) and the recently done ones."""
    now = core.now()
    mine = HelpRequest.community_id == community_id
    with core.db.transaction() as session:
        open_items = _items(
            session,
            select(HelpRequest)
            .where(mine, HelpRequest.status == HelpStatus.OPEN)
            .order_by(HelpRequest.waiting_since, HelpRequest.updated_at.desc()),
            community_id,
            now,
        )
        done = _items(
            session,
            select(HelpRequest)
            .where(
                mine,
                HelpRequest.status == HelpStatus.DONE,
                HelpRequest.done_at >= now - RECENTLY_DONE,
            )
            .order_by(HelpRequest.done_at.desc())
            .limit(DONE_SHOWN),
            community_id,
            now,
        )
    waiting = [i for i in open_items if i.is_waiting]
    answered = sorted(
        (i for i in open_items if not i.is_waiting), key=lambda i: i.updated_at, reverse=True
    )
    return HelpInbox(waiting=waiting, answered=answered, done=done, now=now)


@acting(by=None)
def waiting_count(core: Core, *, community_id: int) -> int:
    """How many residents wait for a person: the figure on the dashboard and in the menu."""
    with core.db.transaction() as session:
        return int(
            session.scalar(
                select(func.count(HelpRequest.id)).where(
                    HelpRequest.community_id == community_id,
                    HelpRequest.status == HelpStatus.OPEN,
                    HelpRequest.waiting_since.is_not(None),
                )
            )
            or 0
        )


@acting(by=None)
def open_item_for(core: Core, *, community_id: int, phone: str) -> HelpItem | None:
    """This phone's open item, if it has one: for the resident's page."""
    now = core.now()
    with core.db.transaction() as session:
        found = _items(
            session,
            select(HelpRequest).where(
                HelpRequest.community_id == community_id, HelpRequest.open_phone == phone
            ),
            community_id,
            now,
        )
    return found[0] if found else None


@acting(by=None)
def help_item(core: Core, *, community_id: int, item_id: int) -> HelpItemDetail | None:
    """One item with the whole conversation of that phone and the resident's orders."""
    now = core.now()
    with core.db.transaction() as session:
        found = _items(
            session,
            select(HelpRequest).where(
                HelpRequest.id == item_id, HelpRequest.community_id == community_id
            ),
            community_id,
            now,
        )
        if not found:
            return None
        item = found[0]
        held = holds_in(session, community_id=community_id, now=now, phone=item.phone)
    orders = resident_orders(core, community_id=community_id, phone=item.phone)
    return HelpItemDetail(
        item=item,
        conversation=conversation(core, community_id=community_id, phone=item.phone, limit=None),
        orders=orders if isinstance(orders, list) else [],
        hold=held[0] if held else None,
    )
