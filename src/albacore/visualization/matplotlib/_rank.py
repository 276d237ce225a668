"""plot_rank with matplotlib."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore._optional import require
from albacore.trial import FrozenTrial
from albacore.visualization._style import RDYLBU_R, matrix_edges, to_hex
from albacore.visualization.data import DEFAULT_TARGET_NAME, RankData, TrialSet, rank_data
from albacore.visualization.data._rank import COLORBAR_FRACTIONS
from albacore.visualization.matplotlib._common import apply_param_axis, colormap, pyplot, styled, titled_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from albacore.study import Study

__all__ = ["plot_rank"]


def plot_rank(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Axes | np.ndarray:
    """Plot trials placed by pairs of parameters, coloured by the rank of their value, with matplotlib.

    Same arguments and data as :func:`albacore.visualization.plot_rank`.

    Returns:
        One Axes for one or two parameters, else an n x n array of Axes; empty Axes (with a logged warning)
        when no trial has completed.

    Raises:
        ValueError: For a multi-objective study without ``target``, or a parameter that no trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), n_trials=5)
        >>> plot_rank(study).figure.axes[-1].get_ylabel()
        'Objective Value'
    """
    plt = pyplot("plot_rank")
    data = rank_data(TrialSet.of(study), params, target=target, target_name=target_name)
    with styled(plt):
        drawn: Axes | np.ndarray = _draw(plt, data)
    return drawn


def _draw(plt: Any, data: RankData) -> Any:
    title = f"Rank ({data.target_name})"
    if not data.panels:
        return titled_axes(plt, title, empty_because="there are no completed trials to plot.")
    mpl = require("matplotlib", extra="matplotlib", feature="plot_rank")
    n = len(data.panels)
    fig, axes = plt.subplots(n, n, squeeze=False, figsize=(6.4, 4.8) if n == 1 else (2.2 * n + 1.5, 2.2 * n))
    fig.suptitle(title)
    colors = np.array([to_hex(c) for c in data.colors])
    for i, row in enumerate(data.panels):
        for j, panel in enumerate(row):
            ax = axes[i][j]
            if panel is None:
                ax.axis("off")
                continue
            edge_x, edge_y = matrix_edges(i, j, n)
            ax.scatter(
                panel.x, panel.y, c=colors[np.asarray(panel.points, dtype=int)], s=10, edgecolors="grey", linewidths=0.3
            )
            apply_param_axis(ax, panel.x_axis, "x", label=edge_x)
            if panel.y_axis is None:
                ax.set_ylabel(data.target_name)
            else:
                apply_param_axis(ax, panel.y_axis, "y", label=edge_y)
            ax.tick_params(labelbottom=edge_x, labelleft=edge_y or panel.y_axis is None)
    mappable = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(0.0, 1.0), cmap=colormap(RDYLBU_R))
    bar = fig.colorbar(mappable, ax=axes.ravel().tolist())
    bar.set_ticks(COLORBAR_FRACTIONS)
    bar.set_ticklabels([f"{v:.3g}" for v in data.colorbar_values])
    bar.set_label(data.target_name)
    return axes[0][0] if n == 1 else axes
