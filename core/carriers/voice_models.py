"""A community's approved text-to-speech template with a mainland voice provider.

Aliyun voice notification (SingleCallByTts) and Tencent VMS (SendTtsVoice) speak only a
TTS template approved beforehand, filled with variables, much as their SMS do; a
reminder call is one kind, so one template per community and provider. A table of its
own, beside the SMS catalogue, so that neither needs the other's columns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class VoiceTemplate(Base):
    """The TTS template a landline reminder is spoken in, and its variables in order."""

    __tablename__ = "carrier_voice_templates"
    __table_args__ = (UniqueConstraint("community_id", "provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    provider: Mapped[str] = mapped_column(String(10))
    # Aliyun's TtsCode (TTS_123456789) or Tencent's template id.
    template_code: Mapped[str] = mapped_column(String(40))
    variables: Mapped[list[str]] = mapped_column(JSON, default=list)
    template_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
