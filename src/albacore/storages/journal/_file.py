"""JournalFileBackend: the journal as one append-only file, shared by processes on one host or over NFS."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import threading
import uuid
import zlib
from collections.abc import Iterator
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: the lock object alone serialises writers
    fcntl = None  # type: ignore[assignment]

from albacore.exceptions import InvalidArgumentError, StorageCorruptedError, StorageInternalError
from albacore.logging import get_logger
from albacore.storages.journal._base import BaseJournalBackend, BaseJournalSnapshot
from albacore.storages.journal._lock import BaseJournalFileLock, locked
from albacore.storages.journal._records import HEADER_LEN, corruption_error, frame, new_header, parse_header, scan

__all__ = ["JournalFileBackend"]

_logger = get_logger(__name__)
_fdatasync = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync


def _funlock(fd: int) -> None:
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)


def _flock(fd: int) -> None:
    """Lock the journal itself for writing until ``fd`` is closed (the kernel drops it if the process dies)."""
    if fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as err:
        # Some network file systems (NFS mounted with nolock) refuse flock: the lock object must do the work.
        if err.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            raise


def dumps(log: dict[str, Any]) -> bytes:
    """Encode one operation as compact ASCII JSON (escaped, so it never holds a raw newline)."""
    return json.dumps(log, separators=(",", ":")).encode()


class JournalFileBackend(BaseJournalBackend, BaseJournalSnapshot):
    """Keeps the journal in one file: framed records with a length and a crc32 each (see ``_records``).

    Writers are serialised by ``flock`` on the journal itself (released by the kernel when a process dies, so
    it never goes stale), plus ``lock_obj`` when given: pass :class:`JournalFileSymlinkLock` or
    :class:`JournalFileOpenLock` on network file systems where ``flock`` is not shared between hosts.

    Durability: every append writes its batch with a single ``os.write`` while holding the lock, so the write
    is visible to every client when it returns. :meth:`append_logs` then ``fdatasync``\\ s the file, so the
    write survives a crash of the process or of the machine (given a disk that honours flushes; on macOS
    ``fsync`` does not reach the platter). :class:`JournalStorage` flushes every write except creating and
    claiming a trial, which the next flushed write (of any worker) makes durable: a machine crash can lose
    only those records of trials whose workers die with it. A writer killed mid-append leaves a torn tail that
    readers ignore and the next writer seals.

    Every few thousand records a client also writes ``<file_path>.snapshot`` (JSON, replaced atomically),
    so that opening a long journal replays only the records after it.

    Args:
        file_path: The journal file; created (with its header) if it does not exist.
        lock_obj: The lock serialising writers; defaults to :class:`JournalFileOpenLock`. Use
            :class:`JournalFileSymlinkLock` on NFS.

    Example:
        >>> import os, tempfile
        >>> import albacore
        >>> from albacore.storages import JournalStorage
        >>> from albacore.storages.journal import JournalFileBackend
        >>> path = os.path.join(tempfile.mkdtemp(), "study.log")
        >>> storage = JournalStorage(JournalFileBackend(path))
        >>> study = albacore.create_study(storage=storage, study_name="demo")
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=5)
        >>> len(albacore.load_study(study_name="demo", storage=JournalStorage(JournalFileBackend(path))).trials)
        5
    """

    def __init__(self, file_path: str | os.PathLike[str], lock_obj: BaseJournalFileLock | None = None) -> None:
        self._path = os.fspath(file_path)
        self._lock = lock_obj
        self._mutex = threading.Lock()
        self._journal_id = ""
        self._first_offset = 0
        # Where the next read_logs continues: record number, byte offset, and the frame of the record before.
        self._next_number = 0
        self._next_offset = 0
        self._last_frame = (0, b"")
        self._verified_end = 0  # bytes before it are known to be intact records
        self._open()

    def __getstate__(self) -> dict[str, Any]:
        # Positions and the thread mutex belong to this process; another process starts reading afresh.
        return {"file_path": self._path, "lock_obj": self._lock}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["file_path"], state["lock_obj"])  # type: ignore[misc]

    @property
    def file_path(self) -> str:
        """The journal file."""
        return self._path

    def _open(self) -> None:
        data = self._read_head()
        directory = os.path.dirname(os.path.abspath(self._path))
        if not data and not os.path.isdir(directory):
            raise InvalidArgumentError(
                f"Cannot create the journal {self._path}: the directory {directory} does not exist. Create it first."
            )
        if not data:
            with self._mutex, self._locked():
                fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
                try:
                    _flock(fd)
                    if os.fstat(fd).st_size == 0:
                        os.write(fd, new_header())
                        os.fsync(fd)
                        self._fsync_directory()
                finally:
                    os.close(fd)
            data = self._read_head()
        parsed = parse_header(data, self._path)
        if parsed is None:
            raise StorageCorruptedError(
                f"The journal {self._path} ends inside its header line; delete it if it holds no study, or run "
                f"`albacore storage repair --storage journal:///{os.path.abspath(self._path).lstrip('/')}`."
            )
        self._journal_id, self._first_offset = parsed
        self._next_offset = self._verified_end = self._first_offset

    def _fsync_directory(self) -> None:
        # A new file's directory entry must be durable too, or the whole journal can vanish in a crash.
        with contextlib.suppress(OSError):
            dir_fd = os.open(os.path.dirname(os.path.abspath(self._path)), os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def _read_head(self) -> bytes:
        try:
            with open(self._path, "rb") as f:
                return f.read(HEADER_LEN)
        except FileNotFoundError:
            return b""

    def _read_from(self, offset: int) -> bytes:
        # Reopening (instead of keeping a descriptor) makes NFS revalidate its cache: close-to-open consistency.
        try:
            fd = os.open(self._path, os.O_RDONLY)
        except FileNotFoundError:
            return b""
        try:
            size = os.fstat(fd).st_size
            if size < self._verified_end:
                raise StorageCorruptedError(
                    f"The journal {self._path} shrank from {self._verified_end} to {size} bytes while open: it was "
                    "replaced, truncated or repaired under a running worker. Restart the workers to reopen it."
                )
            chunks = []
            while offset < size:
                chunk = os.pread(fd, size - offset, offset)
                if not chunk:
                    break
                chunks.append(chunk)
                offset += len(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    # --- reading -----------------------------------------------------------------------------------------

    def read_logs(self, log_number_from: int) -> list[dict[str, Any]]:
        """Return the intact records numbered ``log_number_from`` and later (see :class:`BaseJournalBackend`).

        Raises:
            StorageCorruptedError: A record in the middle of the file is damaged.
        """
        with self._mutex:
            if log_number_from < self._next_number:
                # Someone asks to re-read: start over from the first record.
                self._next_number, self._next_offset = 0, self._first_offset
            number, offset = self._next_number, self._next_offset
            payloads = self._scan_from(number, offset)
            skip = log_number_from - number
            if skip > 0:
                payloads = payloads[skip:]
            return self._decode(payloads, max(number, log_number_from))

    def _scan_from(self, number: int, offset: int) -> list[bytes]:
        data = self._read_from(offset)
        if not data:
            return []
        result = scan(data)
        if result.damaged_at is not None:
            # A torn tail being sealed and rewritten while we read can look like damage once: read again.
            data = self._read_from(offset)
            result = scan(data)
            if result.damaged_at is not None:
                raise corruption_error(self._path, number + len(result.payloads), offset + result.damaged_at)
        if result.payloads:
            last = result.payloads[-1]
            self._last_frame = (offset + result.end - len(last) - 17, data[result.end - len(last) - 17 : result.end])
        self._next_number = number + len(result.payloads)
        self._next_offset = offset + result.end
        self._verified_end = max(self._verified_end, self._next_offset)
        return result.payloads

    def _decode(self, payloads: list[bytes], first_number: int) -> list[dict[str, Any]]:
        if not payloads:
            return []
        try:
            logs: list[dict[str, Any]] = json.loads(b"[" + b",".join(payloads) + b"]")
            return logs
        except ValueError:
            pass
        for i, payload in enumerate(payloads):  # find which record to name in the error
            try:
                json.loads(payload)
            except ValueError as err:
                raise StorageCorruptedError(
                    f"Record #{first_number + i} of the journal {self._path} has a valid checksum but is not JSON "
                    f"({err}); it was written by something other than albacore. Run `albacore storage repair "
                    f"--storage journal:///{os.path.abspath(self._path).lstrip('/')}` after removing it by hand."
                ) from err
        raise AssertionError("unreachable: the batch failed to decode but every record decodes")

    # --- writing -----------------------------------------------------------------------------------------

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        """Append ``logs`` with one write under the lock and flush them to disk (see the class docstring).

        Raises:
            StorageCorruptedError: The file is damaged in the middle; nothing was appended.
            StorageInternalError: The write failed (for example, the disk is full); nothing was appended.
        """
        self._append(logs, flush=True)

    def append_logs_without_flush(self, logs: list[dict[str, Any]]) -> None:
        """Append ``logs`` like :meth:`append_logs`, leaving the flush to the next flushed append."""
        self._append(logs, flush=False)

    def _append(self, logs: list[dict[str, Any]], flush: bool) -> None:
        data = b"".join([frame(dumps(log)) for log in logs])
        fd = os.open(self._path, os.O_RDWR | os.O_APPEND)
        try:
            with self._mutex, self._locked():
                _flock(fd)
                try:
                    self._write_locked(fd, data)
                finally:
                    _funlock(fd)
            if flush:
                # Outside the lock, so that other writers append meanwhile and the file system can commit
                # several writers' records in one flush (group commit). Flushing the file flushes every
                # earlier record too, including the unflushed ones of other workers.
                _fdatasync(fd)
        finally:
            os.close(fd)

    def _write_locked(self, fd: int, data: bytes) -> None:
        size = os.fstat(fd).st_size
        if size > self._verified_end:
            size = self._seal_tail(fd, size)
        try:
            written = os.write(fd, data)
        except OSError as err:
            written = -1
            failure: BaseException | None = err
        else:
            failure = None
        if written != len(data):
            os.ftruncate(fd, size)
            raise StorageInternalError(
                f"Could not append to the journal {self._path} ({failure or 'short write'}); nothing was "
                "written. Check free disk space and permissions."
            ) from failure
        self._verified_end = size + len(data)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if self._lock is None:
            yield
        else:
            with locked(self._lock):
                yield

    def _seal_tail(self, fd: int, size: int) -> int:
        """Check the bytes other writers appended; cut off a torn tail. Return the new file size."""
        start = self._verified_end
        data = os.pread(fd, size - start, start)
        result = scan(data)
        if result.damaged_at is not None:
            # Name the record number in the error: count the intact records before the damage.
            number = len(scan(self._read_from(self._first_offset)).payloads)
            raise corruption_error(self._path, number, start + result.damaged_at)
        intact_end = start + result.end
        if result.torn:
            torn = data[result.end :]
            with open(self._path + ".corrupt", "ab") as f:
                f.write(torn)
            os.ftruncate(fd, intact_end)
            _fdatasync(fd)
            _logger.warning(
                f"Sealed a torn tail of {len(torn)} bytes at offset {intact_end} of the journal {self._path} (a writer "
                f"was killed mid-append; nothing it wrote had been acknowledged). The bytes were moved to "
                f"{self._path}.corrupt."
            )
        self._verified_end = intact_end
        return intact_end

    # --- snapshots ---------------------------------------------------------------------------------------

    @property
    def _snapshot_path(self) -> str:
        return self._path + ".snapshot"

    def save_snapshot(self, log_number: int, snapshot: bytes) -> None:
        """Write ``<file_path>.snapshot`` atomically (see :class:`BaseJournalSnapshot`)."""
        with self._mutex:
            if log_number != self._next_number:
                return
            frame_offset, frame_bytes = self._last_frame
            meta = {
                "journal_id": self._journal_id,
                "log_number": log_number,
                "offset": self._next_offset,
                "last_frame_offset": frame_offset,
                "last_frame": frame_bytes[:16].decode("ascii"),
                "crc32": zlib.crc32(snapshot),
            }
        tmp = f"{self._snapshot_path}.tmp-{uuid.uuid4().hex}"
        try:
            with open(tmp, "wb") as f:
                f.write(json.dumps(meta).encode() + b"\n")
                f.write(snapshot)
            os.replace(tmp, self._snapshot_path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def load_snapshot(self) -> tuple[int, bytes] | None:
        """Return the snapshot if it matches this journal, else None (see :class:`BaseJournalSnapshot`)."""
        try:
            with open(self._snapshot_path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return None
        newline = data.find(b"\n")
        try:
            meta = json.loads(data[:newline])
            body = data[newline + 1 :]
            valid = (
                newline > 0
                and meta["journal_id"] == self._journal_id
                and zlib.crc32(body) == meta["crc32"]
                and self._frame_at(meta["last_frame_offset"]) == meta["last_frame"].encode("ascii")
            )
            log_number, offset = int(meta["log_number"]), int(meta["offset"])
        except (ValueError, KeyError, TypeError, AttributeError):
            valid = False
        if not valid:
            _logger.warning(f"Ignoring {self._snapshot_path}: it does not match {self._path}; replaying it all.")
            return None
        with self._mutex:
            self._next_number, self._next_offset = log_number, offset
            self._verified_end = max(self._verified_end, offset)
        return log_number, body

    def _frame_at(self, offset: int) -> bytes:
        if offset == 0:
            return b""
        with open(self._path, "rb") as f:
            f.seek(offset)
            return f.read(16)
