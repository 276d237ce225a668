"""plot_terminator_improvement with matplotlib."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from albacore.terminator import BaseErrorEvaluator, BaseImprovementEvaluator
from albacore.terminator._improvement import DEFAULT_MIN_N_TRIALS
from albacore.visualization._terminator_improvement import EARLY_OPACITY, ERROR_COLOR, IMPROVEMENT_COLOR, TITLE
from albacore.visualization.data import TerminatorImprovementData, TrialSet, terminator_improvement_data
from albacore.visualization.matplotlib._common import pyplot, styled, titled_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from albacore.study import Study

__all__ = ["plot_terminator_improvement"]


def plot_terminator_improvement(
    study: Study,
    plot_error: bool = False,
    improvement_evaluator: BaseImprovementEvaluator | None = None,
    error_evaluator: BaseErrorEvaluator | None = None,
    min_n_trials: int = DEFAULT_MIN_N_TRIALS,
) -> Axes:
    """Plot the room left for improvement after each trial with matplotlib (and optionally the error).

    Same arguments and data as :func:`albacore.visualization.plot_terminator_improvement`.

    Returns:
        The matplotlib Axes; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For a study with several objectives.

    Example:
        >>> import albacore
        >>> from albacore.terminator import BestValueStagnationEvaluator
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
        >>> ax = plot_terminator_improvement(study, improvement_evaluator=BestValueStagnationEvaluator())
        >>> ax.get_ylabel()
        'Terminator Improvement'
    """
    plt = pyplot("plot_terminator_improvement")
    data = terminator_improvement_data(
        TrialSet.of(study),
        plot_error=plot_error,
        improvement_evaluator=improvement_evaluator,
        error_evaluator=error_evaluator,
        min_n_trials=min_n_trials,
    )
    with styled(plt):
        ax: Axes = _draw(plt, data)
    return ax


def _draw(plt: Any, data: TerminatorImprovementData) -> Any:
    ax = titled_axes(plt, TITLE, empty_because=None if data.trial_numbers else "there are no completed trials to plot.")
    ax.set_xlabel("Trial")
    ax.set_ylabel("Terminator Improvement")
    if not data.trial_numbers:
        return ax
    cut = data.min_n_trials
    late = len(data.trial_numbers) > cut
    ax.plot(
        data.trial_numbers[: cut + 1],
        data.improvements[: cut + 1],
        marker="o",
        color=IMPROVEMENT_COLOR,
        alpha=EARLY_OPACITY,
        label=None if late else "Terminator Improvement",
    )
    if late:
        ax.plot(
            data.trial_numbers[cut:],
            data.improvements[cut:],
            marker="o",
            color=IMPROVEMENT_COLOR,
            label="Terminator Improvement",
        )
    if data.errors is not None:
        ax.plot(data.trial_numbers, data.errors, marker="o", color=ERROR_COLOR, label="Error")
    ax.legend()
    if data.y_range is not None and data.y_range[0] < data.y_range[1]:
        ax.set_ylim(*data.y_range)
    return ax
