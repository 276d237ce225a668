"""JournalFileBackend: the journal as one append-only file, shared by processes on one host or over NFS."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import threading
import uuid
import weakref
import zlib
from collections.abc import Iterator
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: the lock object alone serialises writers
    fcntl = None  # type: ignore[assignment]

from albacore.exceptions import InvalidArgumentError, StorageCorruptedError, StorageInternalError
from albacore.logging import get_logger
from albacore.storages.journal._aio import AioFlusher, aio_available
from albacore.storages.journal._base import BaseJournalBackend, BaseJournalSnapshot
from albacore.storages.journal._flusher import BackgroundFlusher
from albacore.storages.journal._lock import BaseJournalFileLock, locked
from albacore.storages.journal._records import (
    HEADER_LEN,
    ScanResult,
    corruption_error,
    frame,
    new_header,
    parse_header,
    scan,
)

__all__ = ["JournalFileBackend"]

_logger = get_logger(__name__)
_fdatasync = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync


def _flush(fd: int) -> None:
    _fdatasync(fd)  # looked up at each call, so that tests can watch the flushes


def _new_flusher(path: str) -> AioFlusher | BackgroundFlusher:
    """The background flusher of a journal: the C library's AIO threads where usable, else a Python thread."""
    return AioFlusher(path) if aio_available() else BackgroundFlusher(path, _flush)


def _funlock(fd: int) -> None:
    if fcntl is not None:
        try:  # noqa: SIM105 - runs twice per trial; contextlib.suppress costs a context object each time
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:
            pass


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


_encode = json.JSONEncoder(separators=(",", ":")).encode  # built once: json.dumps builds one per call
_NOTHING_NEW = ScanResult([], 0, False, None)  # never mutated: its payloads list is only read


def dumps(log: dict[str, Any]) -> bytes:
    """Encode one operation as compact ASCII JSON (escaped, so it never holds a raw newline)."""
    return _encode(log).encode()


# Backends holding a descriptor: a forked child must not share it with its parent, since flock belongs to the
# open file description, which parent and child would share (both would "hold" the lock at once).
_live_backends: weakref.WeakSet[JournalFileBackend] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for backend in list(_live_backends):
        backend._forget_parent_state()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


class JournalFileBackend(BaseJournalBackend, BaseJournalSnapshot):
    """Keeps the journal in one file: framed records with a length and a crc32 each (see ``_records``).

    Writers are serialised by ``flock`` on the journal itself (released by the kernel when a process dies, so
    it never goes stale), plus ``lock_obj`` when given: pass :class:`JournalFileSymlinkLock` or
    :class:`JournalFileOpenLock` on network file systems where ``flock`` is not shared between hosts.

    Without ``lock_obj`` (a local file system) each process keeps one descriptor open on the journal and reads
    only the bytes appended since its last read. With ``lock_obj`` every read and append reopens the file,
    because NFS revalidates its caches only when a file is opened (close-to-open consistency): a descriptor
    kept open could miss other hosts' appends or append at a stale end.

    Durability: every append writes its batch with a single ``os.write`` while holding the lock, so the write
    is visible to every client when it returns. :meth:`append_logs` then ``fdatasync``\\ s the file, so the
    write survives a crash of the process or of the machine (given a disk that honours flushes; on macOS
    ``fsync`` does not reach the platter). :class:`JournalStorage` flushes every write except creating and
    claiming a trial and heartbeats, which the next flushed write (of any worker) makes durable: a machine
    crash can lose only those records of trials whose workers die with it. Inside ``optimize``, the write that
    ends a trial and starts the worker's next one is flushed in the background while that next trial runs, by
    the C library's AIO threads (``aio_fsync``, Linux with glibc) or else a Python thread (at most one such
    write per client waits for the disk; ``optimize`` returns only once all are flushed). A
    writer killed mid-append leaves a torn tail that readers ignore and the next writer seals.

    Every few thousand records a client also writes ``<file_path>.snapshot`` (JSON, replaced atomically),
    so that opening a long journal replays only the records after it.

    Args:
        file_path: The journal file; created (with its header) if it does not exist.
        lock_obj: A lock serialising writers in addition to ``flock``, for network file systems (see above);
            None (the default) relies on ``flock`` alone.

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
        # The descriptor kept open on a local file system (-1: not open yet), its identity, and whether it
        # can write (a read-only journal can still be read).
        self._keep_open = lock_obj is None
        self._fd = -1
        self._file_id = (0, 0)
        self._fd_writable = False
        self._flusher = _new_flusher(self._path)
        self._open()
        _live_backends.add(self)

    def __getstate__(self) -> dict[str, Any]:
        # Positions and the thread mutex belong to this process; another process starts reading afresh.
        return {"file_path": self._path, "lock_obj": self._lock}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["file_path"], state["lock_obj"])  # type: ignore[misc]

    def __del__(self) -> None:
        self._close()

    def _close(self) -> None:
        fd, self._fd = getattr(self, "_fd", -1), -1
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)

    def _forget_parent_state(self) -> None:
        """In a forked child: drop the parent's descriptor and mutex (a parent thread may have held it)."""
        self._mutex = threading.Lock()
        self._flusher = _new_flusher(self._path)  # the parent's flushing threads are not in the child
        self._close()

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

    # --- descriptors (call with self._mutex held) --------------------------------------------------------

    def _acquire_fd(self, write: bool) -> int:
        """Return a descriptor on the journal: the one kept open, or a fresh one for :meth:`_release_fd`."""
        if not self._keep_open or (write and self._fd >= 0 and not self._fd_writable):
            # A read-only kept descriptor cannot append: a fresh one raises the real error (permissions).
            return os.open(self._path, (os.O_RDWR | os.O_APPEND) if write else os.O_RDONLY)
        if self._fd < 0:
            try:
                fd = os.open(self._path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
                writable = True
            except OSError as err:
                # A journal on a read-only file system, or without write permission, can still be read.
                if err.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                    raise
                fd = os.open(self._path, os.O_RDONLY | os.O_CLOEXEC)
                writable = False
            stat = os.fstat(fd)
            self._fd, self._file_id, self._fd_writable = fd, (stat.st_dev, stat.st_ino), writable
            if write and not writable:
                return os.open(self._path, os.O_RDWR | os.O_APPEND)
        return self._fd

    def _release_fd(self, fd: int) -> None:
        if fd != self._fd:
            os.close(fd)

    def _read_from(self, fd: int, offset: int) -> bytes:
        stat = os.fstat(fd)
        if stat.st_nlink == 0:
            # A kept descriptor on a file that was deleted or replaced (a repair, a copy moved over it): its
            # appends would land in an unlinked inode and be lost, acknowledged or not.
            raise StorageCorruptedError(
                f"The journal {self._path} was replaced or deleted while this worker had it open (a repair, or a "
                "file moved over it, while workers ran?); nothing was appended. Restart the workers to reopen it."
            )
        size = stat.st_size
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

    # --- reading -----------------------------------------------------------------------------------------

    def read_logs(self, log_number_from: int) -> list[dict[str, Any]]:
        """Return the intact records numbered ``log_number_from`` and later (see :class:`BaseJournalBackend`).

        Raises:
            StorageCorruptedError: A record in the middle of the file is damaged.
        """
        with self._mutex:
            number, offset = self._rewind(log_number_from)
            try:
                fd = self._acquire_fd(write=False)
            except FileNotFoundError:
                return []
            try:
                payloads = self._scan_from(fd, number, offset)
            finally:
                self._release_fd(fd)
        skip = log_number_from - number
        return self._decode(payloads[skip:] if skip > 0 else payloads, max(number, log_number_from))

    def _rewind(self, log_number_from: int) -> tuple[int, int]:
        """Return where reading continues; start over when someone asks to re-read older records."""
        if log_number_from < self._next_number:
            self._next_number, self._next_offset = 0, self._first_offset
        return self._next_number, self._next_offset

    def _scan_from(self, fd: int, number: int, offset: int) -> list[bytes]:
        data = self._read_from(fd, offset)
        if not data:
            return []
        result = scan(data)
        if result.damaged_at is not None:
            # A torn tail being sealed and rewritten while we read can look like damage once: read again.
            data = self._read_from(fd, offset)
            result = scan(data)
            if result.damaged_at is not None:
                raise corruption_error(self._path, number + len(result.payloads), offset + result.damaged_at)
        self._advance(number, offset, data, result.payloads, result.end)
        return result.payloads

    def _advance(self, number: int, offset: int, data: bytes, payloads: list[bytes], end: int) -> None:
        """Move the read position past ``payloads``, which ``data`` (read at ``offset``) holds up to ``end``."""
        if payloads:
            start = end - len(payloads[-1]) - 17  # the frame header (16) and the newline (1)
            self._last_frame = (offset + start, data[start:end])
        self._next_number = number + len(payloads)
        self._next_offset = offset + end
        self._verified_end = max(self._verified_end, self._next_offset)

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
        self.append_and_read_logs(logs, self._next_number, flush=True)

    def append_logs_without_flush(self, logs: list[dict[str, Any]]) -> None:
        """Append ``logs`` like :meth:`append_logs`, leaving the flush to the next flushed append."""
        self.append_and_read_logs(logs, self._next_number, flush=False)

    def append_and_read_logs(
        self, logs: list[dict[str, Any]], log_number_from: int, *, flush: bool = True
    ) -> tuple[list[dict[str, Any]], int]:
        """Append ``logs`` and return the records before them from ``log_number_from``, then ``logs`` themselves.

        Under one hold of the lock it reads what other writers appended since this client's last read (which
        checks it, and seals a torn tail), then writes ``logs`` right after it: so the position of ``logs`` is
        known without reading them back (see :meth:`BaseJournalBackend.append_and_read_logs`).

        Raises:
            StorageCorruptedError: The file is damaged in the middle, or was replaced; nothing was appended.
            StorageInternalError: The write failed (for example, the disk is full); nothing was appended.
        """
        return self._append(logs, log_number_from, "now" if flush else "never")

    def append_and_read_logs_flushed_later(
        self, logs: list[dict[str, Any]], log_number_from: int
    ) -> tuple[list[dict[str, Any]], int]:
        """:meth:`append_and_read_logs` whose flush runs in the background (see the base class and ``_aio``).

        It first waits for the previous background flush, so at most one such append of this client is ever
        waiting for the disk. With ``lock_obj`` (every append reopens the file) it flushes before returning.
        """
        self._flusher.wait()
        return self._append(logs, log_number_from, "later" if self._keep_open else "now")

    def wait_until_flushed(self) -> None:
        """Wait until every append made by :meth:`append_and_read_logs_flushed_later` is on disk."""
        self._flusher.wait()

    def _append(self, logs: list[dict[str, Any]], log_number_from: int, flush: str) -> tuple[list[dict[str, Any]], int]:
        """Append ``logs``; ``flush`` is ``"now"`` (before returning), ``"later"`` (in the background) or
        ``"never"``."""
        frames = [frame(dumps(log)) for log in logs]
        data = b"".join(frames)
        self._mutex.acquire()
        try:
            number, offset = self._rewind(log_number_from)
            fd = self._acquire_fd(write=True)
            try:
                if self._lock is None:
                    payloads = self._append_flocked(fd, number, offset, data, len(frames))
                else:
                    with locked(self._lock):
                        payloads = self._append_flocked(fd, number, offset, data, len(frames))
                if frames:
                    self._last_frame = (self._next_offset - len(frames[-1]), frames[-1])
                if flush == "later" and fd == self._fd:
                    self._flusher.request(fd)
                elif flush != "never":
                    # Outside the lock, so that other writers append meanwhile and the file system can commit
                    # several writers' records in one flush (group commit). Flushing the file flushes every
                    # earlier record too, including the unflushed ones of other workers and our own background
                    # requests made so far.
                    covered = self._flusher.last_ticket
                    _flush(fd)
                    self._flusher.flushed_inline(covered)
            finally:
                self._release_fd(fd)
        finally:
            self._mutex.release()
        skip = log_number_from - number
        if skip > 0:
            payloads = payloads[skip:]
        others = self._decode(payloads, max(number, log_number_from))
        return others + logs, len(others)

    def _append_flocked(self, fd: int, number: int, offset: int, data: bytes, count: int) -> list[bytes]:
        _flock(fd)
        try:
            return self._append_locked(fd, number, offset, data, count)
        finally:
            _funlock(fd)

    def _append_locked(self, fd: int, number: int, offset: int, data: bytes, count: int) -> list[bytes]:
        """Read and check the records appended since ``offset``, seal a torn tail, then write ``data``."""
        new = self._read_from(fd, offset)
        result = scan(new) if new else _NOTHING_NEW
        if result.damaged_at is not None:
            # Nobody writes while we hold the lock, so this is real damage, not a write in progress.
            raise corruption_error(self._path, number + len(result.payloads), offset + result.damaged_at)
        end = offset + result.end
        if result.torn:
            self._seal_tail(fd, end, new[result.end :])
        try:
            written = os.write(fd, data)
        except OSError as err:
            written = -1
            failure: BaseException | None = err
        else:
            failure = None
        if written != len(data):
            os.ftruncate(fd, end)
            raise StorageInternalError(
                f"Could not append to the journal {self._path} ({failure or 'short write'}); nothing was "
                "written. Check free disk space and permissions."
            ) from failure
        self._advance(number, offset, new, result.payloads, result.end)
        self._next_number += count
        self._next_offset = self._verified_end = end + len(data)
        return result.payloads

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if self._lock is None:
            yield
        else:
            with locked(self._lock):
                yield

    def _seal_tail(self, fd: int, intact_end: int, torn: bytes) -> None:
        """Cut off a torn tail at ``intact_end``, keeping its bytes in ``<path>.corrupt``."""
        with open(self._path + ".corrupt", "ab") as f:
            f.write(torn)
        os.ftruncate(fd, intact_end)
        _flush(fd)
        _logger.warning(
            f"Sealed a torn tail of {len(torn)} bytes at offset {intact_end} of the journal {self._path} (a writer "
            f"was killed mid-append; nothing it wrote had been acknowledged). The bytes were moved to "
            f"{self._path}.corrupt."
        )

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
