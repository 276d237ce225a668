"""Journal names that Optuna 4.0 deprecated and 5.0 still ships under ``optuna.storages``; each warns when made."""

from __future__ import annotations

from typing import Any

from albacore._deprecation import warn_deprecated
from albacore.storages.journal._base import BaseJournalBackend
from albacore.storages.journal._file import JournalFileBackend
from albacore.storages.journal._lock import JournalFileOpenLock as _OpenLock
from albacore.storages.journal._lock import JournalFileSymlinkLock as _SymlinkLock
from albacore.storages.journal._redis import JournalRedisBackend

__all__ = [
    "BaseJournalLogStorage",
    "JournalFileOpenLock",
    "JournalFileStorage",
    "JournalFileSymlinkLock",
    "JournalRedisStorage",
]


def _warn(old: str, new: str) -> None:
    warn_deprecated(f"albacore.storages.{old}", since="4.0.0", removed_in="6.0.0", instead=new, stacklevel=4)


class JournalFileStorage(JournalFileBackend):
    """Deprecated name of :class:`~albacore.storages.journal.JournalFileBackend`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _warn("JournalFileStorage", "albacore.storages.journal.JournalFileBackend")
        super().__init__(*args, **kwargs)


class JournalRedisStorage(JournalRedisBackend):
    """Deprecated name of :class:`~albacore.storages.journal.JournalRedisBackend`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _warn("JournalRedisStorage", "albacore.storages.journal.JournalRedisBackend")
        super().__init__(*args, **kwargs)


class BaseJournalLogStorage(BaseJournalBackend):
    """Deprecated name of :class:`~albacore.storages.journal.BaseJournalBackend` (for backends that subclass it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _warn("BaseJournalLogStorage", "albacore.storages.journal.BaseJournalBackend")
        super().__init__(*args, **kwargs)


class DeprecatedJournalFileOpenLock(_OpenLock):
    """Deprecated import path of :class:`~albacore.storages.journal.JournalFileOpenLock`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _warn("JournalFileOpenLock", "albacore.storages.journal.JournalFileOpenLock")
        super().__init__(*args, **kwargs)


class DeprecatedJournalFileSymlinkLock(_SymlinkLock):
    """Deprecated import path of :class:`~albacore.storages.journal.JournalFileSymlinkLock`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _warn("JournalFileSymlinkLock", "albacore.storages.journal.JournalFileSymlinkLock")
        super().__init__(*args, **kwargs)


# Named as the deprecated classes they are (their reprs say so, as Optuna's do), exported under the old names.
JournalFileOpenLock = DeprecatedJournalFileOpenLock
JournalFileSymlinkLock = DeprecatedJournalFileSymlinkLock
