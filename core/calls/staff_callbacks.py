"""Call backs that wait for a person: asked for out of hours, a transfer nobody answered,
an unknown caller who wants to register, automatic call backs that all failed.

Each lives on the VoiceCall row of the call that asked (`callback = needs_staff`,
with its reason and since when), so a retried webhook asks once. Staff see one entry
per phone: a caller who rings three times in the night is one call to make, and
marking it done settles all three. Staff see them (`callbacks_for_staff`) and mark them
done (`mark_callback_done`); the help inbox lists and acts on the same two calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.accounts.services import audit
from core.calls.models import CallbackReason, CallbackState, CallStatus, VoiceCall
from core.community.hours import calendar_of
from core.community.models import Community
from core.context import Core
from core.deals.models import UNFINISHED, Deal
from core.formatting import dial_form
from core.orders.models import Order, OrderStatus
from core.phones import try_normalize_phone
from core.residents.models import Resident
from core.residents.services import resident_by_phone

#: Closer to closing time than this, a call back is promised from the next opening.
LAST_PROMISE_BEFORE_CLOSING = timedelta(minutes=30)


@dataclass(frozen=True)
class CallbackPromise:
    """What the caller is told: a person rings back by `by` (in hours) or from `from_`."""

    call_id: int
    reason: CallbackReason
    from_: datetime | None  # the next opening, when nobody is there now
    by: datetime | None  # the end of the staff hours now running
    phone_known: bool  # False: no caller id, so nobody can ring back


@dataclass(frozen=True)
class CallbackOrder:
    deal_number: int
    title_zh: str
    quantity: int
    unit: str


@dataclass(frozen=True)
class CallbackView:
    """One waiting call back, as staff need it to ring the caller."""

    id: int
    phone: str  # E.164, for links
    dial: str  # as residents dial it: 139 1234 5678
    resident_id: int | None
    name: str | None
    address: str | None  # 3-2-401
    orders: tuple[CallbackOrder, ...]
    reason: str  # the latest request's
    since: datetime  # the first request's
    tries: int  # automatic call backs tried, in all
    error: str | None
    requests: int  # calls that asked


def put_before_staff(
    session: Session, call: VoiceCall, reason: CallbackReason, now: datetime
) -> VoiceCall:
    """Hand a call back to staff, in the caller's transaction.

    Asking again keeps the first "since" and takes the latest reason (a transfer
    nobody answered says more than the earlier "ring me back").
    """
    if call.callback != CallbackState.NEEDS_STAFF:
        call.callback = CallbackState.NEEDS_STAFF
        call.callback_since = now
        call.callback_due_at = None
    call.callback_reason = reason
    call.updated_at = now
    return call


def request_staff_callback(
    core: Core, *, community_id: int, call_sid: str, phone: str, reason: CallbackReason
) -> CallbackPromise:
    """Record that a person must ring this caller back, and say when they can expect it.

    Asking again in the same call (a retried step, a second silence) changes nothing.
    """
    now = core.now()
    e164 = try_normalize_phone(phone)
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        call = session.scalar(select(VoiceCall).where(VoiceCall.call_sid == call_sid))
        if call is None:  # a step whose start was never recorded: record it now
            resident = resident_by_phone(session, community_id, phone)
            call = VoiceCall(
                call_sid=call_sid,
                community_id=community_id,
                resident_id=resident.id if resident else None,
                phone=e164 or phone[:40],
                status=CallStatus.IN_PROGRESS,
                created_at=now,
                updated_at=now,
            )
            session.add(call)
            session.flush()
        if e164 is not None:
            if try_normalize_phone(call.phone) is None:
                call.phone = e164  # no caller id: the number the caller typed
            call = put_before_staff(session, call, reason, now)
        calendar = calendar_of(session, community)
        closing = calendar.closing(now)
        why = CallbackReason(call.callback_reason or reason)
        if closing is not None and closing - now >= LAST_PROMISE_BEFORE_CLOSING:
            return CallbackPromise(call.id, why, None, closing, e164 is not None)
        # Closed, or closing too soon to promise "today": from the next opening on.
        opening = calendar.next_opening(closing or now)
        return CallbackPromise(call.id, why, opening, None, e164 is not None)


def transfer_failed_in_call(core: Core, *, call_sid: str) -> bool:
    """Whether this call was put through once and nobody answered (so it is not rung again)."""
    with core.db.transaction() as session:
        row = session.execute(
            select(VoiceCall.callback, VoiceCall.callback_reason).where(
                VoiceCall.call_sid == call_sid
            )
        ).first()
        return row is not None and tuple(row) == (
            CallbackState.NEEDS_STAFF,
            CallbackReason.NO_ANSWER,
        )


@acting(by=None)
def waiting_callbacks(core: Core, *, community_id: int) -> int:
    """How many call backs wait for a person (the dashboard's count)."""
    with core.db.transaction() as session:
        count = session.scalar(
            select(func.count(func.distinct(VoiceCall.phone))).where(
                VoiceCall.community_id == community_id,
                VoiceCall.callback == CallbackState.NEEDS_STAFF,
            )
        )
        return int(count or 0)


@acting(by=None)
def callbacks_for_staff(core: Core, *, community_id: int) -> list[CallbackView]:
    """Every call back waiting for a person, the longest-waiting first."""
    with core.db.transaction() as session:
        calls = session.scalars(
            select(VoiceCall)
            .where(
                VoiceCall.community_id == community_id,
                VoiceCall.callback == CallbackState.NEEDS_STAFF,
            )
            .order_by(VoiceCall.callback_since, VoiceCall.id)
        ).all()
        phones = {c.phone for c in calls}
        residents = {
            r.phone: r
            for r in session.scalars(
                select(Resident).where(
                    Resident.community_id == community_id, Resident.phone.in_(phones)
                )
            )
        }
        orders = _orders_of(session, [r.id for r in residents.values()])
        by_phone: dict[str, list[VoiceCall]] = {}
        for call in calls:
            by_phone.setdefault(call.phone, []).append(call)
        views = []
        for phone, asked in by_phone.items():
            first, latest = asked[0], asked[-1]
            resident = residents.get(phone)
            views.append(
                CallbackView(
                    id=first.id,
                    phone=phone,
                    dial=dial_form(phone),
                    resident_id=resident.id if resident else None,
                    name=resident.name if resident else None,
                    address=resident.address if resident else None,
                    orders=orders.get(resident.id, ()) if resident else (),
                    reason=latest.callback_reason or CallbackReason.OUT_OF_HOURS,
                    since=first.callback_since or first.created_at,
                    tries=sum(c.callback_tries for c in asked),
                    error=next((c.callback_error for c in asked[::-1] if c.callback_error), None),
                    requests=len(asked),
                )
            )
        return views


def _orders_of(session: Session, resident_ids: list[int]) -> dict[int, tuple[CallbackOrder, ...]]:
    if not resident_ids:
        return {}
    rows = session.execute(
        select(Order.resident_id, Deal.number, Deal.title_zh, Order.quantity, Deal.unit)
        .join(Deal, Deal.id == Order.deal_id)
        .where(
            Order.resident_id.in_(resident_ids),
            Order.status == OrderStatus.PLACED,
            Deal.status.in_([s.value for s in UNFINISHED]),
        )
        .order_by(Deal.number)
    ).all()
    found: dict[int, tuple[CallbackOrder, ...]] = {}
    for resident_id, number, title, quantity, unit in rows:
        order = CallbackOrder(number, title, quantity, unit)
        found[resident_id] = (*found.get(resident_id, ()), order)
    return found


@acting()
def mark_callback_done(
    core: Core, *, community_id: int, callback_id: int, by: str
) -> bool | None:
    """A staff member rang the caller back: every waiting request of that phone is settled.

    False when it was settled already (a second click); None when this community
    has no such call back (another community's ids reveal nothing).
    """
    now = core.now()
    with core.db.transaction() as session:
        call = session.get(VoiceCall, callback_id)
        if call is None or call.community_id != community_id or call.callback is None:
            return None
        if call.callback != CallbackState.NEEDS_STAFF:
            return False
        settled = session.execute(
            update(VoiceCall)
            .where(
                VoiceCall.community_id == community_id,
                VoiceCall.phone == call.phone,
                VoiceCall.callback == CallbackState.NEEDS_STAFF,
            )
            .values(
                callback=CallbackState.DONE,
                callback_done_by=by[:50],
                callback_done_at=now,
                updated_at=now,
            )
        ).rowcount
        audit(
            session,
            actor=by,
            action="callback.done",
            community_id=community_id,
            call_id=call.id,
            requests=settled,
        )
        return True
