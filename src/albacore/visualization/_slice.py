"""plot_slice with plotly."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from albacore.trial import FrozenTrial
from albacore.visualization._plotly import axis_layout, colorscale, empty_figure, plotly_go, plotly_subplots
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


def _traces(go: Any, sub: SliceSubplot, *, show_scale: bool) -> list[Any]:
    good = [i for i, ok in enumerate(sub.feasible) if ok]
    bad = [i for i, ok in enumerate(sub.feasible) if not ok]
    traces = [
        go.Scatter(
            x=[sub.x[i] for i in good],
            y=[sub.y[i] for i in good],
            text=[f"Trial {sub.trial_numbers[i]}" for i in good],
            mode="markers",
            name=sub.axis.name,
            showlegend=False,
            marker={
                "color": [sub.trial_numbers[i] for i in good],
                "colorscale": colorscale(),
                "colorbar": {"title": {"text": "Trial"}, "x": 1.0, "xpad": 40},
                "showscale": show_scale,
                "line": {"width": 0.5, "color": "Grey"},
            },
            hovertemplate="%{text}<br>%{x}<br>%{y}<extra></extra>",
        )
    ]
    if bad:
        traces.append(
            go.Scatter(
                x=[sub.x[i] for i in bad],
                y=[sub.y[i] for i in bad],
                text=[f"Trial {sub.trial_numbers[i]} (infeasible)" for i in bad],
                mode="markers",
                name=f"{sub.axis.name} (infeasible)",
                showlegend=False,
                marker={"color": INFEASIBLE_COLOR},
                hovertemplate="%{text}<br>%{x}<br>%{y}<extra></extra>",
            )
        )
    return traces


def _draw(go: Any, data: SliceData) -> Any:
    if not data.subplots:
        return empty_figure(go, TITLE, "there are no completed trials to plot.")
    n = len(data.subplots)
    if n == 1:
        sub = data.subplots[0]
        return go.Figure(
            data=_traces(go, sub, show_scale=True),
            layout={
                "title": {"text": TITLE},
                "xaxis": axis_layout(sub.axis),
                "yaxis": {"title": {"text": data.target_name}},
            },
        )
    figure = plotly_subplots("plot_slice").make_subplots(rows=1, cols=n, shared_yaxes=True)
    for col, sub in enumerate(data.subplots, start=1):
        for trace in _traces(go, sub, show_scale=col == 1):
            figure.add_trace(trace, row=1, col=col)
        figure.update_xaxes(axis_layout(sub.axis), row=1, col=col)
    figure.update_yaxes(title={"text": data.target_name}, row=1, col=1)
    figure.update_layout(title={"text": TITLE}, width=max(300 * n, 600))
    return figure
