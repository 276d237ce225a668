"""The storage contract over JournalStorage, on a file and on Redis (when ALBACORE_TEST_REDIS_URL is set)."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from albacore.storages import BaseStorage, JournalStorage
from albacore.storages.journal import BaseJournalBackend, JournalFileBackend, JournalFileOpenLock, JournalRedisBackend
from albacore.testing import StorageTestCase


class TestJournalFileStorage(StorageTestCase):
    @pytest.fixture(autouse=True)
    def _journal(self, tmp_path: pathlib.Path) -> None:
        self.path = str(tmp_path / "contract.log")

    def storage_factory(self) -> BaseStorage:
        return JournalStorage(JournalFileBackend(self.path))


class TestJournalFileOpenLockStorage(TestJournalFileStorage):
    def storage_factory(self) -> BaseStorage:
        return JournalStorage(JournalFileBackend(self.path, lock_obj=JournalFileOpenLock(self.path)))


class TestJournalRedisStorage(StorageTestCase):
    @pytest.fixture(autouse=True)
    def _journal(self, redis_url: str, redis_prefix: str) -> None:
        self.url, self.prefix = redis_url, redis_prefix

    def storage_factory(self) -> BaseStorage:
        return JournalStorage(JournalRedisBackend(self.url, prefix=self.prefix))


class ListBackend(BaseJournalBackend):
    """The least a third-party backend implements: JSON strings in a list, no append_and_read_logs of its own."""

    def __init__(self) -> None:
        self.records: list[str] = []

    def read_logs(self, log_number_from: int) -> list[dict[str, Any]]:
        return [json.loads(r) for r in self.records[log_number_from:]]

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        self.records.extend(json.dumps(log) for log in logs)


class TestJournalGenericBackendStorage(StorageTestCase):
    """The generic append_and_read_logs (tag, append, read back) that such backends inherit."""

    def storage_factory(self) -> BaseStorage:
        if not hasattr(self, "backend"):
            self.backend = ListBackend()
        return JournalStorage(self.backend)


def test_a_redis_append_returns_the_records_before_it_then_its_own(redis_url: str, redis_prefix: str) -> None:
    first = JournalRedisBackend(redis_url, prefix=redis_prefix)
    second = JournalRedisBackend(redis_url, prefix=redis_prefix)
    first.append_logs([{"op": "a"}, {"op": "b"}])
    own = {"op": "c"}
    records, start = second.append_and_read_logs([own], 0)
    assert (records, start) == ([{"op": "a"}, {"op": "b"}, own], 2)
    assert records[2] is own
    assert second.append_and_read_logs([{"op": "d"}], 3) == ([{"op": "d"}], 0)
    assert first.read_logs(1) == [{"op": "b"}, own, {"op": "d"}]


def test_a_cluster_backend_connects_at_first_use() -> None:
    redis = pytest.importorskip("redis")
    backend = JournalRedisBackend("redis://127.0.0.1:1/0", use_cluster=True)  # nothing listens on port 1
    with pytest.raises((redis.exceptions.RedisError, redis.exceptions.RedisClusterException), match="connect"):
        backend.read_logs(0)
