"""The spool directory itself: whole files only, oldest first, bad ones set aside."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from spool.records import SMS_INBOUND, BadRecord, SpoolRecord
from spool.store import TEMP_PREFIX, Spool, SpoolUnwritable

ARRIVED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def text(phone: str, body: str, minutes: float = 0) -> SpoolRecord:
    return SpoolRecord(
        provider="twilio",
        kind=SMS_INBOUND,
        arrived_at=ARRIVED + timedelta(minutes=minutes),
        payload={"From": [phone], "Body": [body], "To": ["+8631188886666"]},
        verified_by="twilio-signature",
        route="/sms/inbound",
        party=phone,
    )


def test_a_record_reads_back_as_written(tmp_path: Path):
    spool = Spool(tmp_path / "spool")
    record = text("+8613900000001", "订2号 三份")
    path = spool.write(record)

    assert spool.read(path) == record
    assert spool.pending() == [path]
    assert not list(spool.directory.glob(f"{TEMP_PREFIX}*"))  # renamed, nothing half-written


def test_files_come_back_in_arrival_order(tmp_path: Path):
    spool = Spool(tmp_path)
    for minutes, body in [(3, "third"), (1, "first"), (2, "second")]:
        spool.write(text("+8613900000001", body, minutes))

    assert [spool.read(p).value("Body") for p in spool.pending()] == ["first", "second", "third"]
    assert spool.state().oldest == ARRIVED + timedelta(minutes=1)
    assert spool.state().depth == 3


def test_a_phone_with_texts_waiting_is_known_by_its_tag(tmp_path: Path):
    spool = Spool(tmp_path)
    record = text("+8613900000001", "1 1")
    spool.write(record)

    assert spool.holds_party(record.party_tag)
    assert not spool.holds_party(text("+8613900000002", "x").party_tag)


@pytest.mark.parametrize(
    "data",
    [b"\x00\x01garbage", b"[1, 2]", b'{"format": 1, "provider": "twilio"}', b"{}"],
)
def test_a_file_that_is_not_a_record_says_why(tmp_path: Path, data: bytes):
    path = tmp_path / "0000000000000000001-bad-none.json"
    path.write_bytes(data)

    with pytest.raises(BadRecord):
        Spool(tmp_path).read(path)


def test_a_file_set_aside_keeps_its_bytes_and_why(tmp_path: Path):
    spool = Spool(tmp_path)
    path = spool.write(text("+8613900000001", "1 1"))
    data = path.read_bytes()

    spool.set_aside(path, "not JSON")

    assert spool.pending() == []
    assert (spool.bad_directory / path.name).read_bytes() == data
    assert spool.set_aside_files()[0][0] == path.name
    assert spool.set_aside_files()[0][1].endswith("not JSON")
    assert spool.state().set_aside == 1


def test_a_spool_where_a_file_stands_cannot_be_written(tmp_path: Path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the spool should be")
    spool = Spool(blocker / "spool")

    with pytest.raises(SpoolUnwritable):
        spool.write(text("+8613900000001", "1 1"))
    state = spool.state()
    assert not state.writable and state.problem


def test_one_process_at_a_time_takes_the_spool_in(tmp_path: Path):
    spool = Spool(tmp_path)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        # flock is per open file: a second open, even in this process, is refused.
        with spool.exclusive() as got:
            assert got
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    with spool.exclusive(wait_s=0.1) as got:
        assert not got
    release.set()
    holder.join()
    with spool.exclusive() as got:
        assert got


def test_temporary_files_of_dead_requests_are_swept(tmp_path: Path):
    spool = Spool(tmp_path)
    stale = tmp_path / f"{TEMP_PREFIX}0001-dead.json"
    stale.write_bytes(b"{")
    os.utime(stale, (1, 1))
    fresh = tmp_path / f"{TEMP_PREFIX}0002-writing.json"
    fresh.write_bytes(b"{")

    assert spool.sweep_temporaries() == 1
    assert not stale.exists() and fresh.exists()
    assert spool.pending() == []
