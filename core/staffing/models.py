"""Tables the staff console adds: login attempts (for the rate limit) and import runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class LoginAttempt(Base):
    """One try at the console's login form.

    Kept in the database, not Redis: the limit must hold when Redis is down, and a
    guessing attack is exactly when nobody wants the lock to fall open.
    """

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


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
