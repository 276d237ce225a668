"""Storages: where studies and trials live (memory, SQL databases, journals)."""

import importlib
from typing import TYPE_CHECKING, Any

from albacore.storages._base import BaseStorage
from albacore.storages._callbacks import RetryFailedTrialCallback, RetryHeartbeatStaleTrialCallback
from albacore.storages._heartbeat import fail_stale_trials
from albacore.storages._in_memory import InMemoryStorage
from albacore.storages._url import get_storage
from albacore.storages.journal import JournalStorage

if TYPE_CHECKING:
    from albacore.storages._cached import _CachedStorage as _CachedStorage
    from albacore.storages._grpc.client import GrpcStorageProxy
    from albacore.storages._grpc.server import run_grpc_proxy_server
    from albacore.storages.rdb import RDBStorage

__all__ = [
    "BaseStorage",
    "GrpcStorageProxy",
    "InMemoryStorage",
    "JournalStorage",
    "RDBStorage",
    "RetryFailedTrialCallback",
    "RetryHeartbeatStaleTrialCallback",
    "fail_stale_trials",
    "get_storage",
    "run_grpc_proxy_server",
]


# Names Optuna 5.0 still ships here, deprecated since 4.0; they warn when used.
_DEPRECATED = frozenset(
    (
        "BaseJournalLogStorage",
        "JournalFileStorage",
        "JournalRedisStorage",
        "JournalFileOpenLock",
        "JournalFileSymlinkLock",
    )
)


def __getattr__(name: str) -> Any:
    # SQLAlchemy takes about half a second to import: only the users of a database pay for it.
    if name == "RDBStorage":
        from albacore.storages.rdb import RDBStorage

        return RDBStorage
    if name == "GrpcStorageProxy":  # the client and server import grpcio only when used
        from albacore.storages._grpc.client import GrpcStorageProxy

        return GrpcStorageProxy
    if name == "run_grpc_proxy_server":
        from albacore.storages._grpc.server import run_grpc_proxy_server

        return run_grpc_proxy_server
    if name in _DEPRECATED:
        # Imported by its full name: `from albacore.storages import _deprecated_journal` would ask this very
        # `__getattr__` (or a wrapper of it) for the submodule before importing it.
        return getattr(importlib.import_module("albacore.storages._deprecated_journal"), name)
    if name == "_CachedStorage":
        from albacore.storages._cached import _CachedStorage as _CachedStorage

        return _CachedStorage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
