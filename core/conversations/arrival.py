"""What a text's reading starts from: the text, the dialog so far, the resident, the
deals and her orders, gathered in the transaction the reading runs in.

The first step of core.conversations.reading: the worker's `oldest_waiting` finds the
phone's oldest text with its conversation row and the resident in one statement, and
`arrive_waiting` reads it on those rows; `arrive` (and `begin_reading`, in a transaction
of its own) looks them up, for a text read again step by step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, false, select
from sqlalchemy.orm import Session

from core.context import Core
from core.conversations.inbox import OLDEST_WAITING, PendingText
from core.conversations.models import Conversation, InboxText
from core.conversations.services import (
    Dialog,
    Hold,
    conversation_for,
    live_dialog,
    new_conversation,
    note_arrival,
)
from core.deals.models import UNFINISHED, Deal, DealStatus
from core.joined import in_one_transaction
from core.messages.lateness import note_reading
from core.orders.models import Order
from core.orders.once import note_new_key
from core.orders.preview import is_cancellable
from core.orders.rules import loaded_her_orders, loaded_unfinished
from core.phones import try_normalize_phone
from core.residents.models import Resident
from core.residents.services import ResidentView, found_by_phone
from core.results import DealView, OrderView
from core.tastings.services import ANSWER_WINDOW, question_asked_since
from core.teams.services import REPLY_WINDOW, team_message_since


@dataclass(frozen=True)
class Arrival:
    """One text about to be read, with what its reading needs to know of the core."""

    text: PendingText
    dialog: Dialog
    hold: Hold
    resident: ResidentView | None
    open_deals: tuple[DealView, ...]  # taking orders now, by number
    closed_deals: tuple[DealView, ...]  # unfinished, not draft, not taking orders
    cancellable: tuple[OrderView, ...]  # the resident's orders that can still change
    # What the teams' part reads the text in the light of (core.teams, core.tastings).
    team_message_lately: bool = False  # a team message reached this resident lately
    score_waits: bool = False  # a score question waits: "4 很甜" is its answer

    @property
    def key(self) -> str:
        """The idempotency key of actions this text triggers: the provider's message id."""
        return self.text.provider_sid or f"sms-message:{self.text.message_id}"


def begin_reading(core: Core, *, community_id: int, phone: str, text: PendingText) -> Arrival:
    """Count the text against the flood rules and gather what the dialog reads it with."""
    with core.db.transaction() as session:
        return arrive(session, core.now(), community_id, phone, text).arrival


@dataclass(frozen=True)
class Arrived:
    """What `arrive` found, for `leave` in the same transaction: the arrival, the phone's
    conversation row (under the phone's lock) and the resident's row (or None: a
    stranger)."""

    arrival: Arrival
    conversation: Conversation
    resident: Resident | None


@dataclass(frozen=True)
class Waiting:
    """The phone's oldest text not yet read, whether others wait behind it, and the rows
    its reading starts from, all found by one statement (`oldest_waiting`)."""

    text: PendingText
    more: bool
    conversation: Conversation | None  # None: the phone's first text
    resident: Resident | None  # None: a stranger
    teams_part: dict[str, bool]


def oldest_waiting(
    session: Session, now: datetime, community_id: int, phone: str
) -> Waiting | None:
    """The phone's oldest unread text with its conversation row and the texting resident,
    in a transaction that holds the phone's lock (`phone_turn`): one statement.

    The conversation row is read without a row lock of its own: every writer of it holds
    the phone's lock (the readers, and staff lifting a hold: core.conversations.holds).
    """
    row = session.execute(
        _OLDEST_WITH_ROWS,
        {
            "community_id": community_id,
            "phone": phone,
            "e164": try_normalize_phone(phone),  # None: no resident matches
            **_teams_since(now),
        },
    ).first()
    if row is None:
        return None
    *fields, acted, waiting, conversation, resident, lately, waits = row
    teams_part: dict[str, bool] = {}
    if resident is not None:
        found_by_phone(session, resident)
        teams_part = {"team_message_lately": bool(lately), "score_waits": bool(waits)}
    return Waiting(
        PendingText(*fields, acted=acted), waiting > 1, conversation, resident, teams_part
    )


def arrive_waiting(
    session: Session, now: datetime, community_id: int, phone: str, waiting: Waiting
) -> Arrived:
    """`arrive` for the text `oldest_waiting` found, on the rows it found with it."""
    conversation = waiting.conversation or new_conversation(session, community_id, phone, now)
    return _arrive(
        session, now, community_id, waiting.text, conversation, waiting.resident,
        waiting.teams_part,
    )  # fmt: skip


def arrive(
    session: Session, now: datetime, community_id: int, phone: str, text: PendingText
) -> Arrived:
    """`begin_reading` inside a transaction the caller holds, with the rows `leave` reuses."""
    conversation = conversation_for(session, community_id, phone, now)
    resident, teams_part = _resident_and_teams_part(session, community_id, phone, now)
    return _arrive(session, now, community_id, text, conversation, resident, teams_part)


def _arrive(
    session: Session,
    now: datetime,
    community_id: int,
    text: PendingText,
    conversation: Conversation,
    resident: Resident | None,
    teams_part: dict[str, bool],
) -> Arrived:
    phone = conversation.phone
    if in_one_transaction(session) and conversation in session:
        # Held out of the session until `leave` (a new phone's row is not in it yet): what
        # the arrival and the dialog change of it is written once, by leave, not flushed
        # half-way by the use case.
        session.expunge(conversation)
    note_reading(session, phone=phone, received_at=text.received_at, spooled_at=text.spooled_at)
    if text.acted is False and text.provider_sid:  # asked with the text: not again
        note_new_key(session, text.provider_sid)
    with session.no_autoflush:  # the arrival is written once, with the reply, at the end
        dialog = live_dialog(conversation, now)
        hold = note_arrival(session, conversation, text, now)
        deals, orders = _deals_and_orders(session, community_id, resident, now)
        taking = [d for d in deals if d.is_taking_orders(now)]
        others = [d for d in deals if d.status != DealStatus.DRAFT and d not in taking]
        arrival = Arrival(
            text=text,
            dialog=dialog,
            hold=hold,
            resident=ResidentView.of(resident) if resident is not None else None,
            open_deals=tuple(DealView.of(d) for d in taking),
            closed_deals=tuple(DealView.of(d) for d in others),
            cancellable=tuple(orders),
            **teams_part,
        )
    return Arrived(arrival, conversation, resident)


def _resident_and_teams_part(
    session: Session, community_id: int, phone: str, now: datetime
) -> tuple[Resident | None, dict[str, bool]]:
    """The texting resident (None: a stranger), and what the teams' part reads her text in
    the light of (a team message reached her lately, a score question of hers waits),
    asked in one statement."""
    e164 = try_normalize_phone(phone)
    if e164 is None:
        return None, {}
    row = session.execute(
        _RESIDENT_AND_TEAMS_PART, {"community_id": community_id, "phone": e164, **_teams_since(now)}
    ).first()
    if row is None:
        return None, {}
    resident, lately, waits = row
    found_by_phone(session, resident)
    return resident, {"team_message_lately": bool(lately), "score_waits": bool(waits)}


def _teams_since(now: datetime) -> dict[str, datetime]:
    """The bound moments of `_TEAMS_PART`."""
    return {"team_since": now - REPLY_WINDOW, "asked_since": now - ANSWER_WINDOW}


# Built once (run for every text read; a statement object is cheaper to run again than
# to build, its cache key kept): the teams' part, the text with its rows, and the deals
# with the resident's orders.
_TEAMS_PART = (
    team_message_since(Resident.id, bindparam("team_since")),
    question_asked_since(Resident.id, bindparam("asked_since")),
)
_RESIDENT_AND_TEAMS_PART = select(Resident, *_TEAMS_PART).where(
    Resident.community_id == bindparam("community_id"), Resident.phone == bindparam("phone")
)
# The conversation and the resident are one row each at most (unique on the community
# and the phone), so joining them keeps the count of waiting texts.
_OLDEST_WITH_ROWS = (
    OLDEST_WAITING.outerjoin(
        Conversation,
        and_(
            Conversation.community_id == InboxText.community_id,
            Conversation.phone == InboxText.phone,
        ),
    )
    .outerjoin(
        Resident,
        and_(
            Resident.community_id == InboxText.community_id,
            Resident.phone == bindparam("e164", type_=Resident.phone.type),
        ),
    )
    .add_columns(Conversation, Resident, *_TEAMS_PART)
)
_RESIDENT = bindparam("resident_id")
_UNFINISHED_DEALS = (
    select(Deal, Order)
    .where(
        Deal.community_id == bindparam("community_id"),
        Deal.status.in_([s.value for s in UNFINISHED]),
    )
    .order_by(Deal.number, Deal.id)
)
# Her orders of every status (one a deal at most): the placed ones may change, and a deal
# with none of hers needs no lookup to be ordered (`loaded_her_orders`).
_WITH_HER_ORDERS = _UNFINISHED_DEALS.outerjoin(
    Order, and_(Order.deal_id == Deal.id, Order.resident_id == _RESIDENT)
)
_WITH_NO_ORDERS = _UNFINISHED_DEALS.outerjoin(Order, false())


def _deals_and_orders(
    session: Session, community_id: int, resident: Resident | None, now: datetime
) -> tuple[list[Deal], list[OrderView]]:
    """The unfinished deals by number, and of them the resident's orders that may still
    change (core.orders.preview's rule): one query, the deals joined to her orders."""
    if resident is not None:
        rows = session.execute(
            _WITH_HER_ORDERS, {"community_id": community_id, "resident_id": resident.id}
        ).all()
    else:
        rows = session.execute(_WITH_NO_ORDERS, {"community_id": community_id}).all()
    deals = list(dict.fromkeys(deal for deal, _order in rows))
    loaded_unfinished(session, community_id, deals)
    if resident is not None:
        loaded_her_orders(session, resident.id, deals, [o for _d, o in rows if o is not None])
    orders = [
        OrderView.of(order, deal)
        for deal, order in rows
        if order is not None and is_cancellable(order, deal, now)
    ]
    return deals, orders
