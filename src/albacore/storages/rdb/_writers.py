"""Turns for the SQLite writers of one file: processes wait on a lock file instead of polling the database.

SQLite has no queue for its write lock: a connection that finds it taken sleeps and tries again
(``sqlite_begin_immediate`` naps 0.1 ms and more). Albacore holds the lock for about 0.1 ms per
transaction, so with two busy processes on one study a writer often sleeps longer than the lock stays
taken, and a sleeper may lose its turn to the other process again and again. Here each writer of the trial
hot path first takes an exclusive ``flock`` on ``<database>-albacore-lock`` (polling it briefly before it
sleeps in the kernel's queue: see ``SPIN_S``); SQLite's own lock (``BEGIN IMMEDIATE``) is still taken
inside it and is what keeps the data safe, so a writer that does not use this file (another program, an
older albacore) only makes the queue less useful, never unsafe.

The lock dies with its process (kill -9 included). A process stopped in the middle of a write transaction
(SIGSTOP, a debugger) keeps the others waiting until it resumes or ends, where SQLite alone would make them
fail after its busy timeout. Where the file cannot be created (a read-only directory) or ``fcntl`` does not
exist (Windows), writers go straight to SQLite's lock as before.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable

from albacore.storages.rdb._engine import FORKS

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["WriterQueue"]

LOCK_SUFFIX = "-albacore-lock"


SPIN_S = 0.0002
"""How long a writer that finds the lock taken keeps trying before it sleeps in the kernel's queue.

A transaction holds the lock for about 0.1 ms. A writer put to sleep is woken only after the holder lets go,
and on virtual machines waking a halted CPU takes tens of microseconds, during which the lock is free and
nobody writes: with two busy processes, sleeping at once cost about a fifth of the trials per second. So a
waiter first polls the lock (yielding its CPU between polls, so that with more processes than CPUs the
holder gets to run), and sleeps only if the holder keeps it longer than this."""


# Giving up the CPU between polls; every Linux has sched_yield, and sleep(0) does the same elsewhere.
_yield_cpu: Callable[[], None] = getattr(os, "sched_yield", lambda: time.sleep(0))


def _take_turn(fd: int) -> None:
    """Take the exclusive flock on ``fd``: poll it for up to SPIN_S seconds, then wait for it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    deadline = time.perf_counter() + SPIN_S
    while time.perf_counter() < deadline:
        _yield_cpu()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
    fcntl.flock(fd, fcntl.LOCK_EX)


class WriterQueue:
    """The writers' turn for one SQLite file, shared by the threads of a storage; see the module docstring.

    Args:
        database: Path of the database file.
    """

    def __init__(self, database: str) -> None:
        self._path = database + LOCK_SUFFIX
        self._fd: int | None = None
        self._usable = fcntl is not None
        self._threads = threading.Lock()  # a flock is shared by the threads of a process: they queue here
        self._forks = FORKS[0]

    def acquire(self) -> None:
        """Wait for this process's and then this thread's turn to write."""
        if self._forks != FORKS[0]:
            self._after_fork()
        self._threads.acquire()
        try:
            fd = self._fd if self._fd is not None else self._open()
            if fd is not None:
                _take_turn(fd)
        except OSError:
            self._give_up()  # e.g. a file system without flock: SQLite's own lock still serializes writers
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        """End the turn taken by ``acquire``."""
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        """Close the lock file (it is opened again by the next ``acquire``)."""
        with self._threads:
            fd, self._fd = self._fd, None
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _open(self) -> int | None:
        if not self._usable:
            return None
        try:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            self._usable = False  # e.g. a read-only directory: SQLite's own lock still serializes writers
        return self._fd

    def _give_up(self) -> None:
        self._usable = False
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def _after_fork(self) -> None:
        # The inherited descriptor shares its lock with the parent's: closing it (never unlocking it, which
        # would release the parent's turn) and opening a new one gives this process a lock of its own. The
        # thread lock may have been held by a thread that does not exist here.
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        self._threads = threading.Lock()
        self._forks = FORKS[0]
