"""The spool directory: one file per request, written so that a crash leaves no half file.

Layout of SPOOL_DIR (one directory per web host; every web process on the host
shares it, and one of them at a time takes it in, under `.drain.lock`):

    <arrival ns>-<count+random>-<party tag>.json   waiting to be taken in, oldest name first
    .tmp-*                                  being written (renamed when complete)
    bad/<name>.json + <name>.json.why       could not be taken in: kept for staff, with why
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import logging
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from spool.records import BadRecord, SpoolRecord

log = logging.getLogger(__name__)

BAD = "bad"
LOCK = ".drain.lock"
TEMP_PREFIX = ".tmp-"
#: A temporary file this old belongs to a request that died before it answered.
TEMP_ABANDONED_AFTER_S = 3600


_written = itertools.count()


class SpoolUnwritable(OSError):
    """The spool cannot take a file (disk full, not a directory, no permission)."""


@dataclass(frozen=True)
class SpoolState:
    """What /healthz and the staff dashboard say about the spool."""

    directory: str
    writable: bool
    depth: int  # files waiting to be taken in
    oldest: datetime | None  # arrival of the oldest waiting file
    set_aside: int  # files in bad/
    problem: str | None = None  # why it is not writable


def _arrival_of(name: str) -> datetime | None:
    stamp = name.split("-", 1)[0]
    if not stamp.isdigit():
        return None
    return datetime.fromtimestamp(int(stamp) / 1e9, UTC)


class Spool:
    """A spool directory on local disk."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    @property
    def bad_directory(self) -> Path:
        return self.directory / BAD

    # --- writing -----------------------------------------------------------------

    def write(self, record: SpoolRecord) -> Path:
        """Keep a record: temporary file, fsync, rename, fsync the directory.

        Only after this returns may the webhook tell the provider all is well.
        """
        arrived_ns = int(record.arrived_at.timestamp() * 1_000_000) * 1000
        # Arrival, then this process's count (two texts in one microsecond keep their order).
        order = f"{arrived_ns:019d}-{next(_written):010d}{secrets.token_hex(3)}"
        name = f"{order}-{record.party_tag}.json"
        temporary = self.directory / f"{TEMP_PREFIX}{name}"
        data = record.to_json()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            try:
                written = 0
                while written < len(data):
                    written += os.write(descriptor, data[written:])
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            final = self.directory / name
            os.rename(temporary, final)
            self._sync_directory()
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise SpoolUnwritable(exc.errno, f"spool {self.directory} not writable: {exc}") from exc
        return final

    def _sync_directory(self) -> None:
        """The rename is durable only once the directory itself is on disk."""
        descriptor = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def check_writable(self) -> None:
        """Raise SpoolUnwritable unless a file could be written here now."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            probe = self.directory / f"{TEMP_PREFIX}probe-{os.getpid()}-{secrets.token_hex(4)}"
            probe.write_bytes(b"probe")
            probe.unlink()
        except OSError as exc:
            raise SpoolUnwritable(exc.errno, f"spool {self.directory} not writable: {exc}") from exc

    # --- reading -----------------------------------------------------------------

    def pending(self) -> list[Path]:
        """Files waiting to be taken in, oldest arrival first."""
        try:
            with os.scandir(self.directory) as entries:
                names = [
                    e.name
                    for e in entries
                    if e.name.endswith(".json") and not e.name.startswith(".") and e.is_file()
                ]
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [self.directory / name for name in sorted(names)]

    def holds_party(self, party_tag: str) -> bool:
        """Whether a file from this party still waits: its new texts then queue behind it."""
        suffix = f"-{party_tag}.json"
        try:
            with os.scandir(self.directory) as entries:
                return any(e.name.endswith(suffix) and not e.name.startswith(".") for e in entries)
        except (FileNotFoundError, NotADirectoryError):
            return False

    def read(self, path: Path) -> SpoolRecord:
        """The record in a file; BadRecord when it cannot be read as one."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise  # gone already (taken in, or moved by hand): nothing to set aside
        except OSError as exc:
            raise BadRecord(f"unreadable: {exc}") from exc
        return SpoolRecord.from_json(data)

    def remove(self, path: Path) -> None:
        """Called only once the file's row is committed."""
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        self._sync_directory()

    def set_aside(self, path: Path, reason: str) -> Path:
        """Move a file that cannot be taken in to bad/, with a note of why, for staff."""
        self.bad_directory.mkdir(parents=True, exist_ok=True)
        target = self.bad_directory / path.name
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        os.replace(path, target)
        (self.bad_directory / f"{path.name}.why").write_text(f"{stamp} {reason}\n", "utf-8")
        self._sync_directory()
        log.error("spool: set aside %s: %s", target, reason)
        return target

    def set_aside_files(self) -> list[tuple[str, str]]:
        """(file name, why) of every file set aside, oldest first."""
        try:
            names = sorted(p.name for p in self.bad_directory.glob("*.json"))
        except OSError:
            return []
        found = []
        for name in names:
            why_path = self.bad_directory / f"{name}.why"
            try:
                why = why_path.read_text("utf-8").strip()
            except OSError:
                why = ""
            found.append((name, why))
        return found

    def sweep_temporaries(self, older_than_s: float = TEMP_ABANDONED_AFTER_S) -> int:
        """Delete temporary files of requests that died before answering (never confirmed)."""
        count = 0
        cutoff = time.time() - older_than_s
        for path in self.directory.glob(f"{TEMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    count += 1
        return count

    # --- taking in, one process at a time ---------------------------------------------

    @contextlib.contextmanager
    def exclusive(self, wait_s: float = 0.0) -> Iterator[bool]:
        """Hold the host's drain lock; yields False if another process holds it past `wait_s`."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle = (self.directory / LOCK).open("a")
        except OSError as exc:
            log.error("spool: cannot open the drain lock in %s: %s", self.directory, exc)
            yield False
            return
        deadline = time.monotonic() + wait_s
        try:
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.05)
            try:
                yield True
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()

    # --- what it holds -----------------------------------------------------------

    def state(self) -> SpoolState:
        problem = None
        try:
            self.check_writable()
        except SpoolUnwritable as exc:
            problem = str(exc)
        waiting = self.pending()
        return SpoolState(
            directory=str(self.directory),
            writable=problem is None,
            depth=len(waiting),
            oldest=_arrival_of(waiting[0].name) if waiting else None,
            set_aside=len(self.set_aside_files()),
            problem=problem,
        )
