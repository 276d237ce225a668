"""Build a JournalStorage from a ``journal://`` or ``redis://`` URL."""

from __future__ import annotations

from albacore.exceptions import InvalidArgumentError
from albacore.storages.journal._file import JournalFileBackend
from albacore.storages.journal._redis import JournalRedisBackend
from albacore.storages.journal._storage import JournalStorage

__all__ = ["JOURNAL_URL_SCHEMES", "journal_storage_from_url"]

JOURNAL_URL_SCHEMES = ("journal://", "redis://", "rediss://")


def journal_storage_from_url(url: str) -> JournalStorage:
    """Return a JournalStorage for ``url``.

    ``journal:///abs/path.log`` opens the file ``/abs/path.log`` and ``journal://rel/path.log`` the file
    ``rel/path.log`` relative to the working directory; ``redis://host:port/db`` (or ``rediss://``) opens the
    journal kept in that Redis database.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "study.log")
        >>> journal_storage_from_url("journal://" + path).backend.file_path == path
        True
    """
    if url.startswith("journal://"):
        path = url[len("journal://") :]
        if not path:
            raise InvalidArgumentError(
                f"The journal URL {url!r} names no file; write journal:///absolute/path.log or journal://relative.log."
            )
        return JournalStorage(JournalFileBackend(path))
    if url.startswith(("redis://", "rediss://")):
        return JournalStorage(JournalRedisBackend(url))
    raise InvalidArgumentError(f"{url!r} is not a journal URL; it must start with one of {JOURNAL_URL_SCHEMES}.")
