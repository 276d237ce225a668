"""Finding out what kind of Optuna storage a URL names, and opening a reader on it."""

from __future__ import annotations

import contextlib
import datetime
import os
import urllib.parse
from collections.abc import Iterator
from typing import Any, Protocol

from albacore._optional import require
from albacore.exceptions import InvalidArgumentError, StorageVersionError
from albacore.storages._optuna._journal import (
    OptunaJournalReader,
    looks_like_optuna_journal,
    read_journal_file,
    read_redis_journal,
)
from albacore.storages._optuna._records import SourceStudy, parse_timezone

__all__ = ["OptunaSource", "journal_path", "open_optuna_source", "redis_prefix"]

_JOURNAL_MAGIC = b"albacore-journal"


class OptunaSource(Protocol):
    """What every reader of an Optuna storage offers."""

    def study_names(self) -> list[str]:
        """The names of the studies, in creation order."""

    def n_trials(self, name: str) -> int:
        """How many trials a study has."""

    def read_study(self, name: str) -> SourceStudy:
        """One study with every trial."""


def journal_path(url: str) -> str | None:
    """The file a ``journal://`` URL (or a plain path) names, or None for other URLs."""
    if url.startswith("journal://"):
        return url[len("journal://") :]
    if "://" not in url:
        return url
    return None


def redis_prefix(url: str) -> tuple[str, str]:
    """Split ``redis://host/0?prefix=NAME`` into the URL Redis understands and Optuna's key prefix."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    prefix = "".join(value for key, value in query if key == "prefix")
    kept = urllib.parse.urlencode([(k, v) for k, v in query if k != "prefix"])
    return urllib.parse.urlunsplit(parts._replace(query=kept)), prefix


def _hide_password(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


@contextlib.contextmanager
def open_optuna_source(url: str, naive_timezone: str = "auto") -> Iterator[tuple[OptunaSource, str]]:
    """Open the Optuna storage at ``url`` for reading; yield (reader, the URL without its password).

    ``naive_timezone`` is the time zone of datetimes the source stored without one: ``"auto"`` (UTC in
    databases made by Optuna 5 or later, this machine's local time otherwise), ``"local"``, ``"UTC"``, an
    offset such as ``"+09:00"`` or a name such as ``"Asia/Tokyo"``.

    ``url`` is a database URL (``sqlite:///optuna.db``, ``postgresql://...``, ``mysql://...``), a journal file
    (``journal:///path/to/journal.log`` or a plain path), or a Redis journal (``redis://host:6379/0``, with
    ``?prefix=NAME`` when Optuna's ``JournalRedisBackend`` was given a prefix).

    Raises:
        InvalidArgumentError: Nothing at ``url`` is an Optuna storage.
    """
    shown = _hide_password(url)
    auto = naive_timezone == "auto"
    zone = None if auto else parse_timezone(naive_timezone)
    path = journal_path(url)
    if path is not None:
        yield _journal_file(path, zone), shown
        return
    if url.startswith(("redis://", "rediss://")):
        yield _redis_journal(url, zone), shown
        return
    with _database(url, zone, auto) as reader:
        yield reader, shown


def _journal_file(path: str, naive_timezone: datetime.tzinfo | None) -> OptunaJournalReader:
    if not os.path.isfile(path):
        raise InvalidArgumentError(f"No journal file at {path!r}.")
    with open(path, "rb") as f:
        first = f.readline()
    if first.startswith(_JOURNAL_MAGIC):
        raise InvalidArgumentError(
            f"{path} is an albacore journal already; copy its studies with albacore.copy_study instead."
        )
    if first and not looks_like_optuna_journal(first):
        raise InvalidArgumentError(f"{path} is not an Optuna journal: its first line is not an Optuna record.")
    return OptunaJournalReader(read_journal_file(path), naive_timezone)


def _redis_journal(url: str, naive_timezone: datetime.tzinfo | None) -> OptunaJournalReader:
    redis = require("redis", extra="redis", feature="importing an Optuna Redis journal")
    plain_url, prefix = redis_prefix(url)
    client: Any = redis.Redis.from_url(plain_url)
    try:
        if client.get(f"{prefix}:log_number") is None:
            raise InvalidArgumentError(
                f"The Redis database {_hide_password(plain_url)} has no Optuna journal under the prefix {prefix!r} "
                f"(no key {prefix + ':log_number'!r}); add ?prefix=NAME to the URL if Optuna was given one."
            )
        return OptunaJournalReader(read_redis_journal(client, prefix), naive_timezone)
    finally:
        client.close()


@contextlib.contextmanager
def _database(url: str, naive_timezone: datetime.tzinfo | None, auto: bool) -> Iterator[OptunaSource]:
    from albacore.storages._optuna._rdb import OptunaRDBReader, open_source_engine, optuna_revision
    from albacore.storages.rdb._engine import normalize_url

    engine = open_source_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            if optuna_revision(conn) is None:
                raise StorageVersionError(f"The database {_hide_password(url)} holds no Optuna storage.")
            yield OptunaRDBReader(conn, naive_timezone, auto_zone=auto)
    finally:
        engine.dispose()
