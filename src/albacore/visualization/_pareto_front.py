"""plot_pareto_front with plotly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.trial import FrozenTrial
from albacore.visualization._plotly import colorscale, empty_figure, make_figure, plotly_go
from albacore.visualization._style import BLUES, INFEASIBLE_COLOR, REDS
from albacore.visualization.data import ParetoFrontData, ParetoGroup, TrialSet, pareto_front_data

if TYPE_CHECKING:
    import plotly.graph_objects as go

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
) -> go.Figure:
    """Plot the trials of a 2- or 3-objective study, with the Pareto-optimal ones highlighted.

    Best (Pareto-optimal, feasible) trials are red, the others blue, both shaded by trial number; infeasible
    trials (a constraint set with ``trial.set_constraint`` above 0) are grey.

    Args:
        study: A study with 2 or 3 objectives (or any study, with ``targets`` returning 2 or 3 values).
        target_names: The axis titles; the study's metric names or "Objective 0", ... by default.
        include_dominated_trials: Also draw the trials that are not Pareto-optimal.
        constraints_func: Deprecated: a function returning a trial's constraint values (feasible when all are
            <= 0); use ``trial.set_constraint`` in the objective instead.
        targets: What to place each trial by, for example ``lambda t: (t.values[0], t.duration.seconds)``.

    Returns:
        A plotly figure; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For other than 2 or 3 targets, or ``target_names`` of another length.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(directions=["minimize", "maximize"])
        >>> study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=10)
        >>> [trace.name for trace in plot_pareto_front(study).data]
        ['Trial', 'Best Trial']
    """
    go = plotly_go("plot_pareto_front")
    data = pareto_front_data(
        TrialSet.of(study),
        target_names=target_names,
        include_dominated_trials=include_dominated_trials,
        constraints_func=constraints_func,
        targets=targets,
    )
    return _draw(go, data)


def _trace(group: ParetoGroup, data: ParetoFrontData, name: str, marker: dict[str, Any]) -> dict[str, Any]:
    columns = [np.asarray(v) for v in group.values] if group.trial_numbers else [np.zeros(0)] * data.n_targets
    trace: dict[str, Any] = {
        "type": "scatter" if data.n_targets == 2 else "scatter3d",
        "x": columns[0],
        "y": columns[1],
        "mode": "markers",
        "name": name,
        "marker": marker,
        "customdata": np.asarray(group.trial_numbers),
        "hovertemplate": "Trial %{customdata}<extra>" + name + "</extra>",
    }
    if data.n_targets == 3:
        trace["z"] = columns[2]
    return trace


def _draw(go: Any, data: ParetoFrontData) -> Any:
    names = data.target_names
    if data.n_targets == 2:
        layout: dict[str, Any] = {"xaxis": {"title": {"text": names[0]}}, "yaxis": {"title": {"text": names[1]}}}
    else:
        layout = {
            "scene": {
                "xaxis": {"title": {"text": names[0]}},
                "yaxis": {"title": {"text": names[1]}},
                "zaxis": {"title": {"text": names[2]}},
            }
        }
    groups = (data.best, data.dominated, data.infeasible)
    if not any(g.trial_numbers for g in groups):
        return empty_figure(go, TITLE, "there are no completed trials to plot.", layout)
    numbers = [n for g in groups for n in g.trial_numbers]
    low, high = min(numbers), max(numbers)

    def shaded(group: ParetoGroup, scale: list[str], *, show_scale: bool) -> dict[str, Any]:
        marker: dict[str, Any] = {
            "color": np.asarray(group.trial_numbers),
            "colorscale": colorscale(scale),
            "cmin": low,
            "cmax": max(high, low + 1),
            "line": {"width": 0.5, "color": "Grey"},
            "showscale": show_scale,
        }
        if show_scale:
            marker["colorbar"] = {"title": {"text": "Trial"}}
        return marker

    traces = []
    if data.include_dominated_trials:
        traces.append(_trace(data.dominated, data, "Trial", shaded(data.dominated, BLUES[2:], show_scale=True)))
    traces.append(_trace(data.best, data, "Best Trial", shaded(data.best, REDS[2:], show_scale=False)))
    if data.has_constraints:
        traces.append(_trace(data.infeasible, data, "Infeasible Trial", {"color": INFEASIBLE_COLOR}))
    layout["title"] = {"text": TITLE}
    layout["legend"] = {"orientation": "h", "x": 0.0, "y": 1.08}
    return make_figure(go, traces, layout)
