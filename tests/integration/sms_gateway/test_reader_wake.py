"""The inbox as the readers' queue: one wake per burst, many phones per reader job."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from rq import Queue
from sqlalchemy import select

import sms_gateway.conversation
import sms_gateway.jobs
from bootstrap import installed
from core.conversations.models import InboxText
from core.ports.jobs import Queue as JobQueue
from sms_gateway.jobs import enqueue_stale_texts, read_waiting
from tests.builders import World
from tests.support.phone import Sms


def inbox_jobs(app) -> int:  # type: ignore[no-untyped-def]
    return Queue(JobQueue.INBOX, connection=app.extensions["mianhua"].redis).count


def test_a_burst_of_texts_wakes_one_reader_which_reads_every_phone(sms, app, app_world):
    app_world.deal()
    residents = [app_world.resident(f"居民{n}") for n in range(5)]
    for resident in residents:
        sms.send(resident.phone, "1 1", read=False)
        sms.send(resident.phone, "团购", read=False)
    assert inbox_jobs(app) == 1  # ten texts, one reader
    sms.read_inbox()
    for resident in residents:
        confirmation, deals = sms.new_replies(resident.phone)  # in the order they came
        assert confirmation.startswith("已订1号赵县雪花梨1箱")
        assert "1号赵县雪花梨" in deals


def test_a_text_recorded_after_the_readers_last_look_wakes_another(
    sms, app, app_world, monkeypatch
):
    app_world.deal()
    wang, li = app_world.resident("王芳"), app_world.resident("李娟")
    sms.send(wang.phone, "1 1", read=False)
    real_claim = sms_gateway.jobs.claim_waiting
    late: list[int] = []

    def claim_then_a_text_arrives(core, **kwargs):  # type: ignore[no-untyped-def]
        claimed = real_claim(core, **kwargs)
        if not claimed.texts and not late:  # the reader found nothing more: it is ending
            late.append(sms.send(li.phone, "1 2", read=False).status)
        return claimed

    monkeypatch.setattr(sms_gateway.jobs, "claim_waiting", claim_then_a_text_arrives)
    sms.read_inbox()  # a burst worker: it also runs the reader the late text woke
    assert late == [200]
    assert sms.new_replies(wang.phone)[0].startswith("已订1号赵县雪花梨1箱")
    assert sms.new_replies(li.phone)[0].startswith("已订1号赵县雪花梨2箱")


def test_a_lost_wake_is_caught_by_the_sweep(sms, app, app_world, clock):
    wang, li = app_world.resident("王芳"), app_world.resident("李娟")
    app_world.deal()
    mianhua = app.extensions["mianhua"]
    sms.send(wang.phone, "1 2", read=False)
    Queue(JobQueue.INBOX, connection=mianhua.redis).empty()  # Redis lost the reader's job
    sms.send(li.phone, "1 1", read=False)  # a reader is still said to be waiting
    assert inbox_jobs(app) == 0
    clock.advance(minutes=3)
    assert enqueue_stale_texts(mianhua.jobs, mianhua.core) == 2  # two phones wait
    assert enqueue_stale_texts(mianhua.jobs, mianhua.core) == 0  # its reader is queued
    sms.read_inbox()
    assert sms.new_replies(wang.phone)[0].startswith("已订1号赵县雪花梨2箱")
    assert sms.new_replies(li.phone)[0].startswith("已订1号赵县雪花梨1箱")


@pytest.mark.slow  # two readers and twenty-four texts on PostgreSQL
def test_two_readers_at_once_never_read_one_phone_at_once(
    app_factory, postgres_url, clock, monkeypatch
):
    app = app_factory(postgres_url)
    mianhua = app.extensions["mianhua"]
    world = World(mianhua.core, clock)
    world.deal(limit=10)
    residents = [world.resident(f"居民{n}") for n in range(6)]
    sms = Sms(app.test_client(), world.core)
    for round_ in range(4):
        for resident in residents:
            sms.send(resident.phone, f"1 {round_ + 1}", read=False)  # each a change

    real_read_text = sms_gateway.conversation.read_text
    guard = threading.Lock()
    reading: set[str] = set()
    overlaps: list[str] = []
    order: dict[str, list[int]] = {}
    readers: dict[str, set[str]] = {}

    def watched_read_text(core, session, community, phone, waiting):  # type: ignore[no-untyped-def]
        with guard:
            if phone in reading:
                overlaps.append(phone)
            reading.add(phone)
            order.setdefault(phone, []).append(waiting.text.message_id)
            readers.setdefault(threading.current_thread().name, set()).add(phone)
        try:
            time.sleep(0.01)  # long enough for the other reader to try the same phone
            real_read_text(core, session, community, phone, waiting)
        finally:
            with guard:
                reading.discard(phone)

    monkeypatch.setattr(sms_gateway.conversation, "read_text", watched_read_text)
    monkeypatch.setattr(sms_gateway.jobs, "CLAIM_BATCH", 3)  # many batches, both readers
    with installed(mianhua), ThreadPoolExecutor(2, thread_name_prefix="reader") as pool:
        read = sum(pool.map(lambda _: read_waiting(mianhua), range(2)))
    assert read == 24 and overlaps == []
    assert all(ids == sorted(ids) and len(ids) == 4 for ids in order.values())
    assert len(readers) == 2  # both read
    with world.core.db.transaction() as session:
        assert session.scalars(select(InboxText.outcome)).all() == ["PlaceOrder"] * 24
    for resident in residents:
        assert len(sms.new_replies(resident.phone)) == 4
