"""The teams' tables: the four teams of a community, their members, what they did.

A community has at most one team of each kind (the unique constraint); the rows are
made the first time anyone joins or opens the team's page, so a new community needs
no setup.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class TeamKind(enum.StrEnum):
    PRICE_SURVEY = "price_survey"  # 市场价格调查团
    FARM_INSPECTION = "farm_inspection"  # 生产基地考察团
    TASTING = "tasting"  # 产品质量试吃团
    BARGAINING = "bargaining"  # 洽谈价格砍价团


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("community_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    kind: Mapped[str] = mapped_column(String(20))
    leader_resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    added_by: Mapped[str] = mapped_column(String(80))  # "sms" or the staff login
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BargainNote(Base):
    """原价18，谈到15: what the bargaining team got from a supplier for one deal."""

    __tablename__ = "team_bargain_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    asked_fen: Mapped[int] = mapped_column(Integer)  # the supplier's first price
    agreed_fen: Mapped[int] = mapped_column(Integer)  # what the team brought it to
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TeamMessage(Base):
    """A message a staff member or the leader sent to every member, once."""

    __tablename__ = "team_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    sent_by: Mapped[str] = mapped_column(String(80))
    # The form's one-time token: the same form posted twice sends once.
    token: Mapped[str] = mapped_column(String(40), unique=True)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TeamReply(Base):
    """A member's text after a team message: it went to the help inbox, for the team."""

    __tablename__ = "team_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)
    team_message_id: Mapped[int] = mapped_column(ForeignKey("team_messages.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LeaderLogin(Base):
    """A console login staff made for a resident who leads a team.

    It reaches the pages of the teams this resident leads now (read from
    `Team.leader_resident_id` on every request): name another leader and the login
    reaches nothing, without anyone having to remember to switch it off.
    """

    __tablename__ = "team_leader_logins"

    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
