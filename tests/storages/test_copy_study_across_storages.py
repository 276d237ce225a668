"""``copy_study`` between any two albacore storages: every trial, in every state, with every field."""

from __future__ import annotations

import math
import pathlib
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from tests.storages._optuna_sources import env_url

import albacore
from albacore.distributions import CategoricalDistribution, FloatDistribution
from albacore.exceptions import DuplicatedStudyError
from albacore.storages import BaseStorage, InMemoryStorage, JournalStorage, get_storage
from albacore.storages._optuna._writer import same_trial
from albacore.storages.journal import JournalFileBackend, JournalRedisBackend
from albacore.trial import TrialState

KINDS = ("memory", "sqlite", "journal", "redis", "postgresql", "mysql")


@pytest.fixture
def storage_of(tmp_path: pathlib.Path, request: pytest.FixtureRequest) -> Callable[[str], BaseStorage]:
    def make(kind: str) -> BaseStorage:
        tag = uuid.uuid4().hex[:8]
        if kind == "memory":
            return InMemoryStorage()
        if kind == "sqlite":
            return get_storage(f"sqlite:///{tmp_path / f'{tag}.db'}")
        if kind == "journal":
            return JournalStorage(JournalFileBackend(str(tmp_path / f"{tag}.log")))
        if kind == "redis":
            return JournalStorage(JournalRedisBackend(env_url("ALBACORE_TEST_REDIS_URL"), prefix=f"copy-{tag}:"))
        # One database per test session and server (tests/storages/conftest.py); study names are unique.
        url: str = request.getfixturevalue(f"{'postgres' if kind == 'postgresql' else 'mysql'}_url")
        return get_storage(url)

    return make


def _fill(storage: BaseStorage, name: str) -> albacore.Study:
    study = albacore.create_study(storage=storage, study_name=name, direction="maximize")
    study.set_user_attr("owner", {"team": ["a", "b"]})
    study.set_system_attr("custom", 1.5)

    def suggest(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", -2, 2)
        lr = trial.suggest_float("lr", 1e-4, 1, log=True)
        n = trial.suggest_int("n", 0, 10, step=2)
        c = trial.suggest_categorical("c", [None, True, 1, "s"])
        return x + lr + n + (0.5 if c is None else 0.0)

    trial = study.ask()
    value = suggest(trial)
    for step, reported in enumerate([1.0, math.nan, math.inf, -math.inf]):
        trial.report(reported, step)
    trial.set_user_attr("u", [1, None])
    study.tell(trial, value)
    trial = study.ask()
    suggest(trial)
    trial.report(0.1, 7)
    study.tell(trial, state=TrialState.PRUNED)
    trial = study.ask()
    study.tell(trial, state=TrialState.FAIL)
    trial = study.ask({"x": FloatDistribution(-2, 2), "c": CategoricalDistribution([None, True, 1, "s"])})
    storage.record_heartbeat(trial._trial_id)
    trial.report(0.3, 0)
    study.enqueue_trial({"x": 0.5}, user_attrs={"why": "enqueued"})
    return study


@pytest.mark.parametrize("to_kind", KINDS)
@pytest.mark.parametrize("from_kind", KINDS)
def test_copy_study_keeps_every_field(from_kind: str, to_kind: str, storage_of: Callable[[str], BaseStorage]) -> None:
    source, target = storage_of(from_kind), storage_of(to_kind)
    name = f"copy-{uuid.uuid4().hex[:8]}"
    _fill(source, name)
    albacore.copy_study(from_study_name=name, from_storage=source, to_storage=target, to_study_name=name + "-2")
    theirs = albacore.load_study(study_name=name, storage=source)
    ours = albacore.load_study(study_name=name + "-2", storage=target)
    assert ours.directions == theirs.directions
    assert ours.user_attrs == theirs.user_attrs
    assert ours.system_attrs == theirs.system_attrs
    want: list[Any] = theirs.get_trials(deepcopy=False)
    got: list[Any] = ours.get_trials(deepcopy=False)
    assert [t.state for t in got] == [
        TrialState.COMPLETE,
        TrialState.PRUNED,
        TrialState.FAIL,
        TrialState.RUNNING,
        TrialState.WAITING,
    ]
    assert all(same_trial(a, b) for a, b in zip(got, want, strict=True)), (got, want)
    assert "heartbeat" in got[3].system_attrs
    with pytest.raises(DuplicatedStudyError):
        albacore.copy_study(from_study_name=name, from_storage=source, to_storage=target, to_study_name=name + "-2")
