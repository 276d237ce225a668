"""plot_parallel_coordinate with matplotlib."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from albacore._optional import require
from albacore.trial import FrozenTrial
from albacore.visualization._parallel_coordinate import LINE_COLORS, color_range
from albacore.visualization._style import to_hex
from albacore.visualization.data import (
    DEFAULT_TARGET_NAME,
    ParallelCoordinateData,
    TrialSet,
    parallel_coordinate_data,
)
from albacore.visualization.matplotlib._common import colormap, pyplot, styled, titled_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from albacore.study import Study

__all__ = ["plot_parallel_coordinate"]

TITLE = "Parallel Coordinate Plot"


def plot_parallel_coordinate(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Axes:
    """Plot every trial as a line across the objective and the parameters, with matplotlib.

    Same arguments and data as :func:`albacore.visualization.plot_parallel_coordinate`; log-scaled parameters
    are spaced in log space (no crash on log axes, optuna#3370).

    Returns:
        The matplotlib Axes (the colour bar is ``ax.figure.axes[1]``); empty (with a logged warning) when no
        trial has completed.

    Raises:
        ValueError: For a parameter that no trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("n", 1, 3), n_trials=5)
        >>> [label.get_text() for label in plot_parallel_coordinate(study).get_xticklabels()]
        ['Objective Value', 'n', 'x']
    """
    plt = pyplot("plot_parallel_coordinate")
    data = parallel_coordinate_data(TrialSet.of(study), params, target=target, target_name=target_name)
    with styled(plt):
        ax: Axes = _draw(plt, data)
    return ax


def _draw(plt: Any, data: ParallelCoordinateData) -> Any:
    mpl = require("matplotlib", extra="matplotlib", feature="plot_parallel_coordinate")
    collections = require("matplotlib.collections", extra="matplotlib", feature="plot_parallel_coordinate")
    lines_mod = require("matplotlib.lines", extra="matplotlib", feature="plot_parallel_coordinate")
    ax = titled_axes(plt, TITLE, empty_because=None if data.trial_numbers else "there are no completed trials.")
    dims = data.dimensions
    n = len(dims)
    ax.set_xticks(range(n))
    ax.set_xticklabels([d.label for d in dims])
    ax.set_xlim(-0.2, n - 0.5)
    ax.set_ylim(-0.05, 1.05)
    ax.set_yticks([])
    ax.grid(False)
    if not data.trial_numbers:
        return ax
    ax.figure.set_size_inches(max(6.4, 1.1 * n + 2), 4.8)
    cmap = colormap(LINE_COLORS)
    if data.reverse_scale:
        cmap = cmap.reversed()
    low, high = color_range(data)
    norm = mpl.colors.Normalize(vmin=low, vmax=high)
    colors = cmap(norm(data.color_values))
    for feasible, style in ((False, ":"), (True, "-")):
        picked = [i for i, ok in enumerate(data.feasible) if ok == feasible]
        if not picked:
            continue
        segments = [[(k, d.positions[i]) for k, d in enumerate(dims)] for i in picked]
        ax.add_collection(
            collections.LineCollection(segments, colors=colors[picked], linewidths=1.0, alpha=0.6, linestyles=style)
        )
    for k, dim in enumerate(dims):
        ax.axvline(k, color="#444", linewidth=1)
        for position, label in zip(dim.tick_positions, dim.tick_labels, strict=True):
            ax.text(k + 0.03, position, label, fontsize=8, va="center")
    mappable = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
    bar = ax.figure.colorbar(mappable, ax=ax)
    bar.set_label(data.colorbar_title)
    if data.is_rank_color:
        bar.set_ticks(sorted({int(v) for v in data.color_values})[:: max(1, len(set(data.color_values)) // 10)])
    if data.has_constraints:
        handles = [
            lines_mod.Line2D([], [], color=to_hex(LINE_COLORS[-2]), linestyle=style, label=name)
            for name, style in (("Feasible", "-"), ("Infeasible", ":"))
        ]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
    return ax
