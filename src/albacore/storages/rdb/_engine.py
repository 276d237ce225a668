"""Engines for RDBStorage: URL normalisation, drivers, SQLite settings, and which errors are worth a retry."""

from __future__ import annotations

import importlib.util
import os
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.pool import StaticPool

from albacore.exceptions import InvalidArgumentError, StorageInternalError
from albacore.logging import get_logger

__all__ = [
    "FORKS",
    "SQLITE_BUSY_TIMEOUT_S",
    "SQLITE_PAGE_SIZE",
    "SQLITE_WAL_CHECKPOINT_BYTES",
    "WRITE_OPTION",
    "create_engine",
    "is_transient_driver_error",
    "normalize_url",
    "run_with_retries",
    "sqlite_begin_immediate",
]

_logger = get_logger(__name__)

WRITE_OPTION = "albacore_write"
"""Execution option marking a connection whose transactions write (SQLite opens them with BEGIN IMMEDIATE)."""

SQLITE_BUSY_TIMEOUT_S = 60.0
"""How long an SQLite writer waits for the file lock before the attempt counts as failed (and is retried)."""

SQLITE_PAGE_SIZE = 2048
"""Page size of new SQLite files. A commit appends every page it changed to the WAL, whole; ending a trial
changes one row in each of a few tables, so smaller pages make each commit cheaper (about a third less CPU
than the default 4 KiB here), while reading a study of 100,000 trials in bulk is no slower."""

SQLITE_WAL_CHECKPOINT_BYTES = 16 * 1024 * 1024
"""WAL size at which a commit copies it back into the database file (a checkpoint). SQLite's default is
1,000 pages; each checkpoint flushes the disk twice (some milliseconds each, waited for by the commit that
triggered it), and pages written many times between two checkpoints are copied back once, so rarer
checkpoints cost less per trial: at 16 MiB about one per 1,000 trials instead of one per 120. The WAL file
keeps this size on disk while the database is open, and is removed when the last connection closes."""

_MAX_ATTEMPTS = 8

FORKS = [0]
"""How many forks led to this process (counted in the child after each one): a cheaper test than
``os.getpid()``, a system call each time, for whether connections and locks were inherited from a parent."""


def _count_fork() -> None:
    FORKS[0] += 1


os.register_at_fork(after_in_child=_count_fork)

# Dialects without a driver in the URL get the drivers albacore ships extras for.
_DEFAULT_DRIVERS = {
    "postgresql": ("postgresql+psycopg", "psycopg", "postgresql"),
    "postgres": ("postgresql+psycopg", "psycopg", "postgresql"),
    "mysql": ("mysql+pymysql", "pymysql", "mysql"),
    "mariadb": ("mariadb+pymysql", "pymysql", "mysql"),
}

T = TypeVar("T")


def normalize_url(url: str) -> sa.URL:
    """Parse ``url`` and give PostgreSQL and MySQL URLs without a driver the ones albacore supports.

    Raises:
        InvalidArgumentError: When ``url`` is not a database URL.
        ImportError: When the driver is not installed; the message names the extra to install.
    """
    try:
        parsed = sa.make_url(url)
    except exc.ArgumentError as err:
        raise InvalidArgumentError(
            f"`url` must be a database URL such as 'sqlite:///study.db' or 'postgresql://user@host/db', got {url!r}."
        ) from err
    default = _DEFAULT_DRIVERS.get(parsed.drivername)
    if default is not None:
        drivername, module, extra = default
        if importlib.util.find_spec(module) is None:
            raise ImportError(
                f"The storage {parsed.render_as_string(hide_password=True)!r} needs the {module} driver: "
                f"pip install 'albacore[{extra}]'."
            )
        parsed = parsed.set(drivername=drivername)
    return parsed


_POOL_SIZING = ("pool_size", "max_overflow", "pool_timeout")


def _is_memory_sqlite(url: sa.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def create_engine(url: sa.URL, engine_kwargs: dict[str, Any] | None) -> sa.Engine:
    """Create the engine for ``url`` with albacore's defaults, which ``engine_kwargs`` may override."""
    kwargs: dict[str, Any] = {}
    backend = url.get_backend_name()
    synchronous = "NORMAL"
    if backend == "sqlite":
        synchronous = _sqlite_synchronous(url)
        url = url.difference_update_query(["synchronous"])
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        if _is_memory_sqlite(url):
            # One shared connection, or every pooled connection would see its own empty database.
            kwargs["poolclass"] = StaticPool
    elif backend in ("mysql", "mariadb"):
        # MySQL closes idle connections after `wait_timeout`; READ COMMITTED avoids the gap locks that make
        # concurrent inserts deadlock under the default REPEATABLE READ.
        kwargs["pool_pre_ping"] = True
        kwargs["isolation_level"] = "READ COMMITTED"
    for key, value in (engine_kwargs or {}).items():
        if key == "connect_args" and isinstance(value, dict):
            kwargs["connect_args"] = {**kwargs.get("connect_args", {}), **value}
        else:
            kwargs[key] = value
    if kwargs.get("poolclass") is StaticPool:
        # Sizes of a pool mean nothing for its one shared connection (SQLAlchemy refuses them there), and engine
        # arguments written for a file or a server must not break an in-memory database.
        for key in _POOL_SIZING:
            kwargs.pop(key, None)
    engine = sa.create_engine(url, **kwargs)
    if backend == "sqlite":
        _install_sqlite_hooks(engine, memory=_is_memory_sqlite(url), synchronous=synchronous)
    return engine


_SQLITE_SYNCHRONOUS = ("NORMAL", "FULL")


def _sqlite_synchronous(url: sa.URL) -> str:
    """The ``synchronous`` setting a SQLite URL asks for (``?synchronous=full``), NORMAL when it asks nothing."""
    value = url.query.get("synchronous", "NORMAL")
    chosen = value if isinstance(value, str) else value[-1]
    if chosen.upper() not in _SQLITE_SYNCHRONOUS:
        raise InvalidArgumentError(
            f"A SQLite URL's `synchronous` must be one of {[s.lower() for s in _SQLITE_SYNCHRONOUS]}, got "
            f"{chosen!r}; add ?synchronous=full to survive a power cut at the cost of a disk flush per write."
        )
    return chosen.upper()


def _install_sqlite_hooks(engine: sa.Engine, *, memory: bool, synchronous: str) -> None:
    """Make SQLite safe for several processes on one file.

    - WAL journal: readers never block the writer and the writer never blocks readers.
    - Pages of 2 KiB in new files, and a checkpoint once the WAL holds 16 MiB: see the constants.
    - ``synchronous=NORMAL`` (the default): in WAL mode a commit is atomic and survives a crash of the process
      (kill -9), but the last commits before a power loss or OS crash may be rolled back; the file is never
      corrupted. ``synchronous=FULL`` (``sqlite:///study.db?synchronous=full``) flushes the WAL to the disk at
      every commit, so a returned write survives a power cut too.
    - A busy timeout, and ``BEGIN IMMEDIATE`` for every write transaction: a writer takes the file lock when
      its transaction starts, so two writers queue on the busy handler instead of one of them failing with
      "database is locked" when it upgrades a read lock.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        # The driver must not open transactions on its own; the "begin" hook below opens them.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            # The page size takes effect only on a new, empty file, and only before WAL mode is set there;
            # an existing file keeps its own.
            cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
            cursor.execute("PRAGMA journal_mode=WAL")
            page_size = int(cursor.execute("PRAGMA page_size").fetchone()[0])
            cursor.execute(f"PRAGMA wal_autocheckpoint={max(1000, SQLITE_WAL_CHECKPOINT_BYTES // page_size)}")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        if connection.get_execution_options().get(WRITE_OPTION, False):
            sqlite_begin_immediate(connection.exec_driver_sql)
        else:
            connection.exec_driver_sql("BEGIN")


def sqlite_begin_immediate(execute: Callable[[str], Any], *, restore_timeout: bool = True) -> None:
    """Open a write transaction on SQLite, waiting for the file lock in short naps.

    SQLite's own busy handler sleeps 1, 2, 5, 10, ... up to 100 ms between attempts, while a competing
    albacore transaction holds the lock for well under a millisecond; so the wait for this one statement is
    done here instead, with naps of 0.1 to 5 ms (with jitter, so that waiting processes do not march in step),
    up to the same busy timeout. Every other statement keeps SQLite's busy timeout, unless
    ``restore_timeout`` is False (connections of the trial hot path keep none: see ``_raw``).
    """
    if not restore_timeout and _try_begin_immediate(execute):
        return  # the common case: the lock was free, so no timeout to switch off and no deadline to set
    if restore_timeout:
        execute("PRAGMA busy_timeout = 0")
    try:
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
        nap = 0.0001
        while True:
            if _try_begin_immediate(execute):
                return
            if time.monotonic() > deadline:
                execute("BEGIN IMMEDIATE")  # raises "database is locked" for the caller's retries
                return
            time.sleep(nap * random.uniform(0.5, 1.5))
            nap = min(nap * 1.5, 0.005)
    finally:
        if restore_timeout:
            execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")


def _try_begin_immediate(execute: Callable[[str], Any]) -> bool:
    """Run BEGIN IMMEDIATE; False when another connection holds the write lock, and raise other errors."""
    try:
        execute("BEGIN IMMEDIATE")
    except Exception as err:  # sqlite3's error or SQLAlchemy's wrapper of it; re-raised unless busy
        text = str(err).lower()
        if "locked" not in text and "busy" not in text:
            raise
        return False
    return True


def is_transient_driver_error(orig: BaseException | None) -> bool:
    """True for driver errors that a new attempt of the same transaction can get past."""
    sqlstate = getattr(orig, "sqlstate", None)  # psycopg
    if sqlstate in ("40001", "40P01", "55P03", "57P01"):  # serialization, deadlock, lock not available, shutdown
        return True
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in (1205, 1213, 2006, 2013):  # MySQL: lock wait, deadlock, gone
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database table is locked" in text or "deadlock" in text


def _is_transient(err: exc.DBAPIError) -> bool:
    return err.connection_invalidated or is_transient_driver_error(err.orig)


def run_with_retries(operation: Callable[[], T], *, retry_integrity: bool = False) -> T:
    """Run ``operation`` (one whole transaction) again after deadlocks, serialization failures or busy locks.

    Only operations whose transaction is rolled back entirely on failure may be passed here: a retry must
    not write twice. ``retry_integrity`` also retries unique-key races (two clients inserting the same key),
    for operations whose next attempt sees the other client's row and does the right thing.
    """
    delay = 0.005
    for attempt in range(1, _MAX_ATTEMPTS + 1):
        try:
            return operation()
        except exc.IntegrityError:
            if not retry_integrity or attempt == _MAX_ATTEMPTS:
                raise
        except exc.DBAPIError as err:
            if not _is_transient(err):
                raise StorageInternalError(f"The database failed: {err.orig!r}.") from err
            if attempt == _MAX_ATTEMPTS:
                raise StorageInternalError(
                    f"The database kept failing after {_MAX_ATTEMPTS} attempts: {err.orig!r}."
                ) from err
            _logger.debug(f"Retrying a transaction after a transient database error: {err.orig!r}.")
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
