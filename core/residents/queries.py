"""Reading residents from the console: finding them by name, phone or room, one
resident's details, the whole list for the export, and the import runs' progress."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select

from core.accounts.acting import acting
from core.context import Core
from core.residents.addresses import parse_flat
from core.residents.models import Resident, ResidentImport
from core.residents.services import ResidentView

PAGE = 50
#: What separates building, unit and room as people type them: 3-2-401, 3号楼2单元401室.
#: Flats in natural order in SQL (2-1-101 before 10-1-201): a shorter number first, then
#: by its digits; the pages' own sorts use core.residents.addresses.room_sort_key.
IN_ROOM_ORDER = (
    func.length(Resident.building),
    Resident.building,
    func.length(Resident.unit),
    Resident.unit,
    func.length(Resident.room),
    Resident.room,
    Resident.name,
)
_ADDRESS_SEPARATORS = re.compile(r"[\s\-－—/#号栋楼单元室]+")


@dataclass(frozen=True)
class ResidentDetail:
    resident: ResidentView
    phone_problem: str | None

    @property
    def can_receive_sms(self) -> bool:
        return not self.resident.landline and self.phone_problem is None


@dataclass(frozen=True)
class ResidentPage:
    residents: list[ResidentView]
    total: int
    page: int
    pages: int


@acting(by=None)
def search_residents(
    core: Core, *, community_id: int, query: str = "", page: int = 1
) -> ResidentPage:
    """Residents whose name, phone or address matches; `3-2-401` finds building 3, unit 2, room 401.

    Phones match on their digits anywhere, so `8001` finds +8613800138001.
    """
    text = query.strip()
    statement = select(Resident).where(Resident.community_id == community_id)
    if text:
        conditions = [Resident.name.contains(text, autoescape=True)]
        digits = re.sub(r"\D", "", text)
        if digits and len(digits) >= 3 and len(digits) == len(re.sub(r"[\s+\-()]", "", text)):
            conditions.append(Resident.phone.contains(digits, autoescape=True))
        flat = parse_flat(text)  # 三号楼二单元401, 3/2/401: as stored, in numbers
        address = (
            [flat.building, flat.unit, flat.room]
            if flat is not None
            else [p for p in _ADDRESS_SEPARATORS.split(text) if p]
        )
        if 2 <= len(address) <= 3 and _ADDRESS_SEPARATORS.search(text):
            columns = (Resident.building, Resident.unit, Resident.room)
            conditions.append(and_(*(c == v for c, v in zip(columns, address, strict=False))))
        elif text.isdigit():
            conditions.append(or_(Resident.room == text, Resident.building == text))
        statement = statement.where(or_(*conditions))
    page = max(page, 1)
    with core.db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        rows = session.scalars(
            statement.order_by(*IN_ROOM_ORDER)
            .limit(PAGE)
            .offset((page - 1) * PAGE)
        ).all()
        return ResidentPage(
            residents=[ResidentView.of(r) for r in rows],
            total=int(total),
            page=page,
            pages=max(1, -(-int(total) // PAGE)),
        )


@acting(by=None)
def resident_detail(core: Core, *, community_id: int, resident_id: int) -> ResidentDetail | None:
    with core.db.transaction() as session:
        resident = session.get(Resident, resident_id)
        if resident is None or resident.community_id != community_id:
            return None
        return ResidentDetail(ResidentView.of(resident), resident.phone_problem)


@acting(by=None)
def all_residents(core: Core, *, community_id: int) -> list[ResidentView]:
    """Every resident, for the CSV export (the same columns the import reads)."""
    with core.db.transaction() as session:
        rows = session.scalars(
            select(Resident)
            .where(Resident.community_id == community_id)
            .order_by(*IN_ROOM_ORDER)
        ).all()
        return [ResidentView.of(r) for r in rows]


#: A run that has not moved for this long died with its process.
STALLED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class ImportRun:
    id: int
    filename: str
    started_by: str
    status: str  # queued, running, done, failed, stalled
    rows_done: int
    rows_total: int
    created: int
    updated: int
    errors: list[dict[str, object]]
    file_error: str | None
    file_error_detail: str
    started_at: datetime

    @property
    def finished(self) -> bool:
        return self.status not in ("queued", "running")

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return 0 if not self.rows_total else min(99, 100 * self.rows_done // self.rows_total)

    @classmethod
    def of(cls, row: ResidentImport, now: datetime) -> ImportRun:
        """A run as its page shows it: one that has not moved for long is said to have stalled."""
        status = row.status
        if status in ("queued", "running") and now - row.updated_at > STALLED_AFTER:
            status = "stalled"
        return cls(
            id=row.id,
            filename=row.filename,
            started_by=row.started_by,
            status=status,
            rows_done=row.rows_done,
            rows_total=row.rows_total,
            created=row.created,
            updated=row.updated,
            errors=list(row.errors or []),
            file_error=row.file_error,
            file_error_detail=row.file_error_detail,
            started_at=row.started_at,
        )


@acting(by=None)
def import_run(core: Core, *, community_id: int, import_id: int) -> ImportRun | None:
    with core.db.transaction() as session:
        row = session.get(ResidentImport, import_id)
        if row is None or row.community_id != community_id:
            return None
        return ImportRun.of(row, core.now())


@acting(by=None)
def recent_imports(core: Core, *, community_id: int, limit: int = 10) -> list[ImportRun]:
    with core.db.transaction() as session:
        rows = session.scalars(
            select(ResidentImport)
            .where(ResidentImport.community_id == community_id)
            .order_by(ResidentImport.id.desc())
            .limit(limit)
        ).all()
        return [ImportRun.of(r, core.now()) for r in rows]
