"""The default sampler of ``create_study()`` against Optuna's: regret after 100 trials, mean over 10 seeds.

Optuna 5.0's default is ``TPESampler()``; albacore's is ``AutoSampler()``. Both are built with ``seed=seed`` so
runs are repeatable. Problems are those of ``bench_quality.py``. Quick mode: 2 seeds, 30 trials.

    python benchmarks/bench_default_sampler.py --lib albacore [--quick] [--seeds 10] [--trials 100]
"""

from __future__ import annotations

import argparse
import sys

from _common import Metric, emit, parse_args
from _functions import PROBLEMS, mean_regret


def main() -> None:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--trials", type=int, default=None)
    own, rest = parser.parse_known_args()
    sys.argv = [sys.argv[0], *rest]
    lib, quick, _ = parse_args(__doc__ or "")
    n_seeds = own.seeds or (2 if quick else 10)
    n_trials = own.trials or (30 if quick else 100)
    default = lib.samplers.AutoSampler if lib.__name__ == "albacore" else lib.samplers.TPESampler
    metrics = []
    for problem in PROBLEMS:
        mean = mean_regret(lib, problem, lambda seed: default(seed=seed), n_seeds, n_trials)
        label = f"default sampler regret after {n_trials} trials, {problem.name}, mean of {n_seeds} seeds"
        metrics.append(Metric(label, mean, "regret", "lower"))
    emit(metrics)


if __name__ == "__main__":
    main()
