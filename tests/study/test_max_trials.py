"""The study-level trial budget (``create-study --max-trials``), honoured by threads, processes and executors."""

from __future__ import annotations

import concurrent.futures

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.study._max_trials import MAX_TRIALS_KEY, set_max_trials
from albacore.trial import TrialState


def objective(trial: albacore.Trial) -> float:
    return trial.suggest_float("x", 0, 1)


def _study(max_trials: int) -> albacore.Study:
    study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
    set_max_trials(study._storage, study._study_id, max_trials)
    return study


def test_optimize_stops_at_the_study_budget() -> None:
    study = _study(5)
    assert study.system_attrs[MAX_TRIALS_KEY] == 5
    study.optimize(objective)  # no n_trials, no timeout: the study's budget ends it
    assert len(study.trials) == 5
    study.optimize(objective, n_trials=3)
    assert len(study.trials) == 5


def test_every_state_but_waiting_counts() -> None:
    study = _study(4)
    study.add_trial(albacore.create_trial(state=TrialState.FAIL))
    study.add_trial(albacore.create_trial(value=1.0))
    study.enqueue_trial({"x": 0.5})
    study.optimize(objective)
    states = [t.state for t in study.trials]
    assert states == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE, TrialState.COMPLETE]


def test_threads_overshoot_by_at_most_one_trial_per_other_thread() -> None:
    study = _study(10)
    study.optimize(objective, n_jobs=3)
    assert 10 <= len(study.trials) <= 12


def test_processes_and_executors_honour_it() -> None:
    study = _study(6)
    study.optimize(objective, n_processes=2)
    assert 6 <= len(study.trials) <= 7
    threads_study = _study(4)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        threads_study.optimize(objective, executor=pool)
    assert len(threads_study.trials) == 4


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_budgets_are_refused(bad: object) -> None:
    study = albacore.create_study()
    with pytest.raises(InvalidArgumentError, match="positive integer"):
        set_max_trials(study._storage, study._study_id, bad)  # type: ignore[arg-type]
