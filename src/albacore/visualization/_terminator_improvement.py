"""plot_terminator_improvement with plotly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from albacore.terminator import BaseErrorEvaluator, BaseImprovementEvaluator
from albacore.terminator._improvement import DEFAULT_MIN_N_TRIALS
from albacore.visualization._plotly import empty_figure, make_figure, plotly_go
from albacore.visualization._style import PALETTE
from albacore.visualization.data import TerminatorImprovementData, TrialSet, terminator_improvement_data

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from albacore.study import Study

__all__ = ["plot_terminator_improvement"]

TITLE = "Terminator Improvement Plot"
IMPROVEMENT_COLOR = PALETTE[0]
ERROR_COLOR = PALETTE[3]
EARLY_OPACITY = 0.25
"""Points before ``min_n_trials`` (where a terminator never stops) are drawn this faint."""


def plot_terminator_improvement(
    study: Study,
    plot_error: bool = False,
    improvement_evaluator: BaseImprovementEvaluator | None = None,
    error_evaluator: BaseErrorEvaluator | None = None,
    min_n_trials: int = DEFAULT_MIN_N_TRIALS,
) -> go.Figure:
    """Plot the room left for improvement after each trial, and optionally the error it is compared with.

    The improvement evaluator runs on the completed trials up to every trial (by default a GP regret bound:
    one GP fit per trial, a few seconds for hundreds of trials). A terminator with the same evaluators stops at
    the first trial after ``min_n_trials`` where the improvement falls below the error.

    Args:
        study: A single-objective study.
        plot_error: Draw the error evaluator's values too.
        improvement_evaluator: ``RegretBoundEvaluator()`` by default.
        error_evaluator: ``CrossValidationErrorEvaluator()`` by default (``StaticErrorEvaluator(0)`` for a
            ``BestValueStagnationEvaluator``); used only with ``plot_error``.
        min_n_trials: The points up to this many trials are drawn faint.

    Returns:
        A plotly figure; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For a study with several objectives.

    Example:
        >>> import albacore
        >>> from albacore.terminator import BestValueStagnationEvaluator
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
        >>> fig = plot_terminator_improvement(study, improvement_evaluator=BestValueStagnationEvaluator())
        >>> fig.layout.title.text
        'Terminator Improvement Plot'
    """
    go = plotly_go("plot_terminator_improvement")
    data = terminator_improvement_data(
        TrialSet.of(study),
        plot_error=plot_error,
        improvement_evaluator=improvement_evaluator,
        error_evaluator=error_evaluator,
        min_n_trials=min_n_trials,
    )
    return _draw(go, data)


def _line(x: list[int], y: list[float], name: str, color: str, *, opacity: float = 1.0, legend: bool = True) -> Any:
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "markers+lines",
        "name": name,
        "marker": {"color": color},
        "line": {"color": color},
        "opacity": opacity,
        "showlegend": legend,
        "legendgroup": name,
    }


def _draw(go: Any, data: TerminatorImprovementData) -> Any:
    layout: dict[str, Any] = {
        "title": {"text": TITLE},
        "xaxis": {"title": {"text": "Trial"}},
        "yaxis": {"title": {"text": "Terminator Improvement"}},
    }
    if not data.trial_numbers:
        return empty_figure(go, TITLE, "there are no completed trials to plot.", layout)
    cut = data.min_n_trials
    late = len(data.trial_numbers) > cut
    traces = [
        _line(
            data.trial_numbers[: cut + 1],
            data.improvements[: cut + 1],
            "Terminator Improvement",
            IMPROVEMENT_COLOR,
            opacity=EARLY_OPACITY,
            legend=not late,
        )
    ]
    if late:
        traces.append(
            _line(data.trial_numbers[cut:], data.improvements[cut:], "Terminator Improvement", IMPROVEMENT_COLOR)
        )
    if data.errors is not None:
        traces.append(_line(data.trial_numbers, data.errors, "Error", ERROR_COLOR))
    if data.y_range is not None and data.y_range[0] < data.y_range[1]:
        layout["yaxis"]["range"] = list(data.y_range)
    return make_figure(go, traces, layout)
