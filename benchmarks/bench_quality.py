"""Sampler quality: regret of the best value after 100 trials, mean over 10 seeds, on standard problems.

    python benchmarks/bench_quality.py --lib albacore [--quick] [--sampler TPESampler] [--seeds 10] [--trials 100]

``--sampler`` names a class of ``<lib>.samplers`` built as ``Sampler(seed=seed)`` (default: TPESampler, the
default sampler of both libraries). Quick mode: 2 seeds, 30 trials. The mean regret of every problem is a
metric; its standard error over seeds goes to stderr, to judge differences against seed noise.
"""

from __future__ import annotations

import argparse
import sys

from _common import Metric, emit, parse_args
from _functions import PROBLEMS, mean_regret


def _own_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--sampler", default="TPESampler")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--trials", type=int, default=None)
    parser.add_argument("--only", default=None, help="run only problems whose name contains this text")
    own, rest = parser.parse_known_args()
    sys.argv = [sys.argv[0], *rest]
    return own


def main() -> None:
    own = _own_arguments()
    lib, quick, _ = parse_args(__doc__ or "")
    n_seeds = own.seeds or (2 if quick else 10)
    n_trials = own.trials or (30 if quick else 100)
    sampler_class = getattr(lib.samplers, own.sampler)
    metrics = []
    for problem in PROBLEMS:
        if own.only and own.only not in problem.name:
            continue
        mean = mean_regret(lib, problem, lambda seed: sampler_class(seed=seed), n_seeds, n_trials)
        label = f"{own.sampler} regret after {n_trials} trials, {problem.name}, mean of {n_seeds} seeds"
        metrics.append(Metric(label, mean, "regret", "lower"))
    emit(metrics)


if __name__ == "__main__":
    main()
