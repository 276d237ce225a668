"""Which storage a command opens: URLs, paths of existing files, --storage-class, and the errors for the rest."""

from __future__ import annotations

import argparse
import pathlib

import pytest
from tests.cli._run import Run

import albacore
from albacore.cli._common import open_storage, resolve_url, shown_url
from albacore.exceptions import CLIUsageError
from albacore.storages import JournalStorage
from albacore.storages.journal import JournalFileBackend, JournalRedisBackend


def _args(storage: str, storage_class: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(storage=storage, storage_class=storage_class)


def test_paths_of_existing_files(tmp_path: pathlib.Path) -> None:
    database = tmp_path / "study.db"
    albacore.create_study(storage=f"sqlite:///{database}", study_name="in-sqlite")
    journal = tmp_path / "study.log"
    albacore.create_study(storage=f"journal://{journal}", study_name="in-journal")
    empty = tmp_path / "empty"
    empty.touch()  # an empty file is a journal with nothing in it yet
    assert resolve_url(str(database)) == f"sqlite:///{database}"
    assert resolve_url(str(journal)) == f"journal://{journal}"
    assert resolve_url(str(empty)) == f"journal://{empty}"
    assert albacore.get_all_study_names(open_storage(_args(str(database)))) == ["in-sqlite"]
    assert albacore.get_all_study_names(open_storage(_args(str(journal)))) == ["in-journal"]
    for url in ("sqlite:///x.db", "postgresql+psycopg://u@h/db", "journal:///a/b.log", "redis://h:6379/0"):
        assert resolve_url(url) == url


def test_what_is_not_a_storage(run: Run, tmp_path: pathlib.Path) -> None:
    for given in ("invalid-storage-url", str(tmp_path / "missing.log"), str(tmp_path)):
        result = run("--storage", given, "study-names")
        assert result.status == 2
        assert "sqlite:///" in result.err and "journal:///" in result.err and "redis://" in result.err
    assert run("--storage", "mongodb://h/db", "study-names").status == 2


def test_passwords_stay_out_of_messages(run: Run) -> None:
    assert shown_url("postgresql://ana:s3cret@db.example/optuna") == "postgresql://ana:***@db.example/optuna"
    assert shown_url("redis://:s3cret@cache:6379/0") == "redis://:***@cache:6379/0"
    assert shown_url("sqlite:///a:b@c.db") == "sqlite:///a:b@c.db"
    result = run("--storage", "nosuch://ana:s3cret@host/db", "study-names")
    assert result.status == 2 and "s3cret" not in result.err


def test_storage_class(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "new.log"
    storage = open_storage(_args(str(path), "JournalFileBackend"))  # the class says it: the file may be new
    assert isinstance(storage, JournalStorage) and isinstance(storage.backend, JournalFileBackend)
    albacore.create_study(storage=storage, study_name="s")
    assert albacore.get_all_study_names(open_storage(_args(f"journal://{path}", "JournalFileStorage"))) == ["s"]
    database = tmp_path / "study.db"
    albacore.create_study(storage=f"sqlite:///{database}", study_name="db")
    assert albacore.get_all_study_names(open_storage(_args(str(database), "RDBStorage"))) == ["db"]
    with pytest.raises(CLIUsageError, match="database URL"):
        open_storage(_args(str(path), "RDBStorage"))
    with pytest.raises(CLIUsageError, match="redis://"):
        open_storage(_args(str(path), "JournalRedisBackend"))


def test_storage_class_names(run: Run, url: str) -> None:
    bad = run("--storage", url, "--storage-class", "InMemoryStorage", "study-names")
    assert bad.status == 2 and "RDBStorage" in bad.err and "JournalFileBackend" in bad.err
    assert run("--storage", url, "--storage-class", "RDBStorage", "study-names").status == 0


def test_redis_journal_by_class(redis_url: str) -> None:
    storage = open_storage(_args(redis_url, "JournalRedisBackend"))
    assert isinstance(storage, JournalStorage) and isinstance(storage.backend, JournalRedisBackend)
