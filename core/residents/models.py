"""Residents, and the runs that import them from a file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow

LANGUAGES = ("zh", "en")


class Resident(Base):
    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("community_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20))  # E.164
    name: Mapped[str] = mapped_column(String(50))
    building: Mapped[str] = mapped_column(String(10), default="")
    unit: Mapped[str] = mapped_column(String(10), default="")
    room: Mapped[str] = mapped_column(String(10), default="")
    language: Mapped[str] = mapped_column(String(2), default="zh")
    landline: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    # How the phone menu speaks to them: "normal" (the community's rate) or "slow" (key 8).
    voice_pace: Mapped[str] = mapped_column(String(10), default="normal")
    # Set when the carrier told us the number cannot take texts (21211, 21614).
    phone_problem: Mapped[str | None] = mapped_column(String(40), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def address(self) -> str:
        """楼-单元-室 as residents write it, e.g. 3-2-401."""
        return "-".join(part for part in (self.building, self.unit, self.room) if part)

    @property
    def can_receive_sms(self) -> bool:
        return not self.landline and self.phone_problem is None


class ResidentImport(Base):
    """One CSV import started from the console; its progress is read by any web worker."""

    __tablename__ = "resident_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    started_by: Mapped[str] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default="running")
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    # [{"line": 3, "reason": "import.error.phone", "value": "123"}, ...]
    errors: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    file_error: Mapped[str | None] = mapped_column(String(60), default=None)
    file_error_detail: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The uploaded file, kept until the worker's job has read it (then cleared): the job
    # takes the run's id, not the bytes, and a retried job finds the file still here.
    upload: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    # The operator's explicit choice to accept numbers from other countries.
    allow_other_countries: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
