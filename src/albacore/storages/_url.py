"""Turn what users pass as ``storage=`` (None, a URL, a storage object) into a storage."""

from __future__ import annotations

import sys

from albacore.exceptions import InvalidArgumentError
from albacore.storages._base import BaseStorage
from albacore.storages._in_memory import InMemoryStorage

__all__ = ["get_storage"]

_DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb")


def _is_database_url(url: str) -> bool:
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    return scheme in _DATABASE_SCHEMES


def get_storage(storage: str | BaseStorage | None) -> BaseStorage:
    """Return a storage for ``storage``: memory for None, a database or journal for a URL.

    Database URLs (``sqlite:///path.db``, ``postgresql://...``, ``mysql://...``) and RDBStorage objects are
    wrapped in the client-side cache that keeps finished trials in memory; any other storage is used as is.

    Args:
        storage: None, a URL (``sqlite:///``, ``postgresql://``, ``mysql://``, ``journal:///``, ``redis://``)
            or a storage object.

    Example:
        >>> import os, tempfile
        >>> from albacore.storages import get_storage
        >>> storage = get_storage("sqlite:///" + os.path.join(tempfile.mkdtemp(), "s.db"))
        >>> type(storage).__name__
        '_CachedStorage'
    """
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, BaseStorage):
        # An RDBStorage exists only once its module is loaded; checking first spares others the SQLAlchemy import.
        if "albacore.storages.rdb._storage" in sys.modules:
            from albacore.storages._cached import wrap_rdb_storage

            return wrap_rdb_storage(storage)
        return storage
    if isinstance(storage, str):
        if storage.startswith(("journal://", "redis://", "rediss://")):
            from albacore.storages.journal._from_url import journal_storage_from_url

            return journal_storage_from_url(storage)
        if _is_database_url(storage):
            from albacore.storages._cached import _CachedStorage
            from albacore.storages.rdb import RDBStorage

            return _CachedStorage(RDBStorage(storage))
        raise InvalidArgumentError(
            "`storage` must be a URL such as 'sqlite:///study.db', 'postgresql://user@host/db', "
            f"'mysql://user@host/db', 'journal:///path/to/file' or 'redis://host', got {storage!r}."
        )
    raise InvalidArgumentError(f"`storage` must be None, a URL string or a storage object, got {storage!r}.")
