"""GPSampler: regret on Branin and Hartmann6 after 100 trials (mean over seeds) and milliseconds per trial.

Run as ``python benchmarks/bench_gp.py --lib albacore|optuna [--quick]``. BLAS and OpenMP are limited to one
thread for both libraries (Optuna's docs recommend it for its GPSampler, and the machines are shared), so the
time per trial compares the algorithms, not the thread pools. Times are wall clock and process CPU time per
trial, averaged over every run; per-seed lines go to stderr.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics  # noqa: E402 - the thread limits above must be set before numpy is imported
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

from _common import Metric, emit, parse_args  # noqa: E402
from _functions import PROBLEMS  # noqa: E402


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    warnings.simplefilter("ignore")  # Optuna's experimental warnings would only add noise here
    n_trials = 30 if quick else 100
    seeds = range(2 if quick else 10)
    metrics: list[Metric] = []
    times: list[float] = []
    cpu_times: list[float] = []
    for problem in (p for p in PROBLEMS if p.name in ("Branin", "Hartmann6")):
        regrets = []
        for seed in seeds:
            study = lib.create_study(sampler=lib.samplers.GPSampler(seed=seed))
            start, cpu_start = time.perf_counter(), time.process_time()
            study.optimize(problem.objective, n_trials=n_trials)
            times.append((time.perf_counter() - start) / n_trials * 1000.0)
            cpu_times.append((time.process_time() - cpu_start) / n_trials * 1000.0)
            regrets.append(study.best_value - problem.optimum)
            print(
                f"{problem.name} seed={seed} regret={regrets[-1]:.3g} ms/trial={times[-1]:.1f} cpu={cpu_times[-1]:.1f}",
                file=sys.stderr,
            )
        metrics.append(Metric(f"gp_{problem.name.lower()}_regret_mean", statistics.fmean(regrets), "regret", "lower"))
        metrics.append(
            Metric(f"gp_{problem.name.lower()}_regret_median", statistics.median(regrets), "regret", "lower")
        )
    metrics.append(Metric(f"gp_ms_per_trial_{n_trials}_trials", statistics.fmean(times), "ms", "lower"))
    # Process CPU time is steadier than wall time on a shared machine (both runs are single-threaded).
    metrics.append(Metric(f"gp_cpu_ms_per_trial_{n_trials}_trials", statistics.fmean(cpu_times), "ms", "lower"))
    emit(metrics)


if __name__ == "__main__":
    main()
