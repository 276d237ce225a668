"""Data of the rank plot: trials placed by pairs of parameters and coloured by the rank of their value.

Ranks make the colours readable whatever the value's distribution (one outlier does not wash out the rest).
A matrix of many parameters keeps at most about 20,000 markers in all, evenly chosen (the best trial always).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from albacore.study import StudyDirection
from albacore.visualization._style import RDYLBU_R, color_table
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
from albacore.visualization.data._contour import spread_subset

__all__ = ["RankData", "RankPanel", "rank_data"]

MAX_POINTS = 20_000
"""About how many markers a whole figure holds (at least 100 per panel)."""

INFEASIBLE_RGB = "rgb(204,204,204)"
COLORBAR_FRACTIONS = [0.0, 0.25, 0.5, 0.75, 1.0]


@dataclass(frozen=True)
class RankPanel:
    """One panel: trials placed by two parameters (or by one parameter and the value).

    Attributes:
        x_axis: The parameter along x.
        y_axis: The parameter along y, or None when y is the value itself (a single parameter).
        x: Each drawn trial's x coordinate.
        y: Each drawn trial's y coordinate.
        points: Each drawn trial's index into the record's per-trial lists, in drawing order (best last).
    """

    x_axis: ParamAxis
    y_axis: ParamAxis | None
    x: list[float]
    y: list[float]
    points: list[int]


@dataclass(frozen=True)
class RankData:
    """Everything the rank plot draws.

    Attributes:
        target_name: The colour bar title.
        params: The parameters, in the order asked for (sorted by name by default).
        trial_numbers: The COMPLETE trials with a finite value.
        values: Each trial's value.
        colors: Each trial's colour, "rgb(r,g,b)": blue for the lowest values, red for the highest, grey when
            infeasible.
        fractions: Each trial's rank as a fraction of the colour scale (0 = lowest value).
        feasible: Whether each trial satisfied its constraints.
        panels: ``[[panel]]`` for one or two parameters; for more, ``panels[i][j]`` puts ``params[j]`` along x
            and ``params[i]`` along y (None on the diagonal); empty without data.
        colorbar_values: The values at 0, 25, 50, 75 and 100 % of the colour scale.
    """

    target_name: str
    params: list[str]
    trial_numbers: list[int]
    values: list[float]
    colors: list[str]
    fractions: list[float]
    feasible: list[bool]
    panels: list[list[RankPanel | None]]
    colorbar_values: list[float]


def rank_fractions(values: np.ndarray) -> np.ndarray:
    """Each value's rank as a fraction in [0, 1] (0 = lowest); equal values share their mean rank."""
    n = values.size
    if n < 2:
        return np.zeros(n)
    order = np.argsort(values, kind="stable")
    ranks = np.empty(n)
    ranks[order] = np.arange(n, dtype=float)
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse.reshape(-1), weights=ranks)
    averaged: np.ndarray = sums[inverse.reshape(-1)] / counts[inverse.reshape(-1)] / (n - 1)
    return averaged


def rank_data(
    trial_set: TrialSet,
    params: Sequence[str] | None = None,
    *,
    target: TrialTarget | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> RankData:
    """Trials placed by pairs of parameters, each coloured by the rank of its value among all trials.

    Args:
        trial_set: The trials to draw (``TrialSet.of(study)``).
        params: The parameters to pair; every parameter when None.
        target: What to rank instead of the objective value (required for several objectives).
        target_name: The label of the target.

    Raises:
        InvalidArgumentError: For a multi-objective study without ``target``, or a parameter no trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), n_trials=5)
        >>> data = rank_data(TrialSet.of(study))
        >>> data.params, len(data.panels)
        (['x', 'y'], 1)
    """
    trials, values = plotted_trials(trial_set, target, target_name, plot="plot_rank")
    names = select_params(trials, params)
    empty = RankData(target_name, names, [], [], [], [], [], [], [])
    if not trials or not names:
        return empty
    feasible = feasibility(trials)
    fractions = rank_fractions(values)
    table = np.array([*color_table(RDYLBU_R), INFEASIBLE_RGB], dtype=object)
    shade = np.rint(fractions * (len(table) - 2)).astype(int)
    colors = table[np.where(feasible, shade, len(table) - 1)].tolist()
    # Draw infeasible trials first, then from the worst value to the best, so the best end up on top.
    maximize = target is None and trial_set.directions[0] == StudyDirection.MAXIMIZE
    draw_order = np.lexsort((values if maximize else -values, feasible))
    columns = param_axes(trials, names)
    n = len(names)
    n_panels = 1 if n <= 2 else n * (n - 1)
    limit = MAX_POINTS if n_panels == 1 else max(100, MAX_POINTS // n_panels)

    def panel(x_index: int, y_index: int | None) -> RankPanel:
        cx, ax_x = columns[x_index]
        cy, ax_y = (values, None) if y_index is None else columns[y_index]
        both = ~np.isnan(cx[draw_order]) & ~np.isnan(cy[draw_order])
        drawn = draw_order[both]
        drawn = drawn[spread_subset(drawn.size, limit, drawn.size - 1 if drawn.size else None)]
        return RankPanel(ax_x, ax_y, cx[drawn].tolist(), cy[drawn].tolist(), drawn.tolist())

    if n == 1:
        panels: list[list[RankPanel | None]] = [[panel(0, None)]]
    elif n == 2:
        panels = [[panel(0, 1)]]
    else:
        panels = [[None if i == j else panel(j, i) for j in range(n)] for i in range(n)]
    ok_values = values[feasible] if feasible.any() else values
    return RankData(
        target_name=target_name,
        params=names,
        trial_numbers=[t.number for t in trials],
        values=values.tolist(),
        colors=colors,
        fractions=fractions.tolist(),
        feasible=feasible.tolist(),
        panels=panels,
        colorbar_values=np.quantile(ok_values, COLORBAR_FRACTIONS).tolist(),
    )
