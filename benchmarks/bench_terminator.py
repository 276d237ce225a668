"""Terminator: when each evaluator says stop, the regret left then, the trials saved and the time it takes.

    python benchmarks/bench_terminator.py --lib albacore [--quick] [--seeds 2] [--trials 80] [--sampler GPSampler]

The runs are the same for both libraries: each (problem, seed) history is made once by albacore's seeded
TPESampler (``--sampler GPSampler`` for Bayesian-optimization runs; this script imports albacore to make it,
whichever library is measured, and both processes make the same trials) and replayed into a study of the
measured library, trial by trial. After every trial from the
20th on, the library's ``Terminator.should_terminate`` is asked, as ``TerminatorCallback`` would ask it; the
first "stop" ends the run. Problems: Branin and Hartmann6 of ``_functions.py`` (regret against the known
optimum) and a real cross-validation task, an RBF SVM on scikit-learn's bundled breast-cancer data with 5 folds
whose scores are reported with ``report_cross_validation_scores`` (regret: the best error at the stop minus the
best error of the whole budget). Terminators, each with the library's defaults:

- ``RegretBound``: ``RegretBoundEvaluator`` against the cross-validation error (the default ``Terminator()``) on
  the SVM, against ``MedianErrorEvaluator(RegretBoundEvaluator())`` on the functions (which report no folds);
- ``EMMR``: ``EMMREvaluator`` against ``MedianErrorEvaluator(EMMREvaluator())``;
- ``Stagnation``: ``BestValueStagnationEvaluator()`` (30 trials) against ``StaticErrorEvaluator(0)``.

Metrics, means over seeds: trials saved against the budget (higher is better), regret left at the stop (lower),
and the CPU time of all the terminator's checks in a run (lower; CPU rather than wall time, which a loaded
machine inflates). Each run's stop trial goes to stderr.
Quick mode: one seed, 30 trials, Branin and the SVM.
"""

from __future__ import annotations

import importlib
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from _common import Metric, emit, own_arguments, parse_args
from _functions import PROBLEMS

import albacore

CV_KEY = "terminator:cv_scores"
MIN_N_TRIALS = 20


@dataclass(frozen=True)
class Recorded:
    """One finished trial of a history: what the replay gives the measured library."""

    params: dict[str, Any]
    distributions: dict[str, str]  # parameter name -> distribution JSON
    value: float
    cv_scores: list[float] | None


def _svm_objective() -> Callable[[Any], float]:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    x, y = load_breast_cancer(return_X_y=True)
    folds = KFold(n_splits=5, shuffle=True, random_state=0)

    def objective(trial: Any) -> float:
        c = trial.suggest_float("C", 1e-3, 1e3, log=True)
        gamma = trial.suggest_float("gamma", 1e-5, 1e1, log=True)
        scores = cross_val_score(make_pipeline(StandardScaler(), SVC(C=c, gamma=gamma)), x, y, cv=folds)
        trial.set_user_attr(CV_KEY, [float(s) for s in scores])
        return float(1.0 - scores.mean())  # minimized: the cross-validation error

    return objective


def _history(objective: Callable[[Any], float], seed: int, n_trials: int, sampler: str) -> list[Recorded]:
    """The trials albacore's seeded ``sampler`` runs on ``objective`` (the same in every process)."""
    study = albacore.create_study(sampler=getattr(albacore.samplers, sampler)(seed=seed))
    study.optimize(objective, n_trials=n_trials)
    to_json = albacore.distributions.distribution_to_json
    return [
        Recorded(
            dict(t.params),
            {name: to_json(d) for name, d in t.distributions.items()},
            float(t.values[0]),
            [1.0 - s for s in t.user_attrs[CV_KEY]] if CV_KEY in t.user_attrs else None,  # fold errors
        )
        for t in study.trials
    ]


def _terminators(lib: Any, seed: int, cross_validated: bool) -> dict[str, Any]:
    term = lib.terminator
    regret_error = (
        term.CrossValidationErrorEvaluator()
        if cross_validated
        else term.MedianErrorEvaluator(term.RegretBoundEvaluator(seed=seed))
    )
    emmr = term.EMMREvaluator(seed=seed)
    return {
        "RegretBound": term.Terminator(term.RegretBoundEvaluator(seed=seed), regret_error),
        "EMMR": term.Terminator(emmr, term.MedianErrorEvaluator(emmr)),
        "Stagnation": term.Terminator(term.BestValueStagnationEvaluator()),
    }


def _replay(lib: Any, history: list[Recorded], terminator: Any) -> tuple[int, float]:
    """Add the trials one by one, asking the terminator after each; return (stop trial count, CPU seconds of
    the checks, every thread of the process counted: torch's as well as BLAS's)."""
    study = lib.create_study()
    from_json = lib.distributions.json_to_distribution
    seconds = 0.0
    for n, record in enumerate(history, start=1):
        study.add_trial(
            lib.trial.create_trial(
                params=record.params,
                distributions={name: from_json(d) for name, d in record.distributions.items()},
                value=record.value,
                system_attrs={} if record.cv_scores is None else {CV_KEY: record.cv_scores},
            )
        )
        if n < MIN_N_TRIALS:
            continue
        start = time.process_time()
        stop = terminator.should_terminate(study)
        seconds += time.process_time() - start
        if stop:
            return n, seconds
    return len(history), seconds


def main() -> None:
    own = own_arguments("seeds", "trials", sampler="TPESampler")
    lib, quick, args = parse_args(__doc__ or "")
    importlib.import_module(f"{args.lib}.terminator")  # not imported with the package, in Optuna
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    warnings.simplefilter("ignore")  # both libraries deprecate the terminator (FutureWarning)
    n_seeds = own.seeds or (1 if quick else 2)
    budget = own.trials or (30 if quick else 80)
    by_name = {p.name: p for p in PROBLEMS}
    names = ["Branin"] if quick else ["Branin", "Hartmann6"]
    problems: list[tuple[str, Callable[[Any], float], float | None]] = [
        (n, by_name[n].objective, by_name[n].optimum) for n in names
    ]
    problems.append(("SVM on breast cancer, 5-fold CV", _svm_objective(), None))
    metrics = []
    for name, objective, optimum in problems:
        histories = [_history(objective, seed, budget, own.sampler) for seed in range(n_seeds)]
        results: dict[str, list[tuple[int, float, float]]] = {}
        for seed, history in enumerate(histories):
            values = [r.value for r in history]
            reference = optimum if optimum is not None else min(values)
            for label, terminator in _terminators(lib, seed, history[0].cv_scores is not None).items():
                stop, seconds = _replay(lib, history, terminator)
                regret = min(values[:stop]) - reference
                results.setdefault(label, []).append((stop, regret, seconds))
                sys.stderr.write(f"{name}, seed {seed}, {label}: stop after {stop} of {budget}, regret {regret:.4g}\n")
        for label, rows in results.items():
            runs = "" if own.sampler == "TPESampler" else f", {own.sampler} runs"
            where = f"{label}, {name}{runs}, {budget}-trial budget, mean of {n_seeds} seeds"
            saved = statistics.fmean(budget - r[0] for r in rows)
            metrics.append(Metric(f"terminator {where}: trials saved", saved, "trials", "higher"))
            metrics.append(
                Metric(f"terminator {where}: regret left", statistics.fmean(r[1] for r in rows), "regret", "lower")
            )
            metrics.append(
                Metric(
                    f"terminator {where}: CPU time of its checks", statistics.fmean(r[2] for r in rows), "s", "lower"
                )
            )
    emit(metrics)


if __name__ == "__main__":
    main()
