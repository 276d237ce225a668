"""Process-parallel optimize: any storage, crash-safe, never hangs."""

from __future__ import annotations

import os
import signal

import pytest

import albacore
from albacore.storages import InMemoryStorage, RetryHeartbeatStaleTrialCallback
from albacore.trial import TrialState


def _study(**kwargs: object) -> albacore.Study:
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    return albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=3), **kwargs)  # type: ignore[arg-type]


def test_in_memory_study_runs_in_processes_with_unique_numbers() -> None:
    study = _study()
    parent = os.getpid()
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + (os.getpid() == parent), n_trials=24, n_processes=2, n_jobs=2)
    trials = study.trials
    assert sorted(t.number for t in trials) == list(range(24))
    assert all(t.state == TrialState.COMPLETE and "x" in t.params for t in trials)
    assert all(t.value is not None and t.value < 1.0 for t in trials)  # every trial ran in a worker process


def test_a_killed_worker_fails_its_trial_and_is_replaced() -> None:
    storage = InMemoryStorage(
        heartbeat_interval=60, heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=0)
    )
    study = _study(storage=storage)

    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        trial.report(x, 0)
        if trial.number == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return x

    study.optimize(objective, n_trials=10, n_processes=2)
    trials = study.trials
    assert trials[3].state == TrialState.FAIL and trials[3].intermediate_values == {0: trials[3].params["x"]}
    assert sum(t.state == TrialState.COMPLETE for t in trials) == 9
    assert sorted(t.number for t in trials) == list(range(10))


class _DyingSampler(albacore.samplers.RandomSampler):
    """Kills its worker process while the worker asks for trial 4 (started with the end of its last trial)."""

    def before_trial(self, study: albacore.Study, trial: albacore.trial.FrozenTrial) -> None:
        if trial.number == 4:
            os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_before_its_started_trial_runs_leaves_it_failed() -> None:
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    study = albacore.create_study(sampler=_DyingSampler(seed=3))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=10, n_processes=2)
    trials = study.trials
    assert trials[4].state == TrialState.FAIL
    assert all(t.state in (TrialState.COMPLETE, TrialState.FAIL) for t in trials)
    assert [t.number for t in trials] == list(range(len(trials)))


def test_an_objective_error_stops_every_worker_and_is_raised_in_the_parent() -> None:
    study = _study()

    def objective(trial: albacore.Trial) -> float:
        if trial.number == 2:
            raise ValueError("bad trial")
        return trial.suggest_float("x", 0, 1)

    with pytest.raises(ValueError, match="bad trial"):
        study.optimize(objective, n_trials=50, n_processes=2)
    assert len(study.trials) < 50
    assert study.trials[2].state == TrialState.FAIL
    assert all(t.state != TrialState.RUNNING for t in study.trials)


def test_caught_errors_and_stop_from_a_worker() -> None:
    study = _study()

    def objective(trial: albacore.Trial) -> float:
        if trial.number % 2:
            raise ArithmeticError
        return 1.0

    def stop_at_six(s: albacore.Study, frozen: albacore.trial.FrozenTrial) -> None:
        if len(s.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.FAIL))) >= 6:
            s.stop()

    study.optimize(objective, n_trials=100, n_processes=2, catch=(ArithmeticError,), callbacks=[stop_at_six])
    assert 6 <= len(study.trials) <= 10


def test_bad_process_count_is_rejected() -> None:
    with pytest.raises(albacore.exceptions.InvalidArgumentError, match="n_processes"):
        _study().optimize(lambda t: 0.0, n_trials=1, n_processes=0)
