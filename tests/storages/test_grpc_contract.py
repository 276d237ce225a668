"""The storage contract over the gRPC storage proxy, fronting in-memory, SQLite and journal storages."""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterator

import pytest

from albacore.storages import BaseStorage, InMemoryStorage, JournalStorage, RDBStorage
from albacore.storages._grpc.server import StorageService
from albacore.storages.journal import JournalFileBackend
from albacore.testing import StorageTestCase

pytest.importorskip("grpc")

from tests.storages._grpc_proxy import client, serving


@pytest.fixture(scope="module")
def proxy() -> Iterator[tuple[int, StorageService]]:
    with serving(InMemoryStorage()) as served:
        yield served


class _ProxyContract(StorageTestCase):
    backend: Callable[[pathlib.Path], BaseStorage]

    @pytest.fixture(autouse=True)
    def _proxy(self, tmp_path: pathlib.Path, proxy: tuple[int, StorageService]) -> None:
        self.port, service = proxy
        service.serve(type(self).backend(tmp_path))  # a fresh storage behind the proxy for each test

    def storage_factory(self) -> BaseStorage:
        return client(self.port)


class TestProxyInMemory(_ProxyContract):
    backend = staticmethod(lambda tmp_path: InMemoryStorage())


class TestProxySQLite(_ProxyContract):
    backend = staticmethod(lambda tmp_path: RDBStorage(f"sqlite:///{tmp_path / 'proxy.db'}"))


class TestProxyJournal(_ProxyContract):
    backend = staticmethod(lambda tmp_path: JournalStorage(JournalFileBackend(str(tmp_path / "proxy.log"))))
