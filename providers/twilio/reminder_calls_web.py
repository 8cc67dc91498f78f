"""`POST /voice/reminder-status?m=<message id>`: how a landline reminder call ended.

Twilio calls it when a reminder call completes (answered) or ends unanswered
(busy, no-answer, failed, canceled); an unanswered call is tried once more,
later, by the core's rules. Signed like every Twilio-facing route.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from sqlalchemy.exc import SQLAlchemyError

from bootstrap import mianhua
from core.bounded import bounded_int
from core.messages.sending import record_call_outcome
from providers.twilio.signature import require_twilio_signature
from providers.twilio.spooled import kept_or_503
from spool.records import REMINDER_CALL_STATUS

bp = Blueprint("reminder_calls", __name__)


@bp.post("/voice/reminder-status")
@require_twilio_signature
def reminder_call_status() -> tuple[str, int] | Response:
    message_id = bounded_int(request.args.get("m"))
    call_sid = request.form.get("CallSid", "")
    call_status = request.form.get("CallStatus", "")
    if message_id is None or not call_sid or not call_status:
        return "a message id (m), CallSid and CallStatus are required", 400
    record_call_outcome(
        mianhua().core, message_id=message_id, call_sid=call_sid, call_status=call_status
    )
    return "", 204


@bp.errorhandler(SQLAlchemyError)
def database_down(_error: SQLAlchemyError) -> Response:
    """No database: keep the call's outcome in the spool, to be taken in when it is back."""
    return kept_or_503(REMINDER_CALL_STATUS, "", lambda: Response("", status=204))
