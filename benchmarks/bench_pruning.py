"""Pruning: epochs spent and best validation accuracy of each pruner, SGDClassifier on scikit-learn's digits.

Each trial trains ``SGDClassifier`` with ``partial_fit`` for up to 30 epochs and reports the validation accuracy
after every epoch; 60 trials per study, 3 seeds (``--quick``: 1 seed, 12 trials, 8 epochs). Both libraries get
the very same hyperparameters: they are drawn with numpy from the seed and enqueued, so the sampler
(``RandomSampler(seed)``) is never consulted, and the model's own ``random_state`` is fixed per trial. Learning
curves are therefore identical and the only difference is when each pruner stops a trial.

Learning curves are computed once per seed and replayed: an epoch "spent" is one report the objective made.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import Metric, emit, parse_args
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

LOSSES = ["hinge", "log_loss", "modified_huber", "perceptron"]


def draw_params(seed: int, n_trials: int) -> list[dict[str, Any]]:
    """The hyperparameters of every trial of one study, drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    return [
        {
            "alpha": float(10 ** rng.uniform(-6, -1)),
            "eta0": float(10 ** rng.uniform(-5, 0)),
            "loss": LOSSES[int(rng.integers(len(LOSSES)))],
        }
        for _ in range(n_trials)
    ]


def digits_split() -> tuple[Any, Any, Any, Any, Any]:
    """Digits, standardized, split 75/25 (stratified, fixed): x_train, x_val, y_train, y_val, classes."""
    x, y = load_digits(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_val), y_train, y_val, np.unique(y)


def learning_curves(params: list[dict[str, Any]], n_epochs: int, seed: int) -> list[list[float]]:
    """Validation accuracy after each epoch, for each parameter set."""
    x_train, x_val, y_train, y_val, classes = digits_split()
    curves = []
    for number, p in enumerate(params):
        model = SGDClassifier(
            loss=p["loss"],
            alpha=p["alpha"],
            learning_rate="constant",
            eta0=p["eta0"],
            random_state=seed * 1000 + number,
        )
        curve = []
        for _ in range(n_epochs):
            model.partial_fit(x_train, y_train, classes=classes)
            curve.append(float(model.score(x_val, y_val)))
        curves.append(curve)
    return curves


def pruners(lib: Any) -> dict[str, Callable[[], Any]]:
    """Each pruner under test, by name (constructed fresh for every study)."""
    p = lib.pruners
    return {
        "NopPruner": p.NopPruner,
        "MedianPruner": p.MedianPruner,
        "PercentilePruner(25)": lambda: p.PercentilePruner(25.0),
        "SuccessiveHalvingPruner": p.SuccessiveHalvingPruner,
        "HyperbandPruner": p.HyperbandPruner,
        "ThresholdPruner(lower=0.9, warmup 3)": lambda: p.ThresholdPruner(lower=0.9, n_warmup_steps=3),
        "PatientPruner(Median, 3)": lambda: p.PatientPruner(p.MedianPruner(), patience=3),
        "WilcoxonPruner": p.WilcoxonPruner,
    }


def run_study(
    lib: Any,
    make_pruner: Callable[[], Any],
    name: str,
    params: list[dict[str, Any]],
    curves: list[list[float]],
    seed: int,
) -> tuple[int, float]:
    """Run one study; return (epochs spent, best validation accuracy)."""
    study = lib.create_study(
        study_name=f"pruning-{seed}-{name}",
        direction="maximize",
        sampler=lib.samplers.RandomSampler(seed=seed),
        pruner=make_pruner(),
    )
    spent = replay(lib, study, params, curves, suggest_sgd)
    return spent, float(study.best_value)


def suggest_sgd(trial: Any) -> None:
    """The SGD parameters, as the enqueued trials name them."""
    trial.suggest_float("alpha", 1e-6, 1e-1, log=True)
    trial.suggest_float("eta0", 1e-5, 1.0, log=True)
    trial.suggest_categorical("loss", LOSSES)


def replay(
    lib: Any, study: Any, params: list[dict[str, Any]], curves: list[list[float]], suggest: Callable[[Any], None]
) -> int:
    """Run ``params`` (enqueued) in ``study``, each trial reporting its curve; return the epochs spent."""
    for p in params:
        study.enqueue_trial(p)
    spent = 0

    def objective(trial: Any) -> float:
        nonlocal spent
        suggest(trial)
        accuracy = 0.0
        for epoch, accuracy in enumerate(curves[trial.number]):
            spent += 1
            trial.report(accuracy, epoch)
            if trial.should_prune():
                raise lib.TrialPruned()
        return accuracy

    study.optimize(objective, n_trials=len(params))
    return spent


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    warnings.simplefilter("ignore")  # Optuna's experimental-feature warnings would only clutter stderr.
    seeds = [0] if quick else [0, 1, 2]
    n_trials, n_epochs = (12, 8) if quick else (60, 30)
    totals: dict[str, list[float]] = {name: [0.0, 0.0] for name in pruners(lib)}
    for seed in seeds:
        params = draw_params(seed, n_trials)
        curves = learning_curves(params, n_epochs, seed)
        for name, make in pruners(lib).items():
            spent, best = run_study(lib, make, name, params, curves, seed)
            totals[name][0] += spent
            totals[name][1] += best / len(seeds)
    metrics = []
    for name, (spent, best) in totals.items():
        metrics.append(Metric(f"pruning {name}: epochs spent, {len(seeds)} seed(s)", spent, "epochs", "lower"))
        metrics.append(Metric(f"pruning {name}: best val accuracy, mean over seeds", best, "accuracy", "higher"))
    emit(metrics)


if __name__ == "__main__":
    main()
