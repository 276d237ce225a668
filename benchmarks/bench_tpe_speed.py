"""TPE sampler overhead: milliseconds per trial over the last 100 of 1,000 trials, trivial objective, in memory.

Three workloads with the default ``TPESampler(seed=0)``: 10 float parameters, 40 float parameters, and 10 float
parameters with 2 objectives. The time of a trial is measured from the end of the previous one (the whole
ask -> objective -> tell loop), so it includes everything a user waits for.
"""

from __future__ import annotations

import time
from typing import Any

from _common import Metric, emit, parse_args


def _per_trial_ms(lib: Any, n_params: int, n_objectives: int, n_trials: int, window: int) -> float:
    names = [f"x{i}" for i in range(n_params)]

    def objective(trial: Any) -> Any:
        xs = [trial.suggest_float(name, -5.0, 5.0) for name in names]
        first = sum(x * x for x in xs)
        if n_objectives == 1:
            return first
        return first, sum((x - 1.0) ** 2 for x in xs)

    ends: list[float] = []
    directions = ["minimize"] * n_objectives
    study = lib.create_study(directions=directions, sampler=lib.samplers.TPESampler(seed=0))
    study.optimize(objective, n_trials=n_trials, callbacks=[lambda s, t: ends.append(time.perf_counter())])
    return (ends[-1] - ends[-1 - window]) / window * 1000.0


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    n_trials, window = (150, 50) if quick else (1000, 100)
    last = f"trials {n_trials - window}-{n_trials}"
    emit(
        [
            Metric(
                f"TPE overhead, 10 float params, {last}",
                _per_trial_ms(lib, 10, 1, n_trials, window),
                "ms/trial",
                "lower",
            ),
            Metric(
                f"TPE overhead, 40 float params, {last}",
                _per_trial_ms(lib, 40, 1, n_trials, window),
                "ms/trial",
                "lower",
            ),
            Metric(
                f"TPE overhead, 10 float params, 2 objectives, {last}",
                _per_trial_ms(lib, 10, 2, n_trials, window),
                "ms/trial",
                "lower",
            ),
        ]
    )


if __name__ == "__main__":
    main()
