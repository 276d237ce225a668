"""A gRPC storage proxy in this process, for the tests of the proxy."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from albacore.storages import BaseStorage
from albacore.storages._grpc.client import GrpcStorageProxy
from albacore.storages._grpc.server import StorageService, bind_server


@contextlib.contextmanager
def serving(storage: BaseStorage) -> Iterator[tuple[int, StorageService]]:
    """Serve ``storage`` on a free port of localhost while the block runs; yield the port and the service (whose
    ``serve`` switches to another storage: stopping a server takes a fifth of a second)."""
    server, port, service = bind_server(storage, "localhost", 0)
    server.start()
    try:
        yield port, service
    finally:
        server.stop(None).wait()


def client(port: int) -> GrpcStorageProxy:
    """A client of the proxy on ``port``, once it answers."""
    proxy = GrpcStorageProxy(host="localhost", port=port)
    proxy.wait_server_ready(timeout=30)
    return proxy
