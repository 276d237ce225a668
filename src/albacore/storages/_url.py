"""Turn what users pass as ``storage=`` (None, a URL, a storage object) into a storage."""

from __future__ import annotations

from albacore.exceptions import InvalidArgumentError
from albacore.storages._base import BaseStorage
from albacore.storages._in_memory import InMemoryStorage

__all__ = ["get_storage"]


def get_storage(storage: str | BaseStorage | None) -> BaseStorage:
    """Return a storage for ``storage``: memory for None, a database or journal for a URL."""
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, BaseStorage):
        return storage
    if isinstance(storage, str):
        if storage.startswith(("journal://", "redis://", "rediss://")):
            from albacore.storages.journal._from_url import journal_storage_from_url

            return journal_storage_from_url(storage)
        raise InvalidArgumentError(f"Storage URLs are not supported yet: {storage!r}.")
    raise InvalidArgumentError(f"`storage` must be None, a URL string or a storage object, got {storage!r}.")
