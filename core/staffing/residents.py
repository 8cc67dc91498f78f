"""Finding and editing residents from the console: by name, phone or room."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from core.accounts.acting import acting
from core.accounts.services import audit
from core.community.models import Community
from core.context import Core
from core.i18n import LANGUAGES
from core.phones import InvalidPhone, normalize_phone
from core.residents.fields import TEXT_FIELDS
from core.residents.models import Resident
from core.residents.services import (
    VOICE_PACES,
    ResidentError,
    ResidentView,
    refuse_unsafe_field,
)

PAGE = 50
#: What separates building, unit and room as people type them: 3-2-401, 3号楼2单元401室.
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
        address = [p for p in _ADDRESS_SEPARATORS.split(text) if p]
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
            statement.order_by(Resident.building, Resident.unit, Resident.room, Resident.name)
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


@dataclass
class ResidentEdit:
    phone: str
    name: str
    building: str = ""
    unit: str = ""
    room: str = ""
    language: str = ""
    landline: bool = False
    opted_out: bool = False
    notes: str = ""
    voice_pace: str = "normal"  # how the phone menu speaks to them (also set by key 8)


@acting()
def save_resident(
    core: Core, *, community_id: int, edit: ResidentEdit, by: str, resident_id: int | None = None
) -> ResidentView:
    """Add a resident (no id) or change one, phone number included; audited with the staff name.

    Raises ResidentError with a catalog key when a field is wrong or the phone belongs
    to someone else already.
    """
    try:
        phone = normalize_phone(edit.phone)
    except InvalidPhone as exc:
        raise ResidentError("resident.error.phone") from exc
    name = edit.name.strip()
    if not name or len(name) > 50:
        raise ResidentError("resident.error.name")
    if edit.language not in ("", *LANGUAGES):
        raise ResidentError("resident.error.language")
    if edit.voice_pace not in VOICE_PACES:
        raise ResidentError("resident.error.voice_pace")
    for value in (edit.building, edit.unit, edit.room):
        if len(value.strip()) > 10:
            raise ResidentError("staff.resident.error.address_long")
    values = (name, edit.building.strip(), edit.unit.strip(), edit.room.strip())
    for column, value in zip(TEXT_FIELDS, values, strict=True):
        refuse_unsafe_field(column, value)
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        holder = session.scalar(
            select(Resident).where(Resident.community_id == community_id, Resident.phone == phone)
        )
        if resident_id is None:
            if holder is not None:
                raise ResidentError("staff.resident.error.phone_taken")
            resident = Resident(community_id=community_id, phone=phone)
            session.add(resident)
        else:
            found = session.get(Resident, resident_id)
            if found is None or found.community_id != community_id:
                raise ResidentError("staff.resident.error.unknown")
            if holder is not None and holder.id != resident_id:
                raise ResidentError("staff.resident.error.phone_taken")
            resident = found
            if resident.phone != phone:
                resident.phone_problem = None  # a new number deserves a fresh start
        resident.phone = phone
        resident.name = name
        resident.building = edit.building.strip()
        resident.unit = edit.unit.strip()
        resident.room = edit.room.strip()
        resident.language = edit.language or community.language
        resident.landline = edit.landline
        resident.opted_out = edit.opted_out
        resident.voice_pace = edit.voice_pace
        resident.notes = edit.notes.strip()
        session.flush()
        audit(
            session,
            actor=by,
            action="resident.add" if resident_id is None else "resident.edit",
            community_id=community_id,
            resident_id=resident.id,
            opted_out=resident.opted_out,
        )
        return ResidentView.of(resident)


@acting(by=None)
def all_residents(core: Core, *, community_id: int) -> list[ResidentView]:
    """Every resident, for the CSV export (the same columns the import reads)."""
    with core.db.transaction() as session:
        rows = session.scalars(
            select(Resident)
            .where(Resident.community_id == community_id)
            .order_by(Resident.building, Resident.unit, Resident.room, Resident.name)
        ).all()
        return [ResidentView.of(r) for r in rows]
