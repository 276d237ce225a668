"""The categorical trap: numeric values passed to suggest_categorical, modelled by order or as labels.

    python benchmarks/bench_numeric_choices.py --lib albacore|optuna [--quick] [--seeds 30] [--trials 100]

The problem is the MLP-like mixed problem of ``bench_quality.py`` with its learning rate, layer count, width,
batch size and dropout given as lists of numbers to ``suggest_categorical``. For each sampler, the mean regret
after ``--trials`` trials over seeds 0..n-1 (standard errors on stderr). albacore runs TPE and GP twice: modelling
the numeric choices by their order (its default) and as labels (``order_numeric_choices=False``, what Optuna does).
"""

from __future__ import annotations

from typing import Any

from _common import Metric, emit, own_arguments, parse_args
from _functions import NUMERIC_CHOICES_PROBLEM, mean_regret


def main() -> None:
    own = own_arguments("seeds", "trials", samplers="TPESampler,GPSampler")
    lib, quick, args = parse_args(__doc__ or "")
    n_seeds = own.seeds or (2 if quick else 30)
    n_trials = own.trials or (20 if quick else 100)
    metrics = []
    for name in own.samplers.split(","):
        sampler_class: Any = getattr(lib.samplers, name)
        variants: list[tuple[str, dict[str, Any]]] = [("", {})]
        if args.lib == "albacore" and _accepts_order(sampler_class):
            variants = [("", {}), (", as labels", {"order_numeric_choices": False})]
        for suffix, extra in variants:

            def make(seed: int, extra: dict[str, Any] = extra, sampler_class: Any = sampler_class) -> Any:
                return sampler_class(seed=seed, **extra)

            mean = mean_regret(lib, NUMERIC_CHOICES_PROBLEM, make, n_seeds, n_trials)
            label = f"{name}{suffix} regret after {n_trials} trials, {NUMERIC_CHOICES_PROBLEM.name}, {n_seeds} seeds"
            metrics.append(Metric(label, mean, "regret", "lower"))
    emit(metrics)


def _accepts_order(sampler_class: Any) -> bool:
    import inspect

    return "order_numeric_choices" in inspect.signature(sampler_class).parameters


if __name__ == "__main__":
    main()
