"""The Optuna readers on layouts the fixtures do not cover: older schema revisions, and journal edge cases."""

from __future__ import annotations

import datetime
import json
import math
import pathlib
import sqlite3
from typing import Any

import pytest
import sqlalchemy as sa

from albacore.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.exceptions import StorageCorruptedError, StorageVersionError
from albacore.storages._optuna._journal import OptunaJournalReader, read_journal_file
from albacore.storages._optuna._rdb import OptunaRDBReader
from albacore.study import StudyDirection
from albacore.trial import TrialState

_LEGACY_UNIFORM = json.dumps({"name": "UniformDistribution", "attributes": {"low": 0.0, "high": 2.0}})
_LEGACY_INT = json.dumps({"name": "IntUniformDistribution", "attributes": {"low": 1, "high": 9, "step": 2}})
_CATEGORICAL = json.dumps({"name": "CategoricalDistribution", "attributes": {"choices": [None, True, "b"]}})


def _database(path: pathlib.Path, statements: list[str]) -> sa.Engine:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return sa.create_engine(f"sqlite:///{path}")


_COMMON = [
    "CREATE TABLE studies (study_id INTEGER PRIMARY KEY, study_name VARCHAR(512){extra})",
    "CREATE TABLE study_user_attributes (study_user_attribute_id INTEGER PRIMARY KEY, study_id INTEGER, key TEXT, "
    "value_json TEXT)",
    "CREATE TABLE study_system_attributes (study_system_attribute_id INTEGER PRIMARY KEY, study_id INTEGER, "
    "key TEXT, value_json TEXT)",
    "CREATE TABLE trials (trial_id INTEGER PRIMARY KEY, number INTEGER, study_id INTEGER, state VARCHAR(8), "
    "datetime_start DATETIME, datetime_complete DATETIME{trial_extra})",
    "CREATE TABLE trial_params (param_id INTEGER PRIMARY KEY, trial_id INTEGER, param_name TEXT, param_value FLOAT, "
    "distribution_json TEXT)",
    "CREATE TABLE trial_user_attributes (trial_user_attribute_id INTEGER PRIMARY KEY, trial_id INTEGER, key TEXT, "
    "value_json TEXT)",
    "CREATE TABLE trial_system_attributes (trial_system_attribute_id INTEGER PRIMARY KEY, trial_id INTEGER, "
    "key TEXT, value_json TEXT)",
    "CREATE TABLE version_info (version_info_id INTEGER PRIMARY KEY, schema_version INTEGER, library_version TEXT)",
    "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
    "INSERT INTO trial_params VALUES (1, 1, 'u', 1.5, '{uniform}')",
    "INSERT INTO trial_params VALUES (2, 1, 'k', 7, '{integer}')",
    "INSERT INTO trial_params VALUES (3, 1, 'c', 1, '{categorical}')",
    "INSERT INTO trial_user_attributes VALUES (1, 1, 'note', '\"old\"')",
]


def _common(extra: str, trial_extra: str) -> list[str]:
    return [
        s.format(
            extra=extra, trial_extra=trial_extra, uniform=_LEGACY_UNIFORM, integer=_LEGACY_INT, categorical=_CATEGORICAL
        )
        for s in _COMMON
    ]


def test_revision_v2_6_layout_without_value_kinds_or_heartbeats(tmp_path: pathlib.Path) -> None:
    engine = _database(
        tmp_path / "v26.db",
        [
            *_common("", ""),
            "CREATE TABLE study_directions (study_direction_id INTEGER PRIMARY KEY, direction VARCHAR(8), "
            "study_id INTEGER, objective INTEGER)",
            "CREATE TABLE trial_values (trial_value_id INTEGER PRIMARY KEY, trial_id INTEGER, objective INTEGER, "
            "value FLOAT)",
            "CREATE TABLE trial_intermediate_values (trial_intermediate_value_id INTEGER PRIMARY KEY, "
            "trial_id INTEGER, step INTEGER, intermediate_value FLOAT)",
            "INSERT INTO version_info VALUES (1, 12, '2.10.1')",
            "INSERT INTO alembic_version VALUES ('v2.6.0.a')",
            "INSERT INTO studies VALUES (1, 'old')",
            "INSERT INTO study_directions VALUES (1, 'MAXIMIZE', 1, 0)",
            "INSERT INTO study_directions VALUES (2, 'MINIMIZE', 1, 1)",
            "INSERT INTO trials VALUES "
            "(1, 0, 1, 'COMPLETE', '2021-05-01 10:00:00.000000', '2021-05-01 10:00:02.500000')",
            "INSERT INTO trials VALUES (2, 1, 1, 'RUNNING', '2021-05-01 10:01:00.000000', NULL)",
            "INSERT INTO trial_values VALUES (1, 1, 1, 0.25)",
            "INSERT INTO trial_values VALUES (2, 1, 0, 3.5)",
            "INSERT INTO trial_intermediate_values VALUES (1, 1, 0, 1.0)",
            "INSERT INTO trial_intermediate_values VALUES (2, 1, 1, NULL)",
        ],
    )
    with engine.connect() as conn:
        reader = OptunaRDBReader(conn)  # Optuna 2 stored local time: read as this machine's
        study = reader.read_study("old")
    engine.dispose()
    assert study.directions == [StudyDirection.MAXIMIZE, StudyDirection.MINIMIZE]
    first, running = study.trials
    assert first.values == [3.5, 0.25]
    assert first.datetime_start == datetime.datetime(2021, 5, 1, 10, 0)
    assert first.duration == datetime.timedelta(seconds=2.5)
    assert first.params == {"u": 1.5, "k": 7, "c": True}
    assert first.distributions == {
        "u": FloatDistribution(0.0, 2.0),
        "k": IntDistribution(1, 9, step=2),
        "c": CategoricalDistribution([None, True, "b"]),
    }
    assert first.user_attrs == {"note": "old"}
    assert first.intermediate_values[0] == 1.0 and math.isnan(first.intermediate_values[1])
    assert running.state == TrialState.RUNNING and running.values is None and running.system_attrs == {}


def test_revision_v1_3_layout_of_optuna_2_0(tmp_path: pathlib.Path) -> None:
    engine = _database(
        tmp_path / "v13.db",
        [
            *_common(", direction VARCHAR(8)", ", value FLOAT"),
            # Before v2.4.0.a trial_values held the intermediate values, by step.
            "CREATE TABLE trial_values (trial_value_id INTEGER PRIMARY KEY, trial_id INTEGER, step INTEGER, "
            "value FLOAT)",
            "INSERT INTO version_info VALUES (1, 12, '2.0.0')",
            "INSERT INTO alembic_version VALUES ('v1.3.0.a')",
            "INSERT INTO studies VALUES (1, 'oldest', 'MAXIMIZE')",
            "INSERT INTO trials VALUES (1, 0, 1, 'PRUNED', '2020-08-01 10:00:00', '2020-08-01 10:00:01', 0.5)",
            "INSERT INTO trial_values VALUES (1, 1, 3, 0.5)",
        ],
    )
    with engine.connect() as conn:
        study = OptunaRDBReader(conn, datetime.timezone.utc).read_study("oldest")
    engine.dispose()
    assert study.directions == [StudyDirection.MAXIMIZE]
    (trial,) = study.trials
    assert trial.state == TrialState.PRUNED and trial.values == [0.5] and trial.intermediate_values == {3: 0.5}
    assert trial.datetime_start is not None
    assert (
        trial.datetime_start.timestamp() == datetime.datetime(2020, 8, 1, 10, tzinfo=datetime.timezone.utc).timestamp()
    )


def test_revisions_from_before_optuna_2_are_refused(tmp_path: pathlib.Path) -> None:
    engine = _database(
        tmp_path / "v12.db",
        [*_common("", ""), "INSERT INTO alembic_version VALUES ('v1.2.0.a')"],
    )
    with engine.connect() as conn, pytest.raises(StorageVersionError, match=r"before Optuna 2\.0"):
        OptunaRDBReader(conn)
    engine.dispose()


def _records(*records: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"worker_id": "w", **r} for r in records]


_START = "2026-01-01T00:00:00+00:00"
_FLOAT = json.dumps({"name": "FloatDistribution", "attributes": {"low": 0, "high": 1, "log": False, "step": None}})
_INT = json.dumps({"name": "IntDistribution", "attributes": {"low": 0, "high": 1, "log": False, "step": 1}})


def test_journal_replay_drops_what_its_writers_saw_fail() -> None:
    reader = OptunaJournalReader(
        _records(
            {"op_code": 0, "study_name": "a", "directions": [2]},
            {"op_code": 0, "study_name": "a", "directions": [1]},  # duplicate name: refused
            {"op_code": 0, "study_name": "gone", "directions": [1]},
            {"op_code": 4, "study_id": 1, "datetime_start": _START},  # trial id 0, in "gone"
            {"op_code": 1, "study_id": 1},
            {"op_code": 4, "study_id": 1, "datetime_start": _START},  # the study is gone: no trial
            {"op_code": 4, "study_id": 0, "datetime_start": _START},  # trial id 1
            {"op_code": 5, "trial_id": 1, "param_name": "x", "param_value_internal": 0.5, "distribution": _FLOAT},
            {"op_code": 4, "study_id": 0, "datetime_start": None, "state": 4, "value": None, "values": None},  # id 2
            {"op_code": 5, "trial_id": 2, "param_name": "x", "param_value_internal": 1, "distribution": _INT},  # kind
            {"op_code": 6, "trial_id": 2, "state": 0, "values": None, "datetime_start": _START},  # claimed
            {"op_code": 6, "trial_id": 2, "state": 0, "values": None, "datetime_start": "2027-01-01T00:00:00+00:00"},
            {"op_code": 6, "trial_id": 1, "state": 1, "values": [2.0], "datetime_complete": _START},
            {"op_code": 7, "trial_id": 1, "step": 0, "intermediate_value": 9.0},  # finished: refused
            {"op_code": 10, "trial_ids": [2]},  # written by other implementations; nothing to do
        )
    )
    assert reader.study_names() == ["a"]
    study = reader.read_study("a")
    assert study.directions == [StudyDirection.MAXIMIZE]
    first, second = study.trials
    assert (first.number, first._trial_id, first.state, first.values) == (0, 1, TrialState.COMPLETE, [2.0])
    assert first.params == {"x": 0.5} and first.intermediate_values == {}
    assert (second.number, second._trial_id, second.state, second.params) == (1, 2, TrialState.RUNNING, {})
    assert second.datetime_start is not None and second.datetime_start.year == 2026


def test_journal_files_skip_a_torn_tail_and_refuse_damage_in_the_middle(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    good = json.dumps({"op_code": 0, "worker_id": "w", "study_name": "a", "directions": [1]})
    path.write_text(good + "\n" + good[:20])
    assert len(list(read_journal_file(str(path)))) == 1
    path.write_text(good + "\n" + good[:20] + "\n")
    assert len(list(read_journal_file(str(path)))) == 1  # a torn last line that ends with a newline
    path.write_text(good + "\n{broken\n" + good + "\n")
    with pytest.raises(StorageCorruptedError, match="Line 2"):
        list(read_journal_file(str(path)))
    with pytest.raises(StorageCorruptedError, match="not an operation"):
        OptunaJournalReader(_records({"op_code": 99}))
