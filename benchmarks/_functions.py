"""Test problems for the sampler quality benchmark, written against the public trial API only.

Each problem is an objective (minimized) plus its known optimum value, so results are reported as regret
(best value found minus the optimum). The six classic functions come from the usual global optimization
test suites (Surjanovic and Bingham's "Virtual Library of Simulation Experiments"); the two HPO-shaped
problems are synthetic losses over mixed spaces (log floats, ints, stepped values, categoricals and
conditional parameters) whose optimum is placed on admissible grid points, so it is known exactly. The last
problem is a real model (a linear classifier on scikit-learn's bundled digits), whose loss surface is noisy and
flat in places, as real ones are; its optimum is unknown, so its figure is the best validation error.
"""

from __future__ import annotations

import math
import statistics
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["PROBLEMS", "Problem", "mean_regret"]


@dataclass(frozen=True)
class Problem:
    """An objective to minimize and its optimum value."""

    name: str
    objective: Callable[[Any], float]
    optimum: float


def _floats(trial: Any, n: int, low: float, high: float) -> list[float]:
    return [trial.suggest_float(f"x{i}", low, high) for i in range(n)]


def branin(trial: Any) -> float:
    x1 = trial.suggest_float("x1", -5.0, 10.0)
    x2 = trial.suggest_float("x2", 0.0, 15.0)
    b = 5.1 / (4.0 * math.pi**2)
    c = 5.0 / math.pi
    t = 1.0 / (8.0 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6.0) ** 2 + 10.0 * (1.0 - t) * math.cos(x1) + 10.0


_H6_ALPHA = (1.0, 1.2, 3.0, 3.2)
_H6_A = (
    (10.0, 3.0, 17.0, 3.5, 1.7, 8.0),
    (0.05, 10.0, 17.0, 0.1, 8.0, 14.0),
    (3.0, 3.5, 1.7, 10.0, 17.0, 8.0),
    (17.0, 8.0, 0.05, 10.0, 0.1, 14.0),
)
_H6_P = (
    (0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886),
    (0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991),
    (0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650),
    (0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381),
)


def hartmann6(trial: Any) -> float:
    x = _floats(trial, 6, 0.0, 1.0)
    total = 0.0
    for alpha, a_row, p_row in zip(_H6_ALPHA, _H6_A, _H6_P, strict=True):
        total += alpha * math.exp(-sum(a * (xi - p) ** 2 for a, xi, p in zip(a_row, x, p_row, strict=True)))
    return -total


def rosenbrock5(trial: Any) -> float:
    x = _floats(trial, 5, -5.0, 10.0)
    return sum(100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2 for i in range(4))


def ackley10(trial: Any) -> float:
    x = _floats(trial, 10, -32.768, 32.768)
    n = len(x)
    mean_sq = sum(v * v for v in x) / n
    mean_cos = sum(math.cos(2.0 * math.pi * v) for v in x) / n
    return -20.0 * math.exp(-0.2 * math.sqrt(mean_sq)) - math.exp(mean_cos) + 20.0 + math.e


def levy6(trial: Any) -> float:
    x = _floats(trial, 6, -10.0, 10.0)
    w = [1.0 + (v - 1.0) / 4.0 for v in x]
    head = math.sin(math.pi * w[0]) ** 2
    middle = sum((wi - 1.0) ** 2 * (1.0 + 10.0 * math.sin(math.pi * wi + 1.0) ** 2) for wi in w[:-1])
    tail = (w[-1] - 1.0) ** 2 * (1.0 + math.sin(2.0 * math.pi * w[-1]) ** 2)
    return head + middle + tail


def styblinski_tang8(trial: Any) -> float:
    x = _floats(trial, 8, -5.0, 5.0)
    return 0.5 * sum(v**4 - 16.0 * v**2 + 5.0 * v for v in x)


def mlp_like(trial: Any) -> float:
    """A neural-network-shaped loss: log learning rate, ints, steps, an optimizer choice with a conditional."""
    optimizer = trial.suggest_categorical("optimizer", ["sgd", "adam", "rmsprop"])
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    n_layers = trial.suggest_int("n_layers", 1, 4)
    units = trial.suggest_int("units", 16, 1024, log=True)
    batch_size = trial.suggest_int("batch_size", 16, 256, step=16)
    dropout = trial.suggest_float("dropout", 0.0, 0.5, step=0.05)
    return _mlp_loss(trial, optimizer, lr, n_layers, units, batch_size, dropout)


def _mlp_loss(
    trial: Any, optimizer: str, lr: float, n_layers: int, units: int, batch_size: int, dropout: float
) -> float:
    best_lr = {"sgd": -1.5, "adam": -3.0, "rmsprop": -3.5}[optimizer]
    loss = 0.3 * (math.log10(lr) - best_lr) ** 2
    loss += 0.08 * (n_layers - 3) ** 2 + 0.2 * (math.log2(units) - 8.0) ** 2 / 4.0
    loss += 0.5 * ((batch_size - 64) / 240.0) ** 2 + 2.0 * (dropout - 0.2) ** 2
    loss += {"sgd": 0.0, "adam": 0.05, "rmsprop": 0.15}[optimizer]
    if optimizer == "sgd":
        momentum = trial.suggest_float("momentum", 0.5, 0.99)
        loss += 3.0 * (momentum - 0.9) ** 2
    else:
        loss += 0.1  # without momentum tuning the best plain optimizer stays behind tuned SGD
    return loss


def gbdt_like(trial: Any) -> float:
    """A gradient-boosting-shaped loss: a booster choice with conditional parameters of each booster."""
    booster = trial.suggest_categorical("booster", ["gbtree", "dart", "gblinear"])
    eta = trial.suggest_float("eta", 1e-3, 1.0, log=True)
    l2 = trial.suggest_float("lambda", 1e-8, 10.0, log=True)
    loss = 0.2 * (math.log10(eta) + 1.0) ** 2 + 0.02 * (math.log10(l2) + 2.0) ** 2
    if booster == "gblinear":
        return 0.6 + loss
    depth = trial.suggest_int("max_depth", 2, 12)
    child = trial.suggest_int("min_child_weight", 1, 100, log=True)
    subsample = trial.suggest_float("subsample", 0.5, 1.0, step=0.1)
    loss += 0.05 * (depth - 7) ** 2 + 0.1 * (math.log10(child) - 1.0) ** 2 + 1.5 * (subsample - 0.8) ** 2
    if booster == "dart":
        rate_drop = trial.suggest_float("rate_drop", 0.0, 0.5)
        loss += 2.0 * (rate_drop - 0.1) ** 2 - 0.05
    return loss + 0.05


_DIGITS: list[Any] = []


def _digits() -> Any:
    """scikit-learn's bundled digits (no download), scaled, split once into training and validation halves."""
    if not _DIGITS:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        X, y = load_digits(return_X_y=True)
        _DIGITS.extend(train_test_split(X / 16.0, y, test_size=0.5, random_state=0, stratify=y))
    return _DIGITS


def sgd_digits(trial: Any) -> float:
    """A real model: validation error of a linear classifier on digits, with two conditional parameters."""
    from sklearn.linear_model import SGDClassifier

    X_train, X_valid, y_train, y_valid = _digits()
    loss = trial.suggest_categorical("loss", ["hinge", "log_loss", "modified_huber"])
    penalty = trial.suggest_categorical("penalty", ["l2", "l1", "elasticnet"])
    alpha = trial.suggest_float("alpha", 1e-7, 1e-1, log=True)
    learning_rate = trial.suggest_categorical("learning_rate", ["optimal", "invscaling", "adaptive"])
    extra = {}
    if penalty == "elasticnet":
        extra["l1_ratio"] = trial.suggest_float("l1_ratio", 0.0, 1.0)
    if learning_rate != "optimal":
        extra["eta0"] = trial.suggest_float("eta0", 1e-4, 1.0, log=True)
    model = SGDClassifier(
        loss=loss,
        penalty=penalty,
        alpha=alpha,
        learning_rate=learning_rate,
        max_iter=20,
        tol=None,
        random_state=0,
        **extra,
    )
    model.fit(X_train, y_train)
    return float(1.0 - model.score(X_valid, y_valid))


PROBLEMS: list[Problem] = [
    Problem("Branin", branin, 0.397887357729738),
    Problem("Hartmann6", hartmann6, -3.322368011391339),
    Problem("Rosenbrock-5", rosenbrock5, 0.0),
    Problem("Ackley-10", ackley10, 0.0),
    Problem("Levy-6", levy6, 0.0),
    Problem("Styblinski-Tang-8", styblinski_tang8, -39.166165703771412 * 8),
    Problem("HPO MLP-like (mixed, conditional)", mlp_like, 0.0),
    Problem("HPO GBDT-like (mixed, conditional)", gbdt_like, 0.0),
    # The optimum is unknown: "regret" here is the best validation error itself.
    Problem("SGDClassifier on digits (real, conditional; best error)", sgd_digits, 0.0),
]


def mean_regret(lib: Any, problem: Problem, make_sampler: Callable[[int], Any], n_seeds: int, n_trials: int) -> float:
    """Mean regret of ``n_trials`` trials over seeds 0..n_seeds-1; the spread over seeds goes to stderr."""
    regrets = []
    for seed in range(n_seeds):
        with warnings.catch_warnings():
            # Both libraries warn about conditional parameters sampled independently; that is expected here.
            warnings.simplefilter("ignore")
            study = lib.create_study(sampler=make_sampler(seed))
            study.optimize(problem.objective, n_trials=n_trials)
        regrets.append(max(study.best_value - problem.optimum, 0.0))
    mean = statistics.fmean(regrets)
    stderr = statistics.stdev(regrets) / math.sqrt(n_seeds) if n_seeds > 1 else 0.0
    sys.stderr.write(f"{problem.name}: regret {mean:.4g} +- {stderr:.2g} (per seed: {regrets})\n")
    return mean


_LR_CHOICES = [10.0**e for e in (-5.0, -4.5, -4.0, -3.5, -3.0, -2.5, -2.0, -1.5, -1.0)]


def mlp_like_numeric_choices(trial: Any) -> float:
    """``mlp_like`` written with the categorical trap: numeric values as categoricals (optimum 0 on the grid)."""
    optimizer = trial.suggest_categorical("optimizer", ["sgd", "adam", "rmsprop"])
    lr = trial.suggest_categorical("lr", _LR_CHOICES)
    n_layers = trial.suggest_categorical("n_layers", [1, 2, 3, 4])
    units = trial.suggest_categorical("units", [16, 32, 64, 128, 256, 512, 1024])
    batch_size = trial.suggest_categorical("batch_size", list(range(16, 257, 16)))
    dropout = trial.suggest_categorical("dropout", [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5])
    return _mlp_loss(trial, optimizer, lr, n_layers, units, batch_size, dropout)


NUMERIC_CHOICES_PROBLEM = Problem("HPO MLP-like with numeric categoricals", mlp_like_numeric_choices, 0.0)
