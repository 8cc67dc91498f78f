"""Putting a resident on the price survey team, for the demo seed and tests.

Membership itself is the teams' (core.teams); the survey asks core.teams.services.is_member.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from core.teams.models import TeamKind
from core.teams.services import add_to_team


def add_survey_member(session: Session, *, community_id: int, resident_id: int) -> None:
    """Put a resident on the price survey team inside the caller's transaction (the demo
    seed and tests; residents join by text, staff from the team's page)."""
    add_to_team(
        session,
        community_id=community_id,
        resident_id=resident_id,
        team=TeamKind.PRICE_SURVEY,
        by="demo",
        now=datetime.now(UTC),
    )
