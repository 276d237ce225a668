"""plot_slice with plotly."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.trial import FrozenTrial
from albacore.visualization._plotly import axis_layout, colorscale, empty_figure, grid_axes, make_figure, plotly_go
from albacore.visualization._style import INFEASIBLE_COLOR
from albacore.visualization.data import DEFAULT_TARGET_NAME, SliceData, SliceSubplot, TrialSet, slice_data

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from albacore.study import Study

__all__ = ["plot_slice"]

TITLE = "Slice Plot"


def plot_slice(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> go.Figure:
    """Plot the objective value against each parameter, one panel per parameter.

    Marker colour is the trial number (later trials darker). Log-scaled parameters get a log axis, categorical
    ones one tick per choice; a trial without the parameter (a conditional one) is left out of that panel.

    Args:
        study: The study.
        params: The parameters to draw, in this order; all of them (sorted by name) when None.
        target: What to plot instead of the objective value; required for multi-objective studies.
        target_name: The y-axis title.

    Returns:
        A plotly figure; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For a multi-objective study without ``target``, or a parameter that no trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("n", 1, 3), n_trials=5)
        >>> fig = plot_slice(study)
        >>> [fig.layout.xaxis.title.text, fig.layout.xaxis2.title.text]
        ['n', 'x']
    """
    go = plotly_go("plot_slice")
    data = slice_data(TrialSet.of(study), params, target=target, target_name=target_name)
    return _draw(go, data)


def _traces(sub: SliceSubplot, refs: tuple[str, str], *, show_scale: bool) -> list[dict[str, Any]]:
    feasible = np.asarray(sub.feasible, dtype=bool)
    x, y, numbers = np.asarray(sub.x), np.asarray(sub.y), np.asarray(sub.trial_numbers)
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": x[feasible],
            "y": y[feasible],
            "customdata": numbers[feasible],
            "xaxis": refs[0],
            "yaxis": refs[1],
            "mode": "markers",
            "name": sub.axis.name,
            "showlegend": False,
            "marker": {
                "color": numbers[feasible],
                "colorscale": colorscale(),
                "colorbar": {"title": {"text": "Trial"}, "x": 1.0, "xpad": 40},
                "showscale": show_scale,
                "line": {"width": 0.5, "color": "Grey"},
            },
            "hovertemplate": "Trial %{customdata}<br>%{x}<br>%{y}<extra></extra>",
        }
    ]
    if not feasible.all():
        traces.append(
            {
                "type": "scatter",
                "x": x[~feasible],
                "y": y[~feasible],
                "customdata": numbers[~feasible],
                "xaxis": refs[0],
                "yaxis": refs[1],
                "mode": "markers",
                "name": f"{sub.axis.name} (infeasible)",
                "showlegend": False,
                "marker": {"color": INFEASIBLE_COLOR},
                "hovertemplate": "Trial %{customdata} (infeasible)<br>%{x}<br>%{y}<extra></extra>",
            }
        )
    return traces


def _draw(go: Any, data: SliceData) -> Any:
    if not data.subplots:
        return empty_figure(go, TITLE, "there are no completed trials to plot.")
    n = len(data.subplots)
    layout, refs = grid_axes(1, n, gap=0.02 if n > 4 else 0.04, share_y=True)
    traces = []
    for col, sub in enumerate(data.subplots):
        traces += _traces(sub, refs[0][col], show_scale=col == 0)
        key = "xaxis" if col == 0 else f"xaxis{col + 1}"
        layout[key].update(axis_layout(sub.axis))
    layout["yaxis"]["title"] = {"text": data.target_name}
    layout["title"] = {"text": TITLE}
    if n > 1:
        layout["width"] = max(300 * n, 600)
    return make_figure(go, traces, layout)
