"""The storage contract over RDBStorage on SQLite, PostgreSQL and MariaDB/MySQL, bare and behind the cache."""

from __future__ import annotations

import pathlib
import pickle
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from albacore.storages import BaseStorage, RDBStorage
from albacore.storages._cached import _CachedStorage
from albacore.testing import StorageTestCase


class TestSQLiteStorage(StorageTestCase):
    @pytest.fixture(autouse=True)
    def _database(self, tmp_path: pathlib.Path) -> None:
        self.url = f"sqlite:///{tmp_path / 'contract.db'}"

    def storage_factory(self) -> BaseStorage:
        return RDBStorage(self.url)


class TestCachedSQLiteStorage(TestSQLiteStorage):
    def storage_factory(self) -> BaseStorage:
        return _CachedStorage(RDBStorage(self.url))


class TestInMemorySQLiteStorage(StorageTestCase):
    def storage_factory(self) -> BaseStorage:
        return _CachedStorage(RDBStorage("sqlite://"))

    def test_a_pickled_storage_reads_the_same_studies(self, storage: BaseStorage) -> None:
        # An in-memory database lives in its process: a copy of the storage opens a new, empty one.
        self._study(storage, "here")
        restored = pickle.loads(pickle.dumps(storage))
        assert restored.get_all_studies() == [] and [s.study_name for s in storage.get_all_studies()] == ["here"]


class TestPostgreSQLStorage(StorageTestCase):
    @pytest.fixture(autouse=True)
    def _database(self, postgres_url: str, wiper: Callable[[sa.Engine], None]) -> None:
        self.url = postgres_url
        self.wipe = wiper

    def storage_factory(self) -> BaseStorage:
        storage = RDBStorage(self.url)
        self.wipe(storage.engine)
        return storage


class TestCachedPostgreSQLStorage(TestPostgreSQLStorage):
    def storage_factory(self) -> BaseStorage:
        return _CachedStorage(super().storage_factory())  # type: ignore[arg-type]


class TestMySQLStorage(StorageTestCase):
    @pytest.fixture(autouse=True)
    def _database(self, mysql_url: str, wiper: Callable[[sa.Engine], None]) -> None:
        self.url = mysql_url
        self.wipe = wiper

    def storage_factory(self) -> BaseStorage:
        storage = RDBStorage(self.url)
        self.wipe(storage.engine)
        return storage
