"""Joining, leaving and leading a team, its messages and its bargaining notes.

Residents join and leave by text (the SMS channel calls `join_team`/`leave_team` with
the phone it read); staff add, remove and name the leader from the console, scoped to
the community they act in (`@acting`). A team message is one outbox row per member,
so quiet hours, the carriers' caps and opt-outs hold for it as for every text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BindParameter, Exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.accounts.services import audit
from core.community.models import Community
from core.context import Core
from core.deals.models import Deal
from core.i18n import t
from core.messages.models import Direction, Message, MessageKind
from core.messages.outbox import queue_message
from core.residents.models import Resident
from core.residents.services import resident_by_phone
from core.sms_segments import segment_info
from core.teams.access import leader_acting
from core.teams.models import BargainNote, Team, TeamKind, TeamMember, TeamMessage, TeamReply

__all__ = ["TeamKind", "is_member"]

#: A team message is read like a reply: at most two SMS segments, the team's name included.
MAX_MESSAGE_SEGMENTS = 2
#: How long after a team message a member's text counts as their reply to it.
REPLY_WINDOW = timedelta(days=3)


class TeamRefusal(enum.StrEnum):
    NOT_REGISTERED = "not_registered"
    NOT_FOUND = "not_found"  # no such resident or deal in this community
    NOT_MEMBER = "not_member"  # a leader must be a member
    EMPTY = "empty"
    TOO_LONG = "too_long"
    BAD_PRICE = "bad_price"  # the agreed price above the asked one, or not positive


@dataclass(frozen=True)
class TeamChange:
    """What a join or leave did: `changed` False when it was so already."""

    team: TeamKind
    changed: bool


@dataclass(frozen=True)
class TeamMessageSent:
    team_message_id: int
    recipients: int  # rows written: texts (or calls) to go, suppressed ones included
    replayed: bool = False


def is_member(session: Session, *, community_id: int, resident_id: int, team: TeamKind) -> bool:
    """Whether the resident is in the community's team of this kind (the shared API)."""
    return (
        session.scalar(
            select(TeamMember.id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(
                Team.community_id == community_id,
                Team.kind == team,
                TeamMember.resident_id == resident_id,
            )
        )
        is not None
    )


def team_of(session: Session, community_id: int, kind: TeamKind) -> Team:
    """The community's team of this kind, made the first time it is needed."""
    found = session.scalar(select(Team).where(Team.community_id == community_id, Team.kind == kind))
    if found is not None:
        return found
    try:
        with session.begin_nested():
            team = Team(community_id=community_id, kind=kind)
            session.add(team)
        return team
    except IntegrityError:  # a concurrent first join made it
        return session.scalars(
            select(Team).where(Team.community_id == community_id, Team.kind == kind)
        ).one()


def _add(session: Session, team: Team, resident_id: int, by: str, now: datetime) -> bool:
    exists = session.scalar(
        select(TeamMember.id).where(
            TeamMember.team_id == team.id, TeamMember.resident_id == resident_id
        )
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                TeamMember(team_id=team.id, resident_id=resident_id, added_by=by, joined_at=now)
            )
    except IntegrityError:  # the same join read twice at once
        return False
    return True


def add_to_team(
    session: Session, *, community_id: int, resident_id: int, team: TeamKind, by: str, now: datetime
) -> bool:
    """Put a resident on a team inside the caller's transaction (the demo seed, other
    packages' tests); False when they were on it already."""
    return _add(session, team_of(session, community_id, team), resident_id, by, now)


def _remove(session: Session, team: Team, resident_id: int) -> bool:
    member = session.scalar(
        select(TeamMember).where(
            TeamMember.team_id == team.id, TeamMember.resident_id == resident_id
        )
    )
    if member is None:
        return False
    session.delete(member)
    if team.leader_resident_id == resident_id:  # a leader who leaves leads no more
        team.leader_resident_id = None
    return True


def join_team(
    core: Core, *, community_id: int, phone: str, team: TeamKind
) -> TeamChange | TeamRefusal:
    """加入 砍价团: the resident of this phone joins (again: nothing changes)."""
    with core.db.transaction() as session:
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return TeamRefusal.NOT_REGISTERED
        changed = _add(
            session, team_of(session, community_id, team), resident.id, "sms", core.now()
        )
        return TeamChange(team, changed)


def leave_team(
    core: Core, *, community_id: int, phone: str, team: TeamKind
) -> TeamChange | TeamRefusal:
    """退出 砍价团: the resident leaves; a leader leaving leaves the team without one."""
    with core.db.transaction() as session:
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return TeamRefusal.NOT_REGISTERED
        return TeamChange(team, _remove(session, team_of(session, community_id, team), resident.id))


def _resident_here(session: Session, community_id: int, resident_id: int) -> Resident | None:
    resident = session.get(Resident, resident_id)
    return resident if resident is not None and resident.community_id == community_id else None


@acting()
def add_member(
    core: Core, *, community_id: int, team: TeamKind, resident_id: int, by: str
) -> TeamChange | TeamRefusal:
    with core.db.transaction() as session:
        if _resident_here(session, community_id, resident_id) is None:
            return TeamRefusal.NOT_FOUND
        changed = _add(session, team_of(session, community_id, team), resident_id, by, core.now())
        if changed:
            audit(session, actor=by, action="team.add", community_id=community_id,
                  team=team.value, resident_id=resident_id)  # fmt: skip
        return TeamChange(team, changed)


@acting()
def remove_member(
    core: Core, *, community_id: int, team: TeamKind, resident_id: int, by: str
) -> TeamChange | TeamRefusal:
    with core.db.transaction() as session:
        if _resident_here(session, community_id, resident_id) is None:
            return TeamRefusal.NOT_FOUND
        changed = _remove(session, team_of(session, community_id, team), resident_id)
        if changed:
            audit(session, actor=by, action="team.remove", community_id=community_id,
                  team=team.value, resident_id=resident_id)  # fmt: skip
        return TeamChange(team, changed)


@acting()
def set_leader(
    core: Core, *, community_id: int, team: TeamKind, resident_id: int | None, by: str
) -> TeamChange | TeamRefusal:
    """Name the team's leader (a member), or none."""
    with core.db.transaction() as session:
        found = team_of(session, community_id, team)
        if resident_id is not None and not is_member(
            session, community_id=community_id, resident_id=resident_id, team=team
        ):
            return TeamRefusal.NOT_MEMBER
        changed = found.leader_resident_id != resident_id
        found.leader_resident_id = resident_id
        audit(session, actor=by, action="team.leader", community_id=community_id,
              team=team.value, resident_id=resident_id)  # fmt: skip
        return TeamChange(team, changed)


def team_message_text(language: str, team: TeamKind, body: str) -> str:
    """【砍价团】body: what a member reads, the team named first."""
    return t(
        language, "sms.team.message", team=t(language, f"sms.team.name.{team.value}"), body=body
    )


@leader_acting()
def send_team_message(
    core: Core, *, community_id: int, team: TeamKind, body: str, token: str, by: str
) -> TeamMessageSent | TeamRefusal:
    """One outbox row per member (a broadcast: held in quiet hours, capped, opt-outs kept).

    Staff send it, and so may the team's leader from their own console login.

    `token` is the console form's one-time token: the form sent twice sends once.
    """
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return TeamRefusal.EMPTY
    if max(segment_info(team_message_text(lang, team, text)).segments for lang in ("zh", "en")) > (
        MAX_MESSAGE_SEGMENTS
    ):
        return TeamRefusal.TOO_LONG
    now = core.now()
    with core.db.transaction() as session:
        before = session.scalar(select(TeamMessage).where(TeamMessage.token == token))
        if before is not None:
            return TeamMessageSent(before.id, before.recipients, replayed=True)
        community = session.get(Community, community_id)
        found = team_of(session, community_id, team)
        sent = TeamMessage(team_id=found.id, body=text, sent_by=by, token=token, created_at=now)
        session.add(sent)
        session.flush()
        members = session.scalars(
            select(Resident)
            .join(TeamMember, TeamMember.resident_id == Resident.id)
            .where(TeamMember.team_id == found.id)
            .order_by(Resident.id)
        ).all()
        written = 0
        for resident in members:
            message = queue_message(
                session,
                community=community,
                resident=resident,
                body=team_message_text(resident.language, team, text),
                kind=MessageKind.BROADCAST,
                now=now,
                quiet_hours=core.quiet_hours,
                dedupe_key=f"team:{sent.id}:r{resident.id}",
            )
            written += message is not None
        sent.recipients = written
        audit(session, actor=by, action="team.message", community_id=community_id,
              team=team.value, team_message_id=sent.id, recipients=written)  # fmt: skip
        return TeamMessageSent(sent.id, written)


@acting()
def record_bargain(
    core: Core,
    *,
    community_id: int,
    deal_id: int,
    asked_fen: int,
    agreed_fen: int,
    note: str,
    by: str,
) -> int | TeamRefusal:
    """原价18，谈到15: the bargaining team's result for one deal, kept with the team."""
    if asked_fen <= 0 or agreed_fen <= 0 or agreed_fen > asked_fen:
        return TeamRefusal.BAD_PRICE
    with core.db.transaction() as session:
        deal = session.get(Deal, deal_id)
        if deal is None or deal.community_id != community_id:
            return TeamRefusal.NOT_FOUND
        found = team_of(session, community_id, TeamKind.BARGAINING)
        row = BargainNote(
            team_id=found.id,
            deal_id=deal_id,
            asked_fen=asked_fen,
            agreed_fen=agreed_fen,
            note=note.strip()[:500],
            recorded_by=by,
            created_at=core.now(),
        )
        session.add(row)
        session.flush()
        audit(session, actor=by, action="team.bargain", community_id=community_id,
              deal_id=deal_id, asked_fen=asked_fen, agreed_fen=agreed_fen)  # fmt: skip
        return row.id


def team_message_since(
    resident_id: int | BindParameter[int], since: datetime | BindParameter[datetime]
) -> Exists:
    """Whether a team message went to this resident since then, as an EXISTS, for a
    reader asking it with other questions in one statement (bound parameters welcome)."""
    return (
        select(TeamMessage.id)
        .join(TeamMember, TeamMember.team_id == TeamMessage.team_id)
        .where(TeamMember.resident_id == resident_id, TeamMessage.created_at >= since)
        .exists()
    )


def note_team_reply(
    core: Core, *, community_id: int, phone: str, message_id: int
) -> TeamKind | None:
    """A member's text soon after a team message is their reply: mark it with the team.

    Returns the team, or None when this phone had no team message lately. Marking the
    same text twice finds the first mark.
    """
    since = core.now() - REPLY_WINDOW
    with core.db.transaction() as session:
        marked = session.scalar(select(TeamReply).where(TeamReply.message_id == message_id))
        if marked is not None:
            return TeamKind(session.get(Team, marked.team_id).kind)  # type: ignore[union-attr]
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return None
        latest = session.execute(
            select(TeamMessage.id, TeamMessage.team_id, Team.kind)
            .join(Team, Team.id == TeamMessage.team_id)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(
                Team.community_id == community_id,
                TeamMember.resident_id == resident.id,
                TeamMessage.created_at >= since,
            )
            .order_by(TeamMessage.created_at.desc(), TeamMessage.id.desc())
            .limit(1)
        ).first()
        inbound = session.get(Message, message_id)
        if latest is None or inbound is None or inbound.direction != Direction.INBOUND:
            return None
        try:
            with session.begin_nested():
                session.add(
                    TeamReply(
                        team_id=latest.team_id,
                        message_id=message_id,
                        team_message_id=latest.id,
                        created_at=core.now(),
                    )
                )
        except IntegrityError:
            pass
        return TeamKind(latest.kind)
