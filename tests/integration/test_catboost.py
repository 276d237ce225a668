"""CatBoostPruningCallback with the real CatBoost: reports, stopping, check_pruned, several processes."""

from __future__ import annotations

import copy
import gc
import logging
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _worker import ROUNDS as WORKER_ROUNDS
from _worker import run_workers

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.integration import CatBoostPruningCallback
from albacore.trial import TrialState

catboost = pytest.importorskip("catboost")
datasets = pytest.importorskip("sklearn.datasets")

X, Y = datasets.load_breast_cancer(return_X_y=True)
ITERATIONS = 8


def _model(**extra: Any) -> Any:
    params = {"iterations": ITERATIONS, "depth": 2, "thread_count": 1, "verbose": 0, "allow_writing_files": False}
    return catboost.CatBoostClassifier(**{**params, **extra})


def test_reports_every_iteration_of_the_eval_set(fixed_pruner: Callable[[bool], Any]) -> None:
    models: list[Any] = []

    def objective(trial: albacore.Trial) -> float:
        model = _model(eval_metric="AUC")
        callback = CatBoostPruningCallback(trial, "AUC")
        model.fit(X[:400], Y[:400], eval_set=[(X[400:], Y[400:])], callbacks=[callback])
        callback.check_pruned()
        models.append(model)
        return 1.0

    study = albacore.create_study(pruner=fixed_pruner(False))
    study.optimize(objective, n_trials=1)
    trial = study.trials[0]
    assert trial.state == TrialState.COMPLETE
    expected = models[0].get_evals_result()["validation"]["AUC"]
    assert [trial.intermediate_values[i] for i in range(ITERATIONS)] == pytest.approx(expected)


def test_a_pruned_training_stops_and_check_pruned_raises(fixed_pruner: Callable[[bool], Any]) -> None:
    models: list[Any] = []

    def objective(trial: albacore.Trial) -> float:
        model = _model()
        callback = CatBoostPruningCallback(trial, "Logloss")
        model.fit(X[:400], Y[:400], eval_set=[(X[400:], Y[400:])], callbacks=[callback])
        models.append(model)
        assert callback.pruned
        callback.check_pruned()
        return 1.0

    study = albacore.create_study(pruner=fixed_pruner(True))
    study.optimize(objective, n_trials=1)
    assert study.trials[0].state == TrialState.PRUNED
    assert list(study.trials[0].intermediate_values) == [0]
    assert models[0].tree_count_ == 1  # training stopped after the first iteration


def test_eval_set_index_selects_among_several_sets(fixed_pruner: Callable[[bool], Any]) -> None:
    reported: dict[int, list[float]] = {}
    for index in (0, 1):
        study = albacore.create_study(pruner=fixed_pruner(False))
        trial = study.ask()
        model = _model()
        callback = CatBoostPruningCallback(trial, "Logloss", eval_set_index=index)
        model.fit(X[:300], Y[:300], eval_set=[(X[300:400], Y[300:400]), (X[400:], Y[400:])], callbacks=[callback])
        study.tell(trial, 1.0)
        values = study.trials[0].intermediate_values
        reported[index] = [values[i] for i in range(ITERATIONS)]
        assert reported[index] == pytest.approx(model.get_evals_result()[f"validation_{index}"]["Logloss"])
    assert not np.allclose(reported[0], reported[1])


def test_forgetting_check_pruned_is_logged(
    fixed_pruner: Callable[[bool], Any], caplog: pytest.LogCaptureFixture
) -> None:
    def objective(trial: albacore.Trial) -> float:
        callback = CatBoostPruningCallback(trial, "Logloss")
        _model().fit(X[:400], Y[:400], eval_set=[(X[400:], Y[400:])], callbacks=[callback])
        return 1.0  # check_pruned() forgotten

    study = albacore.create_study(pruner=fixed_pruner(True))
    with caplog.at_level(logging.WARNING, logger="albacore"):
        study.optimize(objective, n_trials=1)
        gc.collect()
    assert study.trials[0].state == TrialState.COMPLETE
    assert any("Trial 0 was pruned" in r.message and "check_pruned()" in r.message for r in caplog.records)


def test_nothing_is_logged_when_check_pruned_was_called(
    fixed_pruner: Callable[[bool], Any], caplog: pytest.LogCaptureFixture
) -> None:
    def objective(trial: albacore.Trial) -> float:
        callback = CatBoostPruningCallback(trial, "Logloss")
        _model().fit(X[:400], Y[:400], eval_set=[(X[400:], Y[400:])], callbacks=[callback])
        callback.check_pruned()
        return 1.0

    study = albacore.create_study(pruner=fixed_pruner(True))
    with caplog.at_level(logging.WARNING, logger="albacore"):
        study.optimize(objective, n_trials=1)
        gc.collect()
    assert not [r for r in caplog.records if "check_pruned" in r.message]


@pytest.mark.parametrize(
    ("metric", "index", "message"),
    [
        ("Accuracy", None, r"'Accuracy'.*\['Logloss'\].*eval_metric"),
        ("Logloss", 3, r"'validation_3'.*\['validation'\].*eval_set_index"),
    ],
)
def test_an_unknown_metric_or_set_fails_training_with_a_clear_message(
    metric: str, index: int | None, message: str
) -> None:
    trial = albacore.create_study().ask()
    callback = CatBoostPruningCallback(trial, metric, eval_set_index=index)
    # CatBoost wraps whatever a callback raises in a CatBoostError that carries the original message.
    with pytest.raises(catboost.CatBoostError, match=message):
        _model().fit(X[:400], Y[:400], eval_set=[(X[400:], Y[400:])], callbacks=[callback])


def test_the_record_format_catboost_passes_is_understood() -> None:
    study = albacore.create_study()
    trial = study.ask()
    callback = CatBoostPruningCallback(trial, "Logloss")
    info = types.SimpleNamespace(iteration=3, metrics={"learn": {"Logloss": [0.9]}, "validation": {"Logloss": [0.7]}})
    assert callback.after_iteration(info) is True
    study.tell(trial, 0.0)
    assert study.trials[0].intermediate_values == {2: 0.7}


@pytest.mark.parametrize(("metric", "index"), [("", None), (None, None), ("AUC", -1), ("AUC", 1.0), ("AUC", True)])
def test_bad_arguments_are_refused_at_construction(metric: Any, index: Any) -> None:
    trial = albacore.create_study().ask()
    with pytest.raises(InvalidArgumentError):
        CatBoostPruningCallback(trial, metric, eval_set_index=index)


def test_a_copy_reports_to_the_same_trial_and_keeps_its_own_outcome(fixed_pruner: Callable[[bool], Any]) -> None:
    study = albacore.create_study(pruner=fixed_pruner(True))
    trial = study.ask()
    original = CatBoostPruningCallback(trial, "Logloss")
    duplicate = copy.deepcopy(original)
    info = types.SimpleNamespace(iteration=1, metrics={"validation": {"Logloss": [0.5]}})
    assert duplicate.after_iteration(info) is False
    assert duplicate.pruned and not original.pruned
    study.tell(trial, 0.0)
    assert study.trials[0].intermediate_values == {0: 0.5}


@pytest.mark.slow
def test_several_processes_on_a_persistent_storage(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'catboost.db'}"
    study = albacore.create_study(storage=url, pruner=albacore.pruners.MedianPruner(n_startup_trials=2))
    run_workers("catboost", url, study.study_name, 4)
    trials = albacore.load_study(study_name=study.study_name, storage=url).trials
    assert sorted(t.number for t in trials) == list(range(8))
    for trial in trials:
        assert trial.state in (TrialState.COMPLETE, TrialState.PRUNED)
        steps = sorted(trial.intermediate_values)
        assert steps == list(range(len(steps)))
        assert trial.state == TrialState.PRUNED or len(steps) == WORKER_ROUNDS
