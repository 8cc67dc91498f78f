from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow
from core.phones import display_phone, region_of


class Community(Base):
    """One residents' committee; every other row belongs to one."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    language: Mapped[str] = mapped_column(String(2), default="zh")
    pickup_place: Mapped[str] = mapped_column(String(200), default="")
    staff_phones: Mapped[list[str]] = mapped_column(JSON, default=list)
    allow_self_registration: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hours when a person answers the staff line, in the community's zone: one window
    # for every day ("08:30-17:30") or a week ("mon-fri 08:30-17:30; sat 09:00-12:00").
    # Public holidays, make-up workdays and ClosedDay rows are applied on top
    # (core.community.hours).
    staff_hours: Mapped[str] = mapped_column(String(200), default="08:30-17:30")
    voice_rate: Mapped[str] = mapped_column(String(10), default="slow")
    callback_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder_evening_time: Mapped[str] = mapped_column(String(5), default="19:00")
    reminder_hours_before: Mapped[int] = mapped_column(Integer, default=2)
    # Who sends the community's texts and places its reminder calls (twilio, aliyun,
    # tencent, console); None: the service's SMS_SENDER (core.carriers.routing).
    sms_provider: Mapped[str | None] = mapped_column(String(10), nullable=True, default=None)
    voice_provider: Mapped[str | None] = mapped_column(String(10), nullable=True, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def region(self) -> str:
        """The community's country, from its own number: phones are read and shown for it."""
        return region_of(self.phone)

    @property
    def staff_line(self) -> str | None:
        """The staff phone a call is put through to, if the committee named one."""
        return self.staff_phones[0] if self.staff_phones else None

    @property
    def help_phone(self) -> str:
        """The number residents are told to ring for a person."""
        return self.staff_line or self.phone

    @property
    def help_phone_dialled(self) -> str:
        """The help number as texts and cards print it: 0311-8888 6666, 138 0013 8000."""
        return display_phone(self.help_phone, self.region)

    @property
    def phone_dialled(self) -> str:
        """The number residents text and call, as they dial it."""
        return display_phone(self.phone, self.region)

    def is_staff_phone(self, phone: str) -> bool:
        """Whether texts from this number may use the staff commands."""
        return phone in (self.staff_phones or [])


SUPPLIER_KINDS = ("farm_base", "wholesaler", "brand")


class Supplier(Base):
    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="farm_base")
    county: Mapped[str] = mapped_column(String(50), default="")
    contact: Mapped[str] = mapped_column(String(100), default="")
    # What they sell, as the committee writes it (梨、苹果): the directory's search words.
    products: Mapped[str] = mapped_column(String(200), default="", server_default="")


class ClosedDay(Base):
    """A day the committee's office is shut beyond public holidays (a training day, a move)."""

    __tablename__ = "community_closed_days"
    __table_args__ = (UniqueConstraint("community_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
