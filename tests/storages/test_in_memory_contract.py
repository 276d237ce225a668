"""The storage contract over InMemoryStorage."""

from __future__ import annotations

from albacore.storages import BaseStorage, InMemoryStorage
from albacore.testing import StorageTestCase


class TestInMemoryStorage(StorageTestCase):
    def storage_factory(self) -> BaseStorage:
        return InMemoryStorage()
