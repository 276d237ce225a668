"""Transactions on the driver's own connection, for the trial hot path.

SQLAlchemy Core costs a few hundred microseconds per statement in Python; a trial's life is a handful of
statements, and a committed SQLite transaction costs well under a hundred. So the per-trial operations
(create, write parameters, finish, read) run hand-written SQL on the pooled DB-API connection, while
SQLAlchemy keeps the pool, the dialect quirks at connect time, the schema and every rarely used statement.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

from albacore.exceptions import StorageInternalError
from albacore.logging import get_logger
from albacore.storages.rdb._engine import FORKS, is_transient_driver_error, sqlite_begin_immediate
from albacore.storages.rdb._writers import WriterQueue

__all__ = ["Cursor", "RawSQL"]

_logger = get_logger(__name__)

T = TypeVar("T")
Cursor = Any
"""A DB-API cursor (sqlite3, psycopg or PyMySQL); their type stubs differ, so it is typed loosely."""

_MAX_ATTEMPTS = 8


class RawSQL:
    """Runs transactions on pooled DB-API connections, with SQL written once in qmark style.

    Args:
        engine: The engine whose pool and dialect to use.
        serial: A lock held around every transaction (an in-memory SQLite database has one connection).
    """

    def __init__(self, engine: sa.Engine, serial: Any) -> None:
        self._engine = engine
        self.dialect = engine.dialect.name
        self.is_mysql = self.dialect in ("mysql", "mariadb")
        self.is_sqlite = self.dialect == "sqlite"
        self.for_update = "" if self.is_sqlite else " FOR UPDATE"
        # INSERT/UPDATE ... RETURNING saves PostgreSQL a round trip. MySQL has none, and SQLite (3.35 and later)
        # buffers the returned rows in a temporary table: there, a second statement or `lastrowid` is cheaper.
        self.returning = self.dialect == "postgresql"
        self._pyformat = engine.dialect.paramstyle in ("format", "pyformat")
        self._dbapi = engine.dialect.dbapi
        assert self._dbapi is not None
        self.integrity_error: type[Exception] = self._dbapi.IntegrityError
        self._serial = serial
        self._idle: list[Any] = []
        self._idle_lock = threading.Lock()
        self._forks = FORKS[0]
        database = engine.url.database
        self._writers = (
            WriterQueue(database)
            if self.is_sqlite and serial is None and database not in (None, "", ":memory:")
            else None
        )

    def sql(self, text: str) -> str:
        """Turn qmark placeholders and ``"name"`` identifiers into the driver's and dialect's forms."""
        if self._pyformat:
            text = text.replace("?", "%s")
        if self.is_mysql:
            text = text.replace('"', "`")
        return text

    def upsert(self, table: str, keys: Sequence[str], updates: Sequence[str]) -> str:
        """An INSERT that overwrites ``updates`` when a row with the same ``keys`` exists."""
        columns = list(keys) + list(updates)
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        if self.is_mysql:
            tail = "ON DUPLICATE KEY UPDATE " + ", ".join(f'"{c}" = VALUES("{c}")' for c in updates)
        else:
            tail = f"ON CONFLICT ({', '.join(chr(34) + k + chr(34) for k in keys)}) DO UPDATE SET " + ", ".join(
                f'"{c}" = excluded."{c}"' for c in updates
            )
        return self.sql(f"INSERT INTO {table} ({names}) VALUES ({marks}) {tail}")

    def run(
        self, body: Callable[[Cursor], T], *, write: bool, retry_integrity: bool = False, single: bool = False
    ) -> T:
        """Run ``body`` in one transaction, again after transient failures; see ``run_with_retries``.

        ``single`` says that ``body`` is one read statement, which needs no explicit transaction.
        """
        delay = 0.005
        dbapi = self._dbapi
        assert dbapi is not None
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            try:
                return self._once(body, write, single)
            except dbapi.IntegrityError:
                if not retry_integrity or attempt == _MAX_ATTEMPTS:
                    raise
            except _StaleConnection as stale:
                # A pooled connection the server dropped while idle: a fresh one gets the same work done.
                if attempt == _MAX_ATTEMPTS:
                    raise StorageInternalError(f"The database failed: {stale.__cause__!r}.") from stale.__cause__
            except dbapi.Error as err:
                if not is_transient_driver_error(err):
                    raise StorageInternalError(f"The database failed: {err!r}.") from err
                if attempt == _MAX_ATTEMPTS:
                    raise StorageInternalError(
                        f"The database kept failing after {_MAX_ATTEMPTS} attempts: {err!r}."
                    ) from err
                _logger.debug(f"Retrying a transaction after a transient database error: {err!r}.")
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _once(self, body: Callable[[Cursor], T], write: bool, single: bool) -> T:
        if self._serial is not None:
            with self._serial:
                return self._transaction(body, write, single)
        if write and self._writers is not None:
            self._writers.acquire()
            try:
                return self._transaction(body, write, single)
            finally:
                self._writers.release()
        return self._transaction(body, write, single)

    # --- connections -------------------------------------------------------------------------------------
    # SQLAlchemy's pool costs about 100 microseconds per checkout and return, a tenth of a whole trial on
    # SQLite; these connections come from it once (so its connect-time settings apply), are detached, and
    # are then kept in a plain list. Only connections that ended a transaction cleanly go back to the list.

    def _checkout(self) -> tuple[Any, bool]:
        """A detached pooled connection, and whether it was idle before (so possibly dropped by the server)."""
        if self._forks != FORKS[0]:
            with self._idle_lock:
                # After fork the parent's connections must not be shared; forget them without closing.
                self._idle = []
                self._forks = FORKS[0]
        try:
            return self._idle.pop(), True  # atomic under the GIL: threads never get the same connection
        except IndexError:
            pass
        connection = self._engine.raw_connection()
        if self._serial is None:
            connection.detach()
            if self.is_sqlite:
                # Every transaction here opens with `sqlite_begin_immediate` (which waits for the write lock
                # itself) or is a read, which WAL never blocks but in rare moments (then it is retried whole):
                # no busy timeout to switch off and on around each BEGIN.
                dbapi_connection = connection.dbapi_connection
                assert dbapi_connection is not None
                dbapi_connection.execute("PRAGMA busy_timeout = 0")
        return connection, False

    def _checkin(self, connection: Any) -> None:
        if self._serial is None and self._forks == FORKS[0]:
            self._idle.append(connection)
        else:
            # The static pool keeps the one in-memory database open; a parent's connection is closed here.
            connection.close()

    def close(self) -> None:
        """Close the idle connections; the storage stays usable and opens new ones when needed."""
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            with contextlib.suppress(Exception):
                connection.close()
        if self._writers is not None:
            self._writers.close()

    def _transaction(self, body: Callable[[Cursor], T], write: bool, single: bool) -> T:
        fairy, reused = self._checkout()
        connection = fairy.dbapi_connection
        clean = False
        autocommit = False
        try:
            cursor = connection.cursor()
            try:
                if self.is_sqlite:
                    # The driver runs in autocommit mode (see _engine); a writer takes the file lock up front.
                    if write:
                        sqlite_begin_immediate(cursor.execute, restore_timeout=self._serial is not None)
                    elif not single:
                        cursor.execute("BEGIN")  # one snapshot for the several reads of `body`
                elif not write and self.dialect == "postgresql":
                    # Under READ COMMITTED a transaction gives reads no common snapshot anyway, so they skip
                    # the BEGIN and COMMIT round trips (psycopg switches modes without talking to the server).
                    connection.autocommit = True
                    autocommit = True
                result = body(cursor)
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            finally:
                cursor.close()
                if autocommit:
                    connection.autocommit = False
            clean = True
            return result
        except BaseException as err:
            dbapi = self._dbapi
            assert dbapi is not None
            if isinstance(err, dbapi.Error) and not isinstance(err, dbapi.IntegrityError):
                clean = False
                dropped = isinstance(err, (dbapi.OperationalError, dbapi.InterfaceError))
                if reused and dropped and not is_transient_driver_error(err):
                    raise _StaleConnection() from err
            elif not isinstance(err, Exception):
                clean = False  # interrupted (KeyboardInterrupt): the connection's state is unknown
            else:
                clean = True  # an albacore error raised by `body`; the transaction was rolled back
            raise
        finally:
            if clean:
                self._checkin(fairy)
            else:
                with contextlib.suppress(Exception):
                    fairy.close()


class _StaleConnection(Exception):
    """A reused connection failed as a dropped connection does; the transaction is tried on a new one."""
