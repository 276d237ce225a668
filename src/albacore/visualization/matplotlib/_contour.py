"""plot_contour with matplotlib."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore._optional import require
from albacore.trial import FrozenTrial
from albacore.visualization._style import INFEASIBLE_COLOR, matrix_edges
from albacore.visualization.data import DEFAULT_TARGET_NAME, ContourData, ContourPanel, TrialSet, contour_data
from albacore.visualization.matplotlib._common import apply_param_axis, colormap, pyplot, styled, titled_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from albacore.study import Study

__all__ = ["plot_contour"]

TITLE = "Contour Plot"
_LEVELS = 15


def plot_contour(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Axes | np.ndarray:
    """Plot the objective value interpolated over pairs of parameters, with matplotlib.

    Same arguments and data as :func:`albacore.visualization.plot_contour`.

    Returns:
        One Axes for two parameters (its colour bar is ``ax.figure.axes[-1]``), else an n x n array of Axes;
        empty Axes (with a logged warning) with fewer than two parameters or no completed trial.

    Raises:
        ValueError: For a multi-objective study without ``target``, or a parameter that no trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) * t.suggest_float("y", 0, 1), n_trials=20)
        >>> ax = plot_contour(study)
        >>> ax.get_xlabel(), ax.get_ylabel(), ax.figure.axes[-1].get_ylabel()
        ('x', 'y', 'Objective Value')
    """
    plt = pyplot("plot_contour")
    data = contour_data(TrialSet.of(study), params, target=target, target_name=target_name)
    with styled(plt):
        drawn: Axes | np.ndarray = _draw(plt, data)
    return drawn


def _panel(ax: Any, panel: ContourPanel, cmap: Any, norm: Any, *, labels: tuple[bool, bool]) -> Any:
    filled = None
    if panel.z is not None:
        z = np.asarray(panel.z)
        levels = np.linspace(norm.vmin, norm.vmax, _LEVELS + 1)
        filled = ax.contourf(panel.grid_x, panel.grid_y, z, levels=levels, cmap=cmap, norm=norm, extend="both")
        ax.contour(panel.grid_x, panel.grid_y, z, levels=levels, colors="white", linewidths=0.3, alpha=0.5)
    feasible = np.asarray(panel.feasible, dtype=bool)
    x, y = np.asarray(panel.x), np.asarray(panel.y)
    ax.scatter(x[feasible], y[feasible], c="black", s=8, edgecolors="white", linewidths=0.4)
    if not feasible.all():
        ax.scatter(x[~feasible], y[~feasible], c=INFEASIBLE_COLOR, s=8)
    apply_param_axis(ax, panel.x_axis, "x", label=labels[0])
    apply_param_axis(ax, panel.y_axis, "y", label=labels[1])
    return filled


def _draw(plt: Any, data: ContourData) -> Any:
    if not data.panels:
        return titled_axes(plt, TITLE, empty_because="it needs at least two parameters and a completed trial.")
    mpl = require("matplotlib", extra="matplotlib", feature="plot_contour")
    cmap = colormap()
    if data.reverse_scale:
        cmap = cmap.reversed()
    low, high = data.z_min or 0.0, data.z_max or 0.0
    norm = mpl.colors.Normalize(vmin=low, vmax=high if high > low else low + 1.0)
    n = len(data.panels)
    fig, axes = plt.subplots(n, n, squeeze=False, figsize=(6.4, 4.8) if n == 1 else (2.2 * n + 1.5, 2.2 * n))
    fig.suptitle(TITLE)
    for i, row in enumerate(data.panels):
        for j, panel in enumerate(row):
            ax = axes[i][j]
            if panel is None:
                ax.axis("off")
                continue
            edge_x, edge_y = matrix_edges(i, j, n)
            _panel(ax, panel, cmap, norm, labels=(edge_x, edge_y))
            ax.tick_params(labelbottom=edge_x, labelleft=edge_y)
    bar = fig.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=axes.ravel().tolist())
    bar.set_label(data.target_name)
    return axes[0][0] if n == 1 else axes
