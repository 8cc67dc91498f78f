"""The job port on RQ: a queue's policy applied to every job, a key queued once at a
time, and a Redis that cannot be reached named JobsUnavailable."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import SimpleWorker
from rq.job import Job, JobStatus

from core.ports.jobs import Jobs, JobsUnavailable, Queue
from staff.jobs import import_residents
from workers.delivery import send_message
from workers.job_queue import POLICIES, RqJobs


def shout(word: str) -> str:
    """A job for these tests: what it was given, louder."""
    return word.upper()


def fail() -> None:
    raise RuntimeError("this job always fails")


@pytest.fixture
def jobs(redis_url: str) -> RqJobs:
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    return RqJobs(lambda: connection)


def test_every_queue_has_a_policy():
    assert set(POLICIES) == set(Queue)


def test_a_job_is_named_by_its_function_and_carries_its_queues_policy(jobs: RqJobs):
    assert jobs.enqueue(send_message, 7, queue=Queue.REPLIES, key="send-7")
    job = jobs.queue(Queue.REPLIES).fetch_job("send-7")
    assert job is not None
    assert (job.func_name, job.args) == ("workers.delivery.send_message", (7,))
    policy = POLICIES[Queue.REPLIES]
    assert (job.timeout, job.result_ttl, job.failure_ttl) == (
        policy.timeout_s,
        policy.result_ttl_s,
        policy.failure_ttl_s,
    )
    assert job.retries_left == len(policy.retries) and job.retry_intervals == list(policy.retries)

    assert jobs.enqueue(import_residents, 3, queue=Queue.IMPORTS, key="resident-import-3")
    imported = jobs.queue(Queue.IMPORTS).fetch_job("resident-import-3")
    assert imported is not None and imported.timeout == POLICIES[Queue.IMPORTS].timeout_s
    assert imported.retries_left is None  # an import is not tried again on its own


@pytest.mark.slow  # a real worker runs the job to its failure
def test_a_key_is_queued_once_while_its_job_waits_and_again_once_it_failed(jobs: RqJobs):
    assert jobs.enqueue(fail, queue=Queue.HOUSEKEEPING, key="once")
    assert not jobs.enqueue(fail, queue=Queue.HOUSEKEEPING, key="once")  # still waiting
    assert jobs.queue(Queue.HOUSEKEEPING).job_ids == ["once"]

    queue = jobs.queue(Queue.HOUSEKEEPING)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert Job.fetch("once", connection=queue.connection).get_status() == JobStatus.FAILED
    assert jobs.enqueue(fail, queue=Queue.HOUSEKEEPING, key="once")  # failed: queued again
    assert queue.job_ids == ["once"]


def test_jobs_without_a_key_are_each_queued_and_run(jobs: RqJobs):
    assert jobs.enqueue(shout, "a", queue=Queue.HOUSEKEEPING)
    assert jobs.enqueue(shout, "a", queue=Queue.HOUSEKEEPING)
    queue = jobs.queue(Queue.HOUSEKEEPING)
    assert len(queue.job_ids) == 2
    assert SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert queue.job_ids == []


def test_a_job_for_later_waits_in_the_schedule(jobs: RqJobs):
    at = datetime.now(UTC) + timedelta(hours=1)
    assert jobs.enqueue(shout, "later", queue=Queue.REPLIES, key="later", at=at)
    queue = jobs.queue(Queue.REPLIES)
    assert queue.job_ids == [] and queue.scheduled_job_registry.get_job_ids() == ["later"]
    assert not jobs.enqueue(shout, "later", queue=Queue.REPLIES, key="later", at=at)


def test_a_wake_queues_one_job_until_it_starts_and_the_next_after(jobs: RqJobs):
    queue = jobs.queue(Queue.INBOX)
    assert jobs.wake(shout, "a", queue=Queue.INBOX, key="reader")
    assert not jobs.wake(shout, "b", queue=Queue.INBOX, key="reader")  # one waits already
    (job_id,) = queue.job_ids
    job = queue.fetch_job(job_id)
    assert job is not None and job.args == ("a",)
    assert job.timeout == POLICIES[Queue.INBOX].timeout_s
    assert job.retries_left == len(POLICIES[Queue.INBOX].retries)
    jobs.woken("reader")  # the job started: what comes now needs a reader of its own
    assert jobs.wake(shout, "c", queue=Queue.INBOX, key="reader")
    assert len(queue.job_ids) == 2


def test_a_redis_that_cannot_be_reached_is_jobs_unavailable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = Redis(port=port, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    jobs: Jobs = RqJobs(lambda: down)
    with pytest.raises(JobsUnavailable):
        jobs.enqueue(shout, "x", queue=Queue.REPLIES)
    with pytest.raises(JobsUnavailable):
        jobs.enqueue(shout, "x", queue=Queue.REPLIES, key="k")
    with pytest.raises(JobsUnavailable):
        jobs.wake(shout, "x", queue=Queue.INBOX, key="k")
    with pytest.raises(JobsUnavailable):
        jobs.woken("k")
