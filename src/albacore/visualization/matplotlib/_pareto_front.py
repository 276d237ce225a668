"""plot_pareto_front with matplotlib."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from albacore.trial import FrozenTrial
from albacore.visualization._style import BLUES, INFEASIBLE_COLOR, REDS
from albacore.visualization.data import ParetoFrontData, ParetoGroup, TrialSet, pareto_front_data
from albacore.visualization.matplotlib._common import colormap, pyplot, styled, warn_empty

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from albacore.study import Study

__all__ = ["plot_pareto_front"]

TITLE = "Pareto-front Plot"


def plot_pareto_front(
    study: Study,
    *,
    target_names: list[str] | None = None,
    include_dominated_trials: bool = True,
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    targets: Callable[[FrozenTrial], Sequence[float]] | None = None,
) -> Axes:
    """Plot the trials of a 2- or 3-objective study with the Pareto-optimal ones highlighted, with matplotlib.

    Same arguments and data as :func:`albacore.visualization.plot_pareto_front`.

    Returns:
        The matplotlib Axes (3-D Axes for three targets); empty (with a logged warning) when no trial has
        completed.

    Raises:
        ValueError: For other than 2 or 3 targets, or ``target_names`` of another length.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(directions=["minimize", "maximize"])
        >>> study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=10)
        >>> plot_pareto_front(study).get_xlabel()
        'Objective 0'
    """
    plt = pyplot("plot_pareto_front")
    data = pareto_front_data(
        TrialSet.of(study),
        target_names=target_names,
        include_dominated_trials=include_dominated_trials,
        constraints_func=constraints_func,
        targets=targets,
    )
    with styled(plt):
        ax: Axes = _draw(plt, data)
    return ax


def _draw(plt: Any, data: ParetoFrontData) -> Any:
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d" if data.n_targets == 3 else None)
    ax.set_title(TITLE)
    ax.set_xlabel(data.target_names[0])
    ax.set_ylabel(data.target_names[1])
    if data.n_targets == 3:
        ax.set_zlabel(data.target_names[2])
    groups = (data.best, data.dominated, data.infeasible)
    if not any(g.trial_numbers for g in groups):
        warn_empty(TITLE, "there are no completed trials to plot.")
        return ax
    numbers = [n for g in groups for n in g.trial_numbers]
    low, high = min(numbers), max(numbers)

    def draw(group: ParetoGroup, label: str, **style: Any) -> None:
        if group.trial_numbers:
            ax.scatter(*group.values, label=label, edgecolors="grey", linewidths=0.4, **style)

    shade = {"vmin": low, "vmax": max(high, low + 1)}
    if data.include_dominated_trials:
        draw(data.dominated, "Trial", c=data.dominated.trial_numbers, cmap=colormap(BLUES[2:]), **shade)
    draw(data.best, "Best Trial", c=data.best.trial_numbers, cmap=colormap(REDS[2:]), **shade)
    if data.has_constraints:
        draw(data.infeasible, "Infeasible Trial", color=INFEASIBLE_COLOR)
    ax.legend(loc="best")
    return ax
