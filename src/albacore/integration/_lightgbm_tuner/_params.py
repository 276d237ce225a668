"""What the stepwise LightGBM tuner tunes, in which order, and how it reads LightGBM's metric names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from albacore.distributions import BaseDistribution, FloatDistribution, IntDistribution

__all__: list[str] = []

# Each tuned parameter under the name Optuna's tuner uses, with LightGBM's other names for it: a user's value
# under an alias would otherwise fight the tuned value (LightGBM warns and keeps one of them).
ALIASES: dict[str, tuple[str, ...]] = {
    "feature_fraction": ("sub_feature", "colsample_bytree"),
    "num_leaves": ("num_leaf", "max_leaves", "max_leaf", "max_leaf_nodes"),
    "bagging_fraction": ("sub_row", "subsample", "bagging"),
    "bagging_freq": ("subsample_freq",),
    "lambda_l1": ("reg_alpha", "l1_regularization"),
    "lambda_l2": ("reg_lambda", "lambda", "l2_regularization"),
    "min_child_samples": ("min_data_in_leaf", "min_data_per_leaf", "min_data", "min_samples_leaf"),
}

_HIGHER_IS_BETTER = {
    "auc",
    "auc_mu",
    "average_precision",
    "ndcg",
    "map",
    "mean_average_precision",
    "lambdarank",
    "rank_xendcg",
    "xendcg",
    "xe_ndcg",
    "xe_ndcg_mart",
    "xendcg_mart",
}
_NO_METRIC = {"none", "null", "custom", "na", ""}


def set_tuned(params: dict[str, Any], values: Mapping[str, Any]) -> None:
    """Write tuned values into LightGBM parameters, dropping any alias of them the user gave."""
    for name, value in values.items():
        for alias in ALIASES.get(name, ()):
            params.pop(alias, None)
        params[name] = value


def first_metric(params: Mapping[str, Any]) -> str | None:
    """The first metric the parameters name (LightGBM's ``metric`` and its aliases), or None."""
    for key in ("metric", "metrics", "metric_types"):
        if key in params:
            value = params[key]
            names = value.split(",") if isinstance(value, str) else list(value)
            names = [str(n).strip() for n in names if str(n).strip()]
            return names[0] if names else None
    return None


def higher_is_better(params: Mapping[str, Any]) -> bool:
    """Whether the score the tuner reads (the first metric) is maximised; LightGBM's objectives default to
    losses, so only an explicit ranking or AUC-like metric maximises."""
    metric = first_metric(params)
    if metric is None:
        objective = str(params.get("objective", params.get("objective_type", params.get("app", "")))).lower()
        return objective in {"lambdarank", "rank_xendcg", "xendcg", "xe_ndcg", "xe_ndcg_mart", "xendcg_mart"}
    base = metric.lower().split("@")[0]
    return base in _HIGHER_IS_BETTER


def has_builtin_metric(params: Mapping[str, Any]) -> bool:
    metric = first_metric(params)
    return metric is None or metric.lower() not in _NO_METRIC


@dataclass(frozen=True)
class Step:
    """One stage of the stepwise search: its name, its trial budget and how it proposes values."""

    name: str
    n_trials: int
    distributions: dict[str, BaseDistribution]
    grid: tuple[dict[str, Any], ...] = ()  # fixed candidates, tried in order; empty for model-based steps


def feature_fraction_step(n_trials: int = 7) -> Step:
    values = np.linspace(0.4, 1.0, n_trials) if n_trials > 1 else np.array([1.0])
    return _grid_step("feature_fraction", "feature_fraction", [round(float(v), 6) for v in values], 0.0, 1.0)


def num_leaves_step(n_trials: int = 20) -> Step:
    return Step("num_leaves", n_trials, {"num_leaves": IntDistribution(2, 256, log=True)})


def bagging_step(n_trials: int = 10) -> Step:
    return Step(
        "bagging",
        n_trials,
        {"bagging_fraction": FloatDistribution(0.4, 1.0), "bagging_freq": IntDistribution(1, 7)},
    )


def feature_fraction_stage2_step(best: float, n_trials: int = 6) -> Step:
    """Six fractions within 0.08 of the best one found by the first stage, the best itself left out."""
    low, high = max(0.0, best - 0.08), min(1.0, best + 0.08)
    candidates = [round(float(v), 6) for v in np.linspace(low, high, n_trials + 1)]
    candidates.sort(key=lambda v: (abs(v - best) < 1e-9, abs(v - best)))
    chosen = sorted(v for v in candidates[:n_trials] if v > 0.0)
    return _grid_step("feature_fraction_stage2", "feature_fraction", chosen, 0.0, 1.0)


def regularization_step(n_trials: int = 20) -> Step:
    return Step(
        "regularization_factors",
        n_trials,
        {"lambda_l1": FloatDistribution(1e-8, 10.0, log=True), "lambda_l2": FloatDistribution(1e-8, 10.0, log=True)},
    )


def min_child_samples_step() -> Step:
    values = [5, 10, 25, 50, 100]
    return Step(
        "min_child_samples",
        len(values),
        {"min_child_samples": IntDistribution(1, 100)},
        tuple({"min_child_samples": v} for v in values),
    )


def _grid_step(step: str, name: str, values: list[float], low: float, high: float) -> Step:
    return Step(step, len(values), {name: FloatDistribution(low, high)}, tuple({name: v} for v in values))
