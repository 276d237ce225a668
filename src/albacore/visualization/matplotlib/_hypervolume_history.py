"""plot_hypervolume_history with matplotlib."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from albacore.visualization._style import PALETTE
from albacore.visualization.data import HypervolumeHistoryData, TrialSet, hypervolume_history_data
from albacore.visualization.matplotlib._common import pyplot, styled, titled_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from albacore.study import Study

__all__ = ["plot_hypervolume_history"]

TITLE = "Hypervolume History Plot"


def plot_hypervolume_history(study: Study, reference_point: Sequence[float]) -> Axes:
    """Plot the hypervolume of the feasible Pareto front after each trial, with matplotlib.

    Same arguments and data as :func:`albacore.visualization.plot_hypervolume_history`.

    Returns:
        The matplotlib Axes; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For a single-objective study, or a reference point of the wrong length.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(directions=["minimize", "minimize"])
        >>> study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=5)
        >>> plot_hypervolume_history(study, reference_point=[1.0, 1.0]).get_ylabel()
        'Hypervolume'
    """
    plt = pyplot("plot_hypervolume_history")
    data = hypervolume_history_data(TrialSet.of(study), reference_point)
    with styled(plt):
        ax: Axes = _draw(plt, data)
    return ax


def _draw(plt: Any, data: HypervolumeHistoryData) -> Any:
    ax = titled_axes(plt, TITLE, empty_because=None if data.trial_numbers else "there are no completed trials.")
    ax.set_xlabel("Trial")
    ax.set_ylabel("Hypervolume")
    if data.trial_numbers:
        ax.step(data.trial_numbers, data.values, where="post", color=PALETTE[0], marker="o", markersize=3)
    return ax
