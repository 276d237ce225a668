"""RDBStorage's schema: versions, migrations, refusal of old and future databases, and its arguments."""

from __future__ import annotations

import math
import pathlib
import pickle
from typing import Any

import pytest
import sqlalchemy as sa
from tests.storages._optuna_sources import assert_holds, expected, optuna_source, server_database

import albacore
from albacore.exceptions import InvalidArgumentError, StorageVersionError
from albacore.storages import RDBStorage, get_storage
from albacore.storages._cached import _CachedStorage
from albacore.storages.rdb import _models
from albacore.storages.rdb._engine import create_engine, normalize_url
from albacore.storages.rdb._migrate import _alembic_config, upgrade
from albacore.trial import TrialState

__all__ = ["optuna_source", "server_database"]  # fixtures, used by name


@pytest.fixture
def url(tmp_path: pathlib.Path) -> str:
    return f"sqlite:///{tmp_path / 'schema.db'}"


def _first_revision_database(url: str) -> None:
    engine = sa.create_engine(url)
    upgrade(engine, "v1")
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO studies (study_name, directions, next_trial_number) VALUES ('old', '[2]', 1)")
        )
        conn.execute(
            sa.text(
                "INSERT INTO trials (study_id, number, state, datetime_start, datetime_complete) "
                "VALUES (1, 0, 1, 1700000000.0, 1700000001.5)"
            )
        )
        conn.execute(sa.text("INSERT INTO trial_values (trial_id, objective, value) VALUES (1, 0, 0.25)"))
    engine.dispose()


def test_new_database_is_at_head(url: str) -> None:
    storage = RDBStorage(url)
    assert storage.get_current_version() == storage.get_head_version() == _models.SCHEMA_HEAD
    assert storage.get_all_versions() == list(reversed(_models.SCHEMA_VERSIONS))


def test_migrations_build_the_same_schema_as_the_models(url: str, tmp_path: pathlib.Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), _models.metadata)
    engine.dispose()
    assert differences == []


def test_old_database_is_refused_with_the_upgrade_command_then_upgraded(url: str) -> None:
    _first_revision_database(url)
    with pytest.raises(StorageVersionError) as refused:
        RDBStorage(url)
    assert f"albacore storage upgrade --storage {url}" in str(refused.value)
    assert "'v1'" in str(refused.value)
    storage = RDBStorage(url, skip_compatibility_check=True)
    assert storage.get_current_version() == "v1"
    storage.upgrade()
    assert storage.get_current_version() == _models.SCHEMA_HEAD
    with storage.engine.connect() as conn:
        indexes = {ix["name"] for ix in sa.inspect(conn).get_indexes("trials")}
    assert "ix_trials_waiting" in indexes
    study = albacore.load_study(study_name="old", storage=url)
    (trial,) = study.trials
    assert study.direction.name == "MAXIMIZE"
    assert trial.state == TrialState.COMPLETE and trial.value == 0.25
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert [t.number for t in study.trials] == [0, 1, 2]


def test_sqlite_numbers_from_the_trials_and_a_downgrade_restores_the_counter(url: str) -> None:
    engine = sa.create_engine(url)
    upgrade(engine, "v2")
    with engine.begin() as conn:  # three trials as a v2 writer left them: numbered by the counter
        conn.execute(sa.text("INSERT INTO studies (study_name, directions, next_trial_number) VALUES ('s', '[1]', 3)"))
        for number in range(3):
            conn.execute(
                sa.text("INSERT INTO trials (study_id, number, state, datetime_start) VALUES (1, :n, 0, 0.0)"),
                {"n": number},
            )
    engine.dispose()
    RDBStorage(url, skip_compatibility_check=True).upgrade()
    storage = RDBStorage(url)
    study_id = storage.get_study_id_from_name("s")
    created = [storage.create_new_trial(study_id) for _ in range(2)]
    assert [storage.get_trial(i).number for i in created] == [3, 4]

    def counter() -> int:
        with storage.engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT next_trial_number FROM studies").scalar_one())

    assert counter() == 3  # SQLite of revision v3 leaves the counter alone
    from alembic import command

    with storage.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "v2")  # type: ignore[arg-type]
    assert counter() == 5  # ... and going back to v2 brings it up to date for v2 writers


def test_future_database_is_refused(url: str) -> None:
    RDBStorage(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'v99'"))
    engine.dispose()
    with pytest.raises(StorageVersionError, match="newer albacore"):
        RDBStorage(url)
    RDBStorage(url, skip_compatibility_check=True).close()


def test_foreign_tables_are_left_alone(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE studies (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(StorageVersionError, match="not made by albacore"):
        RDBStorage(url)


def test_skip_table_creation_creates_nothing(url: str) -> None:
    storage = RDBStorage(url, skip_table_creation=True)
    with storage.engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == []


@pytest.mark.parametrize("name", ["heartbeat_interval", "grace_period"])
@pytest.mark.parametrize("bad", [0, -5, 1.5, True, "10"])
def test_heartbeat_arguments_are_validated(url: str, name: str, bad: object) -> None:
    with pytest.raises(InvalidArgumentError, match=name):
        RDBStorage(url, **{name: bad})  # type: ignore[arg-type]


def test_heartbeat_arguments_are_kept(url: str) -> None:
    def callback(study: object, trial: object) -> None:
        pass

    storage = RDBStorage(url, heartbeat_interval=60, grace_period=120, heartbeat_stale_trial_callback=callback)
    assert (storage.heartbeat_interval, storage.grace_period, storage.heartbeat_stale_trial_callback) == (
        60,
        120,
        callback,
    )
    assert storage.get_heartbeat_interval() == 60 and storage.get_heartbeat_stale_trial_callback() is callback


def test_heartbeat_attributes_may_be_set_one_at_a_time(url: str) -> None:
    def callback(study: object, trial: object) -> None:
        pass

    storage = RDBStorage(url)
    storage.grace_period = 5  # before the interval: heartbeats stay off until it comes
    storage.heartbeat_stale_trial_callback = callback
    assert storage.get_heartbeat_config() is None
    storage.heartbeat_interval = 2
    assert storage.get_heartbeat_config() == (2, 5, callback)
    storage.grace_period = None
    assert storage.get_heartbeat_config() == (2, 4, callback)
    with pytest.raises(InvalidArgumentError, match="heartbeat_interval"):
        storage.heartbeat_interval = 0
    with pytest.raises(InvalidArgumentError, match="longer than"):
        storage.grace_period = 1
    assert storage.get_heartbeat_config() == (2, 4, callback)  # a refused value changes nothing
    storage.heartbeat_interval = None
    assert storage.get_heartbeat_config() is None and storage.get_heartbeat_interval() is None


def test_other_bad_arguments(url: str) -> None:
    with pytest.raises(InvalidArgumentError, match="engine_kwargs"):
        RDBStorage(url, engine_kwargs=[("echo", True)])  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="url"):
        RDBStorage("not a url")
    with pytest.raises(InvalidArgumentError, match="heartbeat_stale_trial_callback"):
        RDBStorage(url, heartbeat_interval=60, heartbeat_stale_trial_callback=3)  # type: ignore[arg-type]


def test_drivers_are_picked_for_bare_urls() -> None:
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("mysql://u@h/db").drivername == "mysql+pymysql"
    assert normalize_url("mysql+pymysql://u@h/db").drivername == "mysql+pymysql"
    assert normalize_url("sqlite:///x.db").drivername == "sqlite"


@pytest.mark.parametrize(
    ("database", "engine_kwargs", "pre_ping"),
    [
        ("mysql://u@h/db", {}, True),
        ("mysql+pymysql://u@h/db", {"pool_size": 5}, True),
        ("mysql://u@h/db", {"pool_pre_ping": False}, False),
        ("postgresql://u@h/db", {}, False),
        ("sqlite:///x.db", {}, False),
    ],
)
def test_mysql_connections_are_checked_before_use_unless_told_otherwise(
    database: str, engine_kwargs: dict[str, object], pre_ping: bool
) -> None:
    # MySQL drops connections idle longer than `wait_timeout`; a pooled one is pinged before it is handed out.
    engine = create_engine(normalize_url(database), engine_kwargs)
    assert engine.pool._pre_ping is pre_ping
    engine.dispose()


def test_claiming_uses_the_index_of_waiting_trials(url: str) -> None:
    storage = RDBStorage(url)
    with storage.engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + storage._trials._oldest_waiting, (1,)).all()
    assert "ix_trials_waiting" in str(plan)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(url: str) -> None:
    storage = RDBStorage(url)
    with storage.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_attrs_must_be_json(url: str) -> None:
    storage = RDBStorage(url)
    study_id = storage.create_new_study([albacore.study.StudyDirection.MINIMIZE], "s")
    trial_id = storage.create_new_trial(study_id)
    with pytest.raises(InvalidArgumentError, match="JSON"):
        storage.set_trial_user_attr(trial_id, "obj", object())
    with pytest.raises(InvalidArgumentError, match="JSON"):
        storage.set_study_system_attr(study_id, "obj", {1, 2})
    assert storage.get_trial(trial_id).user_attrs == {}


def test_nan_attrs_and_intermediate_values_round_trip(url: str) -> None:
    storage = RDBStorage(url)
    study_id = storage.create_new_study([albacore.study.StudyDirection.MINIMIZE], "s")
    trial_id = storage.create_new_trial(study_id)
    storage.set_trial_user_attr(trial_id, "values", [math.nan, math.inf])
    storage.set_trial_intermediate_value(trial_id, 0, math.nan)
    trial = RDBStorage(url).get_trial(trial_id)
    assert math.isnan(trial.user_attrs["values"][0]) and trial.user_attrs["values"][1] == math.inf
    assert math.isnan(trial.intermediate_values[0])


def test_pickled_storage_reconnects(url: str) -> None:
    storage = RDBStorage(url, heartbeat_interval=5)
    study_id = storage.create_new_study([albacore.study.StudyDirection.MINIMIZE], "s")
    copy = pickle.loads(pickle.dumps(storage))
    assert copy.get_study_name_from_id(study_id) == "s" and copy.heartbeat_interval == 5
    cached = pickle.loads(pickle.dumps(_CachedStorage(storage)))
    assert cached.get_study_name_from_id(study_id) == "s"


def test_get_storage(url: str, tmp_path: pathlib.Path) -> None:
    cached = get_storage(url)
    assert isinstance(cached, _CachedStorage) and isinstance(cached.backend, RDBStorage)
    rdb = RDBStorage(url)
    assert get_storage(rdb) is get_storage(rdb)
    assert isinstance(get_storage(rdb), _CachedStorage)
    assert get_storage(cached) is cached
    with pytest.raises(InvalidArgumentError, match=r"sqlite:///study\.db"):
        get_storage("ftp://example.com/x")
    study = albacore.create_study(storage=url, study_name="via-url")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    assert len(albacore.load_study(study_name="via-url", storage=rdb).trials) == 3


def test_upgrade_converts_an_optuna_database_opened_without_the_check(optuna_source: Any) -> None:
    url = optuna_source("optuna-5.0.0", "sqlite")
    with pytest.raises(StorageVersionError, match="is an Optuna storage"):
        RDBStorage(url)
    storage = RDBStorage(url, skip_compatibility_check=True, skip_table_creation=True)
    assert storage.get_current_version() == "v3.2.0.a"  # Optuna's own revision, as Optuna would say
    storage.upgrade()
    assert storage.get_current_version() == storage.get_head_version()
    assert_holds(storage, expected("optuna-5.0.0", "sqlite"), heartbeats=True)
    study = albacore.load_study(study_name="after-deleted", storage=storage)
    study.optimize(lambda t: t.suggest_int("k", 0, 3), n_trials=1)
    assert [t.number for t in study.trials] == [0, 1, 2]
    assert RDBStorage(url).get_current_version() == _models.SCHEMA_HEAD  # opens without the check now


def test_upgrade_of_an_unreadable_optuna_database_says_why(tmp_path: pathlib.Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('v1.2.0.a')"))
    engine.dispose()
    storage = RDBStorage(url, skip_compatibility_check=True, skip_table_creation=True)
    with pytest.raises(StorageVersionError, match=r"before Optuna 2\.0"):
        storage.upgrade()
