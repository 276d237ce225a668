"""Data of the optimization history plot: each trial's value and the best value so far, per study."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from albacore.study import StudyDirection
from albacore.visualization.data._common import (
    DEFAULT_TARGET_NAME,
    TrialSet,
    TrialTarget,
    check_target,
    completed_trials,
    feasibility,
    finite_values,
    nullable,
    target_values,
)

__all__ = ["HistoryLine", "OptimizationHistoryData", "optimization_history_data"]


@dataclass(frozen=True)
class HistoryLine:
    """One study's history (or, with ``error_bar``, the mean over several studies).

    Attributes:
        label: Legend text of the values ("Objective Value", or "Objective Value of <study>").
        trial_numbers: The x coordinates.
        values: Each trial's value (the mean over studies with ``error_bar``).
        feasible: Whether each trial satisfied its constraints (infeasible ones are drawn apart).
        best_label: Legend text of the best-so-far line; None when a custom ``target`` is drawn (no best defined).
        best_values: The best feasible value up to each trial (None before the first feasible one).
        value_errors: The standard deviation over studies of ``values`` (``error_bar`` only).
        best_errors: The standard deviation over studies of ``best_values`` (``error_bar`` only).
    """

    label: str
    trial_numbers: list[int]
    values: list[float]
    feasible: list[bool]
    best_label: str | None = None
    best_values: list[float | None] | None = None
    value_errors: list[float] | None = None
    best_errors: list[float | None] | None = None


@dataclass(frozen=True)
class OptimizationHistoryData:
    """Everything the optimization history plot draws.

    Attributes:
        target_name: The y-axis title.
        lines: One line per study, or a single averaged line with ``error_bar``; empty when no trial completed.
    """

    target_name: str
    lines: list[HistoryLine]


def _best_so_far(values: np.ndarray, feasible: np.ndarray, direction: StudyDirection) -> np.ndarray:
    signed = np.where(feasible, values, np.inf) * (-1.0 if direction == StudyDirection.MAXIMIZE else 1.0)
    best = np.minimum.accumulate(signed) if signed.size else signed
    best = best * (-1.0 if direction == StudyDirection.MAXIMIZE else 1.0)
    return np.where(np.isinf(best), np.nan, best)


def optimization_history_data(
    trial_sets: Sequence[TrialSet],
    *,
    target: TrialTarget | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    error_bar: bool = False,
) -> OptimizationHistoryData:
    """Each study's trial values and best values so far, from its COMPLETE trials with a finite value.

    Args:
        trial_sets: One TrialSet per study.
        target: What to draw instead of the single objective; required for multi-objective studies.
        target_name: The y-axis title.
        error_bar: Draw the mean and standard deviation over the studies at each trial number instead of one
            line per study.

    Returns:
        The record; ``lines`` is empty when no study has a completed trial.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) ** 2, n_trials=3)
        >>> data = optimization_history_data([TrialSet.of(study)])
        >>> data.lines[0].trial_numbers
        [0, 1, 2]
    """
    per_study: list[tuple[TrialSet, list[int], np.ndarray, np.ndarray, np.ndarray | None]] = []
    for trial_set in trial_sets:
        check_target(trial_set, target, target_name, plot="plot_optimization_history")
    for trial_set in trial_sets:
        trials = completed_trials(trial_set)
        trials, values = finite_values(trials, target_values(trials, target))
        if not trials:
            continue
        feasible = feasibility(trials)
        best = None if target is not None else _best_so_far(values, feasible, trial_set.directions[0])
        per_study.append((trial_set, [t.number for t in trials], values, feasible, best))
    if not per_study:
        return OptimizationHistoryData(target_name, [])
    if error_bar:
        return OptimizationHistoryData(target_name, [_mean_line(per_study, target_name)])
    several = len(trial_sets) > 1
    lines = [
        HistoryLine(
            label=f"{target_name} of {ts.name}" if several else target_name,
            trial_numbers=numbers,
            values=values.tolist(),
            feasible=feasible.tolist(),
            best_label=None if best is None else (f"Best Value of {ts.name}" if several else "Best Value"),
            best_values=None if best is None else nullable(best),
        )
        for ts, numbers, values, feasible, best in per_study
    ]
    return OptimizationHistoryData(target_name, lines)


def _mean_line(
    per_study: list[tuple[TrialSet, list[int], np.ndarray, np.ndarray, np.ndarray | None]], target_name: str
) -> HistoryLine:
    """Mean and spread over studies at each trial number; a study's best carries over numbers it lacks."""
    all_numbers = sorted({n for _, numbers, _, _, _ in per_study for n in numbers})
    column = {n: i for i, n in enumerate(all_numbers)}
    values = np.full((len(per_study), len(all_numbers)), np.nan)
    bests = np.full_like(values, np.nan)
    has_best = per_study[0][4] is not None
    for row, (_, numbers, vals, _, best) in enumerate(per_study):
        cols = np.array([column[n] for n in numbers])
        values[row, cols] = vals
        if best is not None:
            filled = np.full(len(all_numbers), np.nan)
            filled[cols] = best
            # Forward-fill: the best so far holds until the study's next completed trial.
            idx = np.where(~np.isnan(filled), np.arange(filled.size), 0)
            np.maximum.accumulate(idx, out=idx)
            bests[row] = np.where(np.arange(filled.size) >= cols[0], filled[idx], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "Mean of empty slice" where no study has a best yet
        mean, std = np.nanmean(values, axis=0), np.nanstd(values, axis=0)
        best_mean, best_std = np.nanmean(bests, axis=0), np.nanstd(bests, axis=0)
    return HistoryLine(
        label=target_name,
        trial_numbers=all_numbers,
        values=mean.tolist(),
        feasible=[True] * len(all_numbers),
        best_label="Best Value" if has_best else None,
        best_values=nullable(best_mean) if has_best else None,
        value_errors=std.tolist(),
        best_errors=nullable(best_std) if has_best else None,
    )
