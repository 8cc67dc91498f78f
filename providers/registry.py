"""Which provider does what: the one place that turns settings into provider parts.

The composition root asks it for the message sender `SMS_SENDER` names; the app asks
it to mount every provider's web routes; the spool asks it who takes in what each
provider sent while the database was down. A new carrier is a new package under
providers/ and a line in each table here, not edits across the tree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.ports.carriers import MessageSender
from core.settings import Settings

if TYPE_CHECKING:
    from flask import Flask

    from spool.records import SpoolHandler


def send_timeout(settings: Settings) -> float:
    """How long one provider request may take. A live worker must always finish an
    attempt well inside the sweep's patience, or the sweep would take the row back while
    the request is still in flight."""
    from providers.twilio.client import DEFAULT_TIMEOUT_S

    return min(DEFAULT_TIMEOUT_S, max(1.0, settings.send_stuck_after_seconds / 3))


def make_sender(settings: Settings) -> MessageSender:
    """The sender `SMS_SENDER` names, built once per process by the composition root."""
    if settings.sms_sender in ("aliyun", "tencent"):
        from providers.mainland import make_mainland_sender

        return make_mainland_sender(settings, timeout_s=send_timeout(settings))  # type: ignore[no-any-return]
    if settings.sms_sender == "twilio":
        from providers.twilio.sender import make_twilio_sender

        return make_twilio_sender(settings, timeout_s=send_timeout(settings))
    from providers.console.sender import ConsoleSender

    return ConsoleSender()


def register_routes(app: Flask) -> None:
    """Mount each provider's webhooks: its own wire format at its own URLs."""
    from providers import aliyun, mainland_voice_web, tencent, twilio

    twilio.register(app)
    aliyun.register(app)
    tencent.register(app)
    mainland_voice_web.register(app)  # the mainland providers' call receipts


def spool_handlers() -> dict[tuple[str, str], SpoolHandler]:
    """(provider, kind) -> what takes a spooled request of that kind in."""
    from providers.aliyun.web import SPOOLED as aliyun_spooled
    from providers.mainland_voice_spooled import SPOOLED as voice_spooled
    from providers.tencent.web import SPOOLED as tencent_spooled
    from providers.twilio.spooled import SPOOLED as twilio_spooled

    return {**twilio_spooled, **aliyun_spooled, **tencent_spooled, **voice_spooled}
