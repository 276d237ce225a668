"""What a journal backend provides: an append-only, numbered log of JSON operations, and optional snapshots."""

from __future__ import annotations

import abc
import time
import uuid
from collections.abc import Iterable
from typing import Any

from albacore.exceptions import StorageInternalError

__all__ = ["BaseJournalBackend", "BaseJournalSnapshot"]

_OWN_RECORD_TIMEOUT = 30.0  # seconds to wait for our own append to become readable (NFS attribute caches)


class BaseJournalBackend(abc.ABC):
    """An append-only log of operations (JSON objects), numbered 0, 1, 2, ... in the order they were appended.

    Every client of the log must see the same records in the same order; :class:`JournalStorage` relies on
    nothing else to resolve races between workers.
    """

    @abc.abstractmethod
    def read_logs(self, log_number_from: int) -> Iterable[dict[str, Any]]:
        """Return the records numbered ``log_number_from`` and later, as far as they are complete."""

    @abc.abstractmethod
    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        """Append ``logs`` after every record appended so far, durably, as one batch."""

    def append_logs_without_flush(self, logs: list[dict[str, Any]]) -> None:
        """Append ``logs`` visibly to every client, but let the next durable append flush them to disk.

        Used for records whose loss in a machine crash is harmless (creating or claiming a trial whose worker
        dies with the machine). Backends without a cheaper way simply call :meth:`append_logs`.
        """
        self.append_logs(logs)

    def append_and_read_logs(
        self, logs: list[dict[str, Any]], log_number_from: int, *, flush: bool = True
    ) -> tuple[list[dict[str, Any]], int]:
        """Append ``logs``, then return the records from ``log_number_from`` through the last one appended.

        :class:`JournalStorage` calls this for every write: it must replay what other clients appended before
        its own records, and learn where its own records landed. Returns ``(records, own)`` where
        ``records[own:]`` are the appended ``logs`` (possibly the very same objects) and nothing of another
        client follows them. ``flush`` chooses between :meth:`append_logs` and
        :meth:`append_logs_without_flush`.

        This generic version tags each record with a random marker, appends, and reads until it finds the
        markers; the bundled backends do it in one step, without the markers or a re-read of their own records.
        """
        tag = uuid.uuid4().hex[:16]
        tagged = [dict(log, w=tag, q=i) for i, log in enumerate(logs)]
        if flush:
            self.append_logs(tagged)
        else:
            self.append_logs_without_flush(tagged)
        records: list[dict[str, Any]] = []
        deadline = time.monotonic() + _OWN_RECORD_TIMEOUT
        while True:
            records.extend(self.read_logs(log_number_from + len(records)))
            for i, record in enumerate(records):
                if record.get("w") == tag and record.get("q") == 0 and len(records) >= i + len(logs):
                    return records[: i + len(logs)], i
            if time.monotonic() > deadline:
                raise StorageInternalError(
                    f"The journal did not show this client's own records {_OWN_RECORD_TIMEOUT:.0f} s after "
                    "appending them; the backend does not give read-after-write consistency."
                )
            time.sleep(0.01)

    def append_and_read_logs_flushed_later(
        self, logs: list[dict[str, Any]], log_number_from: int
    ) -> tuple[list[dict[str, Any]], int]:
        """:meth:`append_and_read_logs`, allowed to return before ``logs`` are on disk.

        The records are visible to every client when it returns, as always; :meth:`wait_until_flushed` waits
        until they are durable. Used for the write that ends a trial and starts its worker's next one, so the
        next trial runs while the disk flushes. Backends without a background flush flush before returning.
        """
        return self.append_and_read_logs(logs, log_number_from)

    def wait_until_flushed(self) -> None:  # noqa: B027 - optional: backends that flush at once have nothing to wait for
        """Wait until every append made by :meth:`append_and_read_logs_flushed_later` is durable."""


class BaseJournalSnapshot(abc.ABC):
    """Optional backend support for snapshots: the replayed state up to some record, as JSON bytes.

    A snapshot lets a client open a long journal by loading the state and replaying only the records after
    it. Snapshots are an optimisation: a backend may drop or refuse one at any time.
    """

    @abc.abstractmethod
    def save_snapshot(self, log_number: int, snapshot: bytes) -> None:
        """Store ``snapshot``, the state after replaying records ``0 .. log_number - 1``.

        ``log_number`` is always a position this client has just read up to with :meth:`read_logs`.
        """

    @abc.abstractmethod
    def load_snapshot(self) -> tuple[int, bytes] | None:
        """Return (log number it covers, snapshot) of the latest valid snapshot, or None.

        After it returns, ``read_logs(log_number)`` must continue right after the snapshot.
        """
