"""The committee's own closed days, beyond the public holidays the calendar knows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select

from core.accounts.acting import acting
from core.accounts.services import audit
from core.community.models import ClosedDay
from core.context import Core


@dataclass(frozen=True)
class ClosedDayView:
    day: date
    note: str
    created_by: str


@acting()
def add_closed_day(
    core: Core, *, community_id: int, day: date, note: str = "", by: str
) -> ClosedDayView:
    """Mark `day` closed; adding it again only changes the note."""
    with core.db.transaction() as session:
        row = session.scalar(
            select(ClosedDay).where(ClosedDay.community_id == community_id, ClosedDay.day == day)
        )
        if row is None:
            row = ClosedDay(community_id=community_id, day=day, created_by=by[:50])
            session.add(row)
        row.note = note.strip()[:100]
        session.flush()
        audit(session, actor=by, action="closed_day.add", community_id=community_id,
              day=day.isoformat())
        return ClosedDayView(row.day, row.note, row.created_by)


@acting()
def remove_closed_day(core: Core, *, community_id: int, day: date, by: str) -> bool:
    """Open `day` again; False when it was not a closed day."""
    with core.db.transaction() as session:
        removed = session.execute(
            delete(ClosedDay).where(ClosedDay.community_id == community_id, ClosedDay.day == day)
        ).rowcount
        if removed:
            audit(session, actor=by, action="closed_day.remove", community_id=community_id,
                  day=day.isoformat())
        return bool(removed)


@acting(by=None)
def closed_days(core: Core, *, community_id: int, since: date | None = None) -> list[ClosedDayView]:
    """The community's closed days in date order, from `since` on when given."""
    statement = select(ClosedDay).where(ClosedDay.community_id == community_id)
    if since is not None:
        statement = statement.where(ClosedDay.day >= since)
    with core.db.transaction() as session:
        rows = session.scalars(statement.order_by(ClosedDay.day)).all()
        return [ClosedDayView(r.day, r.note, r.created_by) for r in rows]
