"""CMA-ES and NSGA-II against Optuna's: regret after 100 trials (mean of 10 seeds) and CPU time per trial.

Both libraries build ``CmaEsSampler(seed=seed)`` and ``NSGAIISampler(seed=seed)`` with their defaults, on the
numeric problems of ``bench_quality.py`` (the ones both samplers model without categorical parameters). CPU
time per trial covers the whole optimize loop of every seed and problem of one sampler. Quick mode: 2 seeds,
30 trials.

    python benchmarks/bench_evolutionary.py --lib albacore [--quick]
"""

from __future__ import annotations

import time

from _common import Metric, emit, parse_args
from _functions import PROBLEMS, mean_regret

_PROBLEMS = ("Hartmann6", "Rosenbrock-5", "Ackley-10", "Levy-6", "Styblinski-Tang-8")


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    n_seeds, n_trials = (2, 30) if quick else (10, 100)
    metrics = []
    for sampler_name in ("CmaEsSampler", "NSGAIISampler"):
        sampler_class = getattr(lib.samplers, sampler_name)
        start = time.process_time()
        for problem in (p for p in PROBLEMS if p.name in _PROBLEMS):
            mean = mean_regret(lib, problem, lambda seed, cls=sampler_class: cls(seed=seed), n_seeds, n_trials)
            label = f"{sampler_name} regret after {n_trials} trials, {problem.name}, mean of {n_seeds} seeds"
            metrics.append(Metric(label, mean, "regret", "lower"))
        per_trial = (time.process_time() - start) / (len(_PROBLEMS) * n_seeds * n_trials) * 1000.0
        metrics.append(Metric(f"{sampler_name} CPU time per trial, whole loop", per_trial, "ms/trial", "lower"))
    emit(metrics)


if __name__ == "__main__":
    main()
