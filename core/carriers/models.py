"""A community's standing with a mainland SMS provider, and its approved templates.

Aliyun and Tencent send only templates approved beforehand under an approved signature
(签名), so what a community may send through them is data: its signature and push key
per provider (`CarrierAccount`), and per message kind the provider's template code with
the names of its variables in order (`CarrierTemplate`). New tables, not columns on
`communities`, so that a community on Twilio carries none of this.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class Carrier(enum.StrEnum):
    ALIYUN = "aliyun"
    TENCENT = "tencent"


class CarrierAccount(Base):
    """What the provider knows the community by: signature, extension code, push key."""

    __tablename__ = "carrier_accounts"
    __table_args__ = (
        UniqueConstraint("community_id", "provider"),
        # A reply is routed by signature and extension code alone (core/carriers/pushes.py).
        UniqueConstraint("provider", "sign_name", "extend_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    provider: Mapped[str] = mapped_column(String(10))
    sign_name: Mapped[str] = mapped_column(String(20))
    # The extension code (Aliyun dest_code, Tencent extend) replies come back under.
    extend_code: Mapped[str] = mapped_column(String(12), default="")
    # The secret in the push URLs (?key=): pushes carry no signature of their own.
    push_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Texts a resident may get from us in a day through this provider (None: the
    # provider's documented cap, core/carriers/caps.py); set lower for a stricter carrier.
    daily_budget: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CarrierTemplate(Base):
    """One message kind's approved template with a provider, for one community."""

    __tablename__ = "carrier_templates"
    __table_args__ = (UniqueConstraint("community_id", "provider", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    provider: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    template_code: Mapped[str] = mapped_column(String(40))
    # Variable names in the template's order: Aliyun's ${name}, Tencent's {1}{2}...
    variables: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The template's words as filed (without the signature), for `templates check`.
    template_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
