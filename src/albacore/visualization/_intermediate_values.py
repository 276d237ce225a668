"""plot_intermediate_values with plotly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from albacore.visualization._plotly import empty_figure, plotly_go
from albacore.visualization._style import INFEASIBLE_COLOR, PALETTE, STATE_COLORS
from albacore.visualization.data import IntermediateValuesData, TrialSet, intermediate_values_data

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
        traces = [
            go.Scatter(
                x=curve.steps,
                y=curve.values,
                mode="lines+markers",
                marker={"maxdisplayed": 10},
                line={"color": PALETTE[curve.trial_number % len(PALETTE)] if curve.feasible else INFEASIBLE_COLOR},
                name=f"Trial{curve.trial_number}",
            )
            for curve in data.curves
        ]
        return go.Figure(data=traces, layout=layout)
    groups: dict[tuple[str, bool], tuple[list[Any], list[Any], list[str]]] = {}
    for curve in data.curves:
        xs, ys, texts = groups.setdefault((curve.state, curve.feasible), ([], [], []))
        xs.extend(curve.steps)
        ys.extend(curve.values)
        texts.extend([f"Trial{curve.trial_number}"] * len(curve.steps))
        xs.append(None)  # a gap: the next trial's curve starts anew
        ys.append(None)
        texts.append("")
    traces = [
        go.Scatter(
            x=xs,
            y=ys,
            text=texts,
            mode="lines",
            opacity=0.5,
            line={"color": STATE_COLORS.get(state, PALETTE[0]) if feasible else INFEASIBLE_COLOR, "width": 1},
            name=state.title() if feasible else f"{state.title()} (infeasible)",
            hovertemplate="%{text}<br>step %{x}: %{y}<extra></extra>",
        )
        for (state, feasible), (xs, ys, texts) in groups.items()
    ]
    return go.Figure(data=traces, layout={**layout, "showlegend": True})
