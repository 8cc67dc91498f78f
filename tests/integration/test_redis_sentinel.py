"""Redis behind Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_MASTER): the root's client and a
worker's reach the master the sentinels name, and follow it when it fails over.

Real servers on free ports, as tests/plugins/servers.py starts Redis: a master, a replica
of it and one sentinel (`redis-server --sentinel`) watching the master with a quorum of one.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from bootstrap import bootstrap
from core.ports.jobs import Queue
from core.settings import SettingsError, load_settings
from tests.plugins.servers import RedisServer, find_redis_server, free_port, tail
from workers.worker import _work

MASTER = "mianhua"


@dataclass
class Sentinels:
    master: RedisServer
    replica: RedisServer
    port: int

    def ask(self) -> redis.Redis:
        return redis.Redis("127.0.0.1", self.port, socket_timeout=2)

    def master_port(self) -> int:
        return int(self.ask().sentinel_get_master_addr_by_name(MASTER)[1])


def _start_sentinel(
    executable: str, workdir: Path, master_port: int
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    config = workdir / "sentinel.conf"
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {workdir}\n"
        f"sentinel monitor {MASTER} 127.0.0.1 {master_port} 1\n"
        f"sentinel down-after-milliseconds {MASTER} 1000\n"
        f"sentinel failover-timeout {MASTER} 5000\n"
    )
    log = (workdir / "sentinel.log").open("ab")
    process = subprocess.Popen(
        [executable, str(config), "--sentinel"], stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            client = redis.Redis("127.0.0.1", port, socket_timeout=1)
            if client.sentinel_masters().get(MASTER, {}).get("num-slaves", 0) >= 1:
                return process, port
        except redis.RedisError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the sentinel did not come up:\n{tail(workdir / 'sentinel.log')}")


@pytest.fixture
def sentinels() -> Iterator[Sentinels]:
    executable = find_redis_server()
    workdir = Path(tempfile.mkdtemp(prefix="mianhua-sentinel-"))
    (workdir / "m").mkdir()
    (workdir / "r").mkdir()
    master = RedisServer(executable, workdir / "m")
    replica = RedisServer(executable, workdir / "r")
    sentinel: subprocess.Popen[bytes] | None = None
    try:
        master.start()
        replica.start()
        redis.Redis("127.0.0.1", replica.port).replicaof("127.0.0.1", master.port)
        sentinel, port = _start_sentinel(executable, workdir, master.port)
        yield Sentinels(master, replica, port)
    finally:
        if sentinel is not None:
            sentinel.terminate()
            sentinel.wait(timeout=10)
        replica.stop()
        master.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _env(sentinels: Sentinels, sqlite_url: str, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": sqlite_url,
        "REDIS_URL": "redis://ignored.invalid:1/3",  # only its database number counts
        "REDIS_SENTINELS": f"127.0.0.1:{sentinels.port}",
        "REDIS_SENTINEL_MASTER": MASTER,
        "MIANHUA_ENV": "test",
        **extra,
    }


def test_the_sentinels_must_be_named_with_their_master() -> None:
    with pytest.raises(SettingsError, match="REDIS_SENTINEL_MASTER"):
        load_settings({"REDIS_SENTINELS": "10.0.0.5:26379"})
    with pytest.raises(SettingsError, match="host:port"):
        load_settings({"REDIS_SENTINELS": "10.0.0.5:port", "REDIS_SENTINEL_MASTER": "m"})
    settings = load_settings(
        {"REDIS_SENTINELS": "10.0.0.5, 10.0.0.6:26380", "REDIS_SENTINEL_MASTER": "m"}
    )
    assert settings.redis_sentinels == (("10.0.0.5", 26379), ("10.0.0.6", 26380))


@pytest.mark.slow  # three servers and a sentinel that must first see the replica: ~4 s
def test_the_root_and_a_worker_use_the_master_the_sentinels_name(
    sentinels: Sentinels, sqlite_url: str
) -> None:
    root = bootstrap(load_settings(_env(sentinels, sqlite_url)))
    try:
        root.redis.set("mianhua:probe", "1")
        on_master = redis.Redis("127.0.0.1", sentinels.master.port, db=3)
        assert on_master.get("mianhua:probe") == b"1"  # REDIS_URL's database, the master's

        assert root.jobs.enqueue(len, [1, 2], queue=Queue.HOUSEKEEPING, key="probe")
        assert _work(root, burst=True, log_level="WARNING")  # RQ's worker, through Sentinel
        assert root.jobs.queue(Queue.HOUSEKEEPING).count == 0
    finally:
        root.close()


@pytest.mark.slow  # a failover takes the sentinel a few seconds
def test_after_a_failover_the_same_root_writes_to_the_new_master(
    sentinels: Sentinels, sqlite_url: str
) -> None:
    root = bootstrap(load_settings(_env(sentinels, sqlite_url)))
    try:
        root.redis.set("before", "1")
        replica = redis.Redis("127.0.0.1", sentinels.replica.port, db=3, socket_timeout=2)
        deadline = time.monotonic() + 30
        while replica.get("before") is None:  # replication is asynchronous
            assert time.monotonic() < deadline, "the replica never caught up"
            time.sleep(0.1)
        sentinels.ask().execute_command("SENTINEL", "FAILOVER", MASTER)
        old_master = redis.Redis("127.0.0.1", sentinels.master.port, socket_timeout=2)
        while (
            sentinels.master_port() != sentinels.replica.port
            or old_master.info("replication")["role"] != "slave"
        ):  # until then the old master takes writes and loses them (replication is async)
            assert time.monotonic() < deadline, "the sentinel did not fail over"
            time.sleep(0.2)
        written = False
        while not written:  # the pool's old connection fails (READONLY) and is replaced
            assert time.monotonic() < deadline, "the root never reached the new master"
            try:
                written = bool(root.redis.set("after", "1"))
            except redis.RedisError:
                time.sleep(0.2)
        assert replica.get("after") == b"1"  # the replica is the master now
        assert replica.get("before") == b"1"
    finally:
        root.close()
