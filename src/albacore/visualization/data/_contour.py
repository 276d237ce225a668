"""Data of the contour plot: the objective interpolated over pairs of parameters, with the trials on top.

The work is capped so that thousands of trials and dozens of parameters stay quick and the figure small
(a 1,200-trial contour used to weigh 70 MB, optuna#3688): each pair gets one grid of at most 100 x 100 nodes
(smaller when many pairs share a matrix, so the whole matrix holds about 250,000 nodes), the best trial value
nearest each node seeds the grid, and the gaps are filled by nearest value then smoothed (harmonic
interpolation). At most a few thousand trial markers are kept per figure.
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
    feasibility,
    param_axes,
    plotted_trials,
    select_params,
)

__all__ = ["ContourData", "ContourPanel", "contour_data", "spread_subset"]

SINGLE_RESOLUTION = 100
"""Grid nodes per axis when the plot has a single pair of parameters."""

MATRIX_NODES = 250_000
"""About how many grid nodes a whole matrix of pairs holds (each pair between 12 and 60 per axis)."""

MAX_POINTS = 5_000
"""About how many trial markers a whole figure holds (at least 100 per pair)."""

_SMOOTHING_STEPS = 25


@dataclass(frozen=True)
class ContourPanel:
    """One pair of parameters.

    Attributes:
        x_axis: The parameter along x.
        y_axis: The parameter along y.
        grid_x: Grid node coordinates along x (raw values on log axes, positions on categorical ones).
        grid_y: Grid node coordinates along y.
        z: The interpolated value at each node, one row per ``grid_y`` entry; None when the trials do not span
            both axes (fewer than two distinct values on one of them), in which case only the points are drawn.
        x: The drawn trials' x coordinates.
        y: The drawn trials' y coordinates.
        trial_numbers: The drawn trials.
        feasible: Whether each drawn trial satisfied its constraints (infeasible ones are not interpolated).
    """

    x_axis: ParamAxis
    y_axis: ParamAxis
    grid_x: list[float]
    grid_y: list[float]
    z: list[list[float]] | None
    x: list[float]
    y: list[float]
    trial_numbers: list[int]
    feasible: list[bool]


@dataclass(frozen=True)
class ContourData:
    """Everything the contour plot draws.

    Attributes:
        target_name: The colour bar title.
        params: The parameters, sorted by name.
        panels: For two parameters one panel, ``[[panel]]``; for more, a matrix where ``panels[i][j]`` puts
            ``params[j]`` along x and ``params[i]`` along y (None on the diagonal); empty with fewer than two
            parameters or no completed trial.
        reverse_scale: Low values are the good ones (drawn darkest).
        z_min: The smallest value on any panel (the colour scale's low end), None without data.
        z_max: The largest value on any panel.
    """

    target_name: str
    params: list[str]
    panels: list[list[ContourPanel | None]]
    reverse_scale: bool
    z_min: float | None = None
    z_max: float | None = None


def spread_subset(count: int, limit: int, keep: int | None = None) -> np.ndarray:
    """Indexes of at most ``limit`` of ``count`` items, evenly spread, always including ``keep``."""
    if count <= limit:
        return np.arange(count)
    picked = np.unique(np.linspace(0, count - 1, limit).round().astype(int))
    if keep is not None and keep not in picked:
        picked = np.sort(np.append(picked[:-1] if picked.size >= limit else picked, keep))
    return picked


def _grid(axis: ParamAxis, resolution: int) -> np.ndarray:
    low, high = axis.padded_range()
    if axis.is_log:
        return np.logspace(math.log10(low), math.log10(high), resolution)
    return np.linspace(low, high, resolution)


def _node(coords: np.ndarray, grid: np.ndarray, is_log: bool) -> np.ndarray:
    """The index of the grid node nearest each coordinate (grids are evenly spaced, in log space if log)."""
    if is_log:
        coords, grid = np.log10(coords), np.log10(grid)
    step = (grid[-1] - grid[0]) / (grid.size - 1)
    nodes: np.ndarray = np.clip(np.rint((coords - grid[0]) / step), 0, grid.size - 1).astype(np.intp)
    return nodes


def _fill(z: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Fill the unknown nodes of several grids (panels x rows x cols): nearest known value, then smoothed."""
    from scipy import ndimage

    filled = np.empty_like(z)
    for p in range(z.shape[0]):
        _, (rows, cols) = ndimage.distance_transform_edt(~known[p], return_indices=True)
        filled[p] = z[p][rows, cols]
    # Jacobi steps towards the harmonic interpolant, known nodes held fixed: this rounds off the nearest-value
    # cells without moving any value outside the range of the trials. The border repeats the edge nodes.
    padded = np.pad(filled, ((0, 0), (1, 1), (1, 1)), mode="edge")
    inner = padded[:, 1:-1, 1:-1]
    unknown = ~known
    for _ in range(_SMOOTHING_STEPS):
        mean = (padded[:, :-2, 1:-1] + padded[:, 2:, 1:-1] + padded[:, 1:-1, :-2] + padded[:, 1:-1, 2:]) * 0.25
        np.copyto(inner, mean, where=unknown)
        padded[:, 0, :], padded[:, -1, :] = padded[:, 1, :], padded[:, -2, :]
        padded[:, :, 0], padded[:, :, -1] = padded[:, :, 1], padded[:, :, -2]
    filled = inner.copy()
    smoothed: np.ndarray = filled
    return smoothed


def contour_data(
    trial_set: TrialSet,
    params: Sequence[str] | None = None,
    *,
    target: TrialTarget | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> ContourData:
    """Interpolated objective values over every pair of parameters, from the COMPLETE trials.

    Infeasible trials are drawn but not interpolated. A trial that lacks one of the two parameters (a
    conditional one) is left out of that pair only.

    Args:
        trial_set: The trials to draw (``TrialSet.of(study)``).
        params: The parameters to pair; every parameter when None.
        target: What to draw instead of the objective value (required for several objectives).
        target_name: The label of the target.

    Raises:
        InvalidArgumentError: For a multi-objective study without ``target``, or a parameter no trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), n_trials=20)
        >>> data = contour_data(TrialSet.of(study))
        >>> data.params, len(data.panels[0][0].grid_x)
        (['x', 'y'], 100)
    """
    trials, values = plotted_trials(trial_set, target, target_name, plot="plot_contour")
    names = sorted(select_params(trials, params))
    maximize = target is None and trial_set.directions[0] == StudyDirection.MAXIMIZE
    if len(names) < 2 or not trials:
        return ContourData(target_name, names, [], reverse_scale=not maximize)
    feasible = feasibility(trials)
    numbers = np.array([t.number for t in trials])
    columns = param_axes(trials, names)
    n = len(names)
    pairs = [(0, 1)] if n == 2 else [(i, j) for i in range(n) for j in range(i + 1, n)]
    resolution = SINGLE_RESOLUTION if n == 2 else int(np.clip(math.sqrt(MATRIX_NODES / len(pairs)), 12, 60))
    point_limit = MAX_POINTS if n == 2 else max(100, MAX_POINTS // (2 * len(pairs)))
    # Sign so that "smaller is better" when keeping the best value that lands on a grid node.
    signed = -values if maximize else values
    best_index = int(np.argmin(signed))

    grids: list[tuple[np.ndarray, np.ndarray]] = []
    seeds = np.full((len(pairs), resolution, resolution), np.inf)
    interpolate = np.zeros(len(pairs), dtype=bool)
    points: list[np.ndarray] = []
    for p, (i, j) in enumerate(pairs):
        (cx, ax_x), (cy, ax_y) = columns[j], columns[i]
        both = ~np.isnan(cx) & ~np.isnan(cy)
        drawn = np.flatnonzero(both)
        keep = int(np.searchsorted(drawn, best_index)) if both[best_index] else None
        points.append(drawn[spread_subset(drawn.size, point_limit, keep)])
        if math.isnan(ax_x.low) or math.isnan(ax_y.low):
            grids.append((np.zeros(0), np.zeros(0)))
            continue
        gx, gy = _grid(ax_x, resolution), _grid(ax_y, resolution)
        grids.append((gx, gy))
        used = both & feasible
        spans = ax_x.high > ax_x.low and ax_y.high > ax_y.low
        if not spans or used.sum() < 2:
            continue
        flat = _node(cy[used], gy, ax_y.is_log) * resolution + _node(cx[used], gx, ax_x.is_log)
        np.minimum.at(seeds[p].reshape(-1), flat, signed[used])
        interpolate[p] = True
    z_all = np.zeros_like(seeds)
    if interpolate.any():
        chosen = seeds[interpolate]
        z_all[interpolate] = _fill(chosen, np.isfinite(chosen))
    if maximize:
        z_all = -z_all

    def panel(p: int, transpose: bool) -> ContourPanel:
        i, j = pairs[p]
        if transpose:
            i, j = j, i
        (cx, ax_x), (cy, ax_y) = columns[j], columns[i]
        gx, gy = grids[p] if not transpose else grids[p][::-1]
        z = None
        if interpolate[p]:
            z = (z_all[p].T if transpose else z_all[p]).tolist()
        drawn = points[p]
        return ContourPanel(
            x_axis=ax_x,
            y_axis=ax_y,
            grid_x=gx.tolist(),
            grid_y=gy.tolist(),
            z=z,
            x=cx[drawn].tolist(),
            y=cy[drawn].tolist(),
            trial_numbers=numbers[drawn].tolist(),
            feasible=feasible[drawn].tolist(),
        )

    if n == 2:
        panels: list[list[ContourPanel | None]] = [[panel(0, transpose=True)]]  # x: the first name
    else:
        index = {pair: p for p, pair in enumerate(pairs)}
        panels = [
            [None if i == j else panel(index[(min(i, j), max(i, j))], transpose=i > j) for j in range(n)]
            for i in range(n)
        ]
    finite = values[feasible] if feasible.any() else values
    return ContourData(
        target_name,
        names,
        panels,
        reverse_scale=not maximize,
        z_min=float(finite.min()),
        z_max=float(finite.max()),
    )
