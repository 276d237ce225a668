"""CPU-bound objective with two workers on two cores: speed-up over one worker.

Optuna's optimize offers threads (``n_jobs=2``), which share the GIL; albacore adds ``n_processes=2``. Both are
measured against their own one-worker run of the same objective.
"""

from __future__ import annotations

import time

from _common import Metric, emit, parse_args


def objective(trial: object) -> float:
    x = trial.suggest_float("x", -1, 1)  # type: ignore[attr-defined]
    total = 0.0
    for i in range(150_000):  # about 10 ms of pure-Python work: CPU-bound
        total += (x * i) % 7
    return total


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    n_trials = 16 if quick else 80

    def run(**kwargs: int) -> float:
        study = lib.create_study(sampler=lib.samplers.RandomSampler(seed=0))
        start = time.perf_counter()
        study.optimize(objective, n_trials=n_trials, **kwargs)
        return time.perf_counter() - start

    one = run()
    two = run(n_processes=2) if lib.__name__ == "albacore" else run(n_jobs=2)
    emit([Metric("CPU-bound objective, speed-up of 2 workers over 1", one / two, "x", "higher")])


if __name__ == "__main__":
    main()
