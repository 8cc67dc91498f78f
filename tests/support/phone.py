"""A resident's phone, as the tests see it: send a text through the real webhook,
signed the way Twilio signs it, and read what came back through the outbox."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from flask.testing import FlaskClient
from sqlalchemy import select

from core.context import Core
from core.messages.models import Direction, Message
from tests.support.inbox import read_inbox
from tests.support.twilio_signing import signed

COMMUNITY_PHONE = "+8631188886666"
_sids = itertools.count(1)


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


@dataclass
class Sent:
    status: int
    twiml: str
    sid: str


class Sms:
    """Texts to and from the community's number, through Flask's test client."""

    def __init__(self, client: FlaskClient, core: Core) -> None:
        self.client = client
        self.core = core
        self._seen: dict[str, int] = {}

    def send(
        self,
        phone: str,
        body: str,
        *,
        sid: str | None = None,
        to: str = COMMUNITY_PHONE,
        read: bool = True,
    ) -> Sent:
        """Text the community; with `read`, run the read job as a worker would."""
        sid = sid or new_sid()
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": "AC" + "0" * 32,
            "From": phone,
            "To": to,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "FromCountry": "CN",
        }
        response = self.client.post(
            "/sms/inbound", data=params, headers=signed("/sms/inbound", params)
        )
        if read:
            self.read_inbox()
        return Sent(response.status_code, response.get_data(as_text=True), sid)

    def read_inbox(self) -> None:
        read_inbox(self.client.application.extensions["mianhua"])

    def status(self, params: dict[str, str], query: str = "") -> int:
        path = "/sms/status" + (f"?{query}" if query else "")
        return self.client.post(path, data=params, headers=signed(path, params)).status_code

    def outbound(self, phone: str) -> list[Message]:
        """Every message written to this phone, oldest first."""
        with self.core.db.transaction() as session:
            return list(
                session.scalars(
                    select(Message)
                    .where(Message.phone == phone, Message.direction == Direction.OUTBOUND)
                    .order_by(Message.id)
                )
            )

    def new_replies(self, phone: str) -> list[str]:
        """Bodies written to this phone since the last call: what the resident will read."""
        messages = [m for m in self.outbound(phone) if m.id > self._seen.get(phone, 0)]
        if messages:
            self._seen[phone] = messages[-1].id
        return [m.body for m in messages]

    def reply(self, phone: str, body: str) -> str:
        """Send a text and return the one reply it brought (failing if none or several)."""
        sent = self.send(phone, body)
        assert sent.status == 200, sent
        replies = self.new_replies(phone)
        assert len(replies) == 1, f"{body!r} brought {replies!r}"
        return replies[0]

    def silence(self, phone: str, body: str) -> None:
        sent = self.send(phone, body)
        assert sent.status == 200, sent
        assert self.new_replies(phone) == [], f"{body!r} was answered"
