"""XGBoostPruningCallback with the real XGBoost: train, cv, the scikit-learn API, and several processes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _worker import run_workers

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.integration import XGBoostPruningCallback
from albacore.trial import TrialState

xgb = pytest.importorskip("xgboost")
datasets = pytest.importorskip("sklearn.datasets")
sklearn_base = pytest.importorskip("sklearn.base")

X, Y = datasets.load_breast_cancer(return_X_y=True)
PARAMS = {"objective": "binary:logistic", "eval_metric": "logloss", "nthread": 1, "max_depth": 2}
ROUNDS = 6


def _train(trial: albacore.Trial, key: str = "valid-logloss", **extra: Any) -> dict[str, Any]:
    dtrain, dvalid = xgb.DMatrix(X[:400], label=Y[:400]), xgb.DMatrix(X[400:], label=Y[400:])
    history: dict[str, Any] = {}
    xgb.train(
        {**PARAMS, **extra},
        dtrain,
        ROUNDS,
        evals=[(dtrain, "train"), (dvalid, "valid")],
        evals_result=history,
        verbose_eval=False,
        callbacks=[XGBoostPruningCallback(trial, key)],
    )
    return history


def test_train_reports_every_round_of_the_watched_dataset(fixed_pruner: Callable[[bool], Any]) -> None:
    study = albacore.create_study(pruner=fixed_pruner(False))
    history: dict[str, Any] = {}
    study.optimize(lambda t: history.update(_train(t)) or 1.0, n_trials=1)
    trial = study.trials[0]
    assert trial.state == TrialState.COMPLETE
    assert sorted(trial.intermediate_values) == list(range(ROUNDS))
    np.testing.assert_allclose([trial.intermediate_values[i] for i in range(ROUNDS)], history["valid"]["logloss"])
    assert history["valid"]["logloss"] != history["train"]["logloss"]


def test_train_stops_at_the_round_the_pruner_prunes(fixed_pruner: Callable[[bool], Any]) -> None:
    study = albacore.create_study(pruner=fixed_pruner(True))
    study.optimize(lambda t: _train(t) and 1.0, n_trials=1)
    trial = study.trials[0]
    assert trial.state == TrialState.PRUNED
    assert list(trial.intermediate_values) == [0]
    assert trial.value == trial.intermediate_values[0]  # a pruned trial keeps its last reported value


def test_cv_reports_the_mean_over_folds(fixed_pruner: Callable[[bool], Any]) -> None:
    results: list[Any] = []

    def objective(trial: albacore.Trial) -> float:
        dtrain = xgb.DMatrix(X, label=Y)
        callback = XGBoostPruningCallback(trial, "test-logloss")
        results.append(xgb.cv(PARAMS, dtrain, ROUNDS, nfold=3, seed=0, callbacks=[callback], as_pandas=False))
        return 1.0

    study = albacore.create_study(pruner=fixed_pruner(False))
    study.optimize(objective, n_trials=1)
    reported = [study.trials[0].intermediate_values[i] for i in range(ROUNDS)]
    np.testing.assert_allclose(reported, results[0]["test-logloss-mean"])

    pruned = albacore.create_study(pruner=fixed_pruner(True))
    pruned.optimize(objective, n_trials=1)
    assert pruned.trials[0].state == TrialState.PRUNED


def test_sklearn_api_reports_the_named_eval_set_and_survives_clone(fixed_pruner: Callable[[bool], Any]) -> None:
    study = albacore.create_study(pruner=fixed_pruner(False))
    trial = study.ask()
    model = xgb.XGBClassifier(
        n_estimators=ROUNDS,
        max_depth=2,
        n_jobs=1,
        eval_metric="error",
        callbacks=[XGBoostPruningCallback(trial, "validation_1-error")],
    )
    # clone deep-copies the callbacks; the copy must report to the same trial, not to a copy of it.
    cloned = sklearn_base.clone(model)
    cloned.fit(X[:400], Y[:400], eval_set=[(X[:400], Y[:400]), (X[400:], Y[400:])], verbose=False)
    study.tell(trial, 0.0)
    expected = cloned.evals_result()["validation_1"]["error"]
    assert [study.trials[0].intermediate_values[i] for i in range(ROUNDS)] == pytest.approx(expected)


def test_a_copy_reports_to_the_same_trial() -> None:
    study = albacore.create_study()
    trial = study.ask()
    callback = copy.deepcopy(XGBoostPruningCallback(trial, "valid-logloss"))
    callback.after_iteration(None, 3, {"valid": {"logloss": [0.5, 0.25]}})
    study.tell(trial, 0.0)
    assert study.trials[0].intermediate_values == {3: 0.25}


def test_an_unknown_observation_key_lists_the_available_ones() -> None:
    study = albacore.create_study()
    with pytest.raises(InvalidArgumentError, match=r"'valid-error'.*\['train-logloss', 'valid-logloss'\]"):
        study.optimize(lambda t: _train(t, "valid-error") and 1.0, n_trials=1)
    assert study.trials[0].state == TrialState.FAIL


@pytest.mark.parametrize("key", ["logloss", "", "-logloss", None])
def test_a_malformed_observation_key_is_refused_at_construction(key: Any) -> None:
    trial = albacore.create_study().ask()
    with pytest.raises(InvalidArgumentError, match="<dataset>-<metric>"):
        XGBoostPruningCallback(trial, key)


def test_names_with_dashes_are_matched_whole() -> None:
    study = albacore.create_study()
    trial = study.ask()
    callback = XGBoostPruningCallback(trial, "hold-out-ndcg@3-")
    log = {"hold-out": {"ndcg@3-": [0.5], "ndcg": [0.1]}, "hold": {"out-ndcg@3-": [0.9]}}
    callback.after_iteration(None, 0, log)
    study.tell(trial, 0.0)
    assert study.trials[0].intermediate_values == {0: 0.5}


def test_median_pruning_spends_fewer_rounds_than_it_would_without() -> None:
    def objective(trial: albacore.Trial) -> float:
        eta = trial.suggest_float("eta", 1e-3, 1.0, log=True)
        history = _train(trial, eta=eta)
        return float(history["valid"]["logloss"][-1])

    sampler = albacore.samplers.RandomSampler(seed=1)
    study = albacore.create_study(sampler=sampler, pruner=albacore.pruners.MedianPruner(n_startup_trials=3))
    study.optimize(objective, n_trials=12)
    pruned = [t for t in study.trials if t.state == TrialState.PRUNED]
    assert pruned, "some slow-learning trials should be pruned"
    assert all(len(t.intermediate_values) < ROUNDS for t in pruned)
    assert study.best_trial.state == TrialState.COMPLETE


@pytest.mark.slow
def test_several_processes_on_a_persistent_storage(tmp_path: Path) -> None:
    url = f"journal:///{tmp_path / 'xgb.log'}"
    study = albacore.create_study(storage=url, pruner=albacore.pruners.MedianPruner(n_startup_trials=2))
    run_workers("xgboost", url, study.study_name, 4)
    trials = albacore.load_study(study_name=study.study_name, storage=url).trials
    assert sorted(t.number for t in trials) == list(range(8))
    for trial in trials:
        assert trial.state in (TrialState.COMPLETE, TrialState.PRUNED)
        assert sorted(trial.intermediate_values) == list(range(len(trial.intermediate_values)))
        assert trial.state == TrialState.PRUNED or len(trial.intermediate_values) == ROUNDS
