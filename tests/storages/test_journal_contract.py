"""The storage contract over JournalStorage, on a file and on Redis (when ALBACORE_TEST_REDIS_URL is set)."""

from __future__ import annotations

import os
import pathlib
import uuid
from collections.abc import Iterator

import pytest

from albacore.storages import BaseStorage, JournalStorage
from albacore.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalRedisBackend
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
