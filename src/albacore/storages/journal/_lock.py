"""Inter-process locks for journal files: an O_EXCL lock file, or a symlink for network file systems.

A lock is a file next to the journal whose content names its owner (pid, host name, time taken, a random
token). Waiters break a lock only when it is *stale*: its owner pid is dead on this host, or it is older than
``grace_period`` seconds. Breaking happens under a second, short-lived "breaker" lock and re-checks the
token, so two waiters that both saw the same stale lock cannot remove a live lock taken in between: at most
one live writer holds the lock at any time, as long as no live writer holds it longer than the grace period.
"""

from __future__ import annotations

import abc
import contextlib
import json
import os
import socket
import time
import uuid
from typing import Any

from albacore.exceptions import InvalidArgumentError, StorageInternalError
from albacore.logging import get_logger

__all__ = ["BaseJournalFileLock", "JournalFileOpenLock", "JournalFileSymlinkLock"]

_logger = get_logger(__name__)
_HOST = socket.gethostname()
_WARN_AFTER = 10.0  # seconds of waiting before telling the user which lock blocks them


def _pid_is_dead(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):
        return False
    return False


class BaseJournalFileLock(abc.ABC):
    """A lock shared by the processes (and hosts) writing one journal file.

    Args:
        filepath: The journal file; the lock lives at ``<filepath>.lock``.
        grace_period: Seconds after which a lock is considered abandoned even when its owner cannot be
            checked (another host, or a reused pid). It must exceed the longest time a live writer holds the
            lock: an append takes milliseconds, but a stalled network mount can stretch it.
    """

    def __init__(self, filepath: str, grace_period: float | None = 30) -> None:
        if grace_period is not None and not grace_period > 0:
            raise InvalidArgumentError(f"`grace_period` must be a positive number of seconds, got {grace_period!r}.")
        self._lock_path = os.fspath(filepath) + ".lock"
        self._grace_period = grace_period
        self._token: str | None = None

    # --- what each kind of lock file does ----------------------------------------------------------------

    @abc.abstractmethod
    def _create(self, path: str, owner: str) -> bool:
        """Atomically create the lock at ``path`` holding ``owner``; return False if it already exists."""

    @abc.abstractmethod
    def _read(self, path: str) -> str | None:
        """Return the owner text of the lock at ``path``, or None if there is none."""

    # --- protocol ----------------------------------------------------------------------------------------

    def acquire(self) -> bool:
        """Block until this process holds the lock; return True."""
        self._token = uuid.uuid4().hex
        owner = json.dumps({"pid": os.getpid(), "host": _HOST, "time": time.time(), "token": self._token})
        delay = 0.0005
        started = time.monotonic()
        warned = False
        while True:
            if self._create(self._lock_path, owner):
                return True
            self._break_if_stale(self._lock_path)
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
            if not warned and time.monotonic() - started > _WARN_AFTER:
                warned = True
                _logger.warning(
                    f"Waiting for the journal lock {self._lock_path} for {_WARN_AFTER:.0f} s; its owner is "
                    f"{self._read(self._lock_path)}. If that process is gone, the lock is broken after the grace "
                    f"period ({self._grace_period} s)."
                )

    def release(self) -> None:
        """Release the lock taken by :meth:`acquire`."""
        token, self._token = self._token, None
        owner = self._read(self._lock_path)
        if owner is None or _field(owner, "token") != token:
            # Someone judged our lock stale and broke it: our append was still done under mutual exclusion
            # only if they waited for the grace period, so say so loudly.
            _logger.warning(
                f"The journal lock {self._lock_path} was broken by another process while this one held it; "
                "raise `grace_period` if writers can stall that long."
            )
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._lock_path)

    def _is_stale(self, owner: str | None, path: str) -> bool:
        if owner is None:
            return False
        pid, host, taken = _field(owner, "pid"), _field(owner, "host"), _field(owner, "time")
        if host == _HOST and isinstance(pid, int) and _pid_is_dead(pid):
            return True
        if self._grace_period is None:
            return False
        if not isinstance(taken, (int, float)):
            # A lock file caught between its creation and its content: judge it by its age on disk.
            try:
                taken = os.lstat(path).st_mtime
            except FileNotFoundError:
                return False
        return bool(time.time() - taken > self._grace_period)

    def _break_if_stale(self, path: str) -> None:
        owner = self._read(path)
        if not self._is_stale(owner, path):
            return
        breaker = path + ".break"
        mine = json.dumps({"pid": os.getpid(), "host": _HOST, "time": time.time(), "token": uuid.uuid4().hex})
        if not self._create(breaker, mine):
            # Someone else is breaking it; if that someone died mid-way, the breaker lock is stale in turn.
            if self._is_stale(self._read(breaker), breaker):
                _unlink_quietly(breaker)
            return
        try:
            # Re-read under the breaker lock: the stale lock may have been replaced by a live one meanwhile.
            if self._read(path) == owner:
                _unlink_quietly(path)
                _logger.warning(f"Broke the stale journal lock {path} held by {owner}.")
        finally:
            _unlink_quietly(breaker)


def _field(owner: str, key: str) -> Any:
    try:
        return json.loads(owner).get(key)
    except (ValueError, AttributeError):
        return None


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class JournalFileOpenLock(BaseJournalFileLock):
    """A lock file created with ``O_CREAT | O_EXCL``: the default, for local file systems.

    Args:
        filepath: The journal file; the lock lives at ``<filepath>.lock``.
        grace_period: Seconds after which an abandoned lock is broken (see :class:`BaseJournalFileLock`).

    Example:
        >>> import os, tempfile
        >>> from albacore.storages.journal import JournalFileBackend, JournalFileOpenLock
        >>> path = os.path.join(tempfile.mkdtemp(), "study.log")
        >>> backend = JournalFileBackend(path, lock_obj=JournalFileOpenLock(path))
    """

    def _create(self, path: str, owner: str) -> bool:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        try:
            os.write(fd, owner.encode())
        finally:
            os.close(fd)
        return True

    def _read(self, path: str) -> str | None:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return None


class JournalFileSymlinkLock(BaseJournalFileLock):
    """A lock made by creating a symbolic link, which is atomic even on old NFS versions.

    Use it when workers on several machines share the journal over NFS, where ``O_EXCL`` was not reliable
    before NFSv3. The owner is written into the link target, so it appears together with the lock. A
    dead owner on another host cannot be detected, so there the lock is broken only after ``grace_period``:
    keep the hosts' clocks in sync to well within it. Note that NFS clients cache file contents; albacore
    reopens the journal for every read so that close-to-open consistency shows each host the others' appends.

    Args:
        filepath: The journal file; the lock lives at ``<filepath>.lock``.
        grace_period: Seconds after which an abandoned lock is broken (see :class:`BaseJournalFileLock`).
    """

    def _create(self, path: str, owner: str) -> bool:
        try:
            os.symlink(owner, path)
        except FileExistsError:
            return False
        return True

    def _read(self, path: str) -> str | None:
        try:
            return os.readlink(path)
        except (FileNotFoundError, OSError):
            return None


def locked(lock: BaseJournalFileLock) -> _Held:
    """Return a context manager holding ``lock``."""
    return _Held(lock)


class _Held:
    def __init__(self, lock: BaseJournalFileLock) -> None:
        self._lock = lock

    def __enter__(self) -> None:
        if not self._lock.acquire():
            raise StorageInternalError(f"Could not acquire the journal lock {self._lock._lock_path}.")

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
