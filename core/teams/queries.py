"""The team pages' read side: members and leader, and what the team did.

Surveys recorded and visits made are counted straight from the price survey's and
the supplier directory's tables (core/prices, core/suppliers).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.context import Core
from core.deals.models import Deal, DealStatus
from core.prices.models import PriceObservation
from core.residents.models import Resident
from core.suppliers.models import InspectionVisit
from core.tastings.queries import TastingLine, tastings
from core.teams.access import leader_acting, leader_login_of
from core.teams.models import BargainNote, Team, TeamKind, TeamMember, TeamMessage, TeamReply
from core.teams.services import team_of


@dataclass(frozen=True)
class Member:
    resident_id: int
    name: str
    phone: str
    address: str
    joined_at: datetime
    added_by: str
    is_leader: bool


@dataclass(frozen=True)
class Bargain:
    deal_id: int
    deal_number: int
    title_zh: str
    title_en: str
    asked_fen: int
    agreed_fen: int
    note: str
    recorded_by: str
    at: datetime


@dataclass(frozen=True)
class SentMessage:
    body: str
    sent_by: str
    at: datetime
    recipients: int
    replies: int


@dataclass(frozen=True)
class TeamSummary:
    kind: TeamKind
    members: int
    leader: str | None


@dataclass(frozen=True)
class TeamPage:
    kind: TeamKind
    members: tuple[Member, ...]
    leader: Member | None
    messages: tuple[SentMessage, ...]
    bargains: tuple[Bargain, ...] = ()
    tastings: tuple[TastingLine, ...] = ()
    surveys: int | None = None  # price observations recorded by members; None: another team
    visits: int | None = None  # inspection visits made; None: another team
    draft_deals: tuple[tuple[int, int, str], ...] = ()  # (id, number, title): to taste
    deals: tuple[tuple[int, int, str], ...] = ()  # (id, number, title): to note a bargain on
    leader_login: str | None = None  # the username of the leader's console login, if any


@acting(by=None)
def teams_overview(core: Core, *, community_id: int) -> list[TeamSummary]:
    with core.db.transaction() as session:
        found = []
        for kind in TeamKind:
            team = team_of(session, community_id, kind)
            count = session.scalar(
                select(func.count(TeamMember.id)).where(TeamMember.team_id == team.id)
            )
            leader = (
                session.get(Resident, team.leader_resident_id) if team.leader_resident_id else None
            )
            found.append(TeamSummary(kind, count or 0, leader.name if leader else None))
        return found


@leader_acting(by=None)
def team_page(core: Core, *, community_id: int, team: TeamKind) -> TeamPage:
    with core.db.transaction() as session:
        row = team_of(session, community_id, team)
        members = tuple(
            Member(
                r.id,
                r.name,
                r.phone,
                r.address,
                m.joined_at,
                m.added_by,
                r.id == row.leader_resident_id,
            )
            for m, r in session.execute(
                select(TeamMember, Resident)
                .join(Resident, Resident.id == TeamMember.resident_id)
                .where(TeamMember.team_id == row.id)
                .order_by(TeamMember.joined_at, TeamMember.id)
            )
        )
        replies = dict(
            session.execute(
                select(TeamReply.team_message_id, func.count(TeamReply.id))
                .where(TeamReply.team_id == row.id)
                .group_by(TeamReply.team_message_id)
            ).all()
        )
        messages = tuple(
            SentMessage(m.body, m.sent_by, m.created_at, m.recipients, replies.get(m.id, 0))
            for m in session.scalars(
                select(TeamMessage)
                .where(TeamMessage.team_id == row.id)
                .order_by(TeamMessage.created_at.desc())
                .limit(20)
            )
        )
        member_ids = [m.resident_id for m in members]
        page = TeamPage(
            kind=team,
            members=members,
            leader=next((m for m in members if m.is_leader), None),
            messages=messages,
            bargains=_bargains(session, row) if team == TeamKind.BARGAINING else (),
            surveys=_surveys(session, member_ids, community_id)
            if team == TeamKind.PRICE_SURVEY
            else None,
            visits=_visits(session, community_id)
            if team == TeamKind.FARM_INSPECTION
            else None,
            draft_deals=_deals(session, community_id, (DealStatus.DRAFT,))
            if team == TeamKind.TASTING
            else (),
            deals=_deals(session, community_id, tuple(DealStatus))
            if team == TeamKind.BARGAINING
            else (),
            leader_login=leader_login_of(
                session, community_id=community_id, resident_id=row.leader_resident_id
            )
            if row.leader_resident_id
            else None,
        )
    if team == TeamKind.TASTING:
        return replace(page, tastings=tuple(tastings(core, community_id=community_id)))
    return page


def _bargains(session: Session, team: Team) -> tuple[Bargain, ...]:
    rows = session.execute(
        select(BargainNote, Deal)
        .join(Deal, Deal.id == BargainNote.deal_id)
        .where(BargainNote.team_id == team.id)
        .order_by(BargainNote.created_at.desc())
    ).all()
    return tuple(
        Bargain(
            d.id,
            d.number,
            d.title_zh,
            d.title_en,
            b.asked_fen,
            b.agreed_fen,
            b.note,
            b.recorded_by,
            b.created_at,
        )
        for b, d in rows
    )


def _deals(
    session: Session, community_id: int, statuses: tuple[str, ...]
) -> tuple[tuple[int, int, str], ...]:
    rows = session.execute(
        select(Deal.id, Deal.number, Deal.title_zh)
        .where(Deal.community_id == community_id, Deal.status.in_(statuses))
        .order_by(Deal.created_at.desc())
        .limit(50)
    ).all()
    return tuple((i, n, title) for i, n, title in rows)


def _surveys(session: Session, member_ids: list[int], community_id: int) -> int:
    """Price observations the team's members recorded in this community."""
    return (
        session.scalar(
            select(func.count())
            .select_from(PriceObservation)
            .where(
                PriceObservation.community_id == community_id,
                PriceObservation.resident_id.in_(member_ids),
            )
        )
        or 0
    )


def _visits(session: Session, community_id: int) -> int:
    """Inspection visits in this community; a visit names no member, so all are the team's."""
    return (
        session.scalar(
            select(func.count())
            .select_from(InspectionVisit)
            .where(InspectionVisit.community_id == community_id)
        )
        or 0
    )
