"""plot_optimization_history with matplotlib."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from albacore.trial import FrozenTrial
from albacore.visualization._style import INFEASIBLE_COLOR, PALETTE
from albacore.visualization.data import DEFAULT_TARGET_NAME, OptimizationHistoryData, optimization_history_data
from albacore.visualization.data._common import as_trial_sets
from albacore.visualization.matplotlib._common import pyplot, styled, titled_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from albacore.study import Study

__all__ = ["plot_optimization_history"]

TITLE = "Optimization History Plot"


def plot_optimization_history(
    study: Study | Sequence[Study],
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    error_bar: bool = False,
) -> Axes:
    """Plot each trial's objective value and the best value so far with matplotlib.

    Same arguments and data as :func:`albacore.visualization.plot_optimization_history`.

    Returns:
        The matplotlib Axes; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For a multi-objective study without ``target``.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=5)
        >>> ax = plot_optimization_history(study)
        >>> ax.get_ylabel()
        'Objective Value'
    """
    plt = pyplot("plot_optimization_history")
    data = optimization_history_data(as_trial_sets(study), target=target, target_name=target_name, error_bar=error_bar)
    with styled(plt):
        ax: Axes = _draw(plt, data)
    return ax


def _draw(plt: Any, data: OptimizationHistoryData) -> Any:
    ax = titled_axes(plt, TITLE, empty_because=None if data.lines else "there are no completed trials to plot.")
    ax.set_xlabel("Trial")
    ax.set_ylabel(data.target_name)
    several = len(data.lines) > 1
    for i, line in enumerate(data.lines):
        color = PALETTE[i % len(PALETTE)] if several else PALETTE[0]
        good = [k for k, ok in enumerate(line.feasible) if ok]
        bad = [k for k, ok in enumerate(line.feasible) if not ok]
        x = [line.trial_numbers[k] for k in good]
        y = [line.values[k] for k in good]
        if line.value_errors is not None:
            ax.errorbar(x, y, yerr=[line.value_errors[k] for k in good], fmt="o", color=color, alpha=0.6)
        ax.scatter(x, y, color=color, alpha=0.8, label=line.label)
        if bad:
            ax.scatter(
                [line.trial_numbers[k] for k in bad],
                [line.values[k] for k in bad],
                color=INFEASIBLE_COLOR,
                label="Infeasible Trial" if i == 0 else None,
            )
        if line.best_values is not None:
            best = [float("nan") if v is None else v for v in line.best_values]
            best_color = color if several else PALETTE[3]
            ax.step(line.trial_numbers, best, where="post", color=best_color, label=line.best_label)
            if line.best_errors is not None:
                err = [0.0 if e is None else e for e in line.best_errors]
                ax.fill_between(
                    line.trial_numbers,
                    [b - e for b, e in zip(best, err, strict=True)],
                    [b + e for b, e in zip(best, err, strict=True)],
                    step="post",
                    color=best_color,
                    alpha=0.2,
                )
    if data.lines:
        ax.legend(loc="upper right")
    return ax
