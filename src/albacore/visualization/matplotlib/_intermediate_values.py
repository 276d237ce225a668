"""plot_intermediate_values with matplotlib."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from albacore._optional import require
from albacore.visualization._style import INFEASIBLE_COLOR, PALETTE, STATE_COLORS
from albacore.visualization.data import IntermediateValuesData, TrialSet, intermediate_values_data
from albacore.visualization.matplotlib._common import pyplot, styled, titled_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from albacore.study import Study

__all__ = ["plot_intermediate_values"]

TITLE = "Intermediate Values Plot"

# Above this many curves, colour by trial state instead of per trial (hundreds of hues tell nothing apart).
MAX_SEPARATE_COLORS = 200


def plot_intermediate_values(study: Study) -> Axes:
    """Plot the learning curve each trial reported, with matplotlib.

    Same data as :func:`albacore.visualization.plot_intermediate_values`.

    Args:
        study: The study whose trials' reports to draw.

    Returns:
        The matplotlib Axes; empty (with a logged warning) when no trial reported a value.

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     for step in range(3):
        ...         trial.report(step * 0.1, step)
        ...     return 0.0
        >>> study = albacore.create_study()
        >>> study.optimize(objective, n_trials=2)
        >>> len(plot_intermediate_values(study).collections)
        1
    """
    plt = pyplot("plot_intermediate_values")
    data = intermediate_values_data(TrialSet.of(study))
    with styled(plt):
        ax: Axes = _draw(plt, data)
    return ax


def _draw(plt: Any, data: IntermediateValuesData) -> Any:
    collections = require("matplotlib.collections", extra="matplotlib", feature="plot_intermediate_values")
    ax = titled_axes(plt, TITLE, empty_because=None if data.curves else "no trial reported intermediate values.")
    ax.set_xlabel("Step")
    ax.set_ylabel("Intermediate Value")
    if not data.curves:
        return ax
    per_trial = len(data.curves) <= MAX_SEPARATE_COLORS
    segments = []
    colors = []
    for curve in data.curves:
        points = [(s, v) for s, v in zip(curve.steps, curve.values, strict=True) if v is not None]
        segments.append(points)
        if not curve.feasible:
            colors.append(INFEASIBLE_COLOR)
        elif per_trial:
            colors.append(PALETTE[curve.trial_number % len(PALETTE)])
        else:
            colors.append(STATE_COLORS.get(curve.state, PALETTE[0]))
    # One LineCollection draws thousands of curves far faster than one plot() call each.
    ax.add_collection(collections.LineCollection(segments, colors=colors, linewidths=1.0, alpha=0.7))
    ax.autoscale()
    return ax
