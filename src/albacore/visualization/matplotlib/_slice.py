"""plot_slice with matplotlib."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from albacore.trial import FrozenTrial
from albacore.visualization._style import INFEASIBLE_COLOR
from albacore.visualization.data import DEFAULT_TARGET_NAME, SliceData, TrialSet, slice_data
from albacore.visualization.matplotlib._common import apply_param_axis, colormap, pyplot, styled, titled_axes

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes

    from albacore.study import Study

__all__ = ["plot_slice"]

TITLE = "Slice Plot"


def plot_slice(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Axes | np.ndarray:
    """Plot the objective value against each parameter, one panel per parameter, with matplotlib.

    Same arguments and data as :func:`albacore.visualization.plot_slice`.

    Returns:
        One Axes for one parameter, else an array of Axes (one per parameter); empty Axes (with a logged
        warning) when no trial has completed.

    Raises:
        ValueError: For a multi-objective study without ``target``, or a parameter that no trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("n", 1, 3), n_trials=5)
        >>> [ax.get_xlabel() for ax in plot_slice(study)]
        ['n', 'x']
    """
    plt = pyplot("plot_slice")
    data = slice_data(TrialSet.of(study), params, target=target, target_name=target_name)
    with styled(plt):
        drawn: Axes | np.ndarray = _draw(plt, data)
    return drawn


def _draw(plt: Any, data: SliceData) -> Any:
    if not data.subplots:
        return titled_axes(plt, TITLE, empty_because="there are no completed trials to plot.")
    n = len(data.subplots)
    fig, axes = plt.subplots(1, n, sharey=True, figsize=(max(3.2 * n, 6.4), 4.8), squeeze=False)
    fig.suptitle(TITLE)
    cmap = colormap()
    low = min((min(s.trial_numbers) for s in data.subplots if s.trial_numbers), default=0)
    high = max((max(s.trial_numbers) for s in data.subplots if s.trial_numbers), default=1)
    scatter = None
    for ax, sub in zip(axes[0], data.subplots, strict=True):
        good = [i for i, ok in enumerate(sub.feasible) if ok]
        bad = [i for i, ok in enumerate(sub.feasible) if not ok]
        scatter = ax.scatter(
            [sub.x[i] for i in good],
            [sub.y[i] for i in good],
            c=[sub.trial_numbers[i] for i in good],
            cmap=cmap,
            vmin=low,
            vmax=max(high, low + 1),
            edgecolors="grey",
            linewidths=0.5,
        )
        if bad:
            ax.scatter([sub.x[i] for i in bad], [sub.y[i] for i in bad], color=INFEASIBLE_COLOR)
        apply_param_axis(ax, sub.axis)
    axes[0][0].set_ylabel(data.target_name)
    if scatter is not None:
        fig.colorbar(scatter, ax=axes[0].tolist()).set_label("Trial")
    return axes[0][0] if n == 1 else axes[0]
