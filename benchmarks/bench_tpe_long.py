"""TPE on long studies: milliseconds per trial for 100 trials asked after N finished trials are already stored.

    python benchmarks/bench_tpe_long.py --lib albacore [--quick] [--sizes 1000,5000,20000] [--params 10]

The study is filled with ``study.add_trials`` (N COMPLETE trials, 10 float parameters drawn uniformly, the
objective's value), then 100 trials run with the default ``TPESampler(seed=0)`` and a trivial objective, in
memory, after a short warm-up study. The time is that of the whole optimize loop divided by 100, so it includes
everything a user waits for, the first read of the N stored trials too; the process's CPU time per trial is
reported as well, since on a shared machine it moves far less with the load than the wall-clock time does.
Quick mode: N = 300 and 20 timed trials.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from typing import Any

from _common import Metric, emit, parse_args


def _own_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--params", type=int, default=10)
    own, rest = parser.parse_known_args()
    sys.argv = [sys.argv[0], *rest]
    return own


def _ms_per_trial(lib: Any, n_finished: int, n_params: int, n_timed: int) -> tuple[float, float]:
    names = [f"x{i}" for i in range(n_params)]
    dist = lib.distributions.FloatDistribution(-5.0, 5.0)
    rng = random.Random(1)

    def value(params: dict[str, float]) -> float:
        return sum(v * v for v in params.values())

    trials = []
    for _ in range(n_finished):
        params = {name: rng.uniform(-5.0, 5.0) for name in names}
        trials.append(
            lib.trial.create_trial(params=params, distributions=dict.fromkeys(names, dist), value=value(params))
        )
    study = lib.create_study(sampler=lib.samplers.TPESampler(seed=0))
    study.add_trials(trials)

    def objective(trial: Any) -> float:
        return sum(trial.suggest_float(name, -5.0, 5.0) ** 2 for name in names)

    start, start_cpu = time.perf_counter(), time.process_time()
    study.optimize(objective, n_trials=n_timed)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return wall / n_timed * 1000.0, cpu / n_timed * 1000.0


def _warm_up(lib: Any) -> None:
    # The first model fit of a process loads scipy and fills caches; neither belongs to the studies timed.
    study = lib.create_study(sampler=lib.samplers.TPESampler(seed=0))
    study.optimize(lambda t: sum(t.suggest_float(f"x{i}", -5.0, 5.0) ** 2 for i in range(10)), n_trials=15)


def main() -> None:
    own = _own_arguments()
    lib, quick, _ = parse_args(__doc__ or "")
    _warm_up(lib)
    sizes = [300] if quick else [int(s) for s in own.sizes.split(",") if s]
    n_timed = 20 if quick else 100
    metrics = []
    for n in sizes:
        wall, cpu = _ms_per_trial(lib, n, own.params, n_timed)
        label = f"after {n:,} finished trials, {own.params} float params, {n_timed} trials timed"
        metrics.append(Metric(f"TPE ms per trial {label}", wall, "ms/trial", "lower"))
        metrics.append(Metric(f"TPE CPU ms per trial {label}", cpu, "ms/trial", "lower"))
    emit(metrics)


if __name__ == "__main__":
    main()
