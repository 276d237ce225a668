"""plot_optimization_history with plotly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.trial import FrozenTrial
from albacore.visualization._plotly import empty_figure, make_figure, plotly_go
from albacore.visualization._style import INFEASIBLE_COLOR, PALETTE
from albacore.visualization.data import DEFAULT_TARGET_NAME, OptimizationHistoryData, optimization_history_data
from albacore.visualization.data._common import as_trial_sets

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from albacore.study import Study

__all__ = ["plot_optimization_history"]

TITLE = "Optimization History Plot"


def plot_optimization_history(
    study: Study | Sequence[Study],
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    error_bar: bool = False,
) -> go.Figure:
    """Plot each trial's objective value and the best value so far, for one study or several.

    Args:
        study: A study, or a sequence of studies to compare.
        target: What to plot instead of the objective value; required for multi-objective studies
            (``lambda t: t.values[0]``). No best-value line is drawn for a custom target.
        target_name: The y-axis title.
        error_bar: With several studies, draw the mean and standard deviation at each trial number instead of
            one line per study.

    Returns:
        A plotly figure; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For a multi-objective study without ``target``.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=5)
        >>> fig = plot_optimization_history(study)
        >>> fig.layout.title.text
        'Optimization History Plot'
    """
    go = plotly_go("plot_optimization_history")
    data = optimization_history_data(as_trial_sets(study), target=target, target_name=target_name, error_bar=error_bar)
    return _draw(go, data)


def _floats(values: list[float | None] | list[float]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _draw(go: Any, data: OptimizationHistoryData) -> Any:
    layout = {
        "title": {"text": TITLE},
        "xaxis": {"title": {"text": "Trial"}},
        "yaxis": {"title": {"text": data.target_name}},
    }
    if not data.lines:
        return empty_figure(go, TITLE, "there are no completed trials to plot.", layout)
    traces: list[dict[str, Any]] = []
    several = len(data.lines) > 1
    for i, line in enumerate(data.lines):
        color = PALETTE[i % len(PALETTE)] if several else PALETTE[0]
        numbers, values = np.asarray(line.trial_numbers), _floats(line.values)
        ok = np.asarray(line.feasible, dtype=bool)
        values_trace: dict[str, Any] = {
            "type": "scatter",
            "x": numbers[ok],
            "y": values[ok],
            "mode": "markers",
            "name": line.label,
            "marker": {"color": color},
            "hovertemplate": "Trial %{x}<br>%{y}<extra></extra>",
        }
        if line.value_errors is not None:
            values_trace["error_y"] = {"type": "data", "array": _floats(line.value_errors)[ok]}
        traces.append(values_trace)
        if not ok.all():
            traces.append(
                {
                    "type": "scatter",
                    "x": numbers[~ok],
                    "y": values[~ok],
                    "mode": "markers",
                    "name": "Infeasible Trial",
                    "marker": {"color": INFEASIBLE_COLOR},
                    "hovertemplate": "Trial %{x} (infeasible)<br>%{y}<extra></extra>",
                    "showlegend": i == 0,
                }
            )
        if line.best_values is not None:
            best_color = color if several else PALETTE[3]
            best = _floats(line.best_values)
            traces.append(
                {
                    "type": "scatter",
                    "x": numbers,
                    "y": best,
                    "mode": "lines",
                    "name": line.best_label,
                    "line": {"color": best_color, "shape": "hv"},
                    "hovertemplate": "best after trial %{x}<br>%{y}<extra></extra>",
                }
            )
            if line.best_errors is not None:
                traces.append(_error_band(numbers, best, _floats(line.best_errors), best_color))
    return make_figure(go, traces, layout)


def _error_band(x: np.ndarray, y: np.ndarray, err: np.ndarray, color: str) -> dict[str, Any]:
    """A shaded band of one standard deviation around the mean best value."""
    return {
        "type": "scatter",
        "x": np.concatenate([x, x[::-1]]),
        "y": np.concatenate([y + err, (y - err)[::-1]]),
        "fill": "toself",
        "fillcolor": color,
        "opacity": 0.2,
        "line": {"width": 0, "shape": "hv"},
        "hoverinfo": "skip",
        "showlegend": False,
    }
