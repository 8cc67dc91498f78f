"""Asking residents to score a deal, and keeping what they said.

Before a deal opens, staff run a tasting: the tasting-team members who were given a
sample are asked by text to score it ("回1-5给样品打分，可加一句话"). After pickup, if the
community turns it on, residents are asked once about what they collected: by text, or,
for a landline, by a key in the phone menu the next time they call. No resident is
asked an after-pickup question more than once a week. Every question is a `Rating`
row; the answer fills it, once, keyed by the text (or call) that gave it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BindParameter, ColumnElement, Exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.accounts.services import audit
from core.community.models import Community
from core.context import Core
from core.deals.models import Deal, DealStatus
from core.i18n import t
from core.messages.models import MessageKind
from core.messages.outbox import queue_message
from core.orders.models import Order, OrderStatus
from core.residents.models import Resident
from core.residents.services import resident_by_phone
from core.tastings.models import Rating, RatingKind, Tasting, TastingPolicy
from core.teams.models import TeamKind
from core.teams.services import is_member

#: How long a question stays open for a bare "4" to answer it.
ANSWER_WINDOW = timedelta(days=3)
#: At most one after-pickup question per resident in this span.
PICKUP_QUESTION_EVERY = timedelta(days=7)
#: Orders collected this lately are asked about; older ones are left alone.
PICKUP_LOOKBACK = timedelta(days=3)
MAX_WORDS = 200


class TastingRefusal(enum.StrEnum):
    NOT_FOUND = "not_found"
    ALREADY_OPEN = "already_open"  # a tasting is for before the deal opens
    NOT_MEMBER = "not_member"  # only tasting-team members are asked
    NOBODY = "nobody"  # no resident chosen


@dataclass(frozen=True)
class TastingStarted:
    tasting_id: int
    asked: int  # residents newly asked (those asked before are not asked again)


@dataclass(frozen=True)
class ScoreRecorded:
    deal_title: str
    score: int
    kind: RatingKind
    again: bool = False  # the same text read twice: kept once


@acting()
def start_tasting(
    core: Core, *, community_id: int, deal_id: int, resident_ids: list[int], by: str
) -> TastingStarted | TastingRefusal:
    """Ask each tasting-team member given a sample of this (not yet open) deal to score it."""
    if not resident_ids:
        return TastingRefusal.NOBODY
    now = core.now()
    with core.db.transaction() as session:
        deal = session.get(Deal, deal_id)
        if deal is None or deal.community_id != community_id:
            return TastingRefusal.NOT_FOUND
        if deal.status != DealStatus.DRAFT:
            return TastingRefusal.ALREADY_OPEN
        for resident_id in resident_ids:
            if not is_member(
                session, community_id=community_id, resident_id=resident_id, team=TeamKind.TASTING
            ):
                return TastingRefusal.NOT_MEMBER
        tasting = session.scalar(select(Tasting).where(Tasting.deal_id == deal_id))
        if tasting is None:
            tasting = Tasting(community_id=community_id, deal_id=deal_id, started_by=by)
            session.add(tasting)
            session.flush()
        community = session.get(Community, community_id)
        asked = 0
        for resident_id in sorted(set(resident_ids)):
            resident = session.get(Resident, resident_id)
            if resident is None or _ask(session, community, resident, deal, RatingKind.SAMPLE,
                                        now, core) is None:  # fmt: skip
                continue
            asked += 1
        audit(session, actor=by, action="tasting.start", community_id=community_id,
              deal_id=deal_id, asked=asked)  # fmt: skip
        return TastingStarted(tasting.id, asked)


def _ask(
    session: Session,
    community: Community,
    resident: Resident,
    deal: Deal,
    kind: RatingKind,
    now: datetime,
    core: Core,
) -> Rating | None:
    """Write the question (its row, and its text for a phone that takes texts)."""
    by_voice = not resident.can_receive_sms and resident.landline
    try:
        with session.begin_nested():
            rating = Rating(
                community_id=community.id,
                deal_id=deal.id,
                resident_id=resident.id,
                kind=kind,
                channel="voice" if by_voice else "sms",
                asked_at=now,
            )
            session.add(rating)
    except IntegrityError:  # asked before: once is enough
        return None
    if not by_voice:  # a landline is asked by the phone menu when it calls
        key = "sms.tasting.ask" if kind == RatingKind.SAMPLE else "sms.tasting.pickup_ask"
        queue_message(
            session,
            community=community,
            resident=resident,
            body=t(resident.language, key, title=deal.title(resident.language)),
            kind=MessageKind.BROADCAST,
            now=now,
            quiet_hours=core.quiet_hours,
            deal_id=deal.id,
            dedupe_key=f"rating:{rating.id}",
        )
    return rating


def open_question(session: Session, resident_id: int, now: datetime) -> Rating | None:
    """The resident's latest unanswered score question still open, if any."""
    return session.scalar(
        select(Rating)
        .where(*_asked_since(resident_id, now - ANSWER_WINDOW))
        .order_by(Rating.asked_at.desc(), Rating.id.desc())
        .limit(1)
    )


def question_asked_since(
    resident_id: int | BindParameter[int], since: datetime | BindParameter[datetime]
) -> Exists:
    """Whether a score question asked since then is unanswered (`open_question` with
    `since` ANSWER_WINDOW ago), as an EXISTS, for a reader asking it with other
    questions in one statement (bound parameters welcome)."""
    return select(Rating.id).where(*_asked_since(resident_id, since)).exists()


def _asked_since(
    resident_id: int | BindParameter[int], since: datetime | BindParameter[datetime]
) -> tuple[ColumnElement[bool], ...]:
    return (Rating.resident_id == resident_id, Rating.score.is_(None), Rating.asked_at >= since)


def waiting_question(core: Core, *, community_id: int, phone: str) -> str | None:
    """The deal's title (in the resident's language) a score from this phone would be for."""
    waiting = question_waiting(core, community_id=community_id, phone=phone)
    return waiting[0] if waiting else None


def question_waiting(
    core: Core, *, community_id: int, phone: str
) -> tuple[str, RatingKind] | None:
    """The deal's title a score from this phone would be for, and whether it is a
    tasting's sample or what they collected (the phone menu asks each its own way)."""
    with core.db.transaction() as session:
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return None
        rating = open_question(session, resident.id, core.now())
        if rating is None:
            return None
        deal = session.get(Deal, rating.deal_id)
        return (deal.title(resident.language), RatingKind(rating.kind)) if deal else None


def record_score(
    core: Core,
    *,
    community_id: int,
    phone: str,
    score: int,
    words: str,
    key: str,
    channel: str = "sms",
) -> ScoreRecorded | None:
    """Keep the score (1-5) and words for the resident's open question; None if none is open.

    `key` is the provider's id of the text or call: the same answer read twice is kept once.
    """
    if not 1 <= score <= 5:
        raise ValueError(f"a score is 1-5, not {score}")
    with core.db.transaction() as session:
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return None
        again = session.scalar(select(Rating).where(Rating.answer_key == key))
        if again is not None:
            deal = session.get(Deal, again.deal_id)
            title = deal.title(resident.language) if deal else ""
            return ScoreRecorded(title, again.score or score, RatingKind(again.kind), again=True)
        rating = open_question(session, resident.id, core.now())
        if rating is None:
            return None
        rating.score = score
        rating.words = words.strip()[:MAX_WORDS]
        rating.scored_at = core.now()
        rating.answer_key = key
        rating.channel = channel
        deal = session.get(Deal, rating.deal_id)
        return ScoreRecorded(deal.title(resident.language) if deal else "", score,
                             RatingKind(rating.kind))  # fmt: skip


def asks_after_pickup(session: Session, community_id: int) -> bool:
    policy = session.get(TastingPolicy, community_id)
    return bool(policy and policy.ask_after_pickup)


@acting(by=None)
def pickup_question_on(core: Core, *, community_id: int) -> bool:
    """Whether the community asks residents about what they collected."""
    with core.db.transaction() as session:
        return asks_after_pickup(session, community_id)


@acting(admin=True)
def set_ask_after_pickup(core: Core, *, community_id: int, on: bool, by: str) -> bool:
    """Turn the after-pickup question on or off for the community; True if it changed."""
    with core.db.transaction() as session:
        policy = session.get(TastingPolicy, community_id)
        if policy is None:
            policy = TastingPolicy(community_id=community_id, ask_after_pickup=False)
            session.add(policy)
        changed = policy.ask_after_pickup != on
        policy.ask_after_pickup = on
        policy.updated_at = core.now()
        audit(session, actor=by, action="tasting.ask_after_pickup", community_id=community_id,
              on=on)  # fmt: skip
        return changed


def ask_after_pickup(core: Core) -> int:
    """The periodic work: ask about lately collected orders, once a week per resident at most.

    Returns how many questions were written.
    """
    now = core.now()
    written = 0
    with core.db.transaction() as session:
        communities = session.scalars(
            select(Community)
            .join(TastingPolicy, TastingPolicy.community_id == Community.id)
            .where(TastingPolicy.ask_after_pickup.is_(True))
        ).all()
        for community in communities:
            collected = session.execute(
                select(Order, Deal, Resident)
                .join(Deal, Deal.id == Order.deal_id)
                .join(Resident, Resident.id == Order.resident_id)
                .where(
                    Deal.community_id == community.id,
                    Order.status == OrderStatus.PICKED_UP,
                    Order.picked_up_at >= now - PICKUP_LOOKBACK,
                    Resident.opted_out.is_(False),
                )
                .order_by(Order.picked_up_at, Order.id)
            ).all()
            for _order, deal, resident in collected:
                if _asked_lately(session, resident.id, now):
                    continue
                if _ask(session, community, resident, deal, RatingKind.PICKUP, now, core):
                    written += 1
                    session.flush()
    return written


def _asked_lately(session: Session, resident_id: int, now: datetime) -> bool:
    return (
        session.scalar(
            select(Rating.id).where(
                Rating.resident_id == resident_id,
                Rating.kind == RatingKind.PICKUP,
                Rating.asked_at > now - PICKUP_QUESTION_EVERY,
            )
        )
        is not None
    )
