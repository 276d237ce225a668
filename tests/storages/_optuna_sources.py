"""Optuna storages for the import tests, made from the fixtures in tests/compat/fixtures, and what they hold.

Each fixture directory (one per Optuna release) has the same studies in every kind of storage, and, per kind,
``expected-<kind>.json``: what Optuna read back, datetimes as seconds since the epoch. The fixtures were
written in the time zone +09:00, so naive datetimes (Optuna 3) are read with ``naive_timezone="+09:00"``.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from albacore.distributions import json_to_distribution
from albacore.storages import BaseStorage
from albacore.storages._heartbeat import HEARTBEAT_ATTR
from albacore.storages._optuna import IMPORT_ATTR
from albacore.storages.rdb._engine import normalize_url

FIXTURES = pathlib.Path(__file__).parents[1] / "compat" / "fixtures"
RELEASES = ("optuna-5.0.0", "optuna-3.6.1")
SOURCE_KINDS = ("sqlite", "journal", "redis", "postgresql", "mysql")
_SERVER_VARIABLES = {"postgresql": "ALBACORE_TEST_POSTGRES_URL", "mysql": "ALBACORE_TEST_MYSQL_URL"}


def naive_timezone(release: str) -> str:
    """How to read the fixtures' naive datetimes: Optuna 5 stores UTC (found out by itself), Optuna 3 local time."""
    return "auto" if release.startswith("optuna-5") else "+09:00"


def expected(release: str, kind: str) -> dict[str, Any]:
    with open(FIXTURES / release / f"expected-{kind}.json", encoding="utf-8") as f:
        loaded: dict[str, Any] = json.load(f)
    return loaded


def env_url(variable: str) -> str:
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"set {variable} to run this test")
    return url


def _statements(dump: str) -> list[str]:
    """Split a plain-SQL dump into statements (each ends a line with ';'; no string in the fixtures does)."""
    statements, current = [], []
    for line in dump.splitlines():
        if not current and (not line.strip() or line.startswith("--")):
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            statements.append("\n".join(current))
            current = []
    return statements


@pytest.fixture
def server_database() -> Iterator[Any]:
    """A factory of fresh, empty databases on a test server (dropped after the test): kind -> URL."""
    made: list[tuple[sa.Engine, str, str]] = []

    def make(kind: str) -> str:
        admin_url = normalize_url(env_url(_SERVER_VARIABLES[kind]))
        name = f"albacore_optuna_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        made.append((admin, kind, name))
        return admin_url.set(database=name).render_as_string(hide_password=False)

    yield make
    for admin, kind, name in made:
        with admin.connect() as conn:
            force = " WITH (FORCE)" if kind == "postgresql" else ""
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{force}")
        admin.dispose()


def load_dump(url: str, kind: str, release: str) -> None:
    """Load the fixture dump of ``kind`` into the empty database at ``url``."""
    text = (FIXTURES / release / f"{kind}.sql").read_text(encoding="utf-8")
    engine = sa.create_engine(normalize_url(url))
    with engine.begin() as conn:
        for statement in _statements(text):
            conn.exec_driver_sql(statement.replace("%", "%%"))
    engine.dispose()


@pytest.fixture
def optuna_source(tmp_path: pathlib.Path, server_database: Any) -> Iterator[Any]:
    """A factory (release, kind) -> URL of a fresh copy of that fixture; Redis keys are deleted after the test."""
    prefixes: list[str] = []

    def make(release: str, kind: str) -> str:
        directory = FIXTURES / release
        if kind == "sqlite":
            shutil.copy(directory / "sqlite.db", tmp_path / f"{release}.db")
            return f"sqlite:///{tmp_path / f'{release}.db'}"
        if kind == "journal":
            shutil.copy(directory / "journal.log", tmp_path / f"{release}.log")
            return f"journal://{tmp_path / f'{release}.log'}"
        if kind == "redis":
            import redis

            url = env_url("ALBACORE_TEST_REDIS_URL")
            prefix = f"optuna-fixture-{uuid.uuid4().hex[:10]}"
            prefixes.append(prefix)
            client = redis.Redis.from_url(url)
            lines = (directory / "redis.jsonl").read_bytes().splitlines()
            client.mset({f"{prefix}:log:{n}": line for n, line in enumerate(lines)})
            client.set(f"{prefix}:log_number", len(lines) - 1)
            client.close()
            return f"{url}?prefix={prefix}"
        url = server_database(kind)
        load_dump(url, kind, release)
        return url

    yield make
    if prefixes:
        import redis

        client = redis.Redis.from_url(os.environ["ALBACORE_TEST_REDIS_URL"])
        for prefix in prefixes:
            keys = list(client.scan_iter(match=prefix + ":*"))
            if keys:
                client.delete(*keys)
        client.close()


def _same_number(got: float, want: Any) -> bool:
    want_f = float(want)  # "nan", "inf" and "-inf" are spelled as strings in the JSON
    return (math.isnan(got) and math.isnan(want_f)) or got == want_f


def _typed(value: Any) -> Any:
    # True == 1 in Python: compare categorical choices with their types.
    return (type(value).__name__, value)


def assert_holds(storage: BaseStorage, want: dict[str, Any], *, heartbeats: bool) -> None:
    """Assert that ``storage`` holds exactly the studies of an expected-*.json file, field by field."""
    studies = {s.study_name: s for s in storage.get_all_studies()}
    assert sorted(studies) == sorted(s["name"] for s in want["studies"])
    for wanted in want["studies"]:
        frozen = studies[wanted["name"]]
        study_id = frozen._study_id
        assert [d.name for d in storage.get_study_directions(study_id)] == wanted["directions"]
        assert storage.get_study_user_attrs(study_id) == wanted["user_attrs"]
        system = dict(storage.get_study_system_attrs(study_id))
        system.pop(IMPORT_ATTR, None)
        assert system == wanted["system_attrs"]
        trials = storage.get_all_trials(study_id)
        assert len(trials) == len(wanted["trials"])
        for got, exp in zip(trials, wanted["trials"], strict=True):
            where = f"{wanted['name']} #{exp['number']}"
            assert got.number == exp["number"], where
            assert got.state.name == exp["state"], where
            if exp["values"] is None:
                assert got.values is None, where
            else:
                assert got.values is not None and len(got.values) == len(exp["values"]), where
                assert all(_same_number(g, w) for g, w in zip(got.values, exp["values"], strict=True)), where
            for field in ("datetime_start", "datetime_complete"):
                moment = getattr(got, field)
                if exp[field] is None:
                    assert moment is None, where
                else:
                    assert moment is not None and abs(moment.timestamp() - exp[field]) < 1e-3, (where, field)
            assert {k: _typed(v) for k, v in got.params.items()} == {k: _typed(v) for k, v in exp["params"].items()}, (
                where
            )
            assert got.distributions == {k: json_to_distribution(v) for k, v in exp["distributions"].items()}, where
            assert got.user_attrs == exp["user_attrs"], where
            system_attrs = dict(got.system_attrs)
            beat = system_attrs.pop(HEARTBEAT_ATTR, None)
            assert system_attrs == exp["system_attrs"], where
            if not heartbeats:
                assert beat is None, where
            elif beat is not None or exp["state"] == "RUNNING":
                # Optuna's workers beat while a trial runs (the running fixture trial beat once), on the
                # database server's clock: between the start of the trial and shortly after its end.
                assert beat is not None and -5 < beat - exp["datetime_start"] < 120, where
            steps = got.intermediate_values
            assert sorted(steps) == sorted(int(k) for k in exp["intermediate_values"]), where
            assert all(_same_number(steps[int(k)], v) for k, v in exp["intermediate_values"].items()), where


def has_heartbeats(kind: str) -> bool:
    """Optuna keeps heartbeats in its databases only."""
    return kind in ("sqlite", "postgresql", "mysql")
