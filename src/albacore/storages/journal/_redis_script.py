"""The Redis journal's append in one command: a server-side script that appends and answers what came before.

A write of :class:`~albacore.storages.journal.JournalRedisBackend` must append its records and read the records
other clients appended since this one last read, in one round trip and with nothing of another client in
between. A ``MULTI``/``RPUSH``/``LRANGE``/``EXEC`` pipeline does that in four commands (four replies to parse);
the script below does it in one (``EVALSHA``), and its answer leaves out the writer's own records, which it
already holds. Scripts run atomically on the server, so the read ends right before the writer's records.

The command is packed by hand and sent on a connection this link keeps checked out of the client's pool: redis-py
spends more time building and parsing a pipeline than the server spends running it. Anything unusual (no
script support, a connection that broke mid-call) is reported to the backend, which falls back to the pipeline
or checks what landed; see :class:`ScriptLink`.
"""

from __future__ import annotations

import hashlib
import os
import threading
from typing import Any

__all__ = ["APPEND_AND_READ_SCRIPT", "AppendOutcomeUnknown", "ScriptLink", "ScriptsRefused"]

# KEYS[1]: the journal list. ARGV[1]: the first record number to read; ARGV[2..]: the records to append.
# Answers {the list's new length, the records from ARGV[1] up to (not including) the appended ones}.
# (LRANGE's -1 would mean the last record, hence the test for nothing before.)
# RPUSH takes the records in chunks: Lua's unpack has a limit on how many values it spreads at once.
APPEND_AND_READ_SCRIPT = b"""
local key = KEYS[1]
local length = 0
for i = 2, #ARGV, 4000 do
  length = redis.call('RPUSH', key, unpack(ARGV, i, math.min(i + 3999, #ARGV)))
end
local last = length - #ARGV
if last < tonumber(ARGV[1]) then
  return {length, {}}
end
return {length, redis.call('LRANGE', key, ARGV[1], last)}
"""
_SHA = hashlib.sha1(APPEND_AND_READ_SCRIPT).hexdigest().encode()


class ScriptsRefused(Exception):
    """The server does not run the script (scripting disabled, an ACL, a proxy without EVAL): use a pipeline."""


class AppendOutcomeUnknown(Exception):
    """The connection broke after the command was sent: the records may or may not have been appended."""


def _bulk(value: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(value), value)


class ScriptLink:
    """Runs the append script (and plain reads) on one connection checked out of ``client``'s pool.

    Thread-safe (one call at a time); after a fork the child checks out a connection of its own.

    Example:
        >>> import redis  # doctest: +SKIP
        >>> link = ScriptLink(redis.Redis(), "demo:albacore:journal")  # doctest: +SKIP
        >>> link.append_and_read([b'{"op":"x"}'], 0)  # doctest: +SKIP
        (1, [])
    """

    def __init__(self, client: Any, key: str) -> None:
        import redis

        self._errors = redis.exceptions
        self._pool = client.connection_pool
        self._key = key.encode()
        self._lock = threading.Lock()
        self._connection: Any = None
        self._pid = os.getpid()
        self._eval_head = _bulk(b"EVALSHA") + _bulk(_SHA) + _bulk(b"1") + _bulk(self._key)
        self._lrange_head = b"*4\r\n" + _bulk(b"LRANGE") + _bulk(self._key)

    def _held(self) -> threading.Lock:
        """The lock of this process; a forked child starts afresh (a thread of the parent may have held it)."""
        if self._pid != os.getpid():
            # The parent's connection stays the parent's: redis-py does not shut down a socket of another process.
            self._lock, self._connection, self._pid = threading.Lock(), None, os.getpid()
        return self._lock

    def _checked_out(self) -> Any:
        if self._connection is None:
            try:
                self._connection = self._pool.get_connection()
            except TypeError:  # redis-py before 5.3 names a command
                self._connection = self._pool.get_connection("EVALSHA")
        return self._connection

    def append_and_read(self, payloads: list[bytes], log_number_from: int) -> tuple[int, list[bytes]]:
        """Append ``payloads``; return the list's new length and the records from ``log_number_from`` before them.

        Raises:
            ScriptsRefused: The server refused the script; nothing was appended.
            AppendOutcomeUnknown: The connection failed after sending; the caller must check what landed.
        """
        parts = [b"*%d\r\n" % (5 + len(payloads)), self._eval_head, _bulk(b"%d" % log_number_from)]
        for payload in payloads:
            parts.append(b"$%d\r\n" % len(payload))
            parts.append(payload)
            parts.append(b"\r\n")
        command = b"".join(parts)
        with self._held():
            connection = self._checked_out()
            try:
                reply = self._call(connection, command)
            except self._errors.NoScriptError:
                # Not cached on this server (yet, or any more): EVAL sends the source and caches it.
                reply = self._call(connection, command.replace(self._eval_head, self._eval_source_head(), 1))
            except self._errors.ResponseError as err:
                if "WRONGTYPE" in str(err):
                    raise
                raise ScriptsRefused(str(err)) from err
        length, raw = reply
        return int(length), raw

    def _eval_source_head(self) -> bytes:
        return _bulk(b"EVAL") + _bulk(APPEND_AND_READ_SCRIPT) + _bulk(b"1") + _bulk(self._key)

    def _call(self, connection: Any, command: bytes) -> Any:
        try:
            connection.send_packed_command([command])
        except (self._errors.ConnectionError, self._errors.TimeoutError) as err:
            # A command that was not sent whole was not run: one more try on a fresh connection.
            connection.disconnect()
            try:
                connection.send_packed_command([command])
            except (self._errors.ConnectionError, self._errors.TimeoutError):
                connection.disconnect()
                raise err from None
        try:
            return connection.read_response(disable_decoding=True)
        except (self._errors.ConnectionError, self._errors.TimeoutError, OSError) as err:
            connection.disconnect()
            raise AppendOutcomeUnknown(str(err)) from err

    def read(self, log_number_from: int) -> list[bytes]:
        """The records numbered ``log_number_from`` and later (``LRANGE``), on the link's connection."""
        command = self._lrange_head + _bulk(b"%d" % log_number_from) + _bulk(b"-1")
        with self._held():
            connection = self._checked_out()
            for attempt in range(2):  # a read can be retried safely
                try:
                    connection.send_packed_command([command])
                    raw: list[bytes] = connection.read_response(disable_decoding=True)
                    return raw
                except (self._errors.ConnectionError, self._errors.TimeoutError):
                    connection.disconnect()
                    if attempt:
                        raise
        raise AssertionError("unreachable")
