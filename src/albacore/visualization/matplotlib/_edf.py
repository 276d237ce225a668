"""plot_edf with matplotlib."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from albacore.trial import FrozenTrial
from albacore.visualization._style import PALETTE
from albacore.visualization.data import DEFAULT_TARGET_NAME, EdfData, edf_data
from albacore.visualization.data._common import as_trial_sets
from albacore.visualization.matplotlib._common import pyplot, styled, titled_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from albacore.study import Study

__all__ = ["plot_edf"]

TITLE = "Empirical Distribution Function Plot"


def plot_edf(
    study: Study | Sequence[Study],
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Axes:
    """Plot the empirical distribution function of the objective values, with matplotlib.

    Same arguments and data as :func:`albacore.visualization.plot_edf`.

    Returns:
        The matplotlib Axes; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For a multi-objective study without ``target``.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
        >>> plot_edf(study).get_xlabel()
        'Objective Value'
    """
    plt = pyplot("plot_edf")
    data = edf_data(as_trial_sets(study), target=target, target_name=target_name)
    with styled(plt):
        ax: Axes = _draw(plt, data)
    return ax


def _draw(plt: Any, data: EdfData) -> Any:
    ax = titled_axes(plt, TITLE, empty_because=None if data.lines else "there are no completed trials to plot.")
    ax.set_xlabel(data.target_name)
    ax.set_ylabel("Cumulative Probability")
    ax.set_ylim(-0.02, 1.02)
    for i, line in enumerate(data.lines):
        ax.plot(data.x_values, line.y_values, color=PALETTE[i % len(PALETTE)], label=line.study_name)
    if data.lines:
        ax.legend(loc="lower right")
    return ax
