"""Who is on the price survey team: the teams' own membership (core.teams)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from core.teams.services import TeamKind, add_to_team, is_member


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


__all__ = ["TeamKind", "add_survey_member", "is_member"]
