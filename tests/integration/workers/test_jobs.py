"""The send job, in-process on the test clock, through the real Twilio client and the stand-in."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select, update

from core.community.models import Community
from core.messages.models import Message, MessageChannel, MessageKind, MessageStatus
from core.messages.outbox import queue_message
from core.messages.recovery import take_back_stuck
from core.messages.sending import LOOP_LIMIT, claim, record_call_outcome
from core.messages.services import queue_reply
from core.orders.services import place_order
from core.ports.jobs import Queue as JobQueue
from core.reminders.services import send_bulk_reminder
from core.residents.models import Resident
from core.residents.services import find_resident
from tests.conftest import PUBLIC_BASE_URL
from workers.delivery import (
    BATCH_OF,
    PARALLEL_SENDS,
    deliver,
    deliver_many,
    send_many,
    send_message,
)
from workers.sweep import jobs_alive


def message(rt, message_id: int) -> Message:  # type: ignore[no-untyped-def]
    with rt.core.db.transaction() as session:
        return session.get_one(Message, message_id)


def write(rt, world, resident, body="取货提醒", kind=MessageKind.REMINDER, **extra):  # type: ignore[no-untyped-def]
    with rt.core.db.transaction() as session:
        row = queue_message(
            session,
            community=session.get_one(Community, world.community_id),
            resident=session.get_one(Resident, resident.id),
            body=body,
            kind=kind,
            now=rt.core.now(),
            quiet_hours=rt.core.quiet_hours,
            **extra,
        )
        assert row is not None
        return row.id


def confirmation(rt, world, quantity: int = 2) -> int:  # type: ignore[no-untyped-def]
    wang = world.resident()
    deal = world.deal()
    place_order(
        rt.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=deal.number,
        quantity=quantity,
        channel="sms",
    )
    with rt.core.db.transaction() as session:
        return session.scalars(select(Message.id)).one()


def test_a_confirmation_goes_out_once_with_its_status_callback(rt, rt_world, stand_in):
    message_id = confirmation(rt, rt_world)

    assert deliver(rt, message_id).startswith("sent")
    assert deliver(rt, message_id) == "nothing to do (sent)"

    [request] = stand_in.requests
    assert request.form["From"] == "+8631188886666"
    assert request.form["StatusCallback"] == f"{PUBLIC_BASE_URL}/sms/status?m={message_id}"
    assert "ValidityPeriod" not in request.form  # a confirmation is never stale
    assert "已订1号赵县雪花梨2箱" in request.form["Body"]
    sent = message(rt, message_id)
    assert (sent.status, sent.provider_sid, sent.attempts) == ("sent", request.sid, 1)
    assert sent.sent_at == rt.core.now()


def test_reminders_carry_a_validity_period(rt, rt_world, stand_in):
    message_id = write(rt, rt_world, rt_world.resident())
    deliver(rt, message_id)
    assert stand_in.requests[0].form["ValidityPeriod"] == "3600"


def test_a_message_not_yet_due_waits_on_the_scheduler(rt, rt_world, stand_in, clock):
    later = clock() + timedelta(hours=2)
    message_id = write(rt, rt_world, rt_world.resident(), not_before=later)

    assert deliver(rt, message_id, job_id=f"send-{message_id}").startswith("not before")

    assert stand_in.requests == []
    row = message(rt, message_id)
    assert (row.status, row.not_before) == ("queued", later)
    scheduled = ScheduledJobRegistry(JobQueue.REMINDERS, connection=rt.redis).get_job_ids()
    assert scheduled == [f"send-{message_id}-b"]  # never the running job's own id


def test_a_reminder_due_in_quiet_hours_waits_for_the_morning(rt, rt_world, stand_in, clock):
    message_id = write(rt, rt_world, rt_world.resident())  # written at 10:00, due at once
    clock.set(rt_world.local(0, 22, 30))  # the workers only get to it late at night

    deliver(rt, message_id)

    assert stand_in.requests == []
    assert message(rt, message_id).not_before == rt_world.local(1, 8)


def test_replies_go_even_in_quiet_hours(rt, rt_world, stand_in, clock):
    wang = rt_world.resident()
    clock.set(rt_world.local(0, 23))
    reply = queue_reply(rt.core, community_id=rt_world.community_id, phone=wang.phone, body="好的")
    assert deliver(rt, reply.id).startswith("sent")


def test_a_reminder_past_its_expiry_is_never_sent(rt, rt_world, stand_in, clock):
    expiry = clock() + timedelta(minutes=30)
    message_id = write(rt, rt_world, rt_world.resident(), body="快到取货时间了")
    with rt.core.db.transaction() as session:
        session.execute(update(Message).values(expires_at=expiry))
    clock.advance(hours=1)

    assert deliver(rt, message_id) == "dropped (expired)"
    assert stand_in.requests == []
    assert message(rt, message_id).status == "suppressed"


def test_passing_errors_are_retried_with_backoff_then_sent(rt, rt_world, stand_in, clock):
    message_id = confirmation(rt, rt_world)
    stand_in.queue("500", "429")

    assert deliver(rt, message_id).startswith("retry at")
    row = message(rt, message_id)
    assert (row.status, row.error_code, row.attempts) == ("queued", "20500", 1)
    assert row.not_before == clock() + timedelta(seconds=0.2)
    assert deliver(rt, message_id).startswith("not before")  # too early: nothing sent

    clock.advance(seconds=1)
    assert deliver(rt, message_id).startswith("retry at")  # the 429
    clock.advance(seconds=1)
    assert deliver(rt, message_id).startswith("sent")
    assert [r.status for r in stand_in.requests] == [500, 429, 201]
    assert message(rt, message_id).attempts == 3


def test_a_message_fails_when_the_retries_run_out(rt, rt_world, stand_in, clock):
    message_id = confirmation(rt, rt_world)
    stand_in.queue("500", "500", "500", "500")
    for _ in range(4):
        deliver(rt, message_id)
        clock.advance(seconds=5)
    assert deliver(rt, message_id) == "nothing to do (failed)"
    row = message(rt, message_id)
    assert (row.status, row.attempts, row.error_code) == ("failed", 4, "20500")
    assert len(stand_in.requests) == 4


def test_a_resident_who_texted_stop_gets_nothing_more(rt, rt_world, stand_in):
    wang = rt_world.resident()
    stand_in.on_to(wang.phone, "21610")
    first = write(rt, rt_world, wang)

    assert deliver(rt, first) == "failed (21610)"
    assert find_resident(rt.core, community_id=rt_world.community_id, phone=wang.phone).opted_out
    later = write(rt, rt_world, wang, body="另一条提醒")
    assert message(rt, later).status == "suppressed"
    assert len(stand_in.requests) == 1


def test_an_invalid_number_is_marked_and_not_retried(rt, rt_world, stand_in):
    wang = rt_world.resident()
    stand_in.on_to(wang.phone, "21211")
    first = write(rt, rt_world, wang)
    assert deliver(rt, first) == "failed (21211)"
    with rt.core.db.transaction() as session:
        assert session.get_one(Resident, wang.id).phone_problem == "invalid_number"
    assert message(rt, write(rt, rt_world, wang, body="再一条")).status == "suppressed"


@pytest.mark.slow  # waits out a request timeout
def test_a_timeout_is_retried_after_asking_twilio_whether_it_went(
    make_root, sqlite_url, stand_in, clock
):  # type: ignore[no-untyped-def]
    rt = make_root(sqlite_url, SEND_STUCK_AFTER_SECONDS="3")  # the client gives up after 1 s
    from tests.builders import World

    world = World(rt.core, clock)
    message_id = confirmation(rt, world)
    stand_in.queue("hang")

    assert deliver(rt, message_id).startswith("retry at")
    assert message(rt, message_id).error_code == "timeout"
    clock.advance(seconds=1)
    assert deliver(rt, message_id).startswith("sent")
    kinds = [(r.method, r.status) for r in stand_in.requests]
    assert kinds == [("POST", None), ("GET", 200), ("POST", 201)]


def test_an_attempt_that_got_through_before_its_worker_died_is_not_sent_again(
    rt, rt_world, stand_in, clock
):  # type: ignore[no-untyped-def]
    message_id = confirmation(rt, rt_world)
    body = message(rt, message_id).body
    # A worker claimed it, Twilio took it, and the worker died before writing the sid down.
    assert claim(rt.core, message_id)
    rt.sender.client.messages.create(
        to=message(rt, message_id).phone, from_="+8631188886666", body=body
    )
    clock.advance(seconds=10)
    assert take_back_stuck(rt.core, older_than=timedelta(seconds=3), max_attempts=4) == [
        (message_id, "confirmation")
    ]

    assert deliver(rt, message_id).startswith("found sent")

    assert [r.method for r in stand_in.requests] == ["POST", "GET"]
    row = message(rt, message_id)
    assert (row.status, row.provider_sid) == ("sent", stand_in.requests[0].sid)


def test_the_loop_guard_stops_the_twenty_first_identical_text(rt, rt_world, stand_in):
    wang = rt_world.resident()
    ids = [
        write(rt, rt_world, wang, body="同一条", kind=MessageKind.REPLY)
        for _ in range(LOOP_LIMIT + 1)
    ]
    outcomes = [deliver(rt, i) for i in ids]
    assert all(o.startswith("sent") for o in outcomes[:LOOP_LIMIT])
    assert outcomes[LOOP_LIMIT] == "dropped (loop)"
    assert message(rt, ids[-1]).status == "failed"
    assert len(stand_in.requests) == LOOP_LIMIT


def test_landline_residents_are_called_with_the_reminder_spoken(rt, rt_world, stand_in):
    grandma = rt_world.resident("李奶奶", phone="+8631188880001", landline=True)
    message_id = write(rt, rt_world, grandma, body="取货提醒：1号赵县雪花梨")
    assert message(rt, message_id).channel == MessageChannel.VOICE

    assert deliver(rt, message_id).startswith("sent")

    [call] = stand_in.requests
    assert call.kind == "call" and call.to == "+8631188880001"
    assert call.form["StatusCallback"] == f"{PUBLIC_BASE_URL}/voice/reminder-status?m={message_id}"
    twiml = call.form["Twiml"]
    assert '<Say language="cmn-CN" voice="Polly.Zhiyu">' in twiml
    assert twiml.count("取货提醒：1号赵县雪花梨") == 2  # said, then said again


def test_english_speaking_landline_residents_hear_english(rt, rt_world, stand_in):
    tom = rt_world.resident("Tom", phone="+8631188880002", landline=True, language="en")
    deliver(rt, write(rt, rt_world, tom, body="Pickup reminder"))
    assert 'language="en-US" voice="Polly.Joanna"' in stand_in.requests[0].form["Twiml"]


def test_two_workers_with_the_same_message_send_it_once(make_root, postgres_url, stand_in, clock):  # type: ignore[no-untyped-def]
    rt = make_root(postgres_url)
    from tests.builders import World

    world = World(rt.core, clock)
    message_id = confirmation(rt, world)
    outcomes: list[str] = []
    threads = [
        threading.Thread(target=lambda: outcomes.append(deliver(rt, message_id))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stand_in.requests) == 1
    assert sum(o.startswith("sent") for o in outcomes) == 1


def test_the_console_sender_records_what_it_would_send(make_root, sqlite_url, clock, capsys):  # type: ignore[no-untyped-def]
    rt = make_root(sqlite_url, SMS_SENDER="console")
    from tests.builders import World

    message_id = confirmation(rt, World(rt.core, clock))
    assert deliver(rt, message_id) == f"sent (CONSOLE-{message_id})"
    assert "已订1号赵县雪花梨2箱" in capsys.readouterr().out
    row = message(rt, message_id)
    assert (row.status, row.provider_sid) == ("sent", f"CONSOLE-{message_id}")


def bulk_reminder_to(rt, clock, buyers: tuple[str, ...]) -> list[int]:  # type: ignore[no-untyped-def]
    """A bulk reminder to the buyers of one deal, its rows as a worker finds them: their
    order confirmations gone, and no job queued for them yet (this worker took it)."""
    from tests.builders import World

    world = World(rt.core, clock)
    deal = world.deal()
    for name in buyers:
        buyer = world.resident(name)
        place_order(
            rt.core,
            community_id=world.community_id,
            phone=buyer.phone,
            deal_number=deal.number,
            quantity=1,
            channel="staff",
        )
    with rt.core.db.transaction() as session:  # the confirmations are not the subject
        session.execute(update(Message).values(status=MessageStatus.SENT))
    Queue(JobQueue.REPLIES, connection=rt.redis).empty()  # nor their jobs
    batch = send_bulk_reminder(rt.core, community_id=world.community_id, number=deal.number, by="t")
    Queue(JobQueue.BROADCASTS, connection=rt.redis).empty()
    with rt.core.db.transaction() as session:
        return list(
            session.scalars(
                select(Message.id).where(Message.batch_id == batch.batch_id).order_by(Message.id)
            )
        )


def test_a_broadcast_gives_way_when_a_reply_is_waiting(make_root, sqlite_url, stand_in, clock):  # type: ignore[no-untyped-def]
    rt = make_root(sqlite_url, SEND_RATE_PER_SECOND="0.5")  # one segment per 2 s
    first, second = bulk_reminder_to(rt, clock, ("甲", "乙"))
    assert deliver(rt, first).startswith("sent")  # takes the number's slot for 2 s
    Queue(JobQueue.REPLIES, connection=rt.redis).enqueue(send_message, 999_999)

    assert deliver(rt, second, job_id=f"send-{second}") == "yielded to more urgent work"

    broadcasts = Queue(JobQueue.BROADCASTS, connection=rt.redis)
    # First in line after the reply, as a batch job of one, mapped for the sweep.
    assert broadcasts.job_ids[0] == f"sendmany-{second}-{second}-1"
    assert rt.redis.hget(BATCH_OF, second) == f"sendmany-{second}-{second}-1".encode()
    assert message(rt, second).status == "queued"
    assert len(stand_in.requests) == 1


def test_a_broadcast_gives_way_to_a_waiting_reply_even_with_slots_to_spare(  # type: ignore[no-untyped-def]
    make_root, sqlite_url, stand_in, clock
):
    # A pace the workers cannot reach (a busy host): every slot is free, so the batch
    # never hears "no", and must look for urgent work before each message all the same.
    rt = make_root(sqlite_url, SEND_RATE_PER_SECOND="1000")
    ids = bulk_reminder_to(rt, clock, ("甲", "乙", "丙"))
    Queue(JobQueue.REPLIES, connection=rt.redis).enqueue(send_message, 999_999)

    outcomes = deliver_many(rt, list(ids), job_id="bulk-1")

    assert set(outcomes.values()) == {"yielded to more urgent work"}
    assert stand_in.requests == []
    broadcasts = Queue(JobQueue.BROADCASTS, connection=rt.redis)
    # Next after the reply, and still one job: not a job per message.
    (job_id,) = broadcasts.job_ids
    assert job_id == f"sendmany-{ids[0]}-{ids[-1]}-3"
    assert broadcasts.fetch_job(job_id).args == (list(ids),)
    assert {message(rt, i).status for i in ids} == {"queued"}
    # The sweep finds their job by them, as it finds a batch the relay queued.
    assert rt.redis.hmget(BATCH_OF, list(ids)) == [job_id.encode()] * 3
    assert jobs_alive(rt.redis, list(ids), timedelta(minutes=5)) == set(ids)


def test_a_batch_job_that_gives_way_leaves_its_messages_mapped_to_the_new_one(  # type: ignore[no-untyped-def]
    make_root, sqlite_url, stand_in, clock
):
    rt = make_root(sqlite_url, SEND_RATE_PER_SECOND="1000")
    ids = bulk_reminder_to(rt, clock, ("甲", "乙"))
    rt.redis.hset(BATCH_OF, mapping=dict.fromkeys(ids, "sendmany-taken"))  # as the relay maps
    Queue(JobQueue.REPLIES, connection=rt.redis).enqueue(send_message, 999_999)

    assert send_many(list(ids)) == {"yielded": 2}

    # Its own end of job forgets what it sent, not what it handed on.
    new_job = f"sendmany-{ids[0]}-{ids[-1]}-2"
    assert rt.redis.hmget(BATCH_OF, list(ids)) == [new_job.encode()] * 2
    assert Queue(JobQueue.BROADCASTS, connection=rt.redis).job_ids == [new_job]


def test_a_batch_that_gives_way_again_never_takes_an_id_its_chain_had(  # type: ignore[no-untyped-def]
    make_root, sqlite_url, stand_in, clock
):
    # The first job still waits for its sends in flight while the one it handed on starts
    # on another worker and gives way too: the third job must not be the first's id.
    rt = make_root(sqlite_url, SEND_RATE_PER_SECOND="1000")
    ids = list(bulk_reminder_to(rt, clock, ("甲", "乙")))
    Queue(JobQueue.REPLIES, connection=rt.redis).enqueue(send_message, 999_999)
    broadcasts = Queue(JobQueue.BROADCASTS, connection=rt.redis)
    first = f"sendmany-{ids[0]}-{ids[-1]}-2"  # as the relay names it
    chain = [first]
    for _ in range(3):
        deliver_many(rt, ids, job_id=chain[-1])
        chain.append(broadcasts.job_ids[0])

    assert len(set(chain)) == 4, chain
    assert broadcasts.fetch_job(chain[-1]).args == (ids,)
    assert rt.redis.hmget(BATCH_OF, ids) == [chain[-1].encode()] * 2
    assert stand_in.requests == []


def test_an_unanswered_reminder_call_is_tried_once_more(rt, rt_world, stand_in, clock):
    grandma = rt_world.resident("李奶奶", phone="+8631188880001", landline=True)
    message_id = write(rt, rt_world, grandma, body="取货提醒")
    deliver(rt, message_id)
    first_call = message(rt, message_id).provider_sid

    outcome = record_call_outcome(
        rt.core, message_id=message_id, call_sid=first_call, call_status="no-answer"
    )
    assert outcome == "pending"
    assert message(rt, message_id).not_before == clock() + timedelta(minutes=10)
    again = record_call_outcome(  # Twilio repeats itself: still one retry
        rt.core, message_id=message_id, call_sid=first_call, call_status="no-answer"
    )
    assert again is None

    clock.advance(minutes=10)
    deliver(rt, message_id)
    second_call = message(rt, message_id).provider_sid
    assert second_call != first_call and len(stand_in.accepted_calls()) == 2
    assert (
        record_call_outcome(
            rt.core, message_id=message_id, call_sid=second_call, call_status="busy"
        )
        == "undelivered"
    )
    clock.advance(hours=1)
    assert deliver(rt, message_id) == "nothing to do (undelivered)"


def test_an_answered_reminder_call_is_delivered(rt, rt_world, stand_in):
    grandma = rt_world.resident("李奶奶", phone="+8631188880001", landline=True)
    message_id = write(rt, rt_world, grandma, body="取货提醒")
    deliver(rt, message_id)
    sid = message(rt, message_id).provider_sid
    assert (
        record_call_outcome(rt.core, message_id=message_id, call_sid=sid, call_status="completed")
        == "delivered"
    )


def test_a_paced_batch_waits_for_the_next_slot_while_the_carrier_answers(  # type: ignore[no-untyped-def]
    make_root, sqlite_url, stand_in, clock
):
    # A carrier 150 ms away and a pace of 50 a second: one at a time, a worker could send
    # fewer than 7 a second; with the next slot waited for meanwhile, several are out at once.
    rt = make_root(sqlite_url, SEND_RATE_PER_SECOND="50")
    stand_in.answer_after_s = 0.15
    ids = bulk_reminder_to(rt, clock, ("甲", "乙", "丙", "丁", "戊", "己"))

    outcomes = deliver_many(rt, ids, job_id="bulk-1")

    assert all(outcome.startswith("sent") for outcome in outcomes.values()), outcomes
    assert {message(rt, i).status for i in ids} == {"sent"}
    assert 1 < stand_in.most_at_once <= PARALLEL_SENDS
