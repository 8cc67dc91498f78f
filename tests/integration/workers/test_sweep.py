"""The outbox sweep against real Redis: it takes up what the database says must go and
Redis does not hold, and nothing else."""

from __future__ import annotations

import time
from datetime import timedelta

from rq import Queue, SimpleWorker
from sqlalchemy import select, update

from core.messages.models import Message
from core.messages.recovery import ON_ITS_WAY, mark_queued
from core.orders.services import place_order
from core.ports.jobs import Queue as JobQueue
from workers import sweep as sweep_module
from workers.delivery import BATCH_OF, send_many, send_message
from workers.sweep import jobs_alive, sweep


def order(rt, world):  # type: ignore[no-untyped-def]
    buyer = world.resident()
    deal = world.deal()
    place_order(
        rt.core,
        community_id=world.community_id,
        phone=buyer.phone,
        deal_number=deal.number,
        quantity=1,
        channel="sms",
    )
    with rt.core.db.transaction() as session:
        return session.scalars(select(Message.id).order_by(Message.id.desc())).first()


def status(rt, message_id: int) -> str:  # type: ignore[no-untyped-def]
    with rt.core.db.transaction() as session:
        return session.get_one(Message, message_id).status


def test_the_relay_marks_what_it_enqueued_and_the_sweep_leaves_it(rt, rt_world):
    message_id = order(rt, rt_world)
    assert status(rt, message_id) == "queued"
    assert Queue(JobQueue.REPLIES, connection=rt.redis).job_ids == [f"send-{message_id}"]
    assert sweep(rt).as_dict() == {"enqueued": 0, "requeued": 0, "taken_back": 0}


def test_rows_written_while_redis_was_down_are_enqueued(rt, rt_world, redis_server, clock):
    redis_server.stop()
    try:
        message_id = order(rt, rt_world)  # the order itself succeeds
        assert not rt.relay.last_enqueue_ok()
    finally:
        redis_server.start()
    assert status(rt, message_id) == "pending"
    assert sweep(rt).enqueued == 0  # written a moment ago: its relay may be queueing it

    clock.advance(seconds=ON_ITS_WAY.total_seconds() + 1)
    assert sweep(rt).enqueued == 1
    assert status(rt, message_id) == "queued"
    assert Queue(JobQueue.REPLIES, connection=rt.redis).job_ids == [f"send-{message_id}"]


def test_queued_rows_whose_job_vanished_are_enqueued_again(rt, rt_world, clock):
    lost, kept = order(rt, rt_world), order(rt, rt_world)
    rt.redis.flushall()  # Redis restarted without its data...
    rt.relay.enqueue_ids([(kept, "confirmation")])  # ...and one came back since
    clock.advance(seconds=2)
    assert sweep(rt).requeued == 0  # too soon to call them lost
    clock.advance(seconds=5)

    assert sweep(rt).requeued == 1
    assert set(Queue(JobQueue.REPLIES, connection=rt.redis).job_ids) == {
        f"send-{lost}",
        f"send-{kept}",
    }


def test_a_row_sent_between_the_sweeps_two_looks_is_not_taken_for_lost(
    rt, rt_world, clock, monkeypatch
):  # type: ignore[no-untyped-def]
    """The sweep reads the rows queued long, then asks Redis for their jobs: a batch that
    sent one of them and ended in between has left no job, and that row went, it was not
    lost. Only the row still queued is enqueued again."""
    went, lost = order(rt, rt_world), order(rt, rt_world)
    rt.redis.flushall()  # neither has a job now
    clock.advance(seconds=10)
    asked = sweep_module.jobs_alive

    def asked_while_one_went(redis, message_ids, patience):  # type: ignore[no-untyped-def]
        found = asked(redis, message_ids, patience)
        with rt.core.db.transaction() as session:  # its job sent it, and ended
            session.execute(update(Message).where(Message.id == went).values(status="sent"))
        return found

    monkeypatch.setattr(sweep_module, "jobs_alive", asked_while_one_went)
    assert sweep(rt).requeued == 1
    assert Queue(JobQueue.REPLIES, connection=rt.redis).job_ids == [f"send-{lost}"]
    assert status(rt, went) == "sent"


def test_a_job_taken_by_a_worker_killed_before_it_began_is_enqueued_again(rt, rt_world, clock):
    message_id = order(rt, rt_world)
    # What RQ does when it takes a job, up to the moment it marks it started: a SIGKILL
    # there leaves the job `queued`, in no queue, only in the started registry.
    worker = SimpleWorker([rt.jobs.queue(JobQueue.REPLIES)], connection=rt.redis)
    worker.register_birth()
    job, _queue = worker.dequeue_job_and_maintain_ttl(timeout=1)
    execution = worker.prepare_execution(job)
    assert job.get_status(refresh=True) == "queued"
    clock.advance(seconds=10)  # the row has been queued past the sweep's patience (3 s)
    assert sweep(rt).requeued == 0  # the worker took it a moment ago: it may yet begin

    rt.redis.hset(execution.key, "created_at", time.time() - 10)  # ...and never did
    assert sweep(rt).requeued == 1
    assert Queue(JobQueue.REPLIES, connection=rt.redis).job_ids == [f"send-{message_id}"]


def test_rows_a_dead_worker_held_are_taken_back_unless_they_went(rt, rt_world, clock):
    went, stuck = order(rt, rt_world), order(rt, rt_world)
    with rt.core.db.transaction() as session:
        session.execute(update(Message).values(status="sending", updated_at=clock()))
        session.execute(update(Message).where(Message.id == went).values(provider_sid="SMgone"))
    clock.advance(seconds=10)
    rt.redis.flushall()

    report = sweep(rt)

    assert report.taken_back == 1
    assert status(rt, went) == "sent"
    with rt.core.db.transaction() as session:
        row = session.get_one(Message, stuck)
    assert (row.status, row.error_code) == ("queued", "stuck")
    assert Queue(JobQueue.REPLIES, connection=rt.redis).job_ids == [f"send-{stuck}"]


def test_a_retry_due_later_waits_and_is_enqueued_when_due(rt, rt_world, clock):
    message_id = order(rt, rt_world)
    with rt.core.db.transaction() as session:
        session.execute(
            update(Message).values(status="pending", not_before=clock() + timedelta(minutes=5))
        )
    rt.redis.flushall()
    assert sweep(rt).enqueued == 0
    clock.advance(minutes=5)
    assert sweep(rt).enqueued == 1
    mark_queued(rt.core, [message_id])  # a second marking changes nothing
    assert status(rt, message_id) == "queued"


def test_a_batch_job_keeps_every_message_it_carries_alive_and_a_gone_one_none(rt):  # type: ignore[no-untyped-def]
    broadcasts = Queue(JobQueue.BROADCASTS.value, connection=rt.redis)
    broadcasts.enqueue(send_many, [1, 2, 3], job_id="sendmany-1-3-3")
    broadcasts.enqueue(send_message, 5, job_id="send-5-b")  # its own job since (a retry)
    rt.redis.hset(BATCH_OF, mapping=dict.fromkeys([1, 2, 3], "sendmany-1-3-3"))
    rt.redis.hset(BATCH_OF, mapping=dict.fromkeys([4, 5], "sendmany-4-5-2"))  # job gone

    assert jobs_alive(rt.redis, [1, 2, 3, 4, 5, 6], timedelta(minutes=5)) == {1, 2, 3, 5}


def test_what_a_dead_worker_held_goes_ahead_of_what_waits_on_its_queue(rt, rt_world, clock):
    """It had its place in line before its worker died: it is not sent after everything
    enqueued since (in bench/scale_out.py, the rest of a broadcast: two minutes later)."""
    stuck = order(rt, rt_world)
    with rt.core.db.transaction() as session:
        session.execute(update(Message).values(status="sending", updated_at=clock()))
    rt.redis.flushall()
    clock.advance(seconds=10)
    waiting = order(rt, rt_world)  # written since, and queued

    assert sweep(rt).taken_back == 1
    assert Queue(JobQueue.REPLIES, connection=rt.redis).job_ids == [
        f"send-{stuck}",
        f"send-{waiting}",
    ]


def test_rows_enqueued_at_the_front_keep_their_own_order(rt):  # type: ignore[no-untyped-def]
    reminders = Queue(JobQueue.REMINDERS, connection=rt.redis)
    rt.relay.enqueue_ids([(900, "reminder")])  # waiting on the queue
    rt.relay.enqueue_ids([(1, "reminder"), (2, "reminder"), (3, "reminder")], at_front=True)
    assert reminders.job_ids == ["send-1", "send-2", "send-3", "send-900"]

    reminders.empty()
    rt.relay.enqueue_ids([(n, "reminder") for n in range(900, 910)])  # a batch job waiting
    rt.relay.enqueue_ids([(n, "reminder") for n in range(1, 251)], at_front=True)
    carried = [reminders.fetch_job(job_id).args[0] for job_id in reminders.job_ids]
    assert [len(ids) for ids in carried] == [100, 100, 50, 10]
    assert [n for ids in carried for n in ids] == [*range(1, 251), *range(900, 910)]
