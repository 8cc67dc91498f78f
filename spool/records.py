"""One spooled request: who sent it, what it is, its verified payload and when it came.

The record is generic on purpose: Twilio's form posts and the China providers' JSON
pushes (Aliyun SmsUp/SmsReport, Tencent callbacks) land in the same shape, with their
own `provider` and `kind`; each provider package names the handlers that take its
records in (providers/registry.py gathers them into `intake.HANDLERS`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bootstrap import Mianhua

#: Bumped when the file's shape changes; older files stay readable.
FORMAT = 1

# The kinds the intake knows; a provider adds its own names (e.g. "sms.inbound" for Aliyun too).
SMS_INBOUND = "sms.inbound"
SMS_STATUS = "sms.status"
CALL_STATUS = "call.status"
REMINDER_CALL_STATUS = "reminder_call.status"
CALLBACK_REQUEST = "call.callback_request"


def party_tag(party: str) -> str:
    """A short file-name-safe tag of a party (a phone), to find its waiting files."""
    return hashlib.sha1(party.encode()).hexdigest()[:12] if party else "none"


class BadRecord(ValueError):
    """A spool file that cannot be read as a record: set aside, never retried."""


class Unusable(ValueError):
    """The record is well formed but can never be taken in (e.g. not our number)."""


@dataclass(frozen=True)
class TakenIn:
    """What a handler made of a record: new or known already, and what to do once the
    file is gone (queue the text's reading, ring a caller back)."""

    duplicate: bool  # the database had it already (the same provider id)
    then: Callable[[], None] | None = None  # after the file is removed


#: What takes in one (provider, kind) of record: each provider package has its own.
SpoolHandler = Callable[["Mianhua", "SpoolRecord"], TakenIn]


@dataclass(frozen=True)
class SpoolRecord:
    """What a provider sent, as verified on arrival.

    `payload` maps each field to all its values (a form may repeat a field, and the
    signature covered every one); `query` is the raw query string of the URL called.
    `party` is the resident's side (the phone), so texts of one phone keep their order.
    """

    provider: str  # "twilio", "aliyun", "tencent"
    kind: str  # one of the kinds above
    arrived_at: datetime  # aware UTC: the text's received time once taken in
    payload: dict[str, list[str]]
    verified_by: str  # how the request was authenticated: "twilio-signature", "push-key"
    route: str = ""  # the path the provider called, for the record
    query: str = ""
    party: str = ""
    host: str = ""  # which web host wrote it (each host drains its own spool)
    extra: dict[str, Any] = field(default_factory=dict)

    def value(self, name: str, default: str = "") -> str:
        """The first value of a payload field, as a form's `get` would give it."""
        values = self.payload.get(name)
        return values[0] if values else default

    @property
    def party_tag(self) -> str:
        return party_tag(self.party)

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "provider": self.provider,
                "kind": self.kind,
                "arrived_at": self.arrived_at.astimezone(UTC).isoformat(),
                "verified_by": self.verified_by,
                "route": self.route,
                "query": self.query,
                "party": self.party,
                "host": self.host,
                "payload": self.payload,
                "extra": self.extra,
            },
            ensure_ascii=False,
            sort_keys=True,
        ).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> SpoolRecord:
        """Read a file's bytes back; BadRecord says what is wrong with them."""
        try:
            raw = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadRecord(f"not JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise BadRecord("not a JSON object")
        if raw.get("format") != FORMAT:
            raise BadRecord(f"unknown format {raw.get('format')!r}")
        try:
            arrived = datetime.fromisoformat(str(raw["arrived_at"]))
            payload = raw["payload"]
            texts = {name: raw[name] for name in ("provider", "kind", "verified_by")}
        except (KeyError, ValueError) as exc:
            raise BadRecord(f"missing or malformed field: {exc}") from exc
        if arrived.tzinfo is None:
            raise BadRecord("arrived_at has no time zone")
        if not all(isinstance(v, str) and v for v in texts.values()):
            raise BadRecord("provider, kind and verified_by must be non-empty strings")
        if not isinstance(payload, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(i, str) for i in v)
            for k, v in payload.items()
        ):
            raise BadRecord("payload must map field names to lists of strings")
        extra = raw.get("extra") or {}
        if not isinstance(extra, dict):
            raise BadRecord("extra must be an object")
        return cls(
            provider=texts["provider"],
            kind=texts["kind"],
            arrived_at=arrived.astimezone(UTC),
            payload=payload,
            verified_by=texts["verified_by"],
            route=str(raw.get("route") or ""),
            query=str(raw.get("query") or ""),
            party=str(raw.get("party") or ""),
            host=str(raw.get("host") or ""),
            extra=extra,
        )
