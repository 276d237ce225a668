"""albacore recognises every Optuna storage it is pointed at, and says how to bring it over."""

from __future__ import annotations

import pathlib
import shutil
import sqlite3
import uuid

import pytest
from tests.storages._optuna_sources import FIXTURES, env_url

from albacore.exceptions import InvalidArgumentError, StorageVersionError
from albacore.storages import JournalStorage, get_storage
from albacore.storages._optuna._rdb import OPTUNA_REVISIONS
from albacore.storages.journal import JournalRedisBackend


def _assert_names_both_ways(message: str, url: str, *, database: bool) -> None:
    assert "is an Optuna storage" in message
    assert f"albacore storage import --from {url} --to" in message
    if database:
        assert f"albacore storage upgrade --storage {url} --from-optuna --yes" in message
        assert "Optuna can no longer open it" in message


@pytest.mark.parametrize("revision", OPTUNA_REVISIONS)
def test_every_optuna_revision_is_recognised(tmp_path: pathlib.Path, revision: str) -> None:
    path = tmp_path / "optuna.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE studies (study_id INTEGER PRIMARY KEY, study_name VARCHAR(512))")
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    conn.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    conn.commit()
    conn.close()
    url = f"sqlite:///{path}"
    with pytest.raises(StorageVersionError) as caught:
        get_storage(url)
    _assert_names_both_ways(str(caught.value), url, database=True)
    assert repr(revision) in str(caught.value)


def test_a_database_from_before_alembic_is_recognised(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE studies (study_id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TABLE version_info (version_info_id INTEGER PRIMARY KEY, schema_version INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StorageVersionError, match=r"Optuna release older than 0\.9"):
        get_storage(f"sqlite:///{path}")


@pytest.mark.parametrize("release", ["optuna-5.0.0", "optuna-3.6.1"])
def test_optuna_files_are_recognised(tmp_path: pathlib.Path, release: str) -> None:
    shutil.copy(FIXTURES / release / "sqlite.db", tmp_path / "o.db")
    url = f"sqlite:///{tmp_path / 'o.db'}"
    with pytest.raises(StorageVersionError) as caught:
        get_storage(url)
    _assert_names_both_ways(str(caught.value), url, database=True)
    shutil.copy(FIXTURES / release / "journal.log", tmp_path / "o.log")
    url = f"journal://{tmp_path / 'o.log'}"
    with pytest.raises(InvalidArgumentError) as caught_journal:
        get_storage(url)
    _assert_names_both_ways(str(caught_journal.value), url, database=False)


def test_an_optuna_redis_journal_is_recognised() -> None:
    import redis

    url = env_url("ALBACORE_TEST_REDIS_URL")
    prefix = f"optuna-detect-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(url)
    client.set(f"{prefix}:log_number", 0)
    try:
        with pytest.raises(StorageVersionError) as caught:
            JournalStorage(JournalRedisBackend(url, prefix=prefix + ":"))
        _assert_names_both_ways(str(caught.value), f"{url}?prefix={prefix}", database=False)
        # An albacore journal of another prefix beside it opens as usual.
        JournalStorage(JournalRedisBackend(url, prefix=f"albacore-{prefix}:"))
    finally:
        client.delete(f"{prefix}:log_number")
        client.close()
