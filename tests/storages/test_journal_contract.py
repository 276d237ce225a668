"""The storage contract over JournalStorage, on a file and on Redis (when ALBACORE_TEST_REDIS_URL is set)."""

from __future__ import annotations

import json
import os
import pathlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from albacore.storages import BaseStorage, JournalStorage
from albacore.storages.journal import BaseJournalBackend, JournalFileBackend, JournalFileOpenLock, JournalRedisBackend
from albacore.testing import StorageTestCase

REDIS_VARIABLE = "ALBACORE_TEST_REDIS_URL"


def redis_url() -> str:
    """Return the test Redis URL, or skip the test naming the variable to set."""
    url = os.environ.get(REDIS_VARIABLE)
    if not url:
        pytest.skip(f"set {REDIS_VARIABLE} to run the Redis journal tests (e.g. redis://127.0.0.1:6379/0)")
    return url


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A unique key prefix on the test Redis; its keys are deleted after the test."""
    url = redis_url()
    import redis

    prefix = f"albacore-test-{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


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
    def _journal(self, redis_prefix: str) -> None:
        self.prefix = redis_prefix

    def storage_factory(self) -> BaseStorage:
        return JournalStorage(JournalRedisBackend(redis_url(), prefix=self.prefix))


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


def test_a_redis_append_returns_the_records_before_it_then_its_own(redis_prefix: str) -> None:
    first = JournalRedisBackend(redis_url(), prefix=redis_prefix)
    second = JournalRedisBackend(redis_url(), prefix=redis_prefix)
    first.append_logs([{"op": "a"}, {"op": "b"}])
    own = {"op": "c"}
    records, start = second.append_and_read_logs([own], 0)
    assert (records, start) == ([{"op": "a"}, {"op": "b"}, own], 2)
    assert records[2] is own
    assert second.append_and_read_logs([{"op": "d"}], 3) == ([{"op": "d"}], 0)
    assert first.read_logs(1) == [{"op": "b"}, own, {"op": "d"}]
