"""A staff answer from the help inbox leaves like a reply: at once, even at night, once."""

from __future__ import annotations

from core.helpdesk.models import HelpReason
from core.helpdesk.services import answer_help
from core.ports.jobs import Queue as JobQueue
from tests.unit.core.helpdesk.helpers import writes_for_help
from workers.delivery import deliver
from workers.queues import queue_for


def test_a_staff_answer_is_sent_at_night_through_the_replies_queue(rt, rt_world, stand_in, clock):
    wang = rt_world.resident("王芳")
    clock.set(rt_world.local(0, 22, 30))
    item = writes_for_help(rt_world, wang.phone, "梨坏了两个", HelpReason.COMPLAINT)
    answered = answer_help(
        rt.core,
        community_id=rt_world.community_id,
        item_id=item,
        body="王阿姨您好，明早来服务站换梨。",
        by="xiaoli",
        form_token="f" * 32,
    )
    assert answered and answered.message_id is not None
    assert queue_for("staff_reply") == JobQueue.REPLIES
    assert deliver(rt, answered.message_id).startswith("sent")
    assert deliver(rt, answered.message_id) == "nothing to do (sent)"
    (request,) = stand_in.requests
    assert (
        request.form["To"] == wang.phone
        and request.form["Body"] == "王阿姨您好，明早来服务站换梨。"
    )
    assert "ValidityPeriod" not in request.form  # an answer is never stale
