"""Data of the slice plot: the objective against each parameter on its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from albacore.visualization.data._common import (
    DEFAULT_TARGET_NAME,
    ParamAxis,
    TrialSet,
    TrialTarget,
    feasibility,
    param_axes,
    plotted_trials,
    select_params,
)

__all__ = ["SliceData", "SliceSubplot", "slice_data"]


@dataclass(frozen=True)
class SliceSubplot:
    """The trials that have one parameter, placed by its value.

    Attributes:
        axis: How to draw the parameter (log scale, categorical positions and labels).
        x: Each trial's coordinate (a categorical choice is its position on ``axis``).
        y: Each trial's objective (or target) value.
        trial_numbers: Each point's trial number (the marker colour).
        feasible: Whether each trial satisfied its constraints.
    """

    axis: ParamAxis
    x: list[float]
    y: list[float]
    trial_numbers: list[int]
    feasible: list[bool]


@dataclass(frozen=True)
class SliceData:
    """Everything the slice plot draws.

    Attributes:
        target_name: The y-axis title.
        subplots: One per parameter, in the order asked for (sorted names by default); empty without data.
    """

    target_name: str
    subplots: list[SliceSubplot]


def slice_data(
    trial_set: TrialSet,
    params: Sequence[str] | None = None,
    *,
    target: TrialTarget | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> SliceData:
    """For each parameter, the value and objective of every COMPLETE trial that has it.

    Args:
        trial_set: The trials to draw (``TrialSet.of(study)``).
        params: The parameters to draw, one subplot each; every parameter when None.
        target: What to draw instead of the objective value (required for several objectives).
        target_name: The label of the target.

    Raises:
        InvalidArgumentError: For a multi-objective study without ``target``, or a parameter no trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4)
        >>> [s.axis.name for s in slice_data(TrialSet.of(study)).subplots]
        ['x']
    """
    trials, values = plotted_trials(trial_set, target, target_name, plot="plot_slice")
    names = select_params(trials, params)
    if not trials:
        return SliceData(target_name, [])
    numbers = np.array([t.number for t in trials])
    feasible = feasibility(trials)
    subplots = []
    for coords, axis in param_axes(trials, names):
        has = ~np.isnan(coords)
        subplots.append(
            SliceSubplot(
                axis=axis,
                x=coords[has].tolist(),
                y=values[has].tolist(),
                trial_numbers=numbers[has].tolist(),
                feasible=feasible[has].tolist(),
            )
        )
    return SliceData(target_name, subplots)
