"""BackgroundFlusher: ``fdatasync`` in a thread of its own, so a worker's next trial runs while the disk works."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from albacore.exceptions import StorageInternalError

__all__ = ["BackgroundFlusher"]

_IDLE_SECONDS = 1.0  # a flusher thread with nothing to do for this long closes its descriptor and ends


class BackgroundFlusher:
    """Flushes one file in a background thread, on request, and lets callers wait until a request is on disk.

    Each :meth:`request` returns a ticket; :meth:`wait` returns once a flush that began after that request has
    finished. Requests made while a flush runs are served together by the next one (``fdatasync`` writes out
    everything appended before it starts). The thread flushes a duplicate of the descriptor it was given, so
    the owner may close its own at any time; it ends when idle and is started again by the next request.

    A failed flush is not retried: the error is kept and raised (as StorageInternalError) by every later
    :meth:`request` and :meth:`wait`, because after a failed ``fdatasync`` the kernel may already have dropped
    the unwritten pages, and nothing appended since can be promised durable.
    """

    kind = "thread"

    def __init__(self, path: str, flush: Callable[[int], None]) -> None:
        self._path = path
        self._flush = flush
        self._cond = threading.Condition(threading.Lock())
        self._requested = 0  # tickets handed out
        self._started = 0  # every ticket up to this one is covered by a flush that has begun
        self._done = 0  # every ticket up to this one is on disk
        self._error: OSError | None = None
        self._running = False

    def request(self, fd: int) -> int:
        """Ask for everything written to ``fd`` so far to be flushed; return the ticket to :meth:`wait` on."""
        with self._cond:
            self._raise_error()
            self._requested += 1
            if not self._running:
                thread = threading.Thread(
                    target=self._run, args=(os.dup(fd),), name="albacore-journal-flush", daemon=True
                )
                self._running = True
                thread.start()
            self._cond.notify_all()
            ticket = self._requested
            # Wait (without the GIL) until the thread has begun the flush: a thread that had to wait for this
            # one's next blocking call to take the GIL would start flushing only when the next trial is over.
            while self._started < ticket and self._done < ticket and self._error is None:
                self._cond.wait()
            return ticket

    def wait(self, ticket: int | None = None) -> None:
        """Wait until ``ticket`` (default: every ticket handed out so far) is on disk, or raise its flush's error."""
        with self._cond:
            target = self._requested if ticket is None else ticket
            while self._done < target and self._error is None:
                self._cond.wait()
            if self._done < target:
                self._raise_error()

    def flushed_inline(self, ticket_floor: int) -> None:
        """Note that the owner flushed the file itself after every ticket up to ``ticket_floor`` was handed out."""
        with self._cond:
            if ticket_floor > self._done:
                self._done = ticket_floor
                self._cond.notify_all()

    @property
    def last_ticket(self) -> int:
        """The last ticket handed out (0 before the first)."""
        return self._requested

    def _raise_error(self) -> None:
        if self._error is not None:
            raise StorageInternalError(
                f"Flushing the journal {self._path} to disk failed ({self._error}); records written since the last "
                "successful flush may not survive a power cut. Check the disk, then restart the workers."
            ) from self._error

    def _run(self, fd: int) -> None:
        try:
            while True:
                with self._cond:
                    while self._requested <= self._done:
                        if not self._cond.wait(_IDLE_SECONDS) and self._requested <= self._done:
                            self._running = False
                            return
                    target = self._started = self._requested
                    self._cond.notify_all()
                try:
                    self._flush(fd)
                except OSError as err:
                    with self._cond:
                        self._error = err
                        self._running = False
                        self._cond.notify_all()
                    return
                with self._cond:
                    self._done = max(self._done, target)
                    self._cond.notify_all()
        finally:
            os.close(fd)
