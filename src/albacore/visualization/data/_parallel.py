"""Data of the parallel coordinate plot: every trial as a line through the objective(s) and its parameters.

Each dimension is mapped to [0, 1]: numbers linearly (log-scaled parameters in log space), categorical choices
evenly by position. A trial without a parameter (a conditional one) is not dropped (optuna#2599): its line
passes through a "None" tick at the bottom of that dimension, below the values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from albacore.study import StudyDirection
from albacore.visualization.data._common import (
    DEFAULT_TARGET_NAME,
    ParamAxis,
    TrialSet,
    TrialTarget,
    check_target,
    completed_trials,
    feasibility,
    finite_values,
    objective_names,
    param_axes,
    select_params,
    target_values,
)
from albacore.visualization.data._pareto_math import minimized, pareto_ranks

__all__ = ["ParallelCoordinateData", "ParallelDimension", "parallel_coordinate_data"]

PARETO_RANK = "Pareto Rank"
"""The colour bar title of a multi-objective study drawn without ``target``."""

# Where values start on a dimension that also has missing entries (which sit at 0).
_MISSING_GAP = 0.12
_N_TICKS = 5


@dataclass(frozen=True)
class ParallelDimension:
    """One vertical axis.

    Attributes:
        label: The axis title (the objective's name or the parameter's).
        positions: Each line's height on the axis, in [0, 1] (0 is "None" when ``has_missing``).
        tick_positions: Heights of the tick marks.
        tick_labels: The text of each tick.
        is_log: A log-scaled parameter.
        is_categorical: A categorical parameter.
        has_missing: Some trials lack the parameter; they pass through the "None" tick.
    """

    label: str
    positions: list[float]
    tick_positions: list[float]
    tick_labels: list[str]
    is_log: bool = False
    is_categorical: bool = False
    has_missing: bool = False


@dataclass(frozen=True)
class ParallelCoordinateData:
    """Everything the parallel coordinate plot draws; lines are listed in drawing order.

    Attributes:
        dimensions: The objective dimension(s) first, then the parameters.
        trial_numbers: The trial of each line.
        color_values: Each line's colour value (the objective, or its Pareto rank).
        feasible: Whether each line's trial satisfied its constraints (infeasible ones come first, dotted).
        colorbar_title: The colour bar's title.
        reverse_scale: Low colour values are the good ones (darkest).
        is_rank_color: Colours are Pareto ranks (a multi-objective study without ``target``).
        has_constraints: Some trial has constraints (draw a Feasible / Infeasible legend).
    """

    dimensions: list[ParallelDimension]
    trial_numbers: list[int]
    color_values: list[float]
    feasible: list[bool]
    colorbar_title: str
    reverse_scale: bool
    is_rank_color: bool = False
    has_constraints: bool = False


def nice_ticks(low: float, high: float, count: int = _N_TICKS) -> list[float]:
    """About ``count`` round numbers between ``low`` and ``high`` (both ends included when nothing rounds)."""
    if not high > low:
        return [low]
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks = [round(first + i * step, 12) for i in range(int((high - first) / step + 1e-9) + 1)]
    return ticks if len(ticks) >= 2 else [low, high]


def _format(value: float) -> str:
    return f"{value:.4g}"


def _numeric_dimension(label: str, coords: np.ndarray, *, is_log: bool, is_int: bool) -> ParallelDimension:
    missing = np.isnan(coords)
    scaled = np.log10(coords, where=~missing, out=np.full_like(coords, np.nan)) if is_log else coords
    present = scaled[~missing]
    low, high = (float(present.min()), float(present.max())) if present.size else (0.0, 0.0)
    if is_log:
        powers = [float(p) for p in range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)]
        ticks = powers if len(powers) >= 2 else sorted({low, *powers, high})
        labels = [_format(10**t) for t in ticks]
    else:
        ticks = nice_ticks(low, high)
        if is_int:
            ticks = sorted({float(round(t)) for t in ticks if abs(t - round(t)) < 1e-9} or {low, high})
        labels = [_format(t) for t in ticks]
    return _dimension(label, scaled, missing, ticks, labels, low, high, is_log=is_log)


def _dimension(
    label: str,
    scaled: np.ndarray,
    missing: np.ndarray,
    ticks: list[float],
    labels: list[str],
    low: float,
    high: float,
    *,
    is_log: bool = False,
    is_categorical: bool = False,
) -> ParallelDimension:
    has_missing = bool(missing.any())
    bottom = _MISSING_GAP if has_missing else 0.0

    def place(v: np.ndarray) -> np.ndarray:
        if high > low:
            return bottom + (1.0 - bottom) * (v - low) / (high - low)
        return np.full(v.shape, (bottom + 1.0) / 2)

    positions = np.where(missing, 0.0, place(np.nan_to_num(scaled, nan=low)))
    tick_positions = place(np.array(ticks, dtype=float)).tolist()
    if has_missing:
        tick_positions, labels = [0.0, *tick_positions], ["None", *labels]
    return ParallelDimension(
        label=label,
        positions=positions.tolist(),
        tick_positions=tick_positions,
        tick_labels=labels,
        is_log=is_log,
        is_categorical=is_categorical,
        has_missing=has_missing,
    )


def _param_dimension(coords: np.ndarray, axis: ParamAxis) -> ParallelDimension:
    if not axis.is_categorical:
        return _numeric_dimension(axis.name, coords, is_log=axis.is_log, is_int=axis.is_int)
    missing = np.isnan(coords)
    labels = list(axis.tick_labels)
    if missing.any():
        # A real choice printed "None" would look like the missing tick: say which is which.
        labels = [f"{label} (value)" if label == "None" else label for label in labels]
    n = len(labels)
    return _dimension(
        axis.name,
        coords,
        missing,
        [float(i) for i in range(n)],
        labels,
        0.0,
        float(max(n - 1, 0)),
        is_categorical=True,
    )


def parallel_coordinate_data(
    trial_set: TrialSet,
    params: Sequence[str] | None = None,
    *,
    target: TrialTarget | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> ParallelCoordinateData:
    """Every COMPLETE trial with finite values as a line across the objective(s) and the parameters.

    A multi-objective study without ``target`` gets one dimension per objective and lines coloured by Pareto
    rank (0 is the front). Lines are ordered for drawing: infeasible first, then from the worst colour value to
    the best, so the best trials are drawn on top.

    Args:
        trial_set: The trials to draw (``TrialSet.of(study)``).
        params: The parameters to draw as axes; every parameter when None.
        target: What to draw instead of the objective value (required for several objectives).
        target_name: The label of the target's axis.

    Raises:
        InvalidArgumentError: For a parameter that no trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> [d.label for d in parallel_coordinate_data(TrialSet.of(study)).dimensions]
        ['Objective Value', 'x']
    """
    multi = target is None and len(trial_set.directions) > 1
    check_target(trial_set, target, target_name, plot="plot_parallel_coordinate", multi_ok=True)
    trials = completed_trials(trial_set)
    if multi:
        objectives = np.array([t.values for t in trials], dtype=float).reshape(len(trials), len(trial_set.directions))
        keep = np.isfinite(objectives).all(axis=1)
        trials, _ = finite_values(trials, np.where(keep, 0.0, np.nan))
        objectives = objectives[keep]
        color = pareto_ranks(minimized(objectives, trial_set.directions)).astype(float)
        labels = objective_names(trial_set)
        reverse, title = True, PARETO_RANK
    else:
        trials, values = finite_values(trials, target_values(trials, target))
        objectives, color, labels = values[:, None], values, [target_name]
        maximize = target is None and trial_set.directions[0] == StudyDirection.MAXIMIZE
        reverse, title = not maximize, target_name
    names = select_params(trials, params)
    feasible = feasibility(trials)
    # Infeasible lines first, then from worst to best colour value: the best lines end up on top.
    order = np.lexsort((-color if reverse else color, feasible)) if trials else np.zeros(0, dtype=int)
    trials = [trials[int(i)] for i in order]
    objectives, color, feasible = objectives[order], color[order], feasible[order]
    dims = [_numeric_dimension(label, objectives[:, k], is_log=False, is_int=False) for k, label in enumerate(labels)]
    dims += [_param_dimension(coords, axis) for coords, axis in param_axes(trials, names)]
    return ParallelCoordinateData(
        dimensions=dims,
        trial_numbers=[t.number for t in trials],
        color_values=color.tolist(),
        feasible=feasible.tolist(),
        colorbar_title=title,
        reverse_scale=reverse,
        is_rank_color=multi,
        has_constraints=any(t.constraints for t in trials if t.system_attrs),
    )
