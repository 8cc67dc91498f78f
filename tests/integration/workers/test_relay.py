"""The outbox relay holding a reader's batch of replies, and sending them as a few jobs."""

from __future__ import annotations

from rq import Queue
from sqlalchemy import select

from core.community.models import Community
from core.messages.models import Message, MessageKind, MessageStatus
from core.messages.outbox import queue_message
from core.ports.jobs import Queue as JobQueue
from core.residents.models import Resident
from tests.support.inbox import BurstWorker
from workers.relay import REPLY_BATCH, OutboxRelay, bulk_batch_size


def reply_to(rt, world, resident, body: str) -> int:  # type: ignore[no-untyped-def]
    """A reply written in a transaction of its own, as a reader writes each."""
    with rt.core.db.transaction() as session:
        row = queue_message(
            session,
            community=session.get_one(Community, world.community_id),
            resident=session.get_one(Resident, resident.id),
            body=body,
            kind=MessageKind.REPLY,
            now=rt.core.now(),
            quiet_hours=rt.core.quiet_hours,
        )
        assert row is not None
        return row.id


def statuses(rt, ids: list[int]) -> set[str]:  # type: ignore[no-untyped-def]
    with rt.core.db.transaction() as session:
        return set(session.scalars(select(Message.status).where(Message.id.in_(ids))))


def test_replies_written_while_held_are_enqueued_together_and_all_sent(rt, rt_world, stand_in):
    replies = Queue(JobQueue.REPLIES, connection=rt.redis)
    residents = [rt_world.resident(f"居民{n}") for n in range(REPLY_BATCH + 4)]
    with rt.relay.held():
        ids = [reply_to(rt, rt_world, r, f"您好，第{n}条") for n, r in enumerate(residents)]
        with rt.relay.held():  # an inner hold leaves them to the outer one
            ids.append(reply_to(rt, rt_world, residents[0], "再一条"))
        assert replies.count == 0 and statuses(rt, ids) == {MessageStatus.PENDING}
    assert replies.count == 2  # 21 replies: a job of 16 and one of 5, not 21 jobs
    assert [job.func_name for job in replies.jobs] == ["workers.delivery.send_many"] * 2
    assert statuses(rt, ids) == {MessageStatus.QUEUED}
    BurstWorker([replies], connection=rt.redis).work(burst=True)
    assert statuses(rt, ids) == {MessageStatus.SENT}
    assert stand_in.count(lambda r: r.ok) == len(ids)


def test_replies_read_together_go_in_one_job_and_an_unheld_one_at_once(rt, rt_world, stand_in):
    replies = Queue(JobQueue.REPLIES, connection=rt.redis)
    wang, li = rt_world.resident("王芳"), rt_world.resident("李娟")
    with rt.relay.held():
        held = [reply_to(rt, rt_world, wang, "好的"), reply_to(rt, rt_world, li, "好的")]
    # Two replies of one reader's batch: one job (a job costs more than a reply's send).
    assert [(job.func_name, job.args) for job in replies.jobs] == [
        ("workers.delivery.send_many", (held,))
    ]
    reply_to(rt, rt_world, wang, "还有")
    assert [job.func_name for job in replies.jobs][1:] == ["workers.delivery.send_message"]
    BurstWorker([replies], connection=rt.redis).work(burst=True)
    assert statuses(rt, held) == {MessageStatus.SENT}
    assert stand_in.count(lambda r: r.ok) == 3


def test_a_paced_broadcast_goes_in_batches_of_half_a_second_of_its_pace(rt):  # type: ignore[no-untyped-def]
    broadcasts = Queue(JobQueue.BROADCASTS, connection=rt.redis)
    fan_out = [(message_id, MessageKind.BROADCAST) for message_id in range(1, 61)]

    OutboxRelay(rt.jobs, send_rate_per_second=50).enqueue_ids(fan_out)
    # 25 a job at 50 a second: the workers share a broadcast's last batches too.
    assert [len(job.args[0]) for job in broadcasts.jobs] == [25, 25, 10]

    broadcasts.empty()
    OutboxRelay(rt.jobs).enqueue_ids(fan_out)  # no pace to keep: SEND_BATCH a job
    assert [len(job.args[0]) for job in broadcasts.jobs] == [60]
    assert (bulk_batch_size(0.5), bulk_batch_size(1000)) == (10, 100)
