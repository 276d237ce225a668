"""Multi-objective pruning: epochs saved and final-front hypervolume, albacore's multi-objective pruners vs none.

    python benchmarks/bench_mo_pruning.py --lib albacore [--quick] [--seeds 3] [--trials 60]

A two-objective task with real curves: ``MLPClassifier`` on scikit-learn's digits (the parameters and curves of
``bench_pruning_advice.py``), maximizing validation accuracy and minimizing the model's size (its number of
weights). Each trial reports ``[accuracy, size]`` after every one of 27 epochs. Per seed (3 seeds), 60 enqueued
trials run without pruning, with ``ParetoSuccessiveHalvingPruner()`` (rungs after 1, 3, 9 and 27 epochs, keeping
a third; within the front that is cut, by crowding distance), with the same pruner breaking ties by hypervolume
contribution (``tie_break="hypervolume"``), and with ``ParetoMedianPruner()`` (stops a trial worse than the
completed trials' median on both objectives at an epoch, after 5 completed trials). Figures: epochs spent, and
the hypervolume of the completed trials' Pareto front (accuracy in [0, 1] against size / largest size, reference
point (0, 1.1)). Optuna has no multi-objective pruning, so it runs no study here and prints no metric (run.py
writes "n/a" in its column).
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

from _common import Metric, emit, own_arguments, parse_args
from bench_pruning_advice import draw_mlp_params, mlp_curves

N_PIXELS, N_CLASSES = 64, 10


def size_of(params: dict[str, Any]) -> float:
    """Weights and biases of a one-hidden-layer MLP on digits."""
    hidden = int(params["hidden"])
    return float(hidden * (N_PIXELS + 1) + N_CLASSES * (hidden + 1))


def hypervolume_2d(points: list[tuple[float, float]], reference: tuple[float, float]) -> float:
    """Area dominated by ``points`` (both coordinates minimized) up to ``reference``."""
    front = sorted(p for p in points if p[0] < reference[0] and p[1] < reference[1])
    area, best_y = 0.0, reference[1]
    for x, y in front:
        if y < best_y:
            area += (reference[0] - x) * (best_y - y)
            best_y = y
    return area


def run(lib: Any, pruner: Any, params: list[dict[str, Any]], curves: list[list[float]]) -> tuple[int, float]:
    """One study over the enqueued ``params``; returns (epochs spent, hypervolume of the completed front)."""
    study = lib.create_study(directions=["maximize", "minimize"], sampler=lib.samplers.RandomSampler(0), pruner=pruner)
    for p in params:
        study.enqueue_trial(p)
    spent = 0
    largest = max(size_of(p) for p in params)

    def objective(trial: Any) -> tuple[float, float]:
        nonlocal spent
        trial.suggest_int("hidden", 8, 128)
        trial.suggest_float("learning_rate_init", 10**-4.5, 10**-0.5, log=True)
        trial.suggest_float("alpha", 1e-6, 1e-1, log=True)
        trial.suggest_int("batch_size", 16, 256, log=True)
        size = size_of(trial.params)
        accuracy = 0.0
        for epoch, accuracy in enumerate(curves[trial.number]):
            spent += 1
            trial.report([accuracy, size], epoch)
            if pruner is not None and trial.should_prune():
                raise lib.TrialPruned()
        return accuracy, size

    study.optimize(objective, n_trials=len(params))
    complete = [t for t in study.trials if t.state == lib.trial.TrialState.COMPLETE]
    points = [(-t.values[0], t.values[1] / largest) for t in complete]
    return spent, hypervolume_2d(points, (0.0, 1.1))


def main() -> None:
    own = own_arguments("seeds", "trials")
    lib, quick, args = parse_args(__doc__ or "")
    warnings.simplefilter("ignore")
    if args.lib != "albacore":
        emit([])
        return
    seeds = list(range(own.seeds or (1 if quick else 3)))
    n_trials = own.trials or (12 if quick else 60)
    n_epochs = 9 if quick else 27
    pruners: dict[str, Any] = {
        "no pruning": lambda: None,
        "ParetoSuccessiveHalvingPruner()": lambda: lib.pruners.ParetoSuccessiveHalvingPruner(),
        "ParetoSuccessiveHalvingPruner(tie_break='hypervolume')": lambda: lib.pruners.ParetoSuccessiveHalvingPruner(
            tie_break="hypervolume"
        ),
        "ParetoMedianPruner()": lambda: lib.pruners.ParetoMedianPruner(),
    }
    totals = {label: [0.0, 0.0] for label in pruners}
    for seed in seeds:
        params = draw_mlp_params(seed + 200, n_trials)
        curves = mlp_curves(params, n_epochs, seed + 200)
        for label, make in pruners.items():
            spent, hv = run(lib, make(), params, curves)
            totals[label][0] += spent
            totals[label][1] += hv / len(seeds)
            print(f"seed {seed}, {label}: {spent} epochs, hypervolume {hv:.4f}", file=sys.stderr, flush=True)
    metrics = []
    for label, (spent, hv) in totals.items():
        metrics.append(Metric(f"2-objective MLP, {label}: epochs spent, {len(seeds)} seeds", spent, "epochs", "lower"))
        metrics.append(Metric(f"2-objective MLP, {label}: hypervolume of the front, mean", hv, "hypervolume", "higher"))
    emit(metrics)


if __name__ == "__main__":
    main()
