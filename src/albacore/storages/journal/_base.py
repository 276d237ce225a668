"""What a journal backend provides: an append-only, numbered log of JSON operations, and optional snapshots."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import Any

__all__ = ["BaseJournalBackend", "BaseJournalSnapshot"]


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
