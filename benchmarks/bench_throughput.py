"""In-memory throughput: RandomSampler, 3 parameters, trivial objective, trials per CPU second.

CPU time rather than wall time: these shared machines are noisy, and the loop is single-threaded.
"""

from __future__ import annotations

import time

from _common import Metric, emit, parse_args


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    n_trials = 300 if quick else 3000

    def objective(trial: object) -> float:
        x = trial.suggest_float("x", -10, 10)  # type: ignore[attr-defined]
        y = trial.suggest_int("y", 0, 10)  # type: ignore[attr-defined]
        z = trial.suggest_categorical("z", ["a", "b", "c"])  # type: ignore[attr-defined]
        return x * x + y + (1.0 if z == "a" else 0.0)

    best = 0.0
    for _ in range(1 if quick else 3):
        study = lib.create_study(sampler=lib.samplers.RandomSampler(seed=0))
        start = time.process_time()
        study.optimize(objective, n_trials=n_trials)
        best = max(best, n_trials / (time.process_time() - start))
    emit([Metric("in-memory storage, random sampler, 3 params", best, "trials/s", "higher")])


if __name__ == "__main__":
    main()
