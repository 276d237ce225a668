"""AioFlusher: the background flush done by the C library's POSIX AIO threads (glibc), without the GIL.

A Python thread that flushes needs the GIL twice per flush: to start it after being woken, and to report it
done once ``fdatasync`` returns. Both times the worker's main thread is usually running Python (the next
trial), so the flushing thread either waits for it (up to ``sys.getswitchinterval()``, 5 ms, against flushes
of 0.3-5 ms) or the main thread has to hand the GIL over and wait to get it back: two thread hand-offs per
trial, which cost as much as the overlap saves when flushes are fast. ``aio_fsync(O_DSYNC, ...)`` queues an
``fdatasync`` to a thread of the C library, which never touches the GIL: starting a flush is one call that
returns at once, and checking it is another; the worker blocks (with the GIL released) only when its previous
trial end is really not on disk yet.

Used only where the layout of ``struct aiocb`` is known (Linux, glibc, 64-bit); elsewhere, and in a process
forked from one that used it (glibc's AIO threads are not copied by ``fork``, but its bookkeeping of them is),
:class:`BackgroundFlusher` does the work in a Python thread.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
import threading
from typing import Any

from albacore.exceptions import StorageInternalError

__all__ = ["AioFlusher", "aio_available"]

# struct aiocb of glibc on 64-bit Linux: 168 bytes; aio_fildes at offset 0, aio_sigevent at 32, whose
# sigev_notify is at 44. Only those two fields are set; the rest stays zero.
_AIOCB_SIZE = 168
_FILDES_OFFSET = 0
_NOTIFY_OFFSET = 44
_SIGEV_NONE = 1

_libc: Any = None  # the C library's AIO functions, once looked up; False when unavailable
_used_by_pid = 0  # the process that submitted AIO requests (its forked children must not)


def _load() -> Any:
    global _libc
    if _libc is None:
        _libc = False
        if sys.platform == "linux" and ctypes.sizeof(ctypes.c_void_p) == 8 and _is_glibc():
            for name in (None, "librt.so.1"):  # in libc itself since glibc 2.34, in librt before
                try:
                    lib = ctypes.CDLL(name, use_errno=True)
                    lib.aio_fsync.argtypes = [ctypes.c_int, ctypes.c_void_p]
                except (OSError, AttributeError):
                    continue
                lib.aio_error.argtypes = [ctypes.c_void_p]
                lib.aio_return.argtypes = [ctypes.c_void_p]
                lib.aio_return.restype = ctypes.c_ssize_t
                lib.aio_suspend.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
                _libc = lib
                break
    return _libc


def _is_glibc() -> bool:
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (ValueError, OSError):
        return False


def aio_available() -> bool:
    """Whether this process can flush through the C library's AIO threads (see the module docstring)."""
    return (_used_by_pid in (0, os.getpid())) and bool(_load())


class AioFlusher:
    """Flushes one file through ``aio_fsync``, on request, and lets callers wait until a request is on disk.

    The same contract as :class:`BackgroundFlusher`: :meth:`request` returns a ticket, :meth:`wait` returns
    once a flush that began after that request has finished, and a failed flush is never retried: its error
    is raised (as StorageInternalError) by every later :meth:`request` and :meth:`wait`.

    One request is in flight at a time (an ``aiocb`` may not be reused before it completes); requests made
    meanwhile are served together by one more flush, submitted as soon as a call sees the first one done.
    Each flush works on a duplicate of the descriptor it was given, so the owner may close its own at any time.
    """

    kind = "aio"

    def __init__(self, path: str) -> None:
        self._path = path
        self._libc = _load()
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._aiocb = ctypes.create_string_buffer(_AIOCB_SIZE)
        self._aiocb_address = ctypes.addressof(self._aiocb)
        self._suspend_list = (ctypes.c_void_p * 1)(self._aiocb_address)
        ctypes.c_int.from_buffer(self._aiocb, _NOTIFY_OFFSET).value = _SIGEV_NONE
        self._fildes = ctypes.c_int.from_buffer(self._aiocb, _FILDES_OFFSET)
        self._requested = 0  # tickets handed out
        self._in_flight = -1  # the descriptor the request in flight flushes (-1: none in flight)
        self._in_flight_ticket = 0  # every ticket up to this one is covered by the request in flight
        self._queued = -1  # a descriptor for tickets after the one in flight, to flush once it is done
        self._done = 0  # every ticket up to this one is on disk
        self._error: OSError | None = None

    def __del__(self) -> None:
        # glibc writes the outcome into the aiocb: it must outlive the request (not in a forked child, where
        # no thread is left to complete it).
        if getattr(self, "_pid", 0) == os.getpid():
            while getattr(self, "_in_flight", -1) >= 0:
                self._suspend()
                with self._lock:
                    self._collect()
            if self._queued >= 0:
                os.close(self._queued)

    def request(self, fd: int) -> int:
        """Ask for everything written to ``fd`` so far to be flushed; return the ticket to :meth:`wait` on."""
        with self._lock:
            self._raise_error()
            self._requested += 1
            self._collect()
            if self._in_flight < 0:
                self._submit(os.dup(fd), self._requested)
            elif self._queued < 0:
                self._queued = os.dup(fd)
            return self._requested

    def wait(self, ticket: int | None = None) -> None:
        """Wait until ``ticket`` (default: every ticket handed out so far) is on disk, or raise its flush's error."""
        target = self._requested if ticket is None else ticket
        while True:
            with self._lock:
                if self._done < target:
                    self._collect()
                if self._done >= target:
                    return
                if self._error is not None or self._in_flight < 0:
                    # Nothing left in flight can cover the ticket: a flush failed.
                    self._raise_error()
                    raise AssertionError(f"ticket {target} is neither flushed nor in flight")
            self._suspend()

    def flushed_inline(self, ticket_floor: int) -> None:
        """Note that the owner flushed the file itself after every ticket up to ``ticket_floor`` was handed out."""
        with self._lock:
            self._done = max(self._done, ticket_floor)

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

    def _submit(self, fd: int, ticket: int) -> None:
        """Start flushing ``fd`` (owned from now on) for every ticket up to ``ticket`` (call with the lock)."""
        global _used_by_pid
        _used_by_pid = self._pid
        self._fildes.value = fd
        if self._libc.aio_fsync(os.O_DSYNC, self._aiocb_address) == 0:
            self._in_flight, self._in_flight_ticket = fd, ticket
            return
        # The C library could not queue it (out of threads or memory): flush here instead.
        try:
            os.fdatasync(fd)
        except OSError as err:
            self._error = err
        else:
            self._done = max(self._done, ticket)
        finally:
            os.close(fd)

    def _collect(self) -> None:
        """Take the outcome of the request in flight if it is complete, and submit the queued one (call with the
        lock)."""
        if self._in_flight < 0:
            return
        code = self._libc.aio_error(self._aiocb_address)
        if code == errno.EINPROGRESS:
            return
        self._libc.aio_return(self._aiocb_address)
        os.close(self._in_flight)
        self._in_flight = -1
        if code != 0:
            self._error = OSError(code, os.strerror(code))
        else:
            self._done = max(self._done, self._in_flight_ticket)
        queued, self._queued = self._queued, -1
        if queued >= 0:
            if self._error is None:
                self._submit(queued, self._requested)
            else:
                os.close(queued)

    def _suspend(self) -> None:
        # Blocks without the GIL (ctypes releases it); returns at once if the request is complete, and early
        # on a signal, which the caller's loop absorbs.
        self._libc.aio_suspend(self._suspend_list, 1, None)
