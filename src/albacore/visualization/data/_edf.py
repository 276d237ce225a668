"""Data of the empirical distribution function plot: the share of trials at or below each objective value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from albacore.visualization.data._common import (
    DEFAULT_TARGET_NAME,
    TrialSet,
    TrialTarget,
    check_target,
    completed_trials,
    finite_values,
    target_values,
)

__all__ = ["EdfData", "EdfLine", "edf_data"]

N_POINTS = 100
"""How many x values the curves are sampled at."""


@dataclass(frozen=True)
class EdfLine:
    """One study's empirical distribution.

    Attributes:
        study_name: The legend text.
        y_values: The share of the study's trials whose value is <= each of the record's ``x_values``.
    """

    study_name: str
    y_values: list[float]


@dataclass(frozen=True)
class EdfData:
    """Everything the EDF plot draws.

    Attributes:
        target_name: The x-axis title.
        x_values: Evenly spaced values from the smallest to the largest value of all studies (empty without data).
        lines: One line per study that has a completed trial.
    """

    target_name: str
    x_values: list[float]
    lines: list[EdfLine]


def edf_data(
    trial_sets: Sequence[TrialSet], *, target: TrialTarget | None = None, target_name: str = DEFAULT_TARGET_NAME
) -> EdfData:
    """The empirical distribution of the COMPLETE trials' finite values, per study, on a shared x grid.

    Args:
        trial_sets: One set of trials per study to compare.
        target: What to count instead of the objective value (required for several objectives).
        target_name: The label of the target.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
        >>> data = edf_data([TrialSet.of(study)])
        >>> data.lines[0].y_values[-1]
        1.0
    """
    for trial_set in trial_sets:
        check_target(trial_set, target, target_name, plot="plot_edf")
    samples: list[tuple[str, np.ndarray]] = []
    for trial_set in trial_sets:
        trials = completed_trials(trial_set)
        _, values = finite_values(trials, target_values(trials, target))
        if values.size:
            samples.append((trial_set.name, np.sort(values)))
    if not samples:
        return EdfData(target_name, [], [])
    low = min(float(v[0]) for _, v in samples)
    high = max(float(v[-1]) for _, v in samples)
    x = np.linspace(low, high, N_POINTS)
    lines = [EdfLine(name, (np.searchsorted(v, x, side="right") / v.size).tolist()) for name, v in samples]
    return EdfData(target_name, x.tolist(), lines)
