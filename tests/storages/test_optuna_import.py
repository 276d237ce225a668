"""Importing Optuna storages (every kind, two Optuna releases) into every albacore storage: every field survives."""

from __future__ import annotations

import json
import pathlib
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from tests.storages._optuna_sources import (
    RELEASES,
    SOURCE_KINDS,
    assert_holds,
    env_url,
    expected,
    has_heartbeats,
    naive_timezone,
    optuna_source,
    server_database,
)

from albacore.exceptions import DuplicatedStudyError, InvalidArgumentError, StorageInternalError
from albacore.storages import BaseStorage, InMemoryStorage, JournalStorage, get_storage
from albacore.storages._optuna import IMPORT_ATTR, import_optuna_storage
from albacore.storages.journal import JournalFileBackend, JournalRedisBackend
from albacore.trial import TrialState

__all__ = ["optuna_source", "server_database"]  # fixtures, used by name

TARGET_KINDS = ("memory", "sqlite", "journal", "redis", "postgresql", "mysql")


@pytest.fixture
def albacore_target(tmp_path: pathlib.Path, server_database: Any) -> Callable[[str], BaseStorage]:
    def make(kind: str) -> BaseStorage:
        if kind == "memory":
            return InMemoryStorage()
        if kind == "sqlite":
            return get_storage(f"sqlite:///{tmp_path / 'albacore.db'}")
        if kind == "journal":
            return JournalStorage(JournalFileBackend(str(tmp_path / "albacore.log")))
        if kind == "redis":
            url = env_url("ALBACORE_TEST_REDIS_URL")
            return JournalStorage(JournalRedisBackend(url, prefix=f"albacore-import-{uuid.uuid4().hex}:"))
        return get_storage(server_database(kind))

    return make


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("kind", SOURCE_KINDS)
def test_every_source_kind_round_trips(release: str, kind: str, optuna_source: Any) -> None:
    url = optuna_source(release, kind)
    target = InMemoryStorage()
    outcomes = import_optuna_storage(url, target, naive_timezone=naive_timezone(release))
    assert [o.action for o in outcomes] == ["imported"] * 4
    assert_holds(target, expected(release, kind), heartbeats=has_heartbeats(kind))


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("target_kind", TARGET_KINDS)
def test_every_target_kind_round_trips(
    release: str, target_kind: str, optuna_source: Any, albacore_target: Callable[[str], BaseStorage]
) -> None:
    target = albacore_target(target_kind)
    url = optuna_source(release, "sqlite")
    want = expected(release, "sqlite")
    if target_kind == "mysql":
        # albacore's MySQL schema holds finite objective values only; the study "edge" has infinite ones.
        with pytest.raises(StorageInternalError, match=r"trials #0 to #2 of study 'edge'.*inf"):
            import_optuna_storage(url, target, study_names=["edge"])
        target.delete_study(target.get_study_id_from_name("edge"))
        want["studies"] = [s for s in want["studies"] if s["name"] != "edge"]
    names = [s["name"] for s in want["studies"]]
    import_optuna_storage(url, target, study_names=names, naive_timezone=naive_timezone(release))
    assert_holds(target, want, heartbeats=True)


def test_the_source_is_left_untouched(optuna_source: Any) -> None:
    url = optuna_source("optuna-5.0.0", "sqlite")
    path = pathlib.Path(url[len("sqlite:///") :])
    before = path.read_bytes()
    import_optuna_storage(url, InMemoryStorage())
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no -wal, -shm or -journal file


def test_rerun_skips_imported_studies_and_imports_only_the_named_ones(optuna_source: Any) -> None:
    url = optuna_source("optuna-5.0.0", "journal")
    target = InMemoryStorage()
    first = import_optuna_storage(url, target, study_names=["multi"])
    assert [(o.name, o.action, o.trials_written) for o in first] == [("multi", "imported", 7)]
    again = import_optuna_storage(url, target)
    assert [(o.name, o.action) for o in again] == [
        ("single", "imported"),
        ("multi", "skipped"),
        ("edge", "imported"),
        ("after-deleted", "imported"),
    ]
    study_id = target.get_study_id_from_name("multi")
    assert target.get_study_system_attrs(study_id)[IMPORT_ATTR]["complete"] is True
    assert len(target.get_all_trials(study_id)) == 7


def test_unknown_study_names_are_refused_before_anything_is_written(optuna_source: Any) -> None:
    target = InMemoryStorage()
    with pytest.raises(InvalidArgumentError, match="no studies named \\['nope'\\]"):
        import_optuna_storage(optuna_source("optuna-5.0.0", "sqlite"), target, study_names=["single", "nope"])
    assert target.get_all_studies() == []


def test_a_study_of_the_same_name_made_elsewhere_is_left_alone(optuna_source: Any) -> None:
    from albacore.study import StudyDirection

    target = InMemoryStorage()
    target.create_new_study([StudyDirection.MINIMIZE], "single")
    with pytest.raises(DuplicatedStudyError, match="no import made"):
        import_optuna_storage(optuna_source("optuna-5.0.0", "sqlite"), target, study_names=["single"])


class _Interrupted(Exception):
    pass


def test_an_interrupted_import_is_completed_by_the_next_run(
    optuna_source: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = optuna_source("optuna-5.0.0", "sqlite")
    target = InMemoryStorage()
    real = InMemoryStorage.create_new_trial
    calls = [0]

    def failing(self: InMemoryStorage, study_id: int, template_trial: Any = None) -> int:
        calls[0] += 1
        if calls[0] == 4:
            raise _Interrupted
        return real(self, study_id, template_trial)

    monkeypatch.setattr(InMemoryStorage, "create_new_trial", failing)
    with pytest.raises(_Interrupted):
        import_optuna_storage(url, target, study_names=["single"])
    monkeypatch.setattr(InMemoryStorage, "create_new_trial", real)
    study_id = target.get_study_id_from_name("single")
    assert target.get_study_system_attrs(study_id)[IMPORT_ATTR]["complete"] is False
    outcomes = import_optuna_storage(url, target, study_names=["single"])
    assert [(o.action, o.trials_written) for o in outcomes] == [("updated", 4)]
    want = expected("optuna-5.0.0", "sqlite")
    want["studies"] = [s for s in want["studies"] if s["name"] == "single"]
    assert_holds(target, want, heartbeats=True)


def _append(path: str, *records: dict[str, Any]) -> None:
    with open(path, "a", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps({"worker_id": "later", **record}) + "\n")


def test_update_brings_running_and_waiting_trials_up_to_date_and_adds_new_ones(optuna_source: Any) -> None:
    url = optuna_source("optuna-5.0.0", "journal")
    target = InMemoryStorage()
    import_optuna_storage(url, target, study_names=["single"])
    # Optuna went on: the running trial (id 5) reports and completes, the waiting one (id 6) is claimed, and a
    # new trial starts.
    now = "2026-12-04T10:00:00.000000+00:00"
    _append(
        url[len("journal://") :],
        {"op_code": 7, "trial_id": 5, "step": 2, "intermediate_value": 0.25},
        {"op_code": 8, "trial_id": 5, "user_attr": {"late": "yes"}},
        {"op_code": 6, "trial_id": 5, "state": 1, "values": [4.5], "datetime_complete": now},
        {"op_code": 6, "trial_id": 6, "state": 0, "values": None, "datetime_start": now},
        {"op_code": 4, "study_id": 0, "datetime_start": now},
    )
    skipped = import_optuna_storage(url, target, study_names=["single"])
    assert [o.action for o in skipped] == ["skipped"]
    updated = import_optuna_storage(url, target, study_names=["single"], update=True)
    assert [(o.action, o.trials_written, o.conflicts) for o in updated] == [("updated", 3, [])]
    trials = target.get_all_trials(target.get_study_id_from_name("single"))
    assert [t.state for t in trials[5:]] == [TrialState.COMPLETE, TrialState.RUNNING, TrialState.RUNNING]
    assert trials[5].values == [4.5]
    assert trials[5].intermediate_values == {1: 0.5, 2: 0.25}
    assert trials[5].user_attrs == {"late": "yes"}
    again = import_optuna_storage(url, target, study_names=["single"], update=True)
    assert [(o.action, o.trials_written) for o in again] == [("up to date", 0)]


def test_update_reports_trials_the_target_finished_differently(optuna_source: Any) -> None:
    url = optuna_source("optuna-5.0.0", "journal")
    target = InMemoryStorage()
    import_optuna_storage(url, target, study_names=["single"])
    study_id = target.get_study_id_from_name("single")
    target.set_trial_state_values(target.get_all_trials(study_id)[5]._trial_id, TrialState.FAIL)
    _append(
        url[len("journal://") :],
        {"op_code": 6, "trial_id": 5, "state": 1, "values": [4.5], "datetime_complete": "2026-12-04T10:00:00"},
    )
    outcomes = import_optuna_storage(url, target, study_names=["single"], update=True)
    assert [(o.trials_written, o.conflicts) for o in outcomes] == [(0, [5])]
    assert target.get_all_trials(study_id)[5].state == TrialState.FAIL


def test_naive_datetimes_follow_the_time_zone_given(optuna_source: Any) -> None:
    url = optuna_source("optuna-3.6.1", "sqlite")
    in_tokyo, in_utc = InMemoryStorage(), InMemoryStorage()
    import_optuna_storage(url, in_tokyo, study_names=["edge"], naive_timezone="Asia/Tokyo")
    import_optuna_storage(url, in_utc, study_names=["edge"], naive_timezone="UTC")
    start = [s.get_all_trials(s.get_study_id_from_name("edge"))[0].datetime_start for s in (in_tokyo, in_utc)]
    assert start[0] is not None and start[1] is not None
    assert start[1].timestamp() - start[0].timestamp() == pytest.approx(9 * 3600)
    with pytest.raises(InvalidArgumentError, match="time zone"):
        import_optuna_storage(url, InMemoryStorage(), naive_timezone="Mars/Olympus")
