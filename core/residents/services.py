"""Registering residents, their language, and whether they want texts at all; and
adding or editing one from the console."""

from __future__ import annotations

from dataclasses import astuple, dataclass

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.accounts.services import audit
from core.community.models import Community
from core.context import Core
from core.i18n import LANGUAGES
from core.phones import InvalidPhone, normalize_phone, try_normalize_phone
from core.residents.addresses import normalise_flat
from core.residents.fields import TEXT_FIELDS, field_problem
from core.residents.models import Resident
from core.results import Refusal, RefusalReason


@dataclass(frozen=True)
class ResidentView:
    id: int
    phone: str
    name: str
    building: str
    unit: str
    room: str
    language: str
    landline: bool
    opted_out: bool
    notes: str
    voice_pace: str = "normal"  # "slow": the phone menu speaks more slowly to them

    @classmethod
    def of(cls, r: Resident) -> ResidentView:
        return cls(
            r.id,
            r.phone,
            r.name,
            r.building,
            r.unit,
            r.room,
            r.language,
            r.landline,
            r.opted_out,
            r.notes,
            r.voice_pace or "normal",
        )

    @property
    def address(self) -> str:
        return "-".join(part for part in (self.building, self.unit, self.room) if part)


class ResidentError(ValueError):
    """A catalog key saying what is wrong with the resident's details."""


def resident_by_phone(session: Session, community_id: int, phone: str) -> Resident | None:
    """The resident with this number however it is written, inside a transaction."""
    e164 = try_normalize_phone(phone)
    if e164 is None:
        return None
    known = session.info.setdefault("residents_by_phone", {})
    resident = (
        session.get(Resident, known[community_id, e164]) if (community_id, e164) in known else None
    )
    if (
        resident is not None
        and resident.community_id == community_id
        and resident.phone == e164
        and resident not in session.deleted
        and not inspect(resident).was_deleted
    ):
        return resident  # found before in this transaction: its row, from the identity map
    resident = session.scalar(_BY_PHONE, {"community_id": community_id, "phone": e164})
    if resident is not None:
        found_by_phone(session, resident)
    return resident


def found_by_phone(session: Session, resident: Resident) -> None:
    """Remember a resident found by her number in this transaction (by `resident_by_phone`
    or a reader's own query), so asking for her again reads the identity map."""
    session.info.setdefault("residents_by_phone", {})[resident.community_id, resident.phone] = (
        resident.id
    )


#: Built once: a statement object is cheaper to run again than to build (its cache key is
#: kept), and this one runs a few times for every text read.
_BY_PHONE = select(Resident).where(
    Resident.community_id == bindparam("community_id"), Resident.phone == bindparam("phone")
)


def find_resident(core: Core, *, community_id: int, phone: str) -> ResidentView | None:
    with core.db.transaction() as session:
        resident = resident_by_phone(session, community_id, phone)
        return ResidentView.of(resident) if resident else None


def register_resident(
    core: Core,
    *,
    community_id: int,
    phone: str,
    name: str,
    building: str = "",
    unit: str = "",
    room: str = "",
    language: str | None = None,
    landline: bool = False,
    notes: str = "",
) -> ResidentView:
    """Add a resident, or update the one with this phone: registering twice never duplicates."""
    try:
        e164 = normalize_phone(phone)
    except InvalidPhone as exc:
        raise ResidentError("resident.error.phone") from exc
    if not name.strip():
        raise ResidentError("resident.error.name")
    building, unit, room = astuple(normalise_flat(building, unit, room))
    for column, value in zip(TEXT_FIELDS, (name.strip(), building, unit, room), strict=True):
        refuse_unsafe_field(column, value)
    if language not in (None, "", *LANGUAGES):
        raise ResidentError("resident.error.language")
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        resident = resident_by_phone(session, community_id, e164)
        if resident is None:
            resident = Resident(community_id=community_id, phone=e164)
            session.add(resident)
        resident.name = name.strip()
        resident.building, resident.unit, resident.room = building, unit, room
        resident.language = language or community.language
        resident.landline = landline
        resident.notes = notes
        session.flush()
        return ResidentView.of(resident)


def refuse_unsafe_field(column: str, value: str) -> None:
    """A value the column cannot hold, or a name a spreadsheet would run, is refused."""
    problem = field_problem(column, value)
    if problem is not None:
        raise ResidentError(problem)


def set_language(core: Core, *, community_id: int, phone: str, language: str) -> Refusal | None:
    if language not in LANGUAGES:
        raise ResidentError("resident.error.language")
    with core.db.transaction() as session:
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return Refusal(RefusalReason.NOT_REGISTERED)
        resident.language = language
        return None


VOICE_PACES = ("normal", "slow")


def set_voice_pace(core: Core, *, community_id: int, phone: str, pace: str) -> bool:
    """Remember how the phone menu should speak to this resident; False: not registered."""
    if pace not in VOICE_PACES:
        raise ResidentError("resident.error.voice_pace")
    with core.db.transaction() as session:
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return False
        resident.voice_pace = pace
        return True


def opt_out(core: Core, *, community_id: int, phone: str) -> bool | Refusal:
    """Stop every text to this resident; True when it changed anything.

    The channel that heard the request answers it (the one text an opted-out
    resident still gets), so nothing is queued here.
    """
    return _set_opted_out(core, community_id, phone, True)


def opt_in(core: Core, *, community_id: int, phone: str) -> bool | Refusal:
    return _set_opted_out(core, community_id, phone, False)


def _set_opted_out(core: Core, community_id: int, phone: str, opted_out: bool) -> bool | Refusal:
    with core.db.transaction() as session:
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return Refusal(RefusalReason.NOT_REGISTERED)
        changed = resident.opted_out != opted_out
        resident.opted_out = opted_out
        return changed


def mark_phone_problem(core: Core, *, resident_id: int, problem: str, opted_out: bool) -> None:
    """What the carrier taught us: opted out (21610), or a number that takes no texts."""
    with core.db.transaction() as session:
        resident = session.get(Resident, resident_id)
        if resident is None:
            return
        if opted_out:
            resident.opted_out = True
        else:
            resident.phone_problem = problem


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
    flat = normalise_flat(edit.building, edit.unit, edit.room)
    for value in astuple(flat):
        if len(value) > 10:
            raise ResidentError("staff.resident.error.address_long")
    values = (name, flat.building, flat.unit, flat.room)
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
        resident.building, resident.unit, resident.room = astuple(flat)
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
