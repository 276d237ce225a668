"""What the ``albacore`` commands share: finding the storage and the study a command works on.

The storage comes from ``--storage``, else from ``ALBACORE_STORAGE``, else from ``OPTUNA_STORAGE`` (so that
scripts written for Optuna's command keep working). It is a URL (``sqlite:///study.db``, ``postgresql://...``,
``mysql://...``, ``journal:///path/to/study.log``, ``redis://host:6379/0``) or the path of an existing file:
a SQLite database (recognised by its header) or a journal file. ``--storage-class`` names the kind outright,
as Optuna's ``--storage-class`` does.
"""

from __future__ import annotations

import argparse
import os
import re
from typing import TYPE_CHECKING

from albacore.exceptions import AlbacoreError, CLIUsageError, InvalidArgumentError, StudyNotFoundError

if TYPE_CHECKING:
    from albacore.samplers import BaseSampler
    from albacore.storages import BaseStorage
    from albacore.study import Study

__all__ = [
    "STORAGE_CLASSES",
    "STORAGE_ENV_VARS",
    "CommandFailed",
    "find_study",
    "open_storage",
    "resolve_url",
    "shown_url",
    "storage_class_choice",
    "storage_url",
]

STORAGE_ENV_VARS = ("ALBACORE_STORAGE", "OPTUNA_STORAGE")
# Optuna's names for --storage-class; the last two are its deprecated aliases of the journal backends.
STORAGE_CLASSES = (
    "RDBStorage",
    "JournalFileBackend",
    "JournalRedisBackend",
    "JournalFileStorage",
    "JournalRedisStorage",
)
URL_FORMS = (
    "sqlite:///path/to/study.db, postgresql://user:password@host/database, mysql://user:password@host/database, "
    "journal:///path/to/study.log (or the path of an existing journal or SQLite file), redis://host:6379/0"
)
_SQLITE_HEADER = b"SQLite format 3\x00"
_DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb")
_JOURNAL_SCHEMES = ("journal://", "redis://", "rediss://")
_LISTED_NAMES = 10


class CommandFailed(AlbacoreError):
    """A command could not do its work for a reason in the data, not in its arguments (exit status 1)."""


def storage_url(args: argparse.Namespace) -> str:
    """The storage URL from ``--storage``, else from ALBACORE_STORAGE, else from OPTUNA_STORAGE."""
    url = getattr(args, "storage", None)
    for variable in STORAGE_ENV_VARS:
        if url:
            break
        url = os.environ.get(variable)
    if not url:
        raise CLIUsageError(
            "No storage given: pass --storage URL (e.g. --storage sqlite:///study.db) or set ALBACORE_STORAGE."
        )
    return str(url)


def shown_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages."""
    return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", url)


def _is_database_url(url: str) -> bool:
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    return ":" in url and scheme in _DATABASE_SCHEMES


def resolve_url(url: str) -> str:
    """``url`` as a storage URL: a path to an existing file becomes a ``sqlite:///`` or ``journal://`` URL."""
    if url.startswith(_JOURNAL_SCHEMES) or _is_database_url(url):
        return url
    if os.path.isfile(url):
        path = os.path.abspath(url)
        with open(path, "rb") as file:
            header = file.read(len(_SQLITE_HEADER))
        return f"sqlite:///{path}" if header == _SQLITE_HEADER else f"journal://{path}"
    if os.path.isdir(url):
        raise CLIUsageError(f"--storage {url!r} is a directory; give a storage URL such as {URL_FORMS}.")
    raise CLIUsageError(
        f"--storage {shown_url(url)!r} is neither a storage URL nor an existing file. Give one of: {URL_FORMS}."
    )


def open_storage(args: argparse.Namespace) -> BaseStorage:
    """The storage the command works on, from ``--storage`` (or the environment) and ``--storage-class``."""
    from albacore.storages import get_storage

    url = storage_url(args)
    storage_class = getattr(args, "storage_class", None)
    try:
        if storage_class:
            return _open_as(url, storage_class)
        return get_storage(resolve_url(url))
    except InvalidArgumentError as err:
        raise CLIUsageError(f"{err} Storage URLs look like: {URL_FORMS}.") from err
    except ImportError as err:  # a driver or extra that is not installed; the message names it
        raise CLIUsageError(str(err)) from err


def _open_as(url: str, storage_class: str) -> BaseStorage:
    from albacore.storages import get_storage
    from albacore.storages.journal import JournalFileBackend, JournalRedisBackend, JournalStorage

    if storage_class == "RDBStorage":
        resolved = resolve_url(url) if os.path.exists(url) else url
        if not _is_database_url(resolved):
            raise CLIUsageError(f"--storage-class RDBStorage needs a database URL, got {shown_url(url)!r}.")
        return get_storage(resolved)
    if storage_class in ("JournalFileBackend", "JournalFileStorage"):
        path = url[len("journal://") :] if url.startswith("journal://") else url
        return JournalStorage(JournalFileBackend(path))
    if storage_class in ("JournalRedisBackend", "JournalRedisStorage"):
        if not url.startswith(("redis://", "rediss://")):
            raise CLIUsageError(f"--storage-class {storage_class} needs a redis:// URL, got {shown_url(url)!r}.")
        return JournalStorage(JournalRedisBackend(url))
    raise CLIUsageError(f"Unknown --storage-class {storage_class!r}; expected one of {STORAGE_CLASSES[:3]}.")


def storage_class_choice(value: str) -> str:
    """The argparse type of ``--storage-class``: one of Optuna's storage class names."""
    if value not in STORAGE_CLASSES:
        raise argparse.ArgumentTypeError(f"invalid choice {value!r} (choose from {', '.join(STORAGE_CLASSES[:3])})")
    return value


def _names_line(names: list[str]) -> str:
    if not names:
        return "The storage holds no study yet."
    shown = ", ".join(repr(name) for name in names[:_LISTED_NAMES])
    more = ""
    if len(names) > _LISTED_NAMES:
        more = f" and {len(names) - _LISTED_NAMES} more (`albacore study-names` lists them)"
    return f"The studies there: {shown}{more}."


def find_study(
    args: argparse.Namespace, storage: BaseStorage, *, sampler: BaseSampler | None = None, not_found: str = ""
) -> Study:
    """The study named by ``--study-name``; without one, the storage's only study.

    Raises:
        StudyNotFoundError: No study has that name; the message names the studies there, then says
            ``not_found`` (where ``{name}`` stands for the name given).
        CLIUsageError: No name was given and the storage does not hold exactly one study.
    """
    from albacore.study import get_all_study_names, load_study

    name = getattr(args, "study_name", None)
    if name is None:
        names = get_all_study_names(storage)
        if len(names) != 1:
            raise CLIUsageError(f"Give --study-name: the storage holds {len(names)} studies. {_names_line(names)}")
        name = names[0]
    try:
        return load_study(study_name=name, storage=storage, sampler=sampler)
    except StudyNotFoundError:
        message = f"No study named {name!r} in {shown_url(storage_url(args))}. "
        message += _names_line(get_all_study_names(storage))
        raise StudyNotFoundError(message + (" " + not_found.format(name=name) if not_found else "")) from None
