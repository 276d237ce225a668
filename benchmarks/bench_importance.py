"""Parameter importances of a large study: time per evaluator, and whether two calls agree.

The study has 20 parameters (continuous, log-scaled, integer and categorical) and trials drawn uniformly at
random, with a value that depends strongly on two parameters, weakly on three, and not at all on the rest.
Optuna's fANOVA takes minutes at 10,000 trials, so it is compared at 1,000 trials; albacore's fANOVA is also
measured alone at 10,000.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
from _common import Metric, emit, parse_args

N_PARAMS = 20


def build_study(lib: Any, n_trials: int) -> Any:
    dist = lib.distributions
    space: dict[str, Any] = {}
    for i in range(N_PARAMS):
        kind = i % 4
        if kind == 0:
            space[f"p{i}"] = dist.FloatDistribution(-5.0, 5.0)
        elif kind == 1:
            space[f"p{i}"] = dist.FloatDistribution(1e-4, 1.0, log=True)
        elif kind == 2:
            space[f"p{i}"] = dist.IntDistribution(0, 20)
        else:
            space[f"p{i}"] = dist.CategoricalDistribution(["a", "b", "c", "d"])
    rng = np.random.default_rng(0)
    trials = []
    for _ in range(n_trials):
        params: dict[str, Any] = {}
        for name, d in space.items():
            if isinstance(d, dist.CategoricalDistribution):
                params[name] = d.choices[int(rng.integers(len(d.choices)))]
            elif isinstance(d, dist.IntDistribution):
                params[name] = int(rng.integers(d.low, d.high + 1))
            elif d.log:
                params[name] = float(math.exp(rng.uniform(math.log(d.low), math.log(d.high))))
            else:
                params[name] = float(rng.uniform(d.low, d.high))
        value = (
            params["p0"] ** 2
            + 10 * math.log10(params["p1"]) ** 2
            + 0.5 * params["p2"]
            + (params["p3"] == "a") * 3.0
            + 0.1 * params["p4"]
        )
        trials.append(lib.trial.create_trial(params=params, distributions=space, value=value))
    study = lib.create_study()
    study.add_trials(trials)
    return study


def timed(lib: Any, study: Any, evaluator: Any) -> tuple[float, dict[str, float]]:
    start = time.perf_counter()
    result = lib.importance.get_param_importances(study, evaluator=evaluator)
    return time.perf_counter() - start, result


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    big = 500 if quick else 10_000
    small = 200 if quick else 1_000
    imp = lib.importance
    metrics: list[Metric] = []
    # Warm up: the first call of each evaluator pays for imports (scikit-learn, scipy) that are not its cost.
    warm = build_study(lib, 20)
    for evaluator in (None, imp.MeanDecreaseImpurityImportanceEvaluator(), imp.FanovaImportanceEvaluator()):
        timed(lib, warm, evaluator)
    study = build_study(lib, big)
    label = f"{big:,} trials x {N_PARAMS} params"

    seconds, _ = timed(lib, study, None)
    metrics.append(Metric(f"importances, {label}, default evaluator (PED-ANOVA)", seconds, "s", "lower"))
    seconds, _ = timed(lib, study, imp.MeanDecreaseImpurityImportanceEvaluator(seed=0))
    metrics.append(Metric(f"importances, {label}, mean decrease impurity", seconds, "s", "lower"))

    small_study = build_study(lib, small)
    seconds, first = timed(lib, small_study, imp.FanovaImportanceEvaluator())
    metrics.append(Metric(f"importances, {small:,} trials x {N_PARAMS} params, fANOVA", seconds, "s", "lower"))
    # Two calls with the default seed: the plot and the dict of one study should say the same.
    _, second = timed(lib, small_study, imp.FanovaImportanceEvaluator())
    gap = max(abs(first[k] - second[k]) for k in first)
    metrics.append(Metric("fANOVA, largest difference between two default calls", gap, "share", "lower"))
    if lib.__name__ == "albacore":
        seconds, _ = timed(lib, study, imp.FanovaImportanceEvaluator())
        metrics.append(Metric(f"importances, {label}, fANOVA", seconds, "s", "lower"))
    emit(metrics)


if __name__ == "__main__":
    main()
