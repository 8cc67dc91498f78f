"""Who is on the price survey team: core.teams' question, asked through one function.

teams-people writes `core.teams.services.is_member` (issue 14's other half). Until it is
merged this module answers from the stand-in table `price_survey_members`, with the same
signature, so the lead switches by deleting the fallback.
"""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.prices.models import SurveyTeamMember

try:  # pragma: no cover - present once teams-people is merged
    from core.teams.services import TeamKind, is_member  # type: ignore[import-not-found]
except ImportError:

    class TeamKind(enum.StrEnum):  # type: ignore[no-redef]
        PRICE_SURVEY = "price_survey"
        FARM_INSPECTION = "farm_inspection"
        TASTING = "tasting"
        BARGAINING = "bargaining"

    def is_member(  # type: ignore[misc]
        session: Session, *, community_id: int, resident_id: int, team: TeamKind
    ) -> bool:
        """Whether the resident is on the team (the stand-in knows the survey team only)."""
        if team != TeamKind.PRICE_SURVEY:
            return False
        found = session.scalar(
            select(SurveyTeamMember.id).where(
                SurveyTeamMember.community_id == community_id,
                SurveyTeamMember.resident_id == resident_id,
            )
        )
        return found is not None


def add_survey_member(session: Session, *, community_id: int, resident_id: int) -> None:
    """Put a resident on the survey team in the stand-in table (demo and tests)."""
    if not is_member(
        session, community_id=community_id, resident_id=resident_id, team=TeamKind.PRICE_SURVEY
    ):
        session.add(SurveyTeamMember(community_id=community_id, resident_id=resident_id))
        session.flush()


__all__ = ["TeamKind", "add_survey_member", "is_member"]
