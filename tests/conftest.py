"""Test-suite wide settings and the database servers that several test folders share.

Slow reliability tests run when ALBACORE_RUN_SLOW=1 (``.ci/run`` sets it). Server-backed tests use
``ALBACORE_TEST_POSTGRES_URL``, ``ALBACORE_TEST_MYSQL_URL`` and ``ALBACORE_TEST_REDIS_URL`` (``.ci/run`` sets them):
a fresh database per test session on each SQL server, dropped after, and a fresh key prefix per test on Redis.
Tests that need a server no variable names are skipped, saying which variable to set.
"""

from __future__ import annotations

import os
import pathlib
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from albacore.storages import BaseStorage, InMemoryStorage, JournalStorage, get_storage
from albacore.storages.journal import JournalFileBackend, JournalRedisBackend
from albacore.storages.rdb import _models
from albacore.storages.rdb._engine import normalize_url

# Scripts in tests/compat run with Optuna in an environment of their own, and the compat harness's shim is loaded
# only by Optuna's test suite under `make compat` (its sitecustomize installs an import hook): albacore's suite never
# imports them (tests/compat/test_harness.py tests the shim in subprocesses).
collect_ignore = ["compat/make_optuna_fixtures.py"]
# Fixtures of one test folder that cannot live in its own conftest.py (see the module's docstring).
pytest_plugins = ["tests.cli._fixtures"]
collect_ignore_glob = ["compat/shim/*"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("ALBACORE_RUN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow reliability test: set ALBACORE_RUN_SLOW=1 to run it (CI does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


SERVERS = {"postgresql": "ALBACORE_TEST_POSTGRES_URL", "mysql": "ALBACORE_TEST_MYSQL_URL"}


def _server_database(kind: str) -> Iterator[str]:
    variable = SERVERS[kind]
    base = os.environ.get(variable)
    if not base:
        pytest.skip(f"set {variable} to run the {kind} storage tests (e.g. {_EXAMPLES[kind]})")
    admin_url = normalize_url(base)
    name = f"albacore_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    test_url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        yield test_url
    finally:
        with admin.connect() as conn:
            if kind == "postgresql":
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


_EXAMPLES = {
    "postgresql": "postgresql://postgres@127.0.0.1:5432/test",
    "mysql": "mysql://root@127.0.0.1:3306/test",
}


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database for this test session."""
    yield from _server_database("postgresql")


@pytest.fixture(scope="session")
def mysql_url() -> Iterator[str]:
    """URL of a fresh MariaDB/MySQL database for this test session."""
    yield from _server_database("mysql")


@pytest.fixture(scope="session")
def wiper() -> Callable[[sa.Engine], None]:
    """The :func:`wipe` function, for test classes that empty a server database before each test."""
    return wipe


def wipe(engine: sa.Engine) -> None:
    """Delete every row of albacore's tables (faster than new tables for each test)."""
    with engine.begin() as conn:
        for table in reversed(_models.metadata.sorted_tables):
            if table is not _models.alembic_version:
                conn.execute(table.delete())


REDIS_VARIABLE = "ALBACORE_TEST_REDIS_URL"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis URL; the test is skipped, naming the variable, when it is not set."""
    url = os.environ.get(REDIS_VARIABLE)
    if not url:
        pytest.skip(f"set {REDIS_VARIABLE} to run the Redis tests (e.g. redis://127.0.0.1:6379/0)")
    return url


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A unique key prefix on the test Redis; its keys are deleted after the test."""
    import redis

    prefix = f"albacore-test-{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(params=["inmemory", "sqlite", "journal", "postgresql", "mysql", "redis", "grpc"])
def open_storage(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Callable[[], BaseStorage]:
    """Every kind of storage, one per test: each call opens a new client of the same data (in-memory: the one).

    The server kinds skip unless their URL is set (see ``postgres_url``, ``mysql_url``, ``redis_url``); ``grpc``
    is a gRPC storage proxy in this process over a journal file, each call a new client.
    """
    kind = request.param
    if kind == "inmemory":
        shared = InMemoryStorage()
        return lambda: shared
    if kind == "sqlite":
        return lambda: get_storage(f"sqlite:///{tmp_path / 'study.db'}")
    if kind == "journal":
        return lambda: JournalStorage(JournalFileBackend(str(tmp_path / "study.log")))
    if kind == "redis":
        url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
        return lambda: JournalStorage(JournalRedisBackend(url, prefix=prefix))
    if kind == "grpc":
        return _grpc_proxy(request, JournalStorage(JournalFileBackend(str(tmp_path / "proxied.log"))))
    url = request.getfixturevalue("postgres_url" if kind == "postgresql" else "mysql_url")
    return lambda: get_storage(url)


def _grpc_proxy(request: pytest.FixtureRequest, backend: BaseStorage) -> Callable[[], BaseStorage]:
    """Serve ``backend`` through a gRPC storage proxy until the test ends; return a maker of its clients."""
    pytest.importorskip("grpc")
    from albacore.storages import GrpcStorageProxy
    from albacore.storages._grpc.server import bind_server

    server, port, _ = bind_server(backend, "localhost", 0)
    server.start()
    clients: list[GrpcStorageProxy] = []

    def stop() -> None:
        for made in clients:
            made.close()
        server.stop(None).wait()

    request.addfinalizer(stop)

    def connect() -> BaseStorage:
        made = GrpcStorageProxy(host="localhost", port=port)
        made.wait_server_ready(timeout=30)
        clients.append(made)
        return made

    return connect
