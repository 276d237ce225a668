"""JournalRedisBackend: the journal as a Redis list, shared by processes on any machine that reaches Redis."""

from __future__ import annotations

import json
from typing import Any

from albacore._optional import require
from albacore.exceptions import StorageCorruptedError, StorageVersionError
from albacore.storages.journal._base import BaseJournalBackend, BaseJournalSnapshot
from albacore.storages.journal._redis_script import AppendOutcomeUnknown, ScriptLink, ScriptsRefused

__all__ = ["JournalRedisBackend"]

_encode = json.JSONEncoder(separators=(",", ":")).encode  # built once: json.dumps builds one per call


class JournalRedisBackend(BaseJournalBackend, BaseJournalSnapshot):
    """Keeps the journal in a Redis list: ``RPUSH`` numbers each batch of records atomically, in order.

    Keys: ``<prefix>albacore:journal`` (the list of records, JSON strings) and
    ``<prefix>albacore:journal:snapshot`` (the latest snapshot). Durability is the Redis server's: with the
    default ``appendfsync everysec`` an acknowledged write can be lost if the server's machine crashes within a
    second; set ``appendfsync always`` on the server for the same guarantee as the file backend.

    Args:
        url: A Redis URL such as ``"redis://localhost:6379/0"``.
        use_cluster: Connect to a Redis Cluster instead of a single server.
        prefix: Prepended to every key, so that several journals can share one database.

    Example:
        >>> from albacore.storages.journal import JournalRedisBackend
        >>> backend = JournalRedisBackend("redis://localhost:6379/0", prefix="demo:")  # doctest: +SKIP
    """

    def __init__(self, url: str, use_cluster: bool = False, prefix: str = "") -> None:
        redis = require("redis", extra="redis", feature="JournalRedisBackend")
        require("redis.cluster", extra="redis", feature="JournalRedisBackend")
        self._url = url
        self._use_cluster = use_cluster
        self._prefix = prefix
        self._key = f"{prefix}albacore:journal"
        self._snapshot_key = f"{prefix}albacore:journal:snapshot"
        self._checked_for_optuna = False
        self._client: Any = None if use_cluster else redis.Redis.from_url(url)
        self._link: ScriptLink | None = None  # made at first use, from whatever client is set by then
        self._scripts_refused = use_cluster  # a cluster client keeps the pipeline (see append_and_read_logs)

    @property
    def _redis(self) -> Any:
        # A cluster client connects as soon as it is made (to learn the slots), so it is made at first use: making
        # a backend then never fails while the server is down for a moment, as with a single server.
        if self._client is None:
            cluster = require("redis.cluster", extra="redis", feature="JournalRedisBackend")
            self._client = cluster.RedisCluster.from_url(self._url)
        return self._client

    @_redis.setter
    def _redis(self, client: Any) -> None:
        self._client = client
        self._link = None

    def _script_link(self) -> ScriptLink | None:
        """The link that appends with one script call, or None where scripts cannot be used."""
        if self._link is None and not self._scripts_refused:
            self._link = ScriptLink(self._redis, self._key)
        return self._link

    def __getstate__(self) -> dict[str, Any]:
        # A connection cannot cross a process boundary; worker processes reconnect from the URL.
        return {"url": self._url, "use_cluster": self._use_cluster, "prefix": self._prefix}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["url"], state["use_cluster"], state["prefix"])  # type: ignore[misc]

    def read_logs(self, log_number_from: int) -> list[dict[str, Any]]:
        """Return the records numbered ``log_number_from`` and later."""
        link = self._script_link()
        raw = link.read(log_number_from) if link is not None else self._redis.lrange(self._key, log_number_from, -1)
        logs = self._decode(raw, log_number_from)
        if not logs and log_number_from == 0 and not self._checked_for_optuna:
            self._refuse_optuna_journal()
        return logs

    def _refuse_optuna_journal(self) -> None:
        """Refuse to start an empty albacore journal beside an Optuna journal: the user meant to continue that one."""
        self._checked_for_optuna = True
        for prefix in {self._prefix, self._prefix.rstrip(":")}:
            if self._redis.exists(f"{prefix}:log_number"):
                from albacore.storages._optuna import optuna_storage_message

                url = self._url if not prefix else f"{self._url}?prefix={prefix}"
                raise StorageVersionError(optuna_storage_message(url, "an Optuna Redis journal", database=False))

    def _decode(self, raw: list[bytes], log_number_from: int) -> list[dict[str, Any]]:
        if not raw:
            return []
        try:
            logs: list[dict[str, Any]] = json.loads(b"[" + b",".join(raw) + b"]")
        except ValueError as err:
            raise StorageCorruptedError(
                f"A record of the Redis journal {self._key!r} (from #{log_number_from}) is not JSON ({err}); it "
                "was written by something other than albacore."
            ) from err
        return logs

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        """Append ``logs`` with one ``RPUSH``: atomic, and ordered after every earlier append."""
        self._redis.rpush(self._key, *[_encode(log) for log in logs])

    def append_and_read_logs(
        self, logs: list[dict[str, Any]], log_number_from: int, *, flush: bool = True
    ) -> tuple[list[dict[str, Any]], int]:
        """Append ``logs`` and read the records before them in one round trip (``flush`` changes nothing here).

        One script call (see ``_redis_script``) appends and answers the list's new length with the records
        other clients appended since ``log_number_from``; ``logs`` themselves are not read back. Where the
        server does not run scripts, a ``MULTI``/``EXEC`` pipeline does the same in four commands.
        """
        payloads = [_encode(log).encode() for log in logs]
        link = self._script_link()
        if link is not None:
            try:
                length, raw = link.append_and_read(payloads, log_number_from)
            except ScriptsRefused:
                self._scripts_refused, self._link = True, None
            except AppendOutcomeUnknown:
                length, raw = self._find_or_append(payloads, log_number_from)
                return self._with_others(logs, raw, log_number_from)
            else:
                return self._with_others(logs, raw, log_number_from)
        length, raw = self._append_with_pipeline(payloads, log_number_from)
        own = max(0, length - len(logs) - log_number_from)
        return self._with_others(logs, raw[:own], log_number_from)

    def _with_others(
        self, logs: list[dict[str, Any]], raw_others: list[bytes], log_number_from: int
    ) -> tuple[list[dict[str, Any]], int]:
        others = self._decode(raw_others, log_number_from)
        return others + logs, len(others)

    def _append_with_pipeline(self, payloads: list[bytes], log_number_from: int) -> tuple[int, list[bytes]]:
        """Append and read in one pipeline: the records from ``log_number_from`` on, ours included at the end."""
        # MULTI/EXEC makes the read end right at our records; a cluster has no transactions across the
        # pipeline, so records appended after ours may come back too, and are left for the next read.
        pipe = self._redis.pipeline(transaction=not self._use_cluster)
        pipe.rpush(self._key, *payloads)
        pipe.lrange(self._key, log_number_from, -1)
        length, raw = pipe.execute()
        return int(length), raw

    def _find_or_append(self, payloads: list[bytes], log_number_from: int) -> tuple[int, list[bytes]]:
        """After a connection broke mid-append: find our records if they landed, else append them again.

        Returns what the script would have: the length after our records and the records before them. Our
        records are recognised by their bytes, which carry the writer's clock to the microsecond.
        """
        raw: list[bytes] = self._redis.lrange(self._key, log_number_from, -1)
        count = len(payloads)
        for start in range(len(raw) - count + 1):
            if raw[start] == payloads[0] and raw[start : start + count] == payloads:
                return log_number_from + start + count, raw[:start]
        length, raw = self._append_with_pipeline(payloads, log_number_from)
        return length, raw[: max(0, length - count - log_number_from)]

    def save_snapshot(self, log_number: int, snapshot: bytes) -> None:
        """Store the snapshot with the log number it covers, in one key."""
        self._redis.set(self._snapshot_key, b"%d\n%s" % (log_number, snapshot))

    def load_snapshot(self) -> tuple[int, bytes] | None:
        """Return the stored snapshot, or None."""
        data: bytes | None = self._redis.get(self._snapshot_key)
        if not data:
            return None
        head, _, body = data.partition(b"\n")
        return int(head), body
