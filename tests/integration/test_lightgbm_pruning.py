"""LightGBMPruningCallback against the real LightGBM."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

lightgbm = pytest.importorskip("lightgbm")
pytest.importorskip("sklearn")

from sklearn.datasets import load_breast_cancer  # noqa: E402 - after the skips

import albacore  # noqa: E402
from albacore.exceptions import InvalidArgumentError  # noqa: E402
from albacore.integration import LightGBMPruningCallback  # noqa: E402
from albacore.trial import TrialState  # noqa: E402


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    verbosity = albacore.logging.get_verbosity()
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    yield
    albacore.logging.set_verbosity(verbosity)


def _objective(metric: str = "binary_logloss", valid_name: str = "valid_0", interval: int = 1) -> Any:
    X, y = load_breast_cancer(return_X_y=True)

    def objective(trial: albacore.Trial) -> float:
        params = {
            "objective": "binary",
            "metric": "binary_logloss",
            "verbosity": -1,
            "num_threads": 1,
            "learning_rate": trial.suggest_float("learning_rate", 1e-4, 0.5, log=True),
        }
        train = lightgbm.Dataset(X[:400], y[:400])
        callback = LightGBMPruningCallback(trial, metric, valid_name=valid_name, report_interval=interval)
        booster = lightgbm.train(
            params, train, 20, valid_sets=[lightgbm.Dataset(X[400:], y[400:], reference=train)], callbacks=[callback]
        )
        return float(booster.best_score["valid_0"]["binary_logloss"])

    return objective


def test_reports_every_round_and_prunes_poor_trials() -> None:
    study = albacore.create_study(
        pruner=albacore.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=2),
        sampler=albacore.samplers.RandomSampler(seed=1),
    )
    study.optimize(_objective(), n_trials=10)
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert all(sorted(t.intermediate_values) == list(range(20)) for t in complete)
    assert any(t.state == TrialState.PRUNED for t in study.trials)
    assert all(t.intermediate_values[19] == t.value for t in complete)


def test_report_interval() -> None:
    study = albacore.create_study(pruner=albacore.pruners.NopPruner())
    study.optimize(_objective(interval=5), n_trials=1)
    assert sorted(study.trials[0].intermediate_values) == [4, 9, 14, 19]


def test_unknown_metric_and_wrong_direction_are_clear_errors() -> None:
    study = albacore.create_study()
    with pytest.raises(InvalidArgumentError, match=r"'auc'.*valid_0/binary_logloss"):
        study.optimize(_objective(metric="auc"), n_trials=1)
    maximizing = albacore.create_study(direction="maximize")
    with pytest.raises(InvalidArgumentError, match="direction='minimize'"):
        maximizing.optimize(_objective(), n_trials=1)


def test_with_lightgbm_cv() -> None:
    X, y = load_breast_cancer(return_X_y=True)

    def objective(trial: albacore.Trial) -> float:
        params = {"objective": "binary", "metric": "auc", "verbosity": -1, "num_threads": 1}
        params["num_leaves"] = trial.suggest_int("num_leaves", 2, 32)
        results = lightgbm.cv(
            params, lightgbm.Dataset(X, y), 10, nfold=3, callbacks=[LightGBMPruningCallback(trial, "auc")]
        )
        return float(results["valid auc-mean"][-1])

    study = albacore.create_study(direction="maximize")
    study.optimize(objective, n_trials=2)
    assert all(len(t.intermediate_values) == 10 for t in study.trials)
