"""Integrations for scikit-learn and LightGBM: final score at the same budget, and the time spent outside the
training library (albacore's or Optuna's overhead) per trial.

    python benchmarks/bench_integration_sklearn_lgbm.py --lib albacore|optuna [--quick] [--seeds 5]

With ``--lib optuna`` the integrations come from optuna-integration 5.0.0. LightGBM runs on one thread in both.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

import lightgbm
import numpy as np
from _common import Metric, emit, parse_args
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

_inside = [0.0]


def _timed(function: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _inside[0] += time.perf_counter() - started

    return wrapper


lightgbm.train = _timed(lightgbm.train)  # both tuners call lightgbm.train / lightgbm.cv through the module
lightgbm.cv = _timed(lightgbm.cv)


def _tuner(integration: Any, kind: str, seed: int, rounds: int) -> tuple[float, float, int]:
    if kind == "regression":
        x, y = load_diabetes(return_X_y=True)
        params = {"objective": "regression", "metric": "l2", "verbosity": -1, "num_threads": 1}
    else:
        x, y = load_breast_cancer(return_X_y=True)
        params = {"objective": "binary", "metric": "binary_logloss", "verbosity": -1, "num_threads": 1}
    stop = [lightgbm.early_stopping(10, verbose=False)]
    _inside[0] = 0.0
    started = time.perf_counter()
    if kind == "cv":
        tuner = integration.LightGBMTunerCV(
            params, lightgbm.Dataset(x, y), rounds, nfold=5, callbacks=stop, show_progress_bar=False, optuna_seed=seed
        )
    else:
        x_train, x_valid, y_train, y_valid = train_test_split(x, y, test_size=0.25, random_state=0)
        train = lightgbm.Dataset(x_train, y_train)
        valid = lightgbm.Dataset(x_valid, y_valid, reference=train)
        tuner = integration.LightGBMTuner(
            params, train, rounds, valid_sets=[valid], callbacks=stop, show_progress_bar=False, optuna_seed=seed
        )
    tuner.run()
    total = time.perf_counter() - started
    n_trials = len(tuner.study.trials)
    return float(tuner.best_score), (total - _inside[0]) / n_trials, n_trials


def _search(lib: Any, integration: Any, seed: int, n_trials: int) -> tuple[float, float]:
    x, y = load_digits(return_X_y=True)
    search = integration.OptunaSearchCV(
        SVC(),
        {
            "C": lib.distributions.FloatDistribution(1e-2, 1e3, log=True),
            "gamma": lib.distributions.FloatDistribution(1e-6, 1e-1, log=True),
        },
        n_trials=n_trials,
        cv=3,
        random_state=seed,
        refit=False,
    )
    started = time.perf_counter()
    search.fit(x, y)
    total = time.perf_counter() - started
    inside = sum(
        3 * (t.user_attrs["mean_fit_time"] + t.user_attrs["mean_score_time"])
        for t in search.study_.trials
        if "mean_fit_time" in t.user_attrs
    )
    return float(search.best_score_), (total - inside) / n_trials


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    name = lib.__name__
    module = "albacore.integration" if name == "albacore" else "optuna_integration"
    lgb_integration = importlib.import_module(f"{module}.lightgbm")
    sk_integration = importlib.import_module(f"{module}.sklearn")
    seeds = range(1 if quick else 5)
    rounds = 20 if quick else 200
    metrics: list[Metric] = []
    for kind, label in (
        ("train", "LightGBMTuner breast cancer"),
        ("cv", "LightGBMTunerCV breast cancer"),
        ("regression", "LightGBMTuner diabetes"),
    ):
        runs = [_tuner(lgb_integration, kind, seed, rounds) for seed in seeds]
        unit = "l2" if kind == "regression" else "log loss"
        metrics.append(
            Metric(
                f"{label}: best score, mean of {len(runs)} seeds", float(np.mean([r[0] for r in runs])), unit, "lower"
            )
        )
        metrics.append(
            Metric(f"{label}: overhead per trial", 1e3 * float(np.mean([r[1] for r in runs])), "ms", "lower")
        )
    n_trials = 5 if quick else 30
    runs2 = [_search(lib, sk_integration, seed, n_trials) for seed in seeds]
    metrics.append(
        Metric(
            f"OptunaSearchCV digits SVC {n_trials} trials: best CV accuracy, mean of {len(runs2)} seeds",
            float(np.mean([r[0] for r in runs2])),
            "accuracy",
            "higher",
        )
    )
    metrics.append(
        Metric("OptunaSearchCV digits: overhead per trial", 1e3 * float(np.mean([r[1] for r in runs2])), "ms", "lower")
    )
    emit(metrics)


if __name__ == "__main__":
    main()
