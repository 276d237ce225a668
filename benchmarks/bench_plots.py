"""Plots: seconds from a study to a plotly figure, the same study and the same plot in both libraries.

The studies hold COMPLETE trials of a 20-parameter mixed space (log-scaled floats, floats, integers, string
categoricals), each with 10 intermediate values, built with ``create_trial`` and ``add_trials`` from one seeded
generator, so both libraries see identical trials. A plot's time is the wall time of its ``plot_*`` call (the
``go.Figure`` object, not an export); each figure is then serialised once to JSON for its size.

Metrics: every single-objective plot on 2,000 trials, all together (the figure BENCHMARKS.md asks for); each plot
on 10,000 trials; the Pareto front and hypervolume history of a 2-objective study of 10,000 trials; the contour
figure's JSON size at 2,000 trials; and, for albacore alone, the slowest data preparation of any plot at 10,000
trials (the pure ``albacore.visualization.data`` functions, no plotting library).

Optuna does not run the parallel coordinate, contour and rank plots at 10,000 trials x 20 parameters: on this
24 GB machine its run of them went on for more than 45 minutes and was then killed by the kernel for using 22 GB
of memory. Their rows have no Optuna figure.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import Metric, emit, parse_args

# Not drawn with Optuna at 10,000 trials x 20 parameters (see the module docstring).
TOO_BIG_FOR_OPTUNA = {"plot_parallel_coordinate", "plot_contour", "plot_rank"}

PLOTS = [
    "plot_optimization_history",
    "plot_intermediate_values",
    "plot_edf",
    "plot_slice",
    "plot_timeline",
    "plot_parallel_coordinate",
    "plot_contour",
    "plot_rank",
    "plot_param_importances",
]


def build_study(lib: Any, n_trials: int, n_params: int, *, n_objectives: int = 1, seed: int = 0) -> Any:
    """A study of ``n_trials`` COMPLETE trials over a mixed space, identical for both libraries."""
    dist = lib.distributions
    rng = np.random.default_rng(seed)
    space: dict[str, Any] = {}
    for k in range(n_params):
        kind = k % 4
        if kind == 0:
            space[f"lr{k}"] = dist.FloatDistribution(1e-5, 1.0, log=True)
        elif kind == 1:
            space[f"units{k}"] = dist.IntDistribution(1, 64)
        elif kind == 2:
            space[f"choice{k}"] = dist.CategoricalDistribution(["relu", "tanh", "gelu", "silu"])
        else:
            space[f"x{k}"] = dist.FloatDistribution(-5.0, 5.0)
    trials = []
    for _ in range(n_trials):
        params: dict[str, Any] = {}
        for name, d in space.items():
            if isinstance(d, dist.CategoricalDistribution):
                params[name] = d.choices[int(rng.integers(len(d.choices)))]
            elif isinstance(d, dist.IntDistribution):
                params[name] = int(rng.integers(d.low, d.high + 1))
            elif d.log:
                params[name] = float(10 ** rng.uniform(np.log10(d.low), np.log10(d.high)))
            else:
                params[name] = float(rng.uniform(d.low, d.high))
        values = [float(rng.random()) for _ in range(n_objectives)]
        trials.append(
            lib.create_trial(
                values=values,
                params=params,
                distributions=space,
                intermediate_values={step: float(rng.random()) for step in range(10)},
            )
        )
    study = lib.create_study(directions=["minimize"] * n_objectives)
    study.add_trials(trials)
    return study


def timed(call: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The median wall time of ``repeats`` calls, and the last result."""
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    vis = lib.visualization
    small, big, n_params = (300, 600, 6) if quick else (2000, 10000, 20)
    repeats = 1 if quick or lib.__name__ == "optuna" else 3
    metrics: list[Metric] = []
    resource.setrlimit(resource.RLIMIT_AS, (16 * 2**30, resource.RLIM_INFINITY))  # fail, not take the machine down

    warm_up = build_study(lib, 20, 4)  # first calls import plotly, scipy and friends: keep that out of the timing
    for name in PLOTS:
        getattr(vis, name)(warm_up)
    study = build_study(lib, small, n_params)
    total = 0.0
    contour_json = 0
    for name in PLOTS:
        seconds, figure = timed(lambda name=name: getattr(vis, name)(study), repeats)
        total += seconds
        if name == "plot_contour":
            try:
                contour_json = len(figure.to_json())
            except MemoryError:  # Optuna's 20-parameter contour does not serialise within the benchmark's 16 GB
                contour_json = -1
        print(f"{lib.__name__} {name} {small} trials: {seconds:.3f} s", file=sys.stderr, flush=True)
    metrics.append(
        Metric(f"every plotly plot, {small:,} trials x {n_params} params, all together", total, "s", "lower")
    )
    if contour_json >= 0:
        size_name = f"plot_contour figure size, {small:,} trials x {n_params} params"
        metrics.append(Metric(size_name, contour_json / 1e6, "MB", "lower"))

    study = build_study(lib, big, n_params)
    for name in PLOTS:
        if lib.__name__ == "optuna" and not quick and name in TOO_BIG_FOR_OPTUNA:
            continue
        seconds, _ = timed(lambda name=name: getattr(vis, name)(study), repeats)
        print(f"{lib.__name__} {name} {big} trials: {seconds:.3f} s", file=sys.stderr, flush=True)
        metrics.append(Metric(f"{name}, {big:,} trials x {n_params} params", seconds, "s", "lower"))

    multi = build_study(lib, big, 2, n_objectives=2, seed=1)
    seconds, _ = timed(lambda: vis.plot_pareto_front(multi), repeats)
    metrics.append(Metric(f"plot_pareto_front, 2 objectives, {big:,} trials", seconds, "s", "lower"))
    seconds, _ = timed(lambda: vis.plot_hypervolume_history(multi, reference_point=[1.0, 1.0]), repeats)
    metrics.append(Metric(f"plot_hypervolume_history, 2 objectives, {big:,} trials", seconds, "s", "lower"))

    if lib.__name__ == "albacore":
        metrics.append(
            Metric(
                f"slowest plot data preparation, {big:,} trials x {n_params} params",
                slowest_data_preparation(lib, study, repeats),
                "s",
                "lower",
            )
        )
    emit(metrics)


def slowest_data_preparation(lib: Any, study: Any, repeats: int) -> float:
    """The slowest of the pure data functions behind the single-objective plots (albacore only)."""
    data = lib.visualization.data
    trial_set = data.TrialSet.of(study)
    calls = {
        "history": lambda: data.optimization_history_data([trial_set]),
        "intermediate": lambda: data.intermediate_values_data(trial_set),
        "edf": lambda: data.edf_data([trial_set]),
        "slice": lambda: data.slice_data(trial_set),
        "timeline": lambda: data.timeline_data(trial_set),
        "parallel": lambda: data.parallel_coordinate_data(trial_set),
        "contour": lambda: data.contour_data(trial_set),
        "rank": lambda: data.rank_data(trial_set),
        "importances": lambda: data.param_importances_data(study),
    }
    seconds = {name: timed(call, repeats)[0] for name, call in calls.items()}
    print(json.dumps({k: round(v, 3) for k, v in seconds.items()}), file=sys.stderr, flush=True)
    return max(seconds.values())


if __name__ == "__main__":
    main()
