"""plot_intermediate_values with plotly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.visualization._plotly import empty_figure, make_figure, plotly_go
from albacore.visualization._style import INFEASIBLE_COLOR, PALETTE, STATE_COLORS
from albacore.visualization.data import IntermediateValuesData, LearningCurve, TrialSet, intermediate_values_data

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from albacore.study import Study

__all__ = ["plot_intermediate_values"]

TITLE = "Intermediate Values Plot"

# Above this many curves, one trace per trial makes the figure slow to build and to display: curves are then
# merged into one trace per trial state (lines separated by gaps), which draws the same picture.
MAX_SEPARATE_CURVES = 200


def plot_intermediate_values(study: Study) -> go.Figure:
    """Plot the intermediate values (learning curves) that each trial reported with ``trial.report``.

    Completed, pruned and running trials are drawn; infeasible trials are grey. Works for multi-objective
    studies too (intermediate values are single numbers).

    Args:
        study: The study whose trials' reports to draw.

    Returns:
        A plotly figure; empty (with a logged warning) when no trial reported a value.

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     for step in range(3):
        ...         trial.report(step * 0.1, step)
        ...     return 0.0
        >>> study = albacore.create_study()
        >>> study.optimize(objective, n_trials=2)
        >>> len(plot_intermediate_values(study).data)
        2
    """
    go = plotly_go("plot_intermediate_values")
    return _draw(go, intermediate_values_data(TrialSet.of(study)))


def _draw(go: Any, data: IntermediateValuesData) -> Any:
    layout = {
        "title": {"text": TITLE},
        "xaxis": {"title": {"text": "Step"}},
        "yaxis": {"title": {"text": "Intermediate Value"}},
        "showlegend": False,
    }
    if not data.curves:
        return empty_figure(go, TITLE, "no trial reported intermediate values.", layout)
    if len(data.curves) <= MAX_SEPARATE_CURVES:
        traces: list[dict[str, Any]] = [
            {
                "type": "scatter",
                "x": curve.steps,
                "y": curve.values,
                "mode": "lines+markers",
                "marker": {"maxdisplayed": 10},
                "line": {"color": PALETTE[curve.trial_number % len(PALETTE)] if curve.feasible else INFEASIBLE_COLOR},
                "name": f"Trial{curve.trial_number}",
            }
            for curve in data.curves
        ]
        return make_figure(go, traces, layout)
    groups: dict[tuple[str, bool], list[LearningCurve]] = {}
    for curve in data.curves:
        groups.setdefault((curve.state, curve.feasible), []).append(curve)
    traces = []
    for (state, feasible), curves in groups.items():
        # NaN between two curves breaks the line, so one trace holds them all.
        xs = np.concatenate([np.append(np.asarray(c.steps, dtype=float), np.nan) for c in curves])
        ys = np.concatenate([np.append(_floats(c.values), np.nan) for c in curves])
        numbers = np.concatenate([np.full(len(c.steps) + 1, c.trial_number) for c in curves])
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "customdata": numbers,
                "mode": "lines",
                "opacity": 0.5,
                "line": {"color": STATE_COLORS.get(state, PALETTE[0]) if feasible else INFEASIBLE_COLOR, "width": 1},
                "name": state.title() if feasible else f"{state.title()} (infeasible)",
                "hovertemplate": "Trial%{customdata}<br>step %{x}: %{y}<extra></extra>",
            }
        )
    return make_figure(go, traces, {**layout, "showlegend": True})


def _floats(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)
