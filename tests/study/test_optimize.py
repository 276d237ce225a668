"""The optimize loop's look-ahead: a worker without callbacks starts its next trial in the write ending the last."""

from __future__ import annotations

import pathlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import albacore
from albacore.storages.rdb import _raw


def _objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -1.0, 1.0)
    n = trial.suggest_int("n", 0, 3)
    return x * x + n


@pytest.fixture(params=["in-memory", "sqlite", "journal"])
def storage(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Any:
    if request.param == "in-memory":
        return None
    if request.param == "journal":
        return albacore.storages.JournalStorage(albacore.storages.journal.JournalFileBackend(str(tmp_path / "j.log")))
    return f"sqlite:///{tmp_path / 'loop.db'}"


@pytest.fixture
def write_count(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the write transactions of RDBStorage's trial hot path."""
    count = [0]
    run = _raw.RawSQL.run

    def counting(self: _raw.RawSQL, body: Callable[[Any], Any], *, write: bool, **kwargs: Any) -> Any:
        count[0] += write
        return run(self, body, write=write, **kwargs)

    monkeypatch.setattr(_raw.RawSQL, "run", counting)
    yield count


def _random() -> albacore.samplers.BaseSampler:
    return albacore.samplers.RandomSampler(seed=0)  # writes nothing of its own (model-based samplers may)


def _summary(study: albacore.Study) -> list[tuple[int, str]]:
    return [(t.number, t.state.name) for t in study.trials]


def test_a_trial_costs_one_write_on_sqlite(tmp_path: pathlib.Path, write_count: list[int]) -> None:
    study = albacore.create_study(storage=f"sqlite:///{tmp_path / 'one.db'}", sampler=_random())
    study.optimize(_objective, n_trials=1)
    before = write_count[0]
    study.optimize(_objective, n_trials=20)
    assert write_count[0] - before == 21  # the first trial's creation, then one write per trial end
    assert _summary(study) == [(i, "COMPLETE") for i in range(21)]


def test_callbacks_keep_a_write_for_each_ask(tmp_path: pathlib.Path, write_count: list[int]) -> None:
    study = albacore.create_study(storage=f"sqlite:///{tmp_path / 'cb.db'}", sampler=_random())
    study.optimize(_objective, n_trials=10, callbacks=[albacore.study.MaxTrialsCallback(4)])
    assert write_count[0] == 8  # a callback may stop the study, so the next trial waits for the next ask
    assert _summary(study) == [(i, "COMPLETE") for i in range(4)]


def test_exactly_n_trials_and_nothing_left_running(storage: Any) -> None:
    study = albacore.create_study(storage=storage)
    study.optimize(_objective, n_trials=7)
    study.optimize(_objective, n_trials=3)
    assert _summary(study) == [(i, "COMPLETE") for i in range(10)]


def test_an_enqueued_trial_runs_next(storage: Any) -> None:
    study = albacore.create_study(storage=storage)

    def objective(trial: albacore.Trial) -> float:
        if trial.number == 2:
            study.enqueue_trial({"x": 0.75})
        return _objective(trial)

    study.optimize(objective, n_trials=5)
    assert _summary(study) == [(i, "COMPLETE") for i in range(5)]
    assert study.trials[3].params["x"] == 0.75


def test_stop_in_the_objective_starts_no_further_trial(storage: Any) -> None:
    study = albacore.create_study(storage=storage)

    def objective(trial: albacore.Trial) -> float:
        if trial.number == 3:
            study.stop()
        return _objective(trial)

    study.optimize(objective, n_trials=10)
    assert _summary(study) == [(i, "COMPLETE") for i in range(4)]


def test_an_uncaught_error_starts_no_further_trial(storage: Any) -> None:
    study = albacore.create_study(storage=storage)

    def objective(trial: albacore.Trial) -> float:
        if trial.number == 2:
            raise ValueError("boom")
        return _objective(trial)

    with pytest.raises(ValueError, match="boom"):
        study.optimize(objective, n_trials=10)
    assert _summary(study) == [(0, "COMPLETE"), (1, "COMPLETE"), (2, "FAIL")]
    study.optimize(objective, n_trials=2, catch=(ValueError,))
    assert _summary(study)[3:] == [(3, "COMPLETE"), (4, "COMPLETE")]


class _FailingSampler(albacore.samplers.RandomSampler):
    def before_trial(self, study: albacore.Study, trial: albacore.trial.FrozenTrial) -> None:
        if trial.number == 3:
            raise RuntimeError("sampler broke")


def test_a_trial_that_cannot_be_asked_is_failed_not_left_running(
    storage: Any, caplog: pytest.LogCaptureFixture
) -> None:
    study = albacore.create_study(storage=storage, sampler=_FailingSampler(seed=0))
    with pytest.raises(RuntimeError, match="sampler broke"):
        study.optimize(_objective, n_trials=10)
    assert _summary(study) == [(0, "COMPLETE"), (1, "COMPLETE"), (2, "COMPLETE"), (3, "FAIL")]
    assert "Trial 3 is marked FAIL because asking for it failed: RuntimeError('sampler broke')" in caplog.text


def test_an_interrupt_between_trials_fails_the_started_trial(storage: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    study = albacore.create_study(storage=storage)
    collections = [0]

    def interrupted_collect() -> int:
        collections[0] += 1
        if collections[0] == 2:
            raise KeyboardInterrupt
        return 0

    monkeypatch.setattr("albacore.study._optimize.gc.collect", interrupted_collect)
    with pytest.raises(KeyboardInterrupt):
        study.optimize(_objective, n_trials=10, gc_after_trial=True)
    # Trial 2 was started with the end of trial 1, and the worker stopped before asking for it.
    assert _summary(study) == [(0, "COMPLETE"), (1, "COMPLETE"), (2, "FAIL")]


def test_threads_each_look_ahead_and_leave_exactly_n_trials(storage: Any) -> None:
    study = albacore.create_study(storage=storage, sampler=_random())
    study.optimize(_objective, n_trials=30, n_jobs=3)
    assert _summary(study) == [(i, "COMPLETE") for i in range(30)]


def test_a_timeout_leaves_no_started_trial_behind(storage: Any) -> None:
    study = albacore.create_study(storage=storage, sampler=_random())

    def slow(trial: albacore.Trial) -> float:
        time.sleep(0.01)
        return _objective(trial)

    study.optimize(slow, timeout=0.2)
    states = _summary(study)
    assert states and all(state == "COMPLETE" for _, state in states)
    assert [number for number, _ in states] == list(range(len(states)))


def test_an_exhausted_grid_starts_no_further_trial(storage: Any) -> None:
    study = albacore.create_study(storage=storage, sampler=albacore.samplers.GridSampler({"x": [0, 1, 2], "n": [0, 1]}))
    study.optimize(lambda t: t.suggest_int("x", 0, 2) + t.suggest_int("n", 0, 1), n_trials=50)
    assert _summary(study) == [(i, "COMPLETE") for i in range(6)]


@pytest.mark.parametrize("catch", [None, 1, "ValueError", (ValueError, "x")])
def test_catch_of_the_wrong_type_is_a_type_error(catch: Any) -> None:
    study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
    with pytest.raises(TypeError, match="`catch`"):
        study.optimize(lambda t: 1.0, n_trials=1, catch=catch)
    assert study.trials == []
