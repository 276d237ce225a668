"""Journal storage: an append-only log of operations, replayed by every client (file and Redis backends).

Example:
    >>> import os, tempfile
    >>> import albacore
    >>> from albacore.storages import JournalStorage
    >>> from albacore.storages.journal import JournalFileBackend
    >>> path = os.path.join(tempfile.mkdtemp(), "study.log")
    >>> study = albacore.create_study(storage=JournalStorage(JournalFileBackend(path)))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    >>> len(study.trials)
    3
"""

from albacore.storages.journal._base import BaseJournalBackend, BaseJournalSnapshot
from albacore.storages.journal._file import JournalFileBackend
from albacore.storages.journal._lock import BaseJournalFileLock, JournalFileOpenLock, JournalFileSymlinkLock
from albacore.storages.journal._records import RepairReport, repair_journal
from albacore.storages.journal._redis import JournalRedisBackend
from albacore.storages.journal._storage import JournalStorage

__all__ = [
    "BaseJournalBackend",
    "BaseJournalSnapshot",
    "JournalFileBackend",
    "JournalFileOpenLock",
    "JournalFileSymlinkLock",
    "BaseJournalFileLock",
    "JournalRedisBackend",
    "JournalStorage",
    "RepairReport",
    "repair_journal",
]
