"""Transactions on the driver's own connection, for the trial hot path.

SQLAlchemy Core costs a few hundred microseconds per statement in Python; a trial's life is a handful of
statements, and a committed SQLite transaction costs well under a hundred. So the per-trial operations
(create, write parameters, finish, read) run hand-written SQL on the pooled DB-API connection, while
SQLAlchemy keeps the pool, the dialect quirks at connect time, the schema and every rarely used statement.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

from albacore.exceptions import StorageInternalError
from albacore.logging import get_logger
from albacore.storages.rdb._engine import is_transient_driver_error, sqlite_begin_immediate

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
        self.returning = not self.is_mysql  # PostgreSQL and SQLite >= 3.35 have INSERT/UPDATE ... RETURNING
        self._pyformat = engine.dialect.paramstyle in ("format", "pyformat")
        self._dbapi = engine.dialect.dbapi
        self._serial = serial
        self._quote = engine.dialect.identifier_preparer.quote

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

    def run(self, body: Callable[[Cursor], T], *, write: bool, retry_integrity: bool = False) -> T:
        """Run ``body`` in one transaction, again after transient failures; see ``run_with_retries``."""
        delay = 0.005
        dbapi = self._dbapi
        assert dbapi is not None
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            try:
                return self._once(body, write)
            except dbapi.IntegrityError:
                if not retry_integrity or attempt == _MAX_ATTEMPTS:
                    raise
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

    def _once(self, body: Callable[[Cursor], T], write: bool) -> T:
        if self._serial is not None:
            with self._serial:
                return self._transaction(body, write)
        return self._transaction(body, write)

    def _transaction(self, body: Callable[[Cursor], T], write: bool) -> T:
        connection = self._engine.raw_connection()
        autocommit = False
        try:
            cursor = connection.cursor()
            if self.is_sqlite:
                # The driver runs in autocommit mode (see _engine); a writer takes the file lock up front.
                if write:
                    sqlite_begin_immediate(cursor.execute)
                else:
                    cursor.execute("BEGIN")
            elif not write and self.dialect == "postgresql":
                # Under READ COMMITTED a transaction gives reads no common snapshot anyway, so they skip the
                # BEGIN and COMMIT round trips (psycopg switches modes without talking to the server).
                connection.driver_connection.autocommit = True  # type: ignore[union-attr]
                autocommit = True
            try:
                result = body(cursor)
                connection.commit()
                return result
            except BaseException:
                connection.rollback()
                raise
            finally:
                cursor.close()
                if autocommit:
                    connection.driver_connection.autocommit = False  # type: ignore[union-attr]
        except BaseException as err:
            dbapi = self._dbapi
            if dbapi is not None and isinstance(err, dbapi.Error) and not isinstance(err, dbapi.IntegrityError):
                # The connection may be broken; the pool must not hand it out again.
                connection.invalidate()
            raise
        finally:
            connection.close()
