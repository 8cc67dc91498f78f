"""Automatic call backs are never forgotten: a failed one is tried again within staff
hours, and after the last try, or when the number keeps failing, it goes to staff.

`finish_callback` (and the call back's own status callback) schedule the next try
with `schedule_retry`; the workers' periodic sweep asks `due_callback_retries` which
to ring now, and enqueues them after the commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core.calls.models import CallbackReason, CallbackState, VoiceCall
from core.calls.staff_callbacks import put_before_staff
from core.community.hours import StaffCalendar, calendar_of
from core.community.models import Community
from core.context import Core

#: Wait before the second and the third try; after the third, a person rings.
CALLBACK_RETRY_DELAYS = (timedelta(minutes=10), timedelta(minutes=30))
MAX_CALLBACK_TRIES = len(CALLBACK_RETRY_DELAYS) + 1
#: A promise left `requested` or `placing` this long lost its job (or its worker).
CALLBACK_STUCK_AFTER = timedelta(minutes=15)
#: A number whose last call back failed every try within this time is not rung again.
FAILING_WINDOW = timedelta(days=7)


def _number_keeps_failing(session: Session, call: VoiceCall, now: datetime) -> bool:
    earlier = session.scalar(
        select(VoiceCall.id)
        .where(
            VoiceCall.community_id == call.community_id,
            VoiceCall.phone == call.phone,
            VoiceCall.id != call.id,
            VoiceCall.callback_reason.in_(
                [CallbackReason.RETRIES_FAILED, CallbackReason.NUMBER_FAILING]
            ),
            VoiceCall.callback_since > now - FAILING_WINDOW,
        )
        .limit(1)
    )
    return earlier is not None


def schedule_retry(
    session: Session, call: VoiceCall, now: datetime, *, permanent: bool = False
) -> None:
    """After a failed try: when to try again, or hand it to staff (in the caller's transaction)."""
    if permanent or _number_keeps_failing(session, call, now):
        put_before_staff(session, call, CallbackReason.NUMBER_FAILING, now)
    elif call.callback_tries >= MAX_CALLBACK_TRIES:
        put_before_staff(session, call, CallbackReason.RETRIES_FAILED, now)
    else:
        call.callback_due_at = now + CALLBACK_RETRY_DELAYS[max(call.callback_tries, 1) - 1]


def due_callback_retries(core: Core) -> list[tuple[int, int]]:
    """(call id, tries so far) of the call backs to ring now; each is `requested` again."""
    now = core.now()
    stuck = now - CALLBACK_STUCK_AFTER
    due: list[tuple[int, int]] = []
    calendars: dict[int, StaffCalendar] = {}
    with core.db.transaction() as session:
        calls = session.scalars(
            select(VoiceCall)
            .where(
                or_(
                    and_(
                        VoiceCall.callback == CallbackState.FAILED,
                        VoiceCall.callback_due_at <= now,
                    ),
                    and_(
                        VoiceCall.callback.in_([CallbackState.REQUESTED, CallbackState.PLACING]),
                        VoiceCall.updated_at < stuck,
                    ),
                )
            )
            .order_by(VoiceCall.id)
            .limit(200)
        ).all()
        for call in calls:
            if call.callback == CallbackState.PLACING or (
                call.callback == CallbackState.REQUESTED and call.callback_tries
            ):
                # Its job or worker was lost mid-way: that try counts as failed.
                call.callback = CallbackState.FAILED
                schedule_retry(session, call, now)
                continue  # tried again after its delay, by a later sweep
            if call.community_id not in calendars:
                community = session.get_one(Community, call.community_id)
                calendars[call.community_id] = calendar_of(session, community)
            if not calendars[call.community_id].available(now):
                continue  # nobody rings residents outside staff hours
            call.callback = CallbackState.REQUESTED
            call.callback_due_at = None
            call.updated_at = now
            due.append((call.id, call.callback_tries))
    return due
